defmodule SnakeBridge.LoadTest do
  # 100 processes × 1,000 calls while one call hangs past its timeout: the hung call
  # fails alone; every call queued behind it is sent again and succeeds.
  use ExUnit.Case
  import ExUnit.CaptureLog
  import SnakeBridge.TestHelpers

  alias SnakeBridge.{Runtime, WorkerError}

  setup :full_pool

  @procs 100
  @calls 1_000

  # About 7 s here; a loaded CI machine may take several times that.
  @tag timeout: 300_000
  test "one hung call, 100,000 others: 0 innocent failures" do
    capture_log(fn ->
      hung =
        Task.async(fn ->
          Process.sleep(200)

          Runtime.call_function("sb_test_helpers", "sleep", [30], __runtime__: [timeout: 1_000])
        end)

      failures =
        1..@procs
        |> Task.async_stream(&innocent_failures/1, max_concurrency: @procs, timeout: :infinity)
        |> Enum.flat_map(fn {:ok, failed} -> failed end)

      assert failures == []
      assert {:error, %WorkerError{reason: :timeout}} = Task.await(hung, 10_000)
      assert pool_full()
    end)
  end

  defp innocent_failures(proc) do
    for n <- 1..@calls,
        result = Runtime.call_function("operator", "add", [proc, n], []),
        result != {:ok, proc + n},
        do: {proc, n, result}
  end
end
