defmodule SnakeBridge.StreamsTest do
  # Python iterators and iterables as lazy, batched Enumerables that clean up.
  use ExUnit.Case
  import SnakeBridge.TestHelpers

  alias SnakeBridge.{PythonError, Ref, Runtime}

  setup :full_pool

  defp refs_on(worker),
    do:
      Enum.find(SnakeBridge.Pool.stats(), &(&1["pid"] == SnakeBridge.Pool.os_pid(worker)))["refs"]

  test "a generator is Enumerable: to_list, map, and it is used up" do
    gen = call!("builtins", "iter", [[1, 2, 3]])
    assert %Ref{} = gen
    assert Enum.to_list(gen) == [1, 2, 3]

    assert {:error, %PythonError{type: "RuntimeError", message: message}} =
             Runtime.call_function("builtins", "next", [gen], [])

    assert message =~ "(list_iterator) is an iterator that an earlier enumeration consumed"

    # Enumerating it again says so, and how to keep the items.
    error = assert_raise PythonError, fn -> Enum.to_list(gen) end
    assert error.message =~ "collect them once (Enum.to_list/1)"
    assert error.message =~ "SnakeBridge.stream/1"

    assert Enum.to_list(call!("builtins", "reversed", [[1, 2, 3]])) == [3, 2, 1]
  end

  test "an infinite generator works with Enum.take and is released on halt" do
    SnakeBridge.with_session(fn ->
      gen = call!("sb_test_helpers", "count_up", [10])
      before = refs_on(gen.worker)
      assert Enum.take(gen, 5) == [10, 11, 12, 13, 14]
      assert eventually(fn -> refs_on(gen.worker) == before - 1 end)
      :ok
    end)

    gen = call!("sb_test_helpers", "count_up", [0])

    evens = gen |> Stream.map(&(&1 * 2)) |> Stream.filter(&(rem(&1, 3) == 0))
    assert Enum.take(evens, 3) == [0, 6, 12]

    assert Enum.zip(call!("sb_test_helpers", "count_up", [0]), [:a, :b]) == [{0, :a}, {1, :b}]
  end

  test "pulled lazily in batches" do
    SnakeBridge.with_session(fn ->
      gen = call!("sb_test_helpers", "tracked", [10_000])
      assert Enum.take(SnakeBridge.stream(gen, batch: 4), 2) == [0, 1]
      assert call!("sb_test_helpers", "produced", []) == 4

      gen = call!("sb_test_helpers", "tracked", [10_000])
      assert gen |> Enum.to_list() |> length() == 10_000
      assert call!("sb_test_helpers", "produced", []) == 10_000
    end)
  end

  test "an iterable that is not an iterator can be enumerated again" do
    range = call!("builtins", "range", [5])
    assert Enum.to_list(range) == [0, 1, 2, 3, 4]
    assert Enum.sum(range) == 10

    keys = Runtime.unwrap!(SnakeBridge.method(%{"a" => 1}, "keys", []))

    assert Enum.to_list(keys) == ["a"]
    assert SnakeBridge.stream([1, 2]) == [1, 2]
  end

  test "sympy and numpy objects stream too" do
    x = call!("sympy", "Symbol", ["x"])

    args = Runtime.unwrap!(Runtime.get_property(call!("operator", "add", [x, 1]), "args"))

    assert length(Tuple.to_list(args)) == 2

    array = call!("numpy", "arange", [4])
    assert Enum.to_list(array) == [0, 1, 2, 3]
  end

  test "an error raised by the generator mid-way raises from Enum" do
    gen = call!("sb_test_helpers", "failing_after", [3])
    assert_raise PythonError, ~r/generator failed/, fn -> Enum.to_list(gen) end
  end
end
