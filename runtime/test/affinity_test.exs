defmodule SnakeBridge.AffinityTest do
  # Objects from different calls combine, from one process or several, on four workers.
  use ExUnit.Case
  import SnakeBridge.TestHelpers

  alias SnakeBridge.{Ref, Runtime, WorkerError}

  setup :full_pool

  defp fraction(n, d), do: call!("fractions", "Fraction", [n, d])

  test "objects built step by step combine, 100 times in fresh processes (4 workers)" do
    assert length(SnakeBridge.Pool.workers()) == 4

    results =
      1..100
      |> Task.async_stream(
        fn _ ->
          sum = call!("operator", "add", [fraction(1, 3), fraction(1, 6)])
          {:ok, text} = Runtime.call_function("builtins", "str", [sum], [])

          date = call!("datetime", "datetime", [2024, 1, 31])
          later = call!("operator", "add", [date, call!("datetime", "timedelta", [], days: 1)])

          # packaging (installed with pytest) compares versions as objects.
          older = call!("packaging.version", "Version", ["1.2"])
          newer = call!("packaging.version", "Version", ["1.10"])
          {text, later, call!("operator", "lt", [older, newer])}
        end,
        max_concurrency: 8,
        timeout: 30_000
      )
      |> Enum.map(fn {:ok, result} -> result end)

    assert Enum.uniq(results) == [{"1/2", ~N[2024-02-01 00:00:00], true}]
  end

  test "sympy expressions combine and substitute with ref keys" do
    x = call!("sympy", "Symbol", ["x"])
    y = call!("sympy", "Symbol", ["y"])
    expr = call!("operator", "add", [call!("operator", "mul", [x, y]), 1])
    assert call!("builtins", "str", [expr]) == "x*y + 1"

    assert call!("builtins", "int", [
             SnakeBridge.method(expr, "subs", [%{x => 2, y => 3}]) |> Runtime.unwrap!()
           ]) == 7
  end

  test "a ref handed to another process is usable there, and lives while either holds it" do
    parent = self()
    half = fraction(1, 2)

    child =
      spawn(fn ->
        receive do
          {:go, ref} ->
            third = fraction(1, 3)

            send(
              parent,
              {:sum, call!("builtins", "str", [call!("operator", "add", [ref, third])])}
            )

            receive do
              :stop -> :ok
            end
        end
      end)

    send(child, {:go, half})
    assert_receive {:sum, "5/6"}, 10_000
    assert {:ok, "1/2"} = Runtime.call_function("builtins", "str", [half], [])
    send(child, :stop)
  end

  test "a ref received from a finished process stays alive if it was passed in a call" do
    parent = self()

    spawn(fn ->
      made = fraction(2, 3)
      # The parent passes it in a call before this process exits.
      send(parent, {:made, made})

      receive do
        :used -> :ok
      end
    end)
    |> then(fn pid ->
      assert_receive {:made, made}, 5_000
      assert {:ok, "2/3"} = Runtime.call_function("builtins", "str", [made], [])
      ref = Process.monitor(pid)
      send(pid, :used)
      assert_receive {:DOWN, ^ref, _, _, _}
      assert {:ok, "2/3"} = Runtime.call_function("builtins", "str", [made], [])
    end)
  end

  test "refs of two workers meet: a picklable object is moved for the call" do
    [w1, w2 | _] = SnakeBridge.Pool.workers()
    a = make_on(w1, fn -> fraction(1, 4) end)
    b = make_on(w2, fn -> fraction(1, 4) end)
    assert a.worker != b.worker

    for _ <- 1..20 do
      assert {:ok, "1/2"} =
               Runtime.call_function("builtins", "str", [call!("operator", "add", [a, b])], [])
    end
  end

  test "refs of two workers meet: an unpicklable object is a clear error" do
    [w1, w2 | _] = SnakeBridge.Pool.workers()
    gen = make_on(w1, fn -> call!("sb_test_helpers", "unpicklable", []) end)
    other = make_on(w2, fn -> call!("sb_test_helpers", "unpicklable", []) end)

    assert {:error, %WorkerError{reason: :cross_worker, message: message}} =
             Runtime.call_function("builtins", "zip", [gen, other], [])

    assert message =~ "generator"
    assert message =~ "cannot pickle"
    assert message =~ "with_session"
  end

  test "with_session still pins and scopes" do
    SnakeBridge.with_session(fn ->
      refs = for i <- 1..5, do: fraction(i, 7)
      assert refs |> Enum.map(& &1.worker) |> Enum.uniq() |> length() == 1
    end)
  end

  # A ref made by a process whose home is `worker` (kept alive until the test ends).
  defp make_on(worker, fun) do
    parent = self()

    spawn_link(fn ->
      Process.put(:snakebridge_home, worker)
      send(parent, {:made, fun.()})
      Process.sleep(:infinity)
    end)

    assert_receive {:made, %Ref{worker: ^worker} = ref}, 5_000
    ref
  end
end
