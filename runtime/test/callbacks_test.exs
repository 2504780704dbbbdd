defmodule SnakeBridge.CallbacksTest do
  # Elixir functions passed to Python: called with converted values, re-entrant,
  # errors in both directions, and no hang when called too late.
  use ExUnit.Case
  import SnakeBridge.TestHelpers

  alias SnakeBridge.{PythonError, Runtime}
  alias SnakeBridge.Test.Math

  setup :full_pool

  defp call(module, name, args, opts \\ []), do: Runtime.call_function(module, name, args, opts)

  test "functions of any arity, anonymous or captured, anywhere in the arguments" do
    assert call("functools", "reduce", [fn a, b -> a + b end, [1, 2, 3, 4]]) == {:ok, 10}

    assert call("builtins", "sorted", [["bb", "a", "ccc"]], key: &String.length/1) ==
             {:ok, ["a", "bb", "ccc"]}

    assert call("builtins", "max", [[1, 5, 2]], key: fn x -> -x end) == {:ok, 1}

    assert call("operator", "call", [fn -> :done end]) == {:ok, "done"}

    assert call("operator", "call", [fn a, b, c -> [a, b, c] end, 1, 2.5, "x"]) ==
             {:ok, [1, 2.5, "x"]}

    # Nested in data, and Python objects arrive as refs.
    assert call("operator", "getitem", [%{"f" => [fn x -> x <> "!" end]}, "f"]) |> elem(0) == :ok
    half = call!("fractions", "Fraction", [1, 2])
    assert call("operator", "call", [fn f -> to_string(f) end, half]) == {:ok, "1/2"}
  end

  test "keyword arguments from Python arrive as a trailing map; wrong arity is a TypeError" do
    assert call("sb_test_helpers", "call_through", [fn a, kw -> {a, kw} end, 1], b: 2) ==
             {:ok, {1, %{"b" => 2}}}

    assert {:ok, {"caught", "TypeError", message}} =
             call("sb_test_helpers", "call_catching", [fn a -> a end, 1, 2])

    assert message =~ "takes 1 arguments, got 2"
  end

  test "re-entrant: a key function that calls Python, and a chain of callbacks" do
    assert call("builtins", "sorted", [[9.0, 1.0, 4.0]], key: fn x -> Math.sqrt!(x) end) ==
             {:ok, [1.0, 4.0, 9.0]}

    # Python → Elixir → Python → Elixir → Python, three levels deep.
    inner = fn x -> Runtime.unwrap!(call("math", "sqrt", [x])) end
    middle = fn x -> Runtime.unwrap!(call("operator", "call", [inner, x])) + 1 end

    assert call("builtins", "sorted", [[25.0, 16.0]], key: middle) == {:ok, [16.0, 25.0]}
    assert call("sb_test_helpers", "call_through", [middle, 16.0]) == {:ok, 5.0}

    # Callbacks under concurrency: every caller gets its own results.
    results =
      1..50
      |> Task.async_stream(
        fn n ->
          call("functools", "reduce", [fn a, b -> Math.sqrt!(a * a) + b end, [n, 1, 1]])
        end,
        max_concurrency: 25,
        timeout: 30_000
      )
      |> Enum.map(fn {:ok, result} -> result end)

    assert results == Enum.map(1..50, &{:ok, &1 + 2.0})
  end

  test "an Elixir exception raises in Python, where try catches it" do
    assert {:ok, {"caught", "ElixirError", "** (ArgumentError) bad value"}} =
             call("sb_test_helpers", "call_catching", [
               fn _ -> raise ArgumentError, "bad value" end,
               1
             ])

    assert {:ok, {"caught", "ElixirError", "** (throw) :oops"}} =
             call("sb_test_helpers", "call_catching", [fn -> throw(:oops) end])
  end

  test "uncaught, it comes back with the Python and the Elixir trace" do
    assert {:error,
            %PythonError{type: "snakebridge.ElixirError", message: message, traceback: tb}} =
             call("sb_test_helpers", "call_through", [fn _ -> raise "boom in elixir" end, 1])

    assert message =~ "** (RuntimeError) boom in elixir"
    assert message =~ "callbacks_test.exs"
    assert tb =~ "Traceback (most recent call last)"
    assert tb =~ "sb_test_helpers.py"
    assert tb =~ "in call_through"
  end

  test "a function Python keeps runs whenever Python calls it during a later call" do
    # Lazy objects holding the function, used in later calls.
    filtered = call!("builtins", "filter", [fn x -> x > 1 end, [1, 2, 3]])
    assert Enum.to_list(filtered) == [2, 3]

    products = call!("itertools", "accumulate", [[1, 2, 3, 4], fn a, b -> a * b end])
    assert Enum.to_list(products) == [1, 2, 6, 24]

    counts = call!("collections", "defaultdict", [fn -> 0 end])
    assert call("operator", "getitem", [counts, "missing"]) == {:ok, 0}

    # Inside a session, and run by whichever process makes the call in progress.
    SnakeBridge.with_session(fn ->
      me = self()
      report = fn x -> send(me, {:ran_in, self()}) && x * 2 end
      assert {:ok, "kept"} = call("sb_test_helpers", "keep", [report])
      assert call("sb_test_helpers", "call_kept", [1]) == {:ok, 2}
      assert_received {:ran_in, ^me}

      mapped = call!("builtins", "map", [report, [1, 2]])
      task = Task.async(fn -> call("builtins", "list", [mapped]) end)
      assert Task.await(task) == {:ok, [2, 4]}
      task_pid = task.pid
      assert_received {:ran_in, ^task_pid}
    end)
  end

  test "a kept function lives as long as Python's proxy" do
    elixir = fn -> Enum.map(SnakeBridge.Pool.workers(), &map_size(:sys.get_state(&1).kept)) end
    python = fn -> Enum.map(SnakeBridge.Pool.stats(), & &1["functions"]) end
    kept = fn -> [Enum.sum(elixir.()), Enum.sum(python.())] end
    before = kept.()
    assert {:ok, 6} = call("functools", "reduce", [fn a, b -> a + b end, [1, 2, 3]])
    assert kept.() == before

    counts = call!("collections", "defaultdict", [fn -> 0 end])
    assert kept.() == Enum.map(before, &(&1 + 1))
    SnakeBridge.release(counts)
    assert eventually(fn -> kept.() == before end)
  end

  test "a callback from another Python thread (no call in progress) is a clear error" do
    assert {:ok, message} = call("sb_test_helpers", "call_in_thread", [fn x -> x end])
    assert message =~ "RuntimeError: the Elixir function #Function<"
    assert message =~ "/1 was called from another thread"

    # A kept function too: the thread runs it after the call that handed it over.
    pool = call!("concurrent.futures", "ThreadPoolExecutor", [])
    future = Runtime.unwrap!(Runtime.call_method(pool, "submit", [fn -> :ran end], []))

    assert {:error, %PythonError{type: "RuntimeError", message: message}} =
             Runtime.call_method(future, "result", [], [])

    assert message =~ "no SnakeBridge call was in progress"
    Runtime.call_method(pool, "shutdown", [], [])
  end

  test "a callback's bad result is an error in Python, the worker lives on" do
    assert {:ok, {"caught", "ElixirError", message}} =
             call("sb_test_helpers", "call_catching", [fn -> self() end])

    assert message =~ "cannot pass a pid"
    assert {:ok, 2.0} = Math.sqrt(4.0)
  end
end
