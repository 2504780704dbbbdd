"""CLI subcommands, one module each (see snakebridge_rules/cli.py)."""
