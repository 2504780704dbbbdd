# Usage: elixir -pa EBIN h_docs.exs OUT_DIR TARGET...
# Writes what IEx's own `h` prints (colors off, 80 columns) for each TARGET (`Mod` or
# `Mod.fun`) to OUT_DIR/TARGET.txt.
[out | targets] = System.argv()
Application.put_env(:iex, :colors, enabled: false)
Application.put_env(:iex, :width, 80)

for target <- targets do
  quoted =
    case Regex.run(~r/^(.*)\.([a-z_][^.]*)$/, target) do
      [_, mod, fun] -> {Module.concat([mod]), String.to_atom(fun)}
      nil -> Module.concat([target])
    end

  text = ExUnit.CaptureIO.capture_io(fn -> IEx.Introspection.h(quoted) end)
  File.write!(Path.join(out, target <> ".txt"), text)
end
