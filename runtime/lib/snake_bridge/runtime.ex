defmodule SnakeBridge.Runtime do
  @moduledoc """
  The calls generated bindings make (see docs/CONTRACTS.md, "Runtime API used by
  generated code").

  Every function returns `{:ok, term}`, `{:error, %SnakeBridge.PythonError{}}` or
  `{:error, %SnakeBridge.WorkerError{}}`. Data converts both ways: integers of any
  size, floats, UTF-8 binaries ↔ `str`, lists, tuples, maps ↔ dicts, `nil`/booleans;
  `%SnakeBridge.Bytes{}` ↔ `bytes`, `%SnakeBridge.Array{}` → `ndarray`; atoms become
  `str`; anything else Python returns is a `%SnakeBridge.Ref{}`. NaN and the
  infinities come back as `:nan`, `:infinity` and `:neg_infinity`.

  The user's keyword list may carry `__runtime__: [...]` options, removed before the
  call: `timeout: ms` (default `SnakeBridge.Config.timeout/0`) and
  `ndarray: :ref | :array | :list` (how numpy arrays come back; default `:ref`).
  """

  alias SnakeBridge.{Config, Pool, Ref}

  @type result :: {:ok, term()} | {:error, Exception.t()}
  @modes [:ref, :array, :list]
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
  arguments, where `#{inspect(@unset)}` marks one the caller left out) the last
  given one is the keyword arguments when it is a keyword list (`[]` included), and
  every other one is the next positional argument.
  """
  @spec invoke_function(String.t(), String.t(), list(), list()) :: result()
  def invoke_function(py_module, qualname, values, trailing) do
    {args, opts} = arguments(values, trailing)
    call_function(py_module, qualname, args, opts)
  end

  @doc "Like `invoke_function/4` for method `name` of the object behind `ref`."
  @spec invoke_method(Ref.t(), String.t(), list(), list()) :: result()
  def invoke_method(%Ref{} = ref, name, values, trailing) do
    {args, opts} = arguments(values, trailing)
    call_method(ref, name, args, opts)
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
  # Sends `header` + `payload` (see `SnakeBridge.Pool.request/5`) to the worker that
  # holds the first reference in `payload`, else the session's worker, else an idle one.
  @spec dispatch(tuple(), tuple(), keyword()) :: result()
  def dispatch(header, payload, runtime) do
    timeout = Keyword.get_lazy(runtime, :timeout, &Config.timeout/0)

    with {:ok, worker, session} <- route(payload) do
      Pool.request(worker, header, payload, timeout, session)
    end
  end

  defp route(args) do
    session = Process.get(:snakebridge_session)

    case {find_ref(args), session} do
      {%Ref{worker: worker}, {worker, token}} -> {:ok, worker, token}
      {%Ref{worker: worker}, _} -> {:ok, worker, nil}
      {nil, {worker, token}} -> {:ok, worker, token}
      {nil, nil} -> with {:ok, worker} <- Pool.checkout(), do: {:ok, worker, nil}
    end
  end

  defp find_ref(%Ref{} = ref), do: ref
  defp find_ref([head | tail]), do: find_ref(head) || find_ref(tail)
  defp find_ref(tuple) when is_tuple(tuple), do: find_ref(Tuple.to_list(tuple))
  defp find_ref(%{__struct__: _}), do: nil
  defp find_ref(%{} = map) when map_size(map) > 0, do: find_ref(Map.to_list(map))
  defp find_ref(_), do: nil

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
