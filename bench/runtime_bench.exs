# Runtime benchmark (issues 3, 5, 10): round trip, throughput, callbacks, ref churn
# memory, bulk data.
#
#   cd runtime && SNAKEBRIDGE_PYTHON=../.venv/bin/python mix run ../bench/runtime_bench.exs
#   (BENCH_ONLY=round_trip: only section 1)
#
# Every loop runs inside a compiled module (top-level .exs code is interpreted). The
# floor, measured in the same run, is a bare Port to a Python process that echoes
# each {:packet, 4} frame back: no codec work, no pool, no GenServer hop.

defmodule Bench.Math do
  @moduledoc "Shaped like a generated binding (what a user's compiled call goes through)."
  def sqrt(x, opts \\ :__snakebridge_unset__),
    do: SnakeBridge.Runtime.invoke_function("math", "sqrt", [x], [opts])
end

defmodule RuntimeBench do
  alias SnakeBridge.{Array, Runtime}

  @echo """
  import os, struct, sys
  r = os.fdopen(0, "rb", buffering=1 << 16)
  while True:
      h = r.read(4)
      if len(h) < 4: break
      body = r.read(struct.unpack(">I", h)[0])
      os.write(1, h + body)
  """

  def run do
    python = SnakeBridge.Config.python()
    IO.puts("python: #{python}; schedulers online: #{System.schedulers_online()}")
    restart_pool(1)
    round_trip(python)
    throughput(python)
    callbacks(python)
    ref_churn()
    bulk()
  end

  def round_trip_only do
    restart_pool(1)
    round_trip(SnakeBridge.Config.python())
  end

  defp restart_pool(size) do
    Application.stop(:snakebridge)
    Application.put_env(:snakebridge, :pool_size, size)
    {:ok, _} = Application.ensure_all_started(:snakebridge)
    # Warm every worker (imports, first frames) before timing anything.
    for worker <- SnakeBridge.Pool.workers() do
      {:ok, _} =
        SnakeBridge.Pool.request(worker, {:call, :ref, "math", "sqrt"}, {[2.0], []}, 10_000)
    end
  end

  # -- 1. round trip of a trivial call vs the echo floor ---------------------------

  defp round_trip(python) do
    echo = open_echo(python)
    frame = sqrt_frame()
    for _ <- 1..1_000, do: echo_once(echo, frame)
    for _ <- 1..1_000, do: {:ok, _} = Bench.Math.sqrt(2.0)
    {:os_pid, echo_pid} = Port.info(echo, :os_pid)
    [worker] = SnakeBridge.Pool.workers()
    worker_pid = SnakeBridge.Pool.os_pid(worker)

    # Interleaved batches, so both see the same load on a shared machine.
    {echo_times, call_times, echo_cpu, call_cpu} =
      Enum.reduce(1..100, {[], [], {0, 0}, {0, 0}}, fn _, {et, ct, ec, cc} ->
        {e, e_cpu} =
          cpu(echo_pid, fn -> for _ <- 1..100, do: time(fn -> echo_once(echo, frame) end) end)

        {c, c_cpu} =
          cpu(worker_pid, fn ->
            for _ <- 1..100, do: time(fn -> {:ok, _} = Bench.Math.sqrt(2.0) end)
          end)

        {e ++ et, c ++ ct, add(ec, e_cpu), add(cc, c_cpu)}
      end)

    {echo_cpu, call_cpu} = {per_call(echo_cpu), per_call(call_cpu)}
    Port.close(echo)
    {e, c} = {median(echo_times), median(call_times)}

    IO.puts(
      "round trip, median of 10,000: echo #{us(e)} µs, math.sqrt via compiled module #{us(c)} µs " <>
        "(#{Float.round(c / e, 2)}× echo; target ≤ 1.5×); p99 echo #{us(p99(echo_times))} µs, " <>
        "sqrt #{us(p99(call_times))} µs"
    )

    {echo_beam, echo_py} = echo_cpu
    {call_beam, call_py} = call_cpu

    IO.puts(
      "  CPU per call: echo BEAM #{echo_beam} µs + Python #{echo_py} µs; math.sqrt BEAM " <>
        "#{call_beam} µs + Python #{call_py} µs (total #{Float.round((call_beam + call_py) / max(echo_beam + echo_py, 0.1), 2)}× echo)"
    )
  end

  # Runs `fun`; returns its value and the {BEAM ms, Python ticks} it consumed.
  # Load-independent, unlike wall time on a shared machine.
  defp cpu(os_pid, fun) do
    {beam0, _} = :erlang.statistics(:runtime)
    ticks0 = python_ticks(os_pid)
    value = fun.()
    {beam1, _} = :erlang.statistics(:runtime)
    {value, {beam1 - beam0, python_ticks(os_pid) - ticks0}}
  end

  defp add({a, b}, {c, d}), do: {a + c, b + d}

  # {BEAM ms, Python ticks of 10 ms} over 10,000 calls → µs per call.
  defp per_call({beam_ms, ticks}), do: {beam_ms * 1000 / 10_000, ticks * 10_000 / 10_000}

  # utime + stime of a process, in clock ticks (1/100 s).
  defp python_ticks(os_pid) do
    fields =
      "/proc/#{os_pid}/stat"
      |> File.read!()
      |> String.split(") ")
      |> List.last()
      |> String.split()

    String.to_integer(Enum.at(fields, 11)) + String.to_integer(Enum.at(fields, 12))
  end

  # The bytes a `math.sqrt(2.0)` request puts on the wire: the echo moves the same.
  defp sqrt_frame do
    IO.iodata_to_binary(SnakeBridge.Pool.frame(1, {:call, :ref, "math", "sqrt"}, {[2.0], []}))
  end

  defp open_echo(python) do
    Port.open({:spawn_executable, python}, [
      {:args, ["-c", @echo]},
      {:packet, 4},
      :binary,
      :exit_status,
      :use_stdio
    ])
  end

  defp echo_once(port, frame) do
    Port.command(port, frame)

    receive do
      {^port, {:data, _}} -> :ok
    end
  end

  # -- 2. throughput with 1, 2, 4 workers ------------------------------------------

  @callers 16
  @per_caller 1_500

  defp throughput(python) do
    echo = open_echo(python)
    frame = sqrt_frame()

    {echo_us, _} =
      :timer.tc(fn -> for _ <- 1..(@callers * @per_caller), do: echo_once(echo, frame) end)

    Port.close(echo)
    total = @callers * @per_caller
    IO.puts("throughput, #{total} calls by #{@callers} concurrent callers:")
    IO.puts("  bare echo (one port, one caller): #{round(total / (echo_us / 1.0e6))} calls/s")

    for size <- [1, 2, 4] do
      restart_pool(size)

      {elapsed, latencies} =
        :timer.tc(fn ->
          1..@callers
          |> Enum.map(fn _ ->
            Task.async(fn ->
              for _ <- 1..@per_caller, do: time(fn -> {:ok, _} = Bench.Math.sqrt(2.0) end)
            end)
          end)
          |> Task.await_many(120_000)
          |> List.flatten()
        end)

      IO.puts(
        "  #{size} worker(s): #{round(total / (elapsed / 1.0e6))} calls/s, latency median " <>
          "#{us(median(latencies))} µs, p99 #{us(p99(latencies))} µs"
      )
    end

    restart_pool(1)
  end

  # -- 3. callbacks: a call that calls an Elixir function back, vs a plain call -------

  defp callbacks(python) do
    echo = open_echo(python)
    frame = sqrt_frame()
    identity = fn x -> x end
    plain = fn -> {:ok, 1} = Runtime.call_function("operator", "pos", [1], []) end
    back = fn -> {:ok, 1} = Runtime.call_function("operator", "call", [identity, 1], []) end
    for _ <- 1..1_000, do: {plain.(), back.(), echo_once(echo, frame)}

    {echo_t, plain_t, back_t} =
      Enum.reduce(1..50, {[], [], []}, fn _, {e, p, b} ->
        {for(_ <- 1..100, do: time(fn -> echo_once(echo, frame) end)) ++ e,
         for(_ <- 1..100, do: time(plain)) ++ p, for(_ <- 1..100, do: time(back)) ++ b}
      end)

    Port.close(echo)
    keys = Enum.to_list(1..1_000)
    key = fn x -> -x end

    sorted =
      for _ <- 1..20,
          do:
            time(fn ->
              {:ok, _} = Runtime.call_function("builtins", "sorted", [keys], key: key)
            end)

    IO.puts(
      "callbacks, median of 5,000: echo #{us(median(echo_t))} µs, operator.pos(1) " <>
        "#{us(median(plain_t))} µs, operator.call(fn, 1) (one callback) #{us(median(back_t))} µs " <>
        "(callback round trip #{us(median(back_t) - median(plain_t))} µs; p99 #{us(p99(back_t))} µs); " <>
        "sorted(1,000 items, key: fn) #{us(median(sorted))} µs " <>
        "(#{us(median(sorted) / 1_000)} µs per callback)"
    )
  end

  # -- 4. worker memory under reference churn ---------------------------------------

  defp ref_churn do
    [worker] = SnakeBridge.Pool.workers()
    os_pid = SnakeBridge.Pool.os_pid(worker)
    churn(10_000)
    warm = rss_kb(os_pid)
    {elapsed, _} = :timer.tc(fn -> churn(100_000) end)
    [%{"refs" => left}] = SnakeBridge.Pool.stats()
    after_kb = rss_kb(os_pid)

    IO.puts(
      "ref churn: 100,000 create+release calls in #{Float.round(elapsed / 1.0e6, 1)} s; worker RSS " <>
        "#{warm} kB after warm-up, #{after_kb} kB after (#{after_kb - warm} kB); registry left: #{left}"
    )
  end

  defp churn(n) do
    for _ <- 1..n do
      {:ok, ref} = Runtime.call_function("builtins", "object", [], [])
      SnakeBridge.release(ref)
    end
  end

  defp rss_kb(os_pid) do
    "/proc/#{os_pid}/status"
    |> File.read!()
    |> String.split("\n")
    |> Enum.find_value(fn line ->
      case String.split(line) do
        ["VmRSS:", kb, "kB"] -> String.to_integer(kb)
        _ -> nil
      end
    end)
  end

  # -- 5. a 10,000-float vector to numpy.mean: binary vs list -----------------------

  defp bulk do
    list = for i <- 1..10_000, do: i * 0.5
    array = Array.from_floats(list)
    {:ok, expected} = Runtime.call_function("numpy", "mean", [list], [])
    {:ok, ^expected} = Runtime.call_function("numpy", "mean", [array], [])

    as_list =
      for _ <- 1..300, do: time(fn -> Runtime.call_function("numpy", "mean", [list], []) end)

    as_bin =
      for _ <- 1..300, do: time(fn -> Runtime.call_function("numpy", "mean", [array], []) end)

    {pack, _} = :timer.tc(fn -> Array.from_floats(list) end)

    IO.puts(
      "numpy.mean of 10,000 floats, median of 300: list #{us(median(as_list))} µs, " <>
        "%SnakeBridge.Array{} binary #{us(median(as_bin))} µs " <>
        "(#{Float.round(median(as_list) / median(as_bin), 1)}× faster; packing the list " <>
        "into a binary once: #{pack} µs)"
    )
  end

  # -- helpers ------------------------------------------------------------------------

  defp time(fun) do
    start = System.monotonic_time(:nanosecond)
    fun.()
    System.monotonic_time(:nanosecond) - start
  end

  defp median(xs), do: Enum.at(Enum.sort(xs), div(length(xs), 2))
  defp p99(xs), do: Enum.at(Enum.sort(xs), div(length(xs) * 99, 100))
  defp us(ns), do: Float.round(ns / 1000, 1)
end

if System.get_env("BENCH_ONLY") == "round_trip",
  do: RuntimeBench.round_trip_only(),
  else: RuntimeBench.run()
