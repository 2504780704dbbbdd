defmodule NumpyStats.MixProject do
  use Mix.Project

  # The numpy bindings in generated/ are written by `snakebridge generate` (see ./run);
  # they are not committed, only bindings.manifest is.
  def project do
    [
      app: :numpy_stats,
      version: "0.1.0",
      elixir: "~> 1.14",
      elixirc_paths: ["lib", "generated"],
      deps: [{:snakebridge, path: "../../runtime"}]
    ]
  end

  def application do
    [extra_applications: [:logger]]
  end
end
