defmodule SnakeBridge.Callbacks do
  @moduledoc """
  Elixir functions called from Python, run in the process that made the call.

  A function anywhere in a call's arguments travels as a placeholder
  (`SnakeBridge.Args`); Python gets a callable. Calling it sends the arguments back to
  the waiting caller (`SnakeBridge.Pool.request/7`), which runs the function here and
  sends its result, while the Python worker keeps serving requests: the function may
  call Python again (re-entrant calls are nested on the worker, not queued behind
  it). An exception in the function is raised in Python as `snakebridge.ElixirError`
  (Python's `try` sees it); uncaught, it comes back as the call's
  `%SnakeBridge.PythonError{}` with both sides' traces.

  A function Python keeps (a lazy `filter`/`map`, `itertools.accumulate`, a
  `defaultdict` factory) stays with the worker (`SnakeBridge.Worker`) as long as
  Python holds it: called during a later call on that worker, it runs in the process
  making that call. Called when no call is in progress (from a thread of Python's
  own), it raises `RuntimeError` naming the function.
  """

  alias SnakeBridge.{Args, Pool}

  @doc false
  # Runs `fun` for call `call_id` of `worker`; `etf` is `{cb_id, args}` from Python.
  @spec run(pid(), pos_integer(), function() | nil, binary()) :: :ok
  def run(worker, call_id, fun, etf) do
    {cb_id, args} = :erlang.binary_to_term(etf)
    {status, value} = apply_fun(fun, args)
    send(worker, {:sb_cb_reply, call_id, Pool.frame(0, {:cb_reply}, {cb_id, status, value})})
    :ok
  end

  defp apply_fun(fun, args) do
    {:ok, Args.prepare_value(apply(fun, args))}
  rescue
    error ->
      {:error, describe(inspect(error.__struct__), Exception.message(error), __STACKTRACE__)}
  catch
    kind, reason -> {:error, describe(to_string(kind), inspect(reason), __STACKTRACE__)}
  end

  defp describe(type, message, stacktrace),
    do: {type, message, Exception.format_stacktrace(stacktrace)}
end
