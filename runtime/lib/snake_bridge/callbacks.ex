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
  `%SnakeBridge.PythonError{}` with both sides' traces. A function Python calls after
  its call returned raises `RuntimeError` in Python.
  """

  alias SnakeBridge.{Args, Pool}

  @doc false
  # `etf` is `{cb_id, index, args}` from a callback frame for the call tagged `tag`.
  @spec run(reference(), binary()) :: :ok
  def run(tag, etf) do
    {cb_id, index, args} = :erlang.binary_to_term(etf)

    case Process.get({:snakebridge_funs, tag}) do
      {worker, id, funs} ->
        {status, value} = apply_fun(elem(funs, index), args)
        send(worker, {:sb_cb_reply, id, Pool.frame(0, {:cb_reply}, {cb_id, status, value})})

      nil ->
        :ok
    end

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
