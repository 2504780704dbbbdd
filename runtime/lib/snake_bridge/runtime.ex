defmodule SnakeBridge.Runtime do
  @moduledoc """
  The calls generated bindings make (see docs/CONTRACTS.md, "Runtime API used by
  generated code").

  Every function returns `{:ok, term}`, `{:error, %SnakeBridge.PythonError{}}` or
  `{:error, %SnakeBridge.WorkerError{}}`. Data converts both ways: integers of any
  size, floats, UTF-8 binaries ↔ `str`, lists, tuples, maps ↔ dicts, `nil`/booleans;
  `%SnakeBridge.Bytes{}` ↔ `bytes`, `%SnakeBridge.Array{}` → `ndarray`, `MapSet` ↔ `set`,
  `Date`/`Time`/`NaiveDateTime`/`DateTime` ↔ `datetime`'s types, functions → callables
  (`SnakeBridge.Callbacks`); atoms become `str`, except `:nan`, `:infinity` and
  `:neg_infinity`, which are the non-finite floats both ways; anything else Python
  returns is a `%SnakeBridge.Ref{}`. Pids, references, ports and improper lists are an
  `ArgumentError` before anything is sent.

  The user's keyword list may carry `__runtime__: [...]` options, removed before the
  call: `timeout: ms` (default `SnakeBridge.Config.timeout/0`) and
  `ndarray: :ref | :array | :list` (how numpy arrays come back; default `:ref`).
  """

  alias SnakeBridge.{Affinity, Args, Config, Pool, Ref, Telemetry, WorkerError}

  @type result :: {:ok, term()} | {:error, Exception.t()}
  @modes [:ref, :array, :list]
  @retries 3
  # The default of a generated function's optional arguments (members.py: UNSET).
  @unset :__snakebridge_unset__

  @doc """
  Calls `py_module.qualname(*args, **opts)`; `qualname` may be dotted, and a class
  constructs an instance. `args` are Python's positional arguments, `opts` its keyword
  arguments.
  """
  @spec call_function(String.t(), String.t(), list(), keyword()) :: result()
  def call_function(py_module, qualname, args, opts) do
    {runtime, kwargs} = split_opts(opts)
    header = {:call, mode(runtime), py_module, qualname}
    dispatch(header, {args, kwargs}, runtime)
  end

  @doc "Calls method `name` of the object behind `ref` with `*args, **opts`."
  @spec call_method(Ref.t(), String.t(), list(), keyword()) :: result()
  def call_method(%Ref{} = ref, name, args, opts) do
    {runtime, kwargs} = split_opts(opts)
    header = {:method, mode(runtime), name}
    dispatch(header, {ref, args, kwargs}, runtime)
  end

  @doc """
  Calls a function as a generated binding's caller wrote it (calling convention v2,
  docs/CONTRACTS.md): `values` are always positional; of `trailing` (the optional
  arguments the caller gave; bindings generated with default arguments mark one left
  out with `#{inspect(@unset)}`) the last given one is the keyword arguments when it is
  a keyword list (`[]` included), and every other one is the next positional argument.
  """
  @spec invoke_function(String.t(), String.t(), list(), list()) :: result()
  def invoke_function(py_module, qualname, values, trailing) do
    {args, opts} = arguments(values, trailing)
    call_function(py_module, qualname, args, opts)
  end

  @doc """
  Like `invoke_function/4` for method `name` of the class of generated module `module`
  (its `__python__/0`), called as `module.fun`: `object` (a ref, or a value that
  converts, as `"a,b"` for `Builtins.Str.split/2`) must be an instance of that class (a
  subclass is fine: the method is looked up on the object), else the call is a
  `TypeError` naming `module.fun/arity`, the class and the object's type.
  """
  @spec invoke_method(term(), {module(), atom(), String.t()}, list(), list()) :: result()
  def invoke_method(object, {module, fun, name}, values, trailing) do
    {args, opts} = arguments(values, trailing)
    {runtime, kwargs} = split_opts(opts)
    {py_module, qualname} = module.__python__()
    arity = 1 + length(values) + Enum.count(Enum.take_while(trailing, &(&1 != @unset)))
    label = "#{inspect(module)}.#{fun}/#{arity}"
    header = {:method_of, mode(runtime), py_module, qualname, name, label}
    dispatch(header, {object, args, kwargs}, runtime)
  end

  @doc """
  `{positional arguments, keyword list}` from a generated function's arguments (see
  `invoke_function/4`): a keyword list at the end is the keywords, so a keyword-list
  value is passed positionally by giving the keyword list explicitly after it
  (`f(x, [a: 1], [])`) or by name.
  """
  @spec arguments(list(), list()) :: {list(), keyword()}
  def arguments(values, trailing) do
    given = Enum.take_while(trailing, &(&1 != @unset))

    case List.last(given) do
      last when is_list(last) ->
        if Keyword.keyword?(last),
          do: {values ++ Enum.drop(given, -1), last},
          else: {values ++ given, []}

      _ ->
        {values ++ given, []}
    end
  end

  @doc "Reads a module attribute or constant (`qualname` may be dotted)."
  @spec get_attribute(String.t(), String.t()) :: result()
  def get_attribute(py_module, qualname),
    do: dispatch({:getattr, :ref, py_module, qualname}, {}, [])

  @doc "Reads attribute (or property) `name` of the object behind `ref`."
  @spec get_property(Ref.t(), String.t()) :: result()
  def get_property(%Ref{} = ref, name), do: dispatch({:getref, :ref, name}, {ref}, [])

  @doc "Converts the object behind `ref` again, e.g. an ndarray with `ndarray: :list`."
  @spec value(Ref.t(), keyword()) :: result()
  def value(%Ref{} = ref, runtime \\ []),
    do: dispatch({:value, mode(runtime)}, {ref}, runtime)

  @doc "`{:ok, v}` → `v`; `{:error, e}` → raises `e`."
  @spec unwrap!(result()) :: term()
  def unwrap!({:ok, value}), do: value
  def unwrap!({:error, exception}), do: raise(exception)

  @doc false
  # Sends `header` + `payload` (see `SnakeBridge.Pool.request/7`) to the worker
  # `SnakeBridge.Affinity` picks, after `SnakeBridge.Args` has checked the payload.
  @spec dispatch(tuple(), tuple(), keyword()) :: result()
  def dispatch(header, payload, runtime) do
    timeout = Keyword.get_lazy(runtime, :timeout, &Config.timeout/0)
    {payload, refs, funs} = Args.prepare(payload)

    case Enum.find(refs, &(not Pool.live?(&1.worker, &1.id))) do
      nil ->
        Telemetry.span(header, fn -> send_call(header, payload, refs, funs, timeout, @retries) end)

      stale ->
        {:error, stale_error(stale)}
    end
  end

  # A reference no worker holds: released, or its worker was replaced.
  defp stale_error(%Ref{id: id, type: type, worker: worker}) do
    why =
      if Process.alive?(worker),
        do:
          "was released (by SnakeBridge.release/1, at the end of its " <>
            "SnakeBridge.with_session/1, or when every process holding it exited: the " <>
            "process that received it, its Task parents, and those that passed it in a call)",
        else: "belongs to a worker that was replaced (its objects are gone)"

    %WorkerError{reason: :stale_ref, message: "SnakeBridge.Ref #{id} (#{type}) #{why}"}
  end

  # A call its worker had not started when it was replaced is sent again, re-routed.
  defp send_call(header, payload, refs, funs, timeout, retries) do
    with {:ok, {worker, session, sent, copies}} <- Affinity.route(refs, payload, timeout) do
      used = for %Ref{id: id, worker: ^worker} <- refs, do: id
      result = Pool.request(worker, header, sent, timeout, session, funs, used)
      Affinity.release(copies)

      case result do
        {:error, %WorkerError{reason: :retry}} when retries > 0 ->
          send_call(header, payload, refs, funs, timeout, retries - 1)

        {:error, %WorkerError{reason: :retry} = error} ->
          {:error, %{error | reason: :exited}}

        result ->
          result
      end
    end
  end

  defp split_opts(opts) when is_list(opts) do
    case Keyword.pop(opts, :__runtime__) do
      {nil, kwargs} -> {[], kwargs}
      {runtime, kwargs} when is_list(runtime) -> {runtime, kwargs}
    end
  end

  defp split_opts(opts) do
    raise ArgumentError,
          "expected a keyword list of Python keyword arguments, got: #{inspect(opts)}"
  end

  defp mode(runtime) do
    case Keyword.get(runtime, :ndarray, :ref) do
      mode when mode in @modes ->
        mode

      other ->
        raise ArgumentError,
              "__runtime__: [ndarray: ...] must be one of #{inspect(@modes)}, got: #{inspect(other)}"
    end
  end
end
