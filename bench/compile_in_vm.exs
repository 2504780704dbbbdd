# Compile generated bindings inside a running compiler, as `mix compile` does: the VM
# start and the compiler's own loading are paid once per project build, not per set of
# bindings, so they are warmed up first (an empty module) and left out of the figure.
#
#   elixir bench/compile_in_vm.exs RUNTIME_EBIN OUT_EBIN FILE...
#
# Prints one line: {"wall_ms": W, "cpu_ms": C, "modules": N}. CPU is the VM's runtime
# (all schedulers). Any warning fails the run, as `elixirc --warnings-as-errors` would.
defmodule CompileInVm do
  def run([runtime, ebin | files]) do
    Code.prepend_path(runtime)
    File.mkdir_p!(ebin)
    warm_up(ebin)
    start = System.monotonic_time(:microsecond)
    {cpu_start, _} = :erlang.statistics(:runtime)
    {:ok, modules, warnings} = Kernel.ParallelCompiler.compile_to_path(files, ebin)
    {cpu_end, _} = :erlang.statistics(:runtime)
    wall = (System.monotonic_time(:microsecond) - start) / 1000

    if warnings != [] do
      IO.puts(:stderr, "warnings: #{inspect(warnings)}")
      System.halt(1)
    end

    IO.puts(~s({"wall_ms": #{wall}, "cpu_ms": #{cpu_end - cpu_start}, "modules": #{length(modules)}}))
  end

  defp warm_up(ebin) do
    source = Path.join(ebin, "warm_up.ex")
    File.write!(source, "defmodule CompileInVm.WarmUp do\n  def ok, do: :ok\nend\n")
    {:ok, _, []} = Kernel.ParallelCompiler.compile_to_path([source], ebin)
    File.rm!(source)
  end
end

CompileInVm.run(System.argv())
