defmodule SnakeBridge.ValuesTest do
  # Values that must not lose anything crossing over: non-finite floats, keys that are
  # not strings, sets, calendar types; terms that cannot cross fail before sending.
  use ExUnit.Case
  import SnakeBridge.TestHelpers

  alias SnakeBridge.{Array, Ref, Runtime}

  defp echo(value), do: call!("builtins", "tuple", [[value]]) |> elem(0)

  test "NaN and the infinities round-trip as the same atoms in scalars, lists and arrays" do
    for value <- [:nan, :infinity, :neg_infinity, [1.0, :nan, :infinity], %{"x" => :nan}] do
      assert echo(value) == value
    end

    assert call!("math", "isnan", [:nan]) == true
    assert call!("math", "isinf", [:neg_infinity]) == true
    assert call!("operator", "neg", [:infinity]) == :neg_infinity

    # A list with NaN becomes a float ndarray (not strings), and comes back the same.
    array = call!("numpy", "array", [[1.0, :nan, :neg_infinity]])
    assert %Ref{type: "numpy.ndarray"} = array

    assert call!("builtins", "str", [
             SnakeBridge.method(array, "__getattribute__", ["dtype"]) |> Runtime.unwrap!()
           ]) == "float64"

    assert Runtime.value(array, ndarray: :list) == {:ok, [1.0, :nan, :neg_infinity]}
    assert {:ok, %Array{} = packed} = Runtime.value(array, ndarray: :array)
    assert Array.to_list(packed) == [1.0, :nan, :neg_infinity]

    # The binary form carries them both ways too.
    sent = Array.from_floats([:infinity, 2.5, :nan])
    assert call!("numpy", "isnan", [sent], __runtime__: [ndarray: :list]) == [false, false, true]
    assert call!("numpy", "nanmax", [sent]) == :infinity

    f32 = call!("numpy", "array", [[:nan, 1.5]], dtype: "float32", __runtime__: [ndarray: :array])
    assert Array.to_list(f32) == [:nan, 1.5]
  end

  test "maps with tuple, integer and ref keys become dicts" do
    assert echo(%{{1, 2} => "pair", 3 => "three"}) == %{{1, 2} => "pair", 3 => "three"}
    assert call!("builtins", "len", [%{{1, [2, 3]} => 1}]) == 1
    key = call!("fractions", "Fraction", [1, 2])
    assert call!("operator", "getitem", [%{key => "half"}, key]) == "half"
  end

  test "MapSet ↔ set, including sets of refs and frozenset keys" do
    assert echo(MapSet.new([1, "a", {2, 3}])) == MapSet.new([1, "a", {2, 3}])
    assert call!("builtins", "type", [MapSet.new([1])]) |> to_string() == "<class 'set'>"

    assert call!("operator", "or_", [MapSet.new([1, 2]), MapSet.new([2, 3])]) ==
             MapSet.new([1, 2, 3])

    assert call!("builtins", "frozenset", [[1, 2]]) == MapSet.new([1, 2])
    assert echo(%{MapSet.new([1]) => "set key"}) == %{MapSet.new([1]) => "set key"}

    half = call!("fractions", "Fraction", [1, 2])
    assert call!("builtins", "len", [MapSet.new([half, 1])]) == 2
  end

  test "Date, Time, NaiveDateTime and DateTime ↔ datetime types" do
    values = [
      ~D[2024-02-29],
      ~T[23:59:58],
      ~T[12:00:00.123456],
      ~N[2024-01-31 08:30:00],
      ~N[1999-12-31 23:59:59.000001],
      ~U[2024-06-01 12:00:00Z],
      ~U[2024-06-01 12:00:00.5Z] |> Map.put(:microsecond, {500_000, 6})
    ]

    for value <- values, do: assert(echo(value) == value)

    assert call!("datetime", "date.isoformat", [~D[2024-02-29]]) == "2024-02-29"
    assert call!("datetime", "date", [2020, 1, 2]) == ~D[2020-01-02]

    assert call!("operator", "sub", [~D[2024-03-01], ~D[2024-02-28]]) |> to_string() ==
             "2 days, 0:00:00"

    utc = call!("datetime", "datetime.fromisoformat", ["2024-06-01T12:00:00+00:00"])
    assert utc == ~U[2024-06-01 12:00:00Z]

    # A fixed offset keeps its offset; an IANA zone keeps its name.
    plus2 = call!("datetime", "datetime.fromisoformat", ["2024-06-01T12:00:00+02:00"])
    assert %DateTime{utc_offset: 7200, hour: 12} = plus2
    assert DateTime.compare(plus2, ~U[2024-06-01 10:00:00Z]) == :eq
    assert call!("datetime", "datetime.isoformat", [plus2]) == "2024-06-01T12:00:00+02:00"

    zone = call!("zoneinfo", "ZoneInfo", ["Europe/Paris"])
    paris = call!("datetime", "datetime", [2024, 7, 1, 9], tzinfo: zone)
    assert %DateTime{time_zone: "Europe/Paris", utc_offset: 3600, std_offset: 3600} = paris
    assert call!("datetime", "datetime.isoformat", [paris]) == "2024-07-01T09:00:00+02:00"
  end

  test "terms with no Python form are an ArgumentError naming their place, sent nowhere" do
    message = fn call ->
      assert_raise(ArgumentError, call) |> Exception.message()
    end

    assert message.(fn -> Runtime.call_function("builtins", "len", [self()], []) end) =~
             ~r/cannot pass a pid \(#PID<.*>\) to Python, at positional argument 1;/

    assert message.(fn ->
             Runtime.call_function("builtins", "len", [[1, %{"k" => [2, make_ref()]}]], [])
           end) =~
             "a reference (#Reference<"

    assert message.(fn ->
             Runtime.call_function("builtins", "len", [[1, %{"k" => [2, make_ref()]}]], [])
           end) =~ ~s(at positional argument 1[1]["k"][1])

    assert message.(fn -> Runtime.call_function("builtins", "len", [[1 | 2]], []) end) =~
             "the tail of an improper list (2) to Python, at positional argument 1[\"tail\"]"

    assert message.(fn ->
             Runtime.call_function("builtins", "len", [[]], key: Port.list() |> hd())
           end) =~
             "a port"

    assert message.(fn -> Runtime.call_function("builtins", "sorted", [[3]], key: {1, self()}) end) =~
             "at keyword argument key[1]"

    assert message.(fn -> Runtime.call_function("builtins", "len", [<<1::3>>], []) end) =~
             "bitstring"

    assert message.(fn -> Runtime.call_function("builtins", "len", [URI.parse("x:y")], []) end) =~
             "a URI struct"
  end

  test "ranges become Python ranges, last included as in Elixir" do
    assert call!("builtins", "list", [1..4]) == [1, 2, 3, 4]
    assert call!("builtins", "list", [10..1//-3]) == [10, 7, 4, 1]
    assert call!("builtins", "sum", [1..100]) == 5050
    assert call!("builtins", "len", [1..0//1]) == 0
  end

  test "methods of values that convert" do
    assert {:ok, keys} = SnakeBridge.method(%{"a" => 1, "b" => 2}, "keys", [])
    assert Enum.sort(keys) == ["a", "b"]
    assert SnakeBridge.method("a,b", :split, [","]) == {:ok, ["a", "b"]}
    assert SnakeBridge.method([3, 1, 2], "index", [2]) == {:ok, 2}

    assert SnakeBridge.method(call!("fractions", "Fraction", [3, 10]), "limit_denominator", [3])
           |> elem(1)
           |> to_string() == "1/3"
  end
end
