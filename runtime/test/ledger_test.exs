defmodule SnakeBridge.LedgerTest do
  # Dynamic calls work for any name; missing symbols land in the ledger once.
  use ExUnit.Case

  alias SnakeBridge.Test.Math

  # Outside the project: ExUnit's @tmp_dir would write under runtime/tmp.
  setup do
    name = "snakebridge-ledger-#{System.pid()}-#{System.unique_integer([:positive])}"
    dir = Path.join(System.tmp_dir!(), name)
    File.mkdir_p!(dir)
    path = Path.join(dir, "ledger.txt")
    Application.put_env(:snakebridge, :ledger, path)

    on_exit(fn ->
      Application.delete_env(:snakebridge, :ledger)
      File.rm_rf!(dir)
    end)

    %{path: path}
  end

  defp lines(path), do: path |> File.read!() |> String.split("\n", trim: true)

  test "dynamic calls by module atom or Python name", %{path: path} do
    assert {:ok, 2} = SnakeBridge.call(Math, :floor, [2.5])
    assert {:ok, 2.5} = SnakeBridge.call("numpy", "mean", [[2, 3]])
    assert {:ok, 5.0} = SnakeBridge.call("numpy", "linalg.norm", [[3, 4]])
    assert {:ok, 4.0} = SnakeBridge.call(Numpy.Linalg, :norm, [[4]], ord: 2)
    assert {:ok, 2.0} = SnakeBridge.call(Math, :sqrt, [4.0])

    assert lines(path) == [
             "SnakeBridge.Test.Math.floor/1",
             "Numpy.mean/1",
             "Numpy.Linalg.norm/1",
             "Numpy.Linalg.norm/2"
           ]
  end

  test "only calls that succeeded are recorded", %{path: path} do
    assert {:error, %SnakeBridge.PythonError{type: "AttributeError"}} =
             SnakeBridge.call("math", "no_such_function", [1])

    assert {:error, %SnakeBridge.PythonError{type: "ModuleNotFoundError"}} =
             SnakeBridge.call("no_such_module_xyz", "f", [])

    assert {:error, %SnakeBridge.PythonError{type: "ValueError"}} =
             SnakeBridge.call("math", "sqrt", [-1.0])

    refute File.exists?(path)
    assert {:ok, 3} = SnakeBridge.call("math", "isqrt", [9])
    assert lines(path) == ["Math.isqrt/1"]
  end

  test "generated functions are not recorded; timeouts options do not count", %{path: path} do
    assert {:ok, 3.0} = SnakeBridge.call(Math, :sqrt, [9.0], __runtime__: [timeout: 5_000])
    assert {:ok, _} = SnakeBridge.call(Math, "pi", [])
    refute File.exists?(path)
  end

  test "concurrent callers write each key once; existing lines are kept", %{path: path} do
    File.write!(path, "Math.gcd/2\n")

    1..200
    |> Task.async_stream(fn i -> SnakeBridge.call("math", "gcd", [i, 6]) end,
      max_concurrency: 100,
      timeout: 30_000
    )
    |> Stream.run()

    1..50
    |> Task.async_stream(fn i -> SnakeBridge.call("math", "lcm", [i, 6]) end,
      max_concurrency: 50,
      timeout: 30_000
    )
    |> Stream.run()

    assert lines(path) == ["Math.gcd/2", "Math.lcm/2"]
  end

  test "no ledger when it is off" do
    Application.delete_env(:snakebridge, :ledger)
    assert {:ok, 1} = SnakeBridge.call("math", "floor", [1.5])
  end
end
