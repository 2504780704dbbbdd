defmodule SnakeBridge do
  @moduledoc """
  Calling Python from Elixir: the runtime under generated bindings.

  Generated modules call `SnakeBridge.Runtime`; this module adds what a user calls by
  hand: dynamic calls (`call/4`, recorded in the ledger when no binding exists),
  reference lifetimes (`release/1`, `with_session/1`) and `ensure_started/0` for code
  that runs outside an application (scripts compiled with `elixirc`).
  """

  alias SnakeBridge.{Ledger, Naming, Pool, Ref, Runtime}

  @typedoc "Why a call failed: Python raised, or the worker could not answer."
  @type error :: SnakeBridge.PythonError.t() | SnakeBridge.WorkerError.t()

  @typedoc """
  An optional argument left out, in bindings generated with default arguments (before
  one `def` per arity): their specs name this type, so it stays.
  """
  @type unset :: :__snakebridge_unset__

  @doc """
  Calls any Python function by name: `SnakeBridge.call(Numpy, :mean, [xs])` or
  `SnakeBridge.call("numpy", "mean", [xs], axis: 0)`; `name` may be dotted
  (`"linalg.norm"`). Options are the same as for generated functions. `args` are
  positional arguments, all of them (a keyword list in `args` is a value); keyword
  arguments go in `opts`.

  When the ledger is on (see `SnakeBridge.Ledger`), no generated function covers the
  call and the call succeeded, its key (`Numpy.mean/1`) is recorded for `snakebridge
  promote` (a name Python does not have, or a call that raised, is not).
  """
  @spec call(module() | String.t(), atom() | String.t(), list(), keyword()) :: Runtime.result()
  def call(module, name, args \\ [], opts \\ []) do
    name = to_string(name)

    case generated(module, name, args, opts) do
      {fun, call_args} ->
        apply(module, fun, call_args)

      nil ->
        {py_module, prefix} = Naming.python_target(module)
        result = Runtime.call_function(py_module, Naming.join(prefix, name), args, opts)
        if match?({:ok, _}, result), do: record(module, name, args, opts)
        result
    end
  end

  # A generated function that takes these arguments: `{name, args}` to apply, or nil.
  defp generated(module, name, args, opts) when is_atom(module) do
    with fun when fun != nil <- Naming.existing_atom(name),
         true <- Code.ensure_loaded?(module) do
      arity = length(args)

      # The keyword list given explicitly (even []) when the function takes one, so that
      # every element of `args` stays positional (a keyword-list value included).
      cond do
        function_exported?(module, fun, arity + 1) -> {fun, args ++ [opts]}
        opts == [] and function_exported?(module, fun, arity) -> {fun, args}
        true -> nil
      end
    else
      _ -> nil
    end
  end

  defp generated(_python_module, _name, _args, _opts), do: nil

  defp record(module, name, args, opts) do
    {path, [fun]} = name |> String.split(".") |> Enum.split(-1)

    elixir_module =
      Enum.join([Naming.elixir_name(module) | Enum.map(path, &Macro.camelize/1)], ".")

    kwargs = Keyword.delete(opts, :__runtime__)
    Ledger.record(elixir_module, fun, length(args) + if(kwargs == [], do: 0, else: 1))
  end

  @doc """
  Calls method `name` of any value: a `%SnakeBridge.Ref{}`, or data that converts
  (`SnakeBridge.method(%{"a" => 1}, "keys", [])` calls `dict.keys`;
  `SnakeBridge.method("a,b", "split", [","])`). Options as for generated functions.
  """
  @spec method(term(), String.t() | atom(), list(), keyword()) :: Runtime.result()
  def method(value, name, args \\ [], opts \\ [])

  def method(%Ref{} = ref, name, args, opts),
    do: Runtime.call_method(ref, to_string(name), args, opts)

  def method(value, name, args, opts) do
    # The bound method of the converted value, called, then dropped.
    with {:ok, %Ref{} = bound} <-
           Runtime.call_function("builtins", "getattr", [value, to_string(name)], []) do
      try do
        Runtime.call_method(bound, "__call__", args, opts)
      after
        release(bound)
      end
    end
  end

  @doc """
  A lazy stream of a Python iterable (`%SnakeBridge.Ref{}`), pulled `batch: n` items
  at a time at first (default 32, doubling to 1,024); see `SnakeBridge.Stream`. Every
  ref is already enumerable; this sets the batch size. Plain data is returned as is.
  """
  @spec stream(term(), keyword()) :: Enumerable.t()
  def stream(iterable, opts \\ [])

  def stream(%Ref{} = ref, opts),
    do: %SnakeBridge.Stream{ref: ref, batch: Keyword.get(opts, :batch, 32)}

  def stream(data, _opts) when is_list(data) or is_map(data), do: data

  @doc """
  Runs `fun` with the value of a Python context manager: `ref.__enter__()`, then
  `fun.(value)`, then `ref.__exit__(...)`: with `None`s when `fun` returns, or with a
  `snakebridge.ElixirError` carrying the Elixir exception when it raises (re-raised
  unless `__exit__` returns true, when `with_context/2` returns nil).

      SnakeBridge.with_context(lock, fn _ -> ... end)
  """
  @spec with_context(Ref.t(), (term() -> result)) :: result | nil when result: term()
  def with_context(%Ref{} = ref, fun) when is_function(fun, 1) do
    value = Runtime.unwrap!(Runtime.call_method(ref, "__enter__", [], []))

    try do
      fun.(value)
    rescue
      error ->
        info = {inspect(error.__struct__), Exception.message(error), ""}

        if exit_context(ref, info),
          do: nil,
          else: reraise(error, __STACKTRACE__)
    else
      result ->
        exit_context(ref, nil)
        result
    end
  end

  defp exit_context(ref, error),
    do: Runtime.unwrap!(Runtime.dispatch({:exit_context}, {ref, error}, []))

  @doc """
  Searches the generated bindings under `scope` (e.g. `SnakeBridge.search(Numpy, "mean")`)
  by Elixir name, Python name and summary; see `SnakeBridge.Docs.search/2`.
  """
  @spec search(module() | [module()], String.t() | atom()) ::
          [{module(), atom(), arity(), String.t(), String.t()}]
  def search(scope, query), do: SnakeBridge.Docs.search(scope, query)

  @doc """
  Releases references now (one `%SnakeBridge.Ref{}` or a list). Using a released
  reference afterwards is `{:error, %SnakeBridge.WorkerError{reason: :stale_ref}}`,
  before anything is sent.
  """
  @spec release(Ref.t() | [Ref.t()]) :: :ok
  def release(refs) do
    refs = List.wrap(refs)
    Pool.forget(refs)

    refs
    |> Enum.group_by(& &1.worker, & &1.id)
    |> Enum.each(fn {worker, ids} -> send(worker, {:sb_release, ids}) end)
  end

  @doc """
  Runs `fun` with every call of this process pinned to one worker, and releases every
  reference created inside when `fun` returns or raises. Nested sessions share the
  outer session's worker. Returns what `fun` returns.
  """
  @spec with_session((() -> result)) :: result when result: term()
  def with_session(fun) when is_function(fun, 0) do
    outer = Process.get(:snakebridge_session)
    worker = session_worker(outer)
    token = make_ref()
    Process.put(:snakebridge_session, {worker, token})

    try do
      fun.()
    after
      send(worker, {:sb_release_session, token})
      restore(outer)
    end
  end

  defp session_worker({worker, _token}), do: worker

  defp session_worker(nil) do
    case Pool.checkout() do
      {:ok, worker} -> worker
      {:error, error} -> raise error
    end
  end

  defp restore(nil), do: Process.delete(:snakebridge_session)
  defp restore(outer), do: Process.put(:snakebridge_session, outer)

  @doc """
  Starts the runtime if it is not running: as the `:snakebridge` application when
  its `.app` is loadable, else as a bare supervisor tree (for `elixirc`-built code).
  """
  @spec ensure_started() :: :ok
  def ensure_started do
    if Process.whereis(SnakeBridge.Supervisor), do: :ok, else: start()
  end

  defp start do
    case Application.ensure_all_started(:snakebridge) do
      {:ok, _} ->
        :ok

      {:error, _} ->
        case SnakeBridge.Supervisor.start_link([]) do
          {:ok, pid} -> Process.unlink(pid)
          {:error, {:already_started, _}} -> :ok
        end

        :ok
    end
  end
end
