# The baseline of the scan benchmark: remote-call extraction on Elixir's own parser
# (`Code.string_to_quoted`, what SnakeBridge's scanner uses), walking the AST for
# `Alias.fun(args)` calls and captures `&Alias.fun/n`, with plain `alias` expansion.
#
#   elixir bench/scan_elixir_extractor.exs LISTFILE ROOT1[,ROOT2...]
#
# LISTFILE has one source path per line. Prints one JSON-like summary line:
#   {"bytes": N, "seconds": S, "cpu_seconds": C, "files": N, "errors": N, "calls": [...]}
# The loop lives in a module so that it is compiled, not interpreted.
defmodule ScanBench.ElixirExtractor do
  def run(list_file, roots) do
    paths = list_file |> File.read!() |> String.split("\n", trim: true)
    roots = String.split(roots, ",", trim: true)
    start = System.monotonic_time(:microsecond)
    {cpu_start, _} = :erlang.statistics(:runtime)

    {bytes, errors, calls} =
      Enum.reduce(paths, {0, 0, MapSet.new()}, fn path, {bytes, errors, calls} ->
        source = File.read!(path)

        case Code.string_to_quoted(source, columns: true, file: path) do
          {:ok, ast} -> {bytes + byte_size(source), errors, collect(ast, roots, calls)}
          {:error, _} -> {bytes + byte_size(source), errors + 1, calls}
        end
      end)

    seconds = (System.monotonic_time(:microsecond) - start) / 1_000_000
    {cpu_end, _} = :erlang.statistics(:runtime)
    keys = calls |> MapSet.to_list() |> Enum.sort() |> Enum.map(&inspect/1) |> Enum.join(",")

    IO.puts(
      ~s({"bytes": #{bytes}, "seconds": #{seconds}, "cpu_seconds": #{(cpu_end - cpu_start) / 1000}, ) <>
        ~s("files": #{length(paths)}, ) <>
        ~s("errors": #{errors}, "calls": [#{keys}]})
    )
  end

  defp collect(ast, roots, acc) do
    {_, {acc, _aliases}} = Macro.prewalk(ast, {acc, %{}}, &visit(&1, &2, roots))
    acc
  end

  defp visit({:alias, _, [{:__aliases__, _, parts} | opts]} = node, {acc, aliases}, _roots) do
    name =
      case opts do
        [[as: {:__aliases__, _, [as]}]] -> as
        _ -> List.last(parts)
      end

    {node, {acc, Map.put(aliases, name, expand(parts, aliases))}}
  end

  defp visit({:&, _, [{:/, _, [{{:., _, [{:__aliases__, _, parts}, fun]}, _, _}, arity]}]},
             {acc, aliases}, roots)
       when is_atom(fun) and is_integer(arity) do
    {:ok, {record(acc, expand(parts, aliases), fun, arity, roots), aliases}}
  end

  defp visit({{:., _, [{:__aliases__, _, parts}, fun]}, _, args} = node, {acc, aliases}, roots)
       when is_atom(fun) and is_list(args) do
    {node, {record(acc, expand(parts, aliases), fun, length(args), roots), aliases}}
  end

  defp visit({:|>, meta, [left, {call, cmeta, args}]}, state, _roots) when is_list(args) do
    {{:|>, meta, [left, {call, cmeta, [:piped | args]}]}, state}
  end

  defp visit(node, state, _roots), do: {node, state}

  defp expand([:"Elixir" | rest], _aliases), do: Enum.join(rest, ".")

  defp expand([head | rest] = parts, aliases) when is_atom(head) do
    case Map.fetch(aliases, head) do
      {:ok, full} -> Enum.join([full | rest], ".")
      :error -> Enum.join(parts, ".")
    end
  end

  defp expand(_parts, _aliases), do: ""

  defp record(acc, module, fun, arity, roots) do
    if Enum.any?(roots, &(module == &1 or String.starts_with?(module, &1 <> "."))) do
      MapSet.put(acc, "#{module}.#{fun}/#{arity}")
    else
      acc
    end
  end
end

[list_file, roots] = System.argv()
ScanBench.ElixirExtractor.run(list_file, roots)
