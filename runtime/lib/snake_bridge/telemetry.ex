defmodule SnakeBridge.Telemetry do
  @moduledoc """
  `:telemetry` events for calls, emitted only when the application has `:telemetry`
  loaded (no dependency: the runtime looks for the module once).

    * `[:snakebridge, :call, :start]` — measurements `%{system_time, monotonic_time}`
    * `[:snakebridge, :call, :stop]` — `%{duration, monotonic_time}`; metadata also
      has `result: :ok | :error` and `error` (the exception, or nil)
    * `[:snakebridge, :call, :exception]` — `%{duration, monotonic_time}`; metadata
      also has `kind`, `reason`, `stacktrace`

  Metadata: `op` (`:call`, `:method`, ...), `target` (the header's static arguments,
  e.g. `{"math", "sqrt"}`), `telemetry_span_context`.
  """

  @key {__MODULE__, :enabled}

  @doc false
  @spec span(tuple(), (() -> result)) :: result when result: term()
  def span(header, fun) do
    if enabled?(), do: emit(header, fun), else: fun.()
  end

  @doc "Whether events are emitted (`:telemetry` is loaded); checked once per VM."
  @spec enabled?() :: boolean()
  def enabled? do
    case :persistent_term.get(@key, nil) do
      nil ->
        found = Code.ensure_loaded?(:telemetry) and function_exported?(:telemetry, :execute, 3)
        :persistent_term.put(@key, found)
        found

      found ->
        found
    end
  end

  defp emit(header, fun) do
    meta = %{op: elem(header, 0), target: target(header), telemetry_span_context: make_ref()}
    start = System.monotonic_time()
    execute(:start, %{system_time: System.system_time(), monotonic_time: start}, meta)

    try do
      fun.()
    rescue
      error ->
        stop(
          :exception,
          start,
          Map.merge(meta, %{kind: :error, reason: error, stacktrace: __STACKTRACE__})
        )

        reraise error, __STACKTRACE__
    else
      result ->
        stop(:stop, start, Map.merge(meta, outcome(result)))
        result
    end
  end

  defp stop(event, start, meta) do
    now = System.monotonic_time()
    execute(event, %{duration: now - start, monotonic_time: now}, meta)
  end

  defp outcome({:ok, _}), do: %{result: :ok, error: nil}
  defp outcome({:error, error}), do: %{result: :error, error: error}
  defp outcome(_), do: %{result: :ok, error: nil}

  defp target({_op, _mode, module, name, _}) when is_binary(module), do: {module, name}
  defp target({_op, _mode, module, name}) when is_binary(module), do: {module, name}
  defp target({:method, _mode, name, _}), do: name
  defp target({:method, _mode, name}), do: name
  defp target(header), do: header |> Tuple.delete_at(0) |> Tuple.to_list()

  # Through apply/3: the module may not exist when this file is compiled.
  defp execute(event, measurements, meta),
    do: apply(:telemetry, :execute, [[:snakebridge, :call, event], measurements, meta])
end
