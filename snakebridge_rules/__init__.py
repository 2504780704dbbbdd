"""SnakeBridge rules: lazy Elixir bindings for Python libraries as hermetic build actions."""
