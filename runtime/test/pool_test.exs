defmodule SnakeBridge.PoolTest do
  # Concurrency over four workers, and every way a worker can fail.
  use ExUnit.Case
  import ExUnit.CaptureLog
  require Logger
  import SnakeBridge.TestHelpers

  alias SnakeBridge.{Pool, Runtime, WorkerError}
  alias SnakeBridge.Test.Math

  setup do
    assert pool_full()
    :ok
  end

  defp sleep_on(worker, seconds, timeout \\ 10_000) do
    Pool.request(worker, {:call, :ref, "sb_test_helpers", "sleep"}, {[seconds], []}, timeout)
  end

  test "hundreds of concurrent callers over four workers all get their own answer" do
    results =
      1..400
      |> Task.async_stream(
        fn n ->
          {:ok, product} = Runtime.call_function("operator", "mul", [n, n + 1], [])
          {:ok, os_pid} = Runtime.call_function("os", "getpid", [], [])
          {n, product, os_pid}
        end,
        max_concurrency: 400,
        timeout: 30_000
      )
      |> Enum.map(fn {:ok, result} -> result end)

    for {n, product, _} <- results, do: assert(product == n * (n + 1))
    used = results |> Enum.map(&elem(&1, 2)) |> Enum.uniq()
    # How evenly depends on the machine's load; that the calls spread does not.
    assert length(used) >= 2
  end

  test "routing prefers idle workers: a busy one gets no new call while others are idle" do
    [busy | _] = Pool.workers()
    busy_pid = Pool.os_pid(busy)
    sleeper = Task.async(fn -> sleep_on(busy, 1) end)
    Process.sleep(100)

    pids =
      for _ <- 1..30 do
        Task.async(fn -> Runtime.call_function("os", "getpid", [], []) end) |> Task.await()
      end

    refute {:ok, busy_pid} in pids
    assert {:ok, "slept"} = Task.await(sleeper, 5_000)
  end

  test "a worker stuck past a call's timeout gets no new calls, not even from its home" do
    [stuck | _] = Pool.workers()
    stuck_pid = Pool.os_pid(stuck)

    capture_log(fn ->
      # Its caller is suspended, so nothing has replaced the worker yet.
      caller = spawn(fn -> sleep_on(stuck, 30, 200) end)
      Process.sleep(50)
      :erlang.suspend_process(caller)
      Process.sleep(300)
      assert Pool.stuck?(stuck)

      homed =
        Task.async(fn ->
          Process.put(:snakebridge_home, stuck)
          Runtime.call_function("os", "getpid", [], [])
        end)

      assert {:ok, pid} = Task.await(homed, 5_000)
      assert pid != stuck_pid

      assert {:ok, other} =
               Task.async(fn -> Runtime.call_function("os", "getpid", [], []) end) |> Task.await()

      assert other != stuck_pid
      :erlang.resume_process(caller)
      assert eventually(fn -> stuck not in Pool.workers() end)
      assert pool_full()
    end)
  end

  test "kill -9 mid-call: the running call gets a WorkerError, queued ones are told to resend" do
    [worker | _] = Pool.workers()
    os_pid = Pool.os_pid(worker)
    running = Task.async(fn -> sleep_on(worker, 30) end)
    Process.sleep(100)
    queued = for _ <- 1..2, do: Task.async(fn -> sleep_on(worker, 30) end)
    Process.sleep(50)

    log =
      capture_log(fn ->
        started = System.monotonic_time(:millisecond)
        System.cmd("kill", ["-9", Integer.to_string(os_pid)])
        assert {:error, %WorkerError{reason: :exited}} = Task.await(running, 5_000)
        results = Task.await_many(queued, 5_000)
        assert System.monotonic_time(:millisecond) - started < 2_000
        for result <- results, do: assert({:error, %WorkerError{reason: :retry}} = result)
        assert pool_full()
        Logger.flush()
      end)

    assert log =~ "exited with status"
    refute worker in Pool.workers()
    assert {:ok, 2.0} = Math.sqrt(4.0)
  end

  test "kill -9 under load: only the call running on the victim fails, none hangs" do
    [victim | _] = Pool.workers()
    os_pid = Pool.os_pid(victim)

    capture_log(fn ->
      busy = Task.async(fn -> sleep_on(victim, 30) end)
      Process.sleep(50)

      callers =
        for n <- 1..200 do
          Task.async(fn ->
            first = Runtime.call_function("sb_test_helpers", "sleep", [0.005], [])
            {first, Runtime.call_function("operator", "add", [n, 1], [])}
          end)
        end

      Process.sleep(50)
      System.cmd("kill", ["-9", Integer.to_string(os_pid)])
      results = Task.await_many(callers, 20_000)

      # Calls queued on the victim were sent again elsewhere: every one succeeds.
      assert results == for(n <- 1..200, do: {{:ok, "slept"}, {:ok, n + 1}})
      assert {:error, %WorkerError{reason: :exited}} = Task.await(busy)

      assert pool_full()
      Logger.flush()
    end)

    assert {:ok, 2.0} = Math.sqrt(4.0)
  end

  test "a call that sleeps past its timeout gets a WorkerError; its worker is replaced" do
    before = Pool.workers()

    log =
      capture_log(fn ->
        started = System.monotonic_time(:millisecond)

        assert {:error, %WorkerError{reason: :timeout}} =
                 Runtime.call_function("sb_test_helpers", "sleep", [30],
                   __runtime__: [timeout: 300]
                 )

        assert System.monotonic_time(:millisecond) - started < 1_500
        assert eventually(fn -> length(Pool.workers() -- before) == 1 end)
        assert pool_full()
        Logger.flush()
      end)

    assert log =~ "timed out"
    assert {:ok, 3.0} = Math.sqrt(9.0)
  end

  test "a call that finishes inside its timeout is unaffected" do
    assert {:ok, "slept"} =
             Runtime.call_function("sb_test_helpers", "sleep", [0.05],
               __runtime__: [timeout: 2_000]
             )
  end

  test "junk written to stdout by Python code never corrupts a frame" do
    pids = Pool.workers()

    for _ <- 1..2 do
      assert {:ok, "still fine"} = Runtime.call_function("sb_test_helpers", "junk_stdout", [], [])
    end

    assert Pool.workers() == pids
  end

  test "a forked child neither answers nor writes to the protocol channel" do
    pids = Pool.workers()

    SnakeBridge.with_session(fn ->
      for _ <- 1..3 do
        assert {:ok, "from the parent"} =
                 Runtime.call_function("sb_test_helpers", "fork_and_return", [], [])

        assert {:ok, "parent done"} =
                 Runtime.call_function("sb_test_helpers", "fork_and_write", [], [])

        assert {:ok, 5} = Runtime.call_function("operator", "add", [2, 3], [])
      end
    end)

    assert Pool.workers() == pids
  end

  test "garbage on the protocol channel: callers get WorkerError, the worker is replaced" do
    [worker | _] = Pool.workers()

    log =
      capture_log(fn ->
        req = {:call, :ref, "sb_test_helpers", "garbage_frame"}
        waiting = Task.async(fn -> sleep_on(worker, 30) end)

        assert {:error, %WorkerError{reason: :protocol}} =
                 Pool.request(worker, req, {[], []}, 5_000)

        assert {:error, %WorkerError{}} = Task.await(waiting)

        # Unframed bytes announce a frame that never completes: the timeout catches it.
        [other | _] = Enum.reject(Pool.workers(), &(&1 == worker))
        raw = {:call, :ref, "sb_test_helpers", "garbage_raw"}
        assert {:error, %WorkerError{reason: :timeout}} = Pool.request(other, raw, {[], []}, 500)
        assert eventually(fn -> not Enum.member?(Pool.workers(), other) end)
        assert pool_full()
        Logger.flush()
      end)

    assert log =~ "not an answer"
    assert {:ok, 2.0} = Math.sqrt(4.0)
  end

  test "a worker that exits by itself is replaced and the caller is told" do
    capture_log(fn ->
      assert {:error, %WorkerError{reason: :exited}} =
               Runtime.call_function("sb_test_helpers", "exit_now", [7], [])

      assert pool_full()
    end)
  end

  test "a worker whose script cannot run says so and what to check" do
    Application.put_env(:snakebridge, :worker_script, "/nonexistent/worker.py")

    try do
      log =
        capture_log(fn ->
          Process.flag(:trap_exit, true)

          {:ok, pid} =
            SnakeBridge.Worker.start_link(
              index: 98,
              load: :atomics.new(100, []),
              table: :snakebridge_workers
            )

          req = {:call, :ref, "math", "sqrt"}

          assert {:error, %WorkerError{reason: :exited}} =
                   Pool.request(pid, req, {[1.0], []}, 5_000)

          assert_receive {:EXIT, ^pid, {:shutdown, :exited}}, 5_000
          Logger.flush()
        end)

      assert log =~ "before its first answer"
      assert log =~ "SNAKEBRIDGE_WORKER"
    after
      Application.delete_env(:snakebridge, :worker_script)
    end
  end

  test "a worker that cannot start answers WorkerError instead of crashing the pool" do
    Application.put_env(:snakebridge, :python, "/nonexistent/python")

    try do
      log =
        capture_log(fn ->
          {:ok, pid} =
            SnakeBridge.Worker.start_link(
              index: 99,
              load: :atomics.new(100, []),
              table: :snakebridge_workers
            )

          :ets.delete_object(:snakebridge_workers, {99, pid})
          req = {:call, :ref, "math", "sqrt"}

          assert {:error, %WorkerError{reason: :not_started, message: message}} =
                   Pool.request(pid, req, {[1.0], []}, 1_000)

          assert message =~ "/nonexistent/python"
          GenServer.stop(pid)
          Logger.flush()
        end)

      assert log =~ "cannot start Python worker"
    after
      Application.delete_env(:snakebridge, :python)
    end
  end
end
