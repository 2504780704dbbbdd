defmodule SnakeBridge.TelemetryTest do
  # Call events go to :telemetry only when it is loaded. The :telemetry package needs
  # Hex, which is unreachable here, so a module with its execute/3 contract stands in.
  use ExUnit.Case
  import SnakeBridge.TestHelpers

  alias SnakeBridge.{Runtime, Telemetry}

  setup :full_pool

  @cache {SnakeBridge.Telemetry, :enabled}
  @listener {__MODULE__, :listener}

  test "no :telemetry: nothing is emitted; with it: start and stop events for each call" do
    :persistent_term.erase(@cache)
    refute Telemetry.enabled?()
    assert {:ok, 2.0} = Runtime.call_function("math", "sqrt", [4.0], [])
    refute_received {:telemetry, _, _, _}

    Code.compile_string("""
    defmodule :telemetry do
      def execute(event, measurements, meta),
        do: send(:persistent_term.get(#{inspect(@listener)}), {:telemetry, event, measurements, meta})
    end
    """)

    :persistent_term.put(@listener, self())
    :persistent_term.erase(@cache)

    try do
      assert Telemetry.enabled?()
      assert {:ok, 3.0} = Runtime.call_function("math", "sqrt", [9.0], [])

      assert_received {:telemetry, [:snakebridge, :call, :start], %{system_time: _},
                       %{op: :call, target: {"math", "sqrt"}}}

      assert_received {:telemetry, [:snakebridge, :call, :stop], %{duration: duration},
                       %{result: :ok, error: nil}}

      assert duration > 0

      assert {:error, _} = Runtime.call_function("math", "sqrt", [-1.0], [])

      assert_received {:telemetry, [:snakebridge, :call, :stop], _,
                       %{result: :error, error: %SnakeBridge.PythonError{type: "ValueError"}}}
    after
      :code.purge(:telemetry)
      :code.delete(:telemetry)
      :persistent_term.erase(@listener)
      :persistent_term.erase(@cache)
    end
  end
end
