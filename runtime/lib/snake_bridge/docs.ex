defmodule SnakeBridge.Docs do
  @moduledoc """
  Docs on demand: `Numpy.doc(:mean)` in IEx.

  For a generated function the answer is its `@doc`, read with `Code.fetch_docs/1`
  from the compiled module (no Python call). For a name that was never generated the
  worker answers with the same Markdown rendering of the signature and `inspect.getdoc`
  that generated docs have (snakebridge_rules/docs), and the answer is cached for the
  life of the application.
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
  The index of a generated module (what its `__functions__/0` returns): every function
  bound to Python, `{name, arity, python_name, summary}` for each arity, sorted; the
  summary is the first paragraph of the doc's prose. The doc (with `python:`) is on one
  arity of a name, its lowest; the name's other arities share it.
  """
  @spec functions(module()) :: [{atom(), arity(), String.t(), String.t()}]
  def functions(module) do
    case Code.fetch_docs(module) do
      {:docs_v1, _, _, _, _, _, docs} ->
        bound =
          for {{:function, fun, _}, _, _, doc, %{python: python}} <- docs,
              into: %{},
              do: {fun, {python, summary_of(text(doc))}}

        for {{:function, fun, arity}, _, _, _, meta} <- docs,
            {python, summary} <- List.wrap(bound[fun]),
            n <- (arity - Map.get(meta, :defaults, 0))..arity,
            do: {fun, n, python, summary}

      _ ->
        []
    end
    |> Enum.sort()
  end

  @doc false
  @spec summary_of(String.t()) :: String.t()
  def summary_of(doc) do
    doc
    |> String.split(~r/\n\s*\n/)
    |> drop_fenced()
    |> Enum.find("", &(String.trim(&1) != "" and not String.starts_with?(&1, "#")))
    |> String.split()
    |> Enum.join(" ")
  end

  # Paragraphs without fenced code blocks (a block may span several paragraphs).
  defp drop_fenced([]), do: []

  defp drop_fenced([paragraph | rest]) do
    if String.starts_with?(String.trim_leading(paragraph), "```") do
      closed? = paragraph |> String.split("\n") |> tl() |> Enum.any?(&fence?/1)
      rest = if closed?, do: rest, else: Enum.drop_while(rest, &(not closes?(&1)))
      drop_fenced(if closed?, do: rest, else: Enum.drop(rest, 1))
    else
      [paragraph | drop_fenced(rest)]
    end
  end

  defp closes?(paragraph), do: paragraph |> String.split("\n") |> Enum.any?(&fence?/1)
  defp fence?(line), do: String.starts_with?(String.trim(line), "```")

  @doc """
  Searches the generated functions of `scope` (a root module such as `Numpy`, covering
  its generated submodules and classes, or a list of modules) for `query` in the
  Elixir name, the Python name or the summary. Returns
  `{module, name, arity, python_name, summary}`, one per function (its lowest arity):
  exact names first, then name prefixes, names containing it, Python names, summaries.
  """
  @spec search(module() | [module()], String.t() | atom()) ::
          [{module(), atom(), arity(), String.t(), String.t()}]
  def search(scope, query) do
    query = query |> to_string() |> String.downcase()

    for module <- generated_modules(scope),
        {name, arity, python, summary} <- lowest_arities(module.__functions__()),
        rank = rank(query, Atom.to_string(name), python, summary),
        rank != nil do
      {rank, module, name, arity, python, summary}
    end
    |> Enum.sort()
    |> Enum.map(fn {_rank, module, name, arity, python, summary} ->
      {module, name, arity, python, summary}
    end)
  end

  defp generated_modules(modules) when is_list(modules),
    do: Enum.filter(modules, &generated?/1)

  defp generated_modules(root) do
    prefix = Atom.to_string(root)

    for {name, _file, _loaded} <- :code.all_available(),
        name = to_string(name),
        name == prefix or String.starts_with?(name, prefix <> "."),
        module = String.to_atom(name),
        generated?(module),
        do: module
  end

  defp generated?(module),
    do: Code.ensure_loaded?(module) and function_exported?(module, :__functions__, 0)

  defp lowest_arities(functions), do: Enum.uniq_by(functions, &elem(&1, 0))

  defp rank(query, name, python, summary) do
    cond do
      name == query -> 0
      String.starts_with?(name, query) -> 1
      String.contains?(name, query) -> 2
      String.contains?(String.downcase(python), query) -> 3
      String.contains?(String.downcase(summary), query) -> 4
      true -> nil
    end
  end

  # One arity of a name carries the doc (in generated code, the lowest).
  defp generated_doc(module, name) do
    case for({fun, _arity, doc} <- entries(module), Atom.to_string(fun) == name, do: doc) do
      [] -> :none
      [first | _] = docs -> {:ok, Enum.find(docs, first, &(&1 != ""))}
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

    with {:ok, %{"signature" => signature, "doc" => doc} = answer} <-
           Runtime.dispatch({:doc, py_module, qualname}, {}, []) do
      text = answer["markdown"] || "#{py_module}.#{qualname}#{signature}\n\n#{doc}"
      :ets.insert(@cache, {{module, name}, text})
      {:ok, text}
    end
  end
end
