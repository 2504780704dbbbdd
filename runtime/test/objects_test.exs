defmodule SnakeBridge.ObjectsTest do
  # Objects read as objects: inspect, to_string, rich exceptions, context managers.
  use ExUnit.Case
  import SnakeBridge.TestHelpers

  alias SnakeBridge.{PythonError, Runtime}

  setup :full_pool

  test "inspect shows the Python type and a bounded repr; to_string is str()" do
    half = call!("fractions", "Fraction", [1, 2])
    assert inspect(half) == "#SnakeBridge.Ref<fractions.Fraction Fraction(1, 2)>"
    assert to_string(half) == "1/2"
    assert "#{half} cup" == "1/2 cup"

    x = call!("sympy", "Symbol", ["x"])
    expr = call!("operator", "add", [call!("operator", "pow", [x, 2]), 1])
    assert inspect(expr) == "#SnakeBridge.Ref<sympy.core.add.Add x**2 + 1>"

    big = call!("numpy", "zeros", [[50, 50]])
    text = inspect(big)
    assert text =~ "#SnakeBridge.Ref<numpy.ndarray array([[0., 0."
    assert String.length(text) < 160

    SnakeBridge.release(half)

    assert eventually(fn -> inspect(half) =~ ~r/^#SnakeBridge.Ref<fractions.Fraction id=\d+>$/ end)
  end

  test "PythonError keeps args, public attributes that convert, and the class hierarchy" do
    assert {:error, %PythonError{} = error} =
             Runtime.call_function("sb_test_helpers", "raise_needs_more", [5, 2], [])

    assert error.type == "sb_test_helpers.NeedsMore"
    assert error.args == ["needed 5, have 2"]
    assert error.attributes == %{"needed" => 5, "have" => 2}
    assert error.mro == ["sb_test_helpers.NeedsMore", "Exception", "BaseException"]

    assert {:error, %PythonError{} = key_error} =
             Runtime.call_function("operator", "getitem", [%{}, {1, "k"}], [])

    assert key_error.args == [{1, "k"}]
    assert PythonError.kind_of?(key_error, "LookupError")
    refute PythonError.kind_of?(key_error, "ValueError")

    assert {:error, %PythonError{type: "FileNotFoundError"} = os_error} =
             Runtime.call_function("builtins", "open", ["/nonexistent/x"], [])

    assert os_error.attributes["errno"] == 2
    assert os_error.attributes["filename"] == "/nonexistent/x"
    assert PythonError.kind_of?(os_error, "OSError")
  end

  test "with_context calls __enter__ and __exit__, with the exception when fun raises" do
    recorder = call!("sb_test_helpers", "Recorder", [])
    assert SnakeBridge.with_context(recorder, fn value -> to_string(value) =~ "Recorder" end)
    assert call!("builtins", "getattr", [recorder, "events"]) == ["enter", "exit"]

    recorder = call!("sb_test_helpers", "Recorder", [])

    assert_raise ArgumentError, "bad", fn ->
      SnakeBridge.with_context(recorder, fn _ -> raise ArgumentError, "bad" end)
    end

    assert call!("builtins", "getattr", [recorder, "events"]) ==
             ["enter", "exit:ElixirError:** (ArgumentError) bad"]

    suppressing = call!("sb_test_helpers", "Recorder", [], suppress: true)
    assert SnakeBridge.with_context(suppressing, fn _ -> raise "swallowed" end) == nil

    # A real one: a temporary directory exists inside, is gone after.
    tmp = call!("tempfile", "TemporaryDirectory", [])
    path = SnakeBridge.with_context(tmp, fn dir -> assert File.dir?(dir) && dir end)
    refute File.exists?(path)
  end
end
