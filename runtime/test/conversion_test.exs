defmodule SnakeBridge.ConversionTest do
  # Data both ways, kwargs, positional-only options, refs and Python exceptions.
  use ExUnit.Case

  alias SnakeBridge.{Array, Bytes, PythonError, Ref, Runtime}
  alias SnakeBridge.Test.{Counter, Math}

  defp echo(value), do: Runtime.call_function("builtins", "tuple", [[value]], [])

  test "plain data round-trips exactly" do
    values = [
      0,
      255,
      256,
      -1,
      2_147_483_647,
      -2_147_483_648,
      2_147_483_648,
      123_456_789_012_345_678_901_234_567_890,
      -(2 ** 2100),
      1.5,
      -0.25,
      1.0e300,
      "",
      "héllo ✓",
      [],
      [1, 2, 3],
      [1.0, "a", [nil, true, false]],
      {},
      {1, {2, "x"}},
      %{"a" => 1, "b" => %{"c" => [1.5]}},
      %{1 => "one", {1, 2} => "pair"},
      nil,
      true,
      false
    ]

    for value <- values, do: assert(echo(value) == {:ok, {value}})
  end

  test "atoms become str, bytes are explicit, non-finite floats are atoms" do
    assert echo(:mean) == {:ok, {"mean"}}

    assert {:ok, %Bytes{data: <<0, 255, 1>>}} =
             Runtime.call_function("builtins", "bytes", [[0, 255, 1]], [])

    assert {:ok, 3} = Runtime.call_function("builtins", "len", [%Bytes{data: <<0, 255, 1>>}], [])
    assert {:ok, :nan} = Runtime.call_function("builtins", "float", ["nan"], [])
    assert {:ok, :infinity} = Runtime.call_function("builtins", "float", ["inf"], [])
    assert {:ok, :neg_infinity} = Runtime.call_function("builtins", "float", ["-inf"], [])
  end

  test "a binary that is not UTF-8 must be wrapped as Bytes" do
    assert {:error, %PythonError{type: "TypeError", message: message}} = echo(<<255, 0>>)
    assert message =~ "SnakeBridge.Bytes"
  end

  test "kwargs, and arguments shaped as Python is written (convention v2)" do
    assert {:ok, "1|2"} = Runtime.call_function("builtins", "str.join", ["|", ["1", "2"]], [])
    assert {:ok, 8} = Runtime.call_function("builtins", "int", ["10"], base: 8)

    unset = :__snakebridge_unset__
    call = &Runtime.invoke_function("sb_test_helpers", "positional_only", [1], &1)
    assert call.([unset, unset, unset]) == {:ok, [1, 2, 3, 4]}
    assert call.([20, unset, unset]) == {:ok, [1, 20, 3, 4]}
    assert call.([20, 30, [d: 40]]) == {:ok, [1, 20, 30, 40]}
    assert call.([[d: 40], unset, unset]) == {:ok, [1, 2, 3, 40]}
    assert call.([[], unset, unset]) == {:ok, [1, 2, 3, 4]}
    # a keyword-list value goes positionally when the keyword list follows it
    assert call.([[d: 40], [], unset]) == {:ok, [1, [{"d", 40}], 3, 4]}
    assert Runtime.arguments([1], [2, unset]) == {[1, 2], []}
    assert Runtime.arguments([[a: 1]], []) == {[[a: 1]], []}
  end

  test "numpy arrays cross as binaries, as refs with methods, or as lists" do
    xs = Array.from_floats([1.0, 2.0, 3.0, 4.0])
    assert {:ok, 2.5} = Runtime.call_function("numpy", "mean", [xs], [])

    assert {:ok, %Array{dtype: "float64", shape: [2, 2]} = array} =
             Runtime.call_function("numpy", "reshape", [xs, [2, 2]],
               __runtime__: [ndarray: :array]
             )

    assert Array.to_list(array) == [1.0, 2.0, 3.0, 4.0]

    assert {:ok, %Ref{type: "numpy.ndarray"} = ref} =
             Runtime.call_function("numpy", "arange", [6], dtype: "int32")

    assert {:ok, [[0, 1, 2], [3, 4, 5]]} =
             Runtime.call_method(ref, "reshape", [[2, 3]], __runtime__: [ndarray: :list])

    assert {:ok, {6}} = Runtime.get_property(ref, "shape")
    assert {:ok, %Array{dtype: "int32", data: data}} = Runtime.value(ref, ndarray: :array)
    assert byte_size(data) == 24
    assert {:ok, 15} = Runtime.call_method(ref, "sum", [], [])

    # A ref that travels only in the keyword list still routes the call to its worker.
    assert {:ok, %Ref{type: "numpy.ndarray"}} =
             Runtime.call_function("numpy", "add", [[1, 1, 1, 1, 1, 1], 1], out: ref)

    assert {:ok, [2, 2, 2, 2, 2, 2]} = Runtime.value(ref, ndarray: :list)
  end

  test "constructors, methods and properties through a class module" do
    counter = Runtime.unwrap!(Counter.new(start: 10))
    assert %Ref{type: "sb_test_helpers.Counter"} = counter
    assert {:ok, 11} = Counter.add(counter)
    assert {:ok, 16} = Counter.add(counter, amount: 5)
    assert {:ok, 32} = Counter.doubled(counter)
    assert {:ok, 3.141592653589793} = Math.pi()
    assert_raise PythonError, "ValueError: math domain error", fn -> Math.sqrt!(-1.0) end
  end

  test "a generated method takes values that convert, checks its class, and is polymorphic" do
    alias SnakeBridge.Test.{Date, Str}
    assert Str.split("a,b", ",") == {:ok, ["a", "b"]}
    assert Str.split("a b") == {:ok, ["a", "b"]}
    assert Date.isoformat(~D[2024-01-02]) == {:ok, "2024-01-02"}
    # A subclass's own method: a datetime is a date, its isoformat has the time.
    assert Date.isoformat(~N[2024-01-02 03:04:05]) == {:ok, "2024-01-02T03:04:05"}

    assert {:error, %PythonError{type: "TypeError", message: message}} = Str.split([1], ",")

    assert message ==
             "SnakeBridge.Test.Str.split/2 expects a builtins.str as its first argument, got list"

    counter = Runtime.unwrap!(Counter.new())

    assert {:error, %PythonError{type: "TypeError", message: message}} = Date.isoformat(counter)

    assert message =~
             "Date.isoformat/1 expects a datetime.date as its first argument, " <>
               "got sb_test_helpers.Counter"
  end

  test "exceptions of several types carry type, message and traceback" do
    assert {:error, %PythonError{type: "ZeroDivisionError", traceback: tb}} =
             Runtime.call_function("operator", "truediv", [1, 0], [])

    assert tb =~ "Traceback (most recent call last)"
    assert tb =~ "ZeroDivisionError: division by zero"

    assert {:error, %PythonError{type: "KeyError"}} =
             Runtime.call_function("operator", "getitem", [%{}, "missing"], [])

    assert {:error,
            %PythonError{type: "sb_test_helpers.CustomError", message: "boom", traceback: tb}} =
             Runtime.call_function("sb_test_helpers", "raise_custom", ["boom"], [])

    assert tb =~ "sb_test_helpers.py"
    refute tb =~ "snakebridge_worker.py"

    # A missing module names the interpreter that ran and how to choose another.
    assert {:error, %PythonError{type: "ModuleNotFoundError", message: message}} =
             Runtime.call_function("no_such_module_xyz", "f", [], [])

    python = Runtime.unwrap!(Runtime.get_attribute("sys", "executable"))

    assert message =~
             "No module named 'no_such_module_xyz' (the SnakeBridge worker runs #{python}"

    assert message =~ "set SNAKEBRIDGE_PYTHON or config :snakebridge, python: ..."
    assert message =~ "`snakebridge env LOCK`"
    assert message =~ "`pants export --resolve=RESOLVE`"

    assert {:error, %PythonError{type: "AttributeError"}} = Runtime.get_attribute("math", "nope")
  end

  test "SystemExit and KeyboardInterrupt raised in Python do not kill the worker" do
    assert {:error, %PythonError{type: "SystemExit"}} =
             Runtime.call_function("sys", "exit", [3], [])

    assert {:error, %PythonError{type: "KeyboardInterrupt"}} =
             Runtime.call_function("builtins", "exec", ["raise KeyboardInterrupt"], [])

    pids = SnakeBridge.Pool.workers()
    assert {:ok, 3.0} = Math.sqrt(9.0)
    assert SnakeBridge.Pool.workers() == pids
  end

  test "a bad keyword list is an ArgumentError" do
    assert_raise ArgumentError, fn -> Runtime.call_function("math", "sqrt", [1.0], %{}) end

    assert_raise ArgumentError, ~r/ndarray/, fn ->
      Runtime.call_function("math", "sqrt", [1.0], __runtime__: [ndarray: :nope])
    end
  end
end
