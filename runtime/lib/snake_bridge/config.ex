defmodule SnakeBridge.Config do
  @moduledoc """
  Where the runtime finds Python, read when a worker starts.

  Each setting comes from the `:snakebridge` application environment, else from an
  OS environment variable, else a default:

    * `:python` / `SNAKEBRIDGE_PYTHON` — the interpreter of the locked environment
      (default: `python3` on `PATH`).
    * `:worker_script` / `SNAKEBRIDGE_WORKER` — the worker script (or a packaged
      worker PEX); default: the `snakebridge_rules/worker` file of the checkout this
      runtime was compiled from.
    * `:pool_size` / `SNAKEBRIDGE_POOL_SIZE` — number of workers (default: schedulers).
    * `:timeout` — default per-call timeout in ms (default 30 s).
    * `:env` — extra `{name, value}` pairs for the worker's environment.
    * `:cd` — the worker's working directory.
    * `:ledger` / `SNAKEBRIDGE_LEDGER` — file that records dynamic calls of symbols
      that have no generated binding (off when unset; set it in dev and test).
  """

  @default_worker Path.expand("../../../snakebridge_rules/worker/snakebridge_worker.py", __DIR__)

  @doc "The Python interpreter to run workers with."
  @spec python() :: String.t()
  def python do
    setting(:python, "SNAKEBRIDGE_PYTHON") || System.find_executable("python3") || "python3"
  end

  @doc "The worker script (`snakebridge_worker.py` or a worker PEX)."
  @spec worker_script() :: String.t()
  def worker_script, do: setting(:worker_script, "SNAKEBRIDGE_WORKER") || @default_worker

  @doc "How many workers the pool runs."
  @spec pool_size() :: pos_integer()
  def pool_size do
    case setting(:pool_size, "SNAKEBRIDGE_POOL_SIZE") do
      nil -> System.schedulers_online()
      size when is_integer(size) and size > 0 -> size
      text when is_binary(text) -> String.to_integer(text)
    end
  end

  @doc "Default per-call timeout in milliseconds."
  @spec timeout() :: timeout()
  def timeout, do: Application.get_env(:snakebridge, :timeout, 30_000)

  @doc "Options for `Port.open/2` beyond the protocol ones: environment and directory."
  @spec port_options() :: keyword()
  def port_options do
    env =
      for {name, value} <- Application.get_env(:snakebridge, :env, []) do
        {to_charlist(name), value && to_charlist(value)}
      end

    case Application.get_env(:snakebridge, :cd) do
      nil -> [env: env]
      dir -> [env: env, cd: to_charlist(dir)]
    end
  end

  @doc "The ledger path, or nil when the ledger is off."
  @spec ledger() :: String.t() | nil
  def ledger, do: setting(:ledger, "SNAKEBRIDGE_LEDGER")

  defp setting(key, variable) do
    case Application.get_env(:snakebridge, key) do
      nil -> non_empty(System.get_env(variable))
      value -> value
    end
  end

  defp non_empty(""), do: nil
  defp non_empty(value), do: value
end
