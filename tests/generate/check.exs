# Usage: elixir -pa EBIN check.exs DIR... -- MODULE...
# Prints "UNFORMATTED path" for each generated file that `mix format` would change, and
# "DOC module key base64" for the moduledoc (key @moduledoc) and every function doc
# (key name/arity; "-" when hidden or absent) of each module.
{dirs, ["--" | modules]} = Enum.split_while(System.argv(), &(&1 != "--"))

for dir <- dirs, path <- Path.wildcard(Path.join(dir, "**/*.ex")) do
  source = File.read!(path)
  formatted = IO.iodata_to_binary([Code.format_string!(source), "\n"])
  if formatted != source, do: IO.puts("UNFORMATTED " <> path)
end

encode = fn
  %{"en" => text} -> Base.encode64(text)
  _ -> "-"
end

for name <- modules do
  {:docs_v1, _, :elixir, _, moduledoc, _, docs} = Code.fetch_docs(Module.concat([name]))
  IO.puts("DOC #{name} @moduledoc #{encode.(moduledoc)}")

  for {{_kind, fun, arity}, _, _, doc, _} <- docs do
    IO.puts("DOC #{name} #{fun}/#{arity} #{encode.(doc)}")
  end
end
