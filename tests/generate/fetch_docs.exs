# Usage: elixir -pa EBIN fetch_docs.exs MODULE FILE
# Prints FORMATTED or UNFORMATTED (FILE against `mix format`), a newline, then every
# function doc of MODULE in definition order, each followed by the characters 0 1.
[module, file] = System.argv()
source = File.read!(file)
formatted = IO.iodata_to_binary([Code.format_string!(source), "\n"]) == source
IO.puts(if formatted, do: "FORMATTED", else: "UNFORMATTED")
{:docs_v1, _, _, _, _, _, docs} = Code.fetch_docs(Module.concat([module]))

docs
|> Enum.sort_by(fn {{_, name, _}, _, _, _, _} -> String.to_integer(String.trim_leading(to_string(name), "f")) end)
|> Enum.each(fn {_, _, _, %{"en" => doc}, _} -> IO.write([doc, 0, 1]) end)
