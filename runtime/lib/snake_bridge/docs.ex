defmodule SnakeBridge.Docs do
  @moduledoc """
  Docs on demand: `Numpy.doc(:mean)` in IEx.

  For a generated function the answer is its `@doc`, read with `Code.fetch_docs/1`
  from the compiled module (no Python call). For a name that was never generated the
  worker answers with the signature and `inspect.getdoc`, and the answer is cached
  for the life of the application.
  """

  alias SnakeBridge.{Naming, Runtime}

  @cache :snakebridge_docs

  @doc false
  def create_cache, do: :ets.new(@cache, [:named_table, :public, read_concurrency: true])

  @doc """
  The documentation of `name` (atom or string) in `module` (a generated module, any
  Elixir module named after a Python one, or a Python module name as a string).
  """
  @spec fetch(module() | String.t(), atom() | String.t()) ::
          {:ok, String.t()} | {:error, Exception.t()}
  def fetch(module, name) do
    name = to_string(name)

    case generated_doc(module, name) do
      {:ok, doc} -> {:ok, doc}
      :none -> python_doc(module, name)
    end
  end

  @doc """
  Generated functions of `module` whose name starts with or contains `query`, as
  `{name, arity, first line of the doc}`: prefix matches first, then by name.
  """
  @spec search(module(), String.t() | atom()) :: [{atom(), arity(), String.t()}]
  def search(module, query) do
    query = to_string(query)

    for {name, arity, doc} <- entries(module), String.contains?(Atom.to_string(name), query) do
      {not String.starts_with?(Atom.to_string(name), query), name, arity, summary(doc)}
    end
    |> Enum.sort()
    |> Enum.map(fn {_rank, name, arity, line} -> {name, arity, line} end)
  end

  defp generated_doc(module, name) do
    case Enum.find(entries(module), fn {fun, _arity, _doc} -> Atom.to_string(fun) == name end) do
      {_fun, _arity, doc} -> {:ok, doc}
      nil -> :none
    end
  end

  defp entries(module) when is_atom(module) do
    case Code.fetch_docs(module) do
      {:docs_v1, _, _, _, _, _, docs} ->
        for {{:function, fun, arity}, _anno, _sig, doc, _meta} <- docs,
            do: {fun, arity, text(doc)}

      _ ->
        []
    end
  end

  defp entries(_python_module), do: []

  defp text(%{"en" => doc}), do: doc
  defp text(_), do: ""

  defp summary(doc), do: doc |> String.split("\n", parts: 2) |> hd()

  defp python_doc(module, name) do
    SnakeBridge.ensure_started()

    case :ets.lookup(@cache, {module, name}) do
      [{_key, doc}] -> {:ok, doc}
      [] -> ask_worker(module, name)
    end
  end

  defp ask_worker(module, name) do
    {py_module, prefix} = Naming.python_target(module)
    qualname = Naming.join(prefix, name)

    with {:ok, %{"signature" => signature, "doc" => doc}} <-
           Runtime.dispatch({:doc, py_module, qualname}, {}, []) do
      text = "#{py_module}.#{qualname}#{signature}\n\n#{doc}"
      :ets.insert(@cache, {{module, name}, text})
      {:ok, text}
    end
  end
end
