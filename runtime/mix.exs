defmodule SnakeBridge.MixProject do
  use Mix.Project

  def project do
    [
      app: :snakebridge,
      version: "0.1.0",
      elixir: "~> 1.14",
      start_permanent: Mix.env() == :prod,
      elixirc_paths: elixirc_paths(Mix.env()),
      deps: []
    ]
  end

  # The application starts the worker pool; the Python side needs no Elixir deps.
  def application do
    [extra_applications: [:logger], mod: {SnakeBridge.Application, []}]
  end

  defp elixirc_paths(:test), do: ["lib", "test/support"]
  defp elixirc_paths(_), do: ["lib"]
end
