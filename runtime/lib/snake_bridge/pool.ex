defmodule SnakeBridge.Pool do
  @moduledoc """
  The supervised pool of `SnakeBridge.Worker`s and the call path through it.

  There is no pool process on the call path: each worker registers its pid in an ETS
  table under its slot, and keeps in `:atomics` arrays its number of calls in flight
  (queued or running) and the deadline of the call Python is running; a caller scans
  for an idle worker (starting at a rotating slot, so bursts spread), falls back to the
  least loaded one, skips a worker whose running call is past its timeout (it is about
  to be replaced), and talks to that worker directly.
  """
  use Supervisor

  alias SnakeBridge.{Config, WorkerError}

  @table :snakebridge_workers
  @refs :snakebridge_refs
  @key {__MODULE__, :slots}
  @wait_for_worker 2_000

  @doc false
  def start_link(opts), do: Supervisor.start_link(__MODULE__, opts, name: __MODULE__)

  @impl true
  def init(_opts) do
    size = Config.pool_size()
    table = :ets.new(@table, [:named_table, :public, read_concurrency: true])

    refs =
      :ets.new(@refs, [:named_table, :public, read_concurrency: true, write_concurrency: true])

    load = :atomics.new(size + 1, signed: true)
    deadlines = :atomics.new(size, signed: true)
    :persistent_term.put(@key, {size, load, deadlines})

    children =
      for index <- 1..size do
        {SnakeBridge.Worker,
         index: index, load: load, deadlines: deadlines, table: table, refs: refs}
      end

    # A worker that dies before answering pauses before its restart (see Worker), so a
    # broken interpreter costs each slot about two restarts a second: allow that.
    Supervisor.init(children,
      strategy: :one_for_one,
      max_restarts: max(100, 25 * size),
      max_seconds: 10
    )
  end

  @doc "The pids of the running workers, by slot."
  @spec workers() :: [pid()]
  def workers do
    SnakeBridge.ensure_started()
    @table |> :ets.tab2list() |> Enum.sort() |> Enum.map(&elem(&1, 1))
  end

  @doc "An idle worker (or the least loaded one); waits briefly while workers restart."
  @spec checkout() :: {:ok, pid()} | {:error, WorkerError.t()}
  def checkout, do: checkout(System.monotonic_time(:millisecond) + @wait_for_worker)

  defp checkout(deadline) do
    SnakeBridge.ensure_started()
    {size, load, deadlines} = :persistent_term.get(@key)
    start = :atomics.add_get(load, size + 1, 1)
    slots = {load, deadlines, System.monotonic_time(:millisecond)}

    case pick(slots, size, start, 0, nil) do
      nil -> retry_checkout(deadline)
      pid -> {:ok, pid}
    end
  end

  defp retry_checkout(deadline) do
    if System.monotonic_time(:millisecond) < deadline do
      Process.sleep(10)
      checkout(deadline)
    else
      {:error, %WorkerError{reason: :exited, message: "no SnakeBridge worker is running"}}
    end
  end

  @doc """
  Whether `worker` is running a call past that call's timeout (it is about to be
  replaced): a call free to go elsewhere should.
  """
  @spec stuck?(pid()) :: boolean()
  def stuck?(worker) do
    {_size, _load, deadlines} = :persistent_term.get(@key)

    case :ets.match(@table, {:"$1", worker}) do
      [[slot]] -> past(:atomics.get(deadlines, slot), System.monotonic_time(:millisecond))
      _ -> false
    end
  end

  defp past(deadline, now), do: deadline != 0 and deadline < now

  # Scan `size` slots from `start`; the first idle live worker wins, else the least
  # loaded; a worker stuck past a call's timeout counts as loaded by `size` more calls.
  defp pick(_slots, size, _start, size, best), do: best && elem(best, 1)

  defp pick({load, deadlines, now} = slots, size, start, seen, best) do
    slot = rem(start + seen, size) + 1

    case :ets.lookup(@table, slot) do
      [{^slot, pid}] ->
        stuck = if past(:atomics.get(deadlines, slot), now), do: size + 1, else: 0
        busy = :atomics.get(load, slot) + stuck

        cond do
          busy <= 0 -> pid
          best == nil or busy < elem(best, 0) -> pick(slots, size, start, seen + 1, {busy, pid})
          true -> pick(slots, size, start, seen + 1, best)
        end

      [] ->
        pick(slots, size, start, seen + 1, best)
    end
  end

  @doc """
  Sends a request to `worker` and waits up to `timeout` ms.

  `header` is `{op, static arguments...}` (the worker caches it by its bytes), `payload`
  a tuple of the call's own arguments. Returns the worker's `{:ok, term}` /
  `{:error, %SnakeBridge.PythonError{}}`, or `{:error, %SnakeBridge.WorkerError{}}` when
  the worker dies, is replaced, or the time runs out (the worker is then replaced:
  Python cannot be interrupted safely). `session` tags new references for
  `SnakeBridge.with_session/1`; `funs` are the call's Elixir functions (by callback
  index, see `SnakeBridge.Args`), kept by the worker while the call runs and for as
  long as Python keeps them; `used` the ids of the references the payload carries
  (their holder set gains this process). Any Elixir function Python calls during this
  call (this call's, or one an earlier call left with Python) runs here.
  """
  @spec request(pid(), tuple(), tuple(), timeout(), reference() | nil, tuple(), [pos_integer()]) ::
          {:ok, term()} | {:error, term()}
  def request(worker, header, payload, timeout, session \\ nil, funs \\ {}, used \\ []) do
    id = :erlang.unique_integer([:positive])
    tag = Process.monitor(worker)
    frame = frame(id, header, payload)
    # A Task's results are held by its parents too (`$callers`), so they outlive it.
    callers = for pid <- Process.get(:"$callers", []), is_pid(pid), do: pid
    send(worker, {:sb_call, id, frame, {self(), callers}, tag, session, used, timeout, funs})
    await(worker, id, tag, deadline(timeout), timeout)
  end

  defp deadline(:infinity), do: :infinity
  defp deadline(timeout), do: System.monotonic_time(:millisecond) + timeout

  defp remaining(:infinity), do: :infinity
  defp remaining(deadline), do: max(deadline - System.monotonic_time(:millisecond), 0)

  defp await(worker, id, tag, deadline, timeout) do
    receive do
      {^tag, etf, refs} when is_binary(etf) ->
        Process.demonitor(tag, [:flush])
        if refs > 0, do: SnakeBridge.Affinity.received_refs(worker)
        decode(etf)

      {_any_call, {:sb_callback, from, call_id, fun, etf}} ->
        SnakeBridge.Callbacks.run(from, call_id, fun, etf)
        await(worker, id, tag, deadline, timeout)

      {^tag, {:sb_error, error}} ->
        Process.demonitor(tag, [:flush])
        {:error, error}

      {^tag, :sb_retry} ->
        Process.demonitor(tag, [:flush])

        {:error,
         %WorkerError{reason: :retry, message: "the worker was replaced before the call started"}}

      # Exited before it took the call (else a reply, error or retry came first).
      {:DOWN, ^tag, :process, _pid, reason} ->
        {:error, %{down_error(reason) | reason: :retry}}
    after
      remaining(deadline) ->
        send(worker, {:sb_timeout, id})
        Process.demonitor(tag, [:flush])
        flush(tag)

        {:error,
         %WorkerError{
           reason: :timeout,
           message: "the Python call did not answer in #{timeout} ms"
         }}
    end
  end

  @doc false
  # A request frame: `<<id::64, size::32, header_etf::size, payload_etf>>` (iodata).
  @spec frame(non_neg_integer(), tuple(), tuple()) :: iodata()
  def frame(id, header, payload) do
    header = :erlang.term_to_binary(header)
    [<<id::64, byte_size(header)::32>>, header | :erlang.term_to_binary(payload)]
  end

  defp decode(etf) do
    :erlang.binary_to_term(etf)
  rescue
    ArgumentError ->
      {:error, %WorkerError{reason: :protocol, message: "the worker's answer is not a term"}}
  end

  defp down_error(:noproc) do
    %WorkerError{
      reason: :stale_ref,
      message: "the worker is gone (a reference from a replaced worker is stale)"
    }
  end

  defp down_error(reason),
    do: %WorkerError{reason: :exited, message: "the worker exited: #{inspect(reason)}"}

  defp flush(tag) do
    receive do
      {^tag, _} -> :ok
      {^tag, _, _} -> :ok
    after
      0 -> :ok
    end
  end

  @doc false
  # Whether reference `id` of `worker` is held (not released); see `SnakeBridge.Worker`.
  @spec live?(pid(), pos_integer()) :: boolean()
  def live?(worker, id), do: :ets.member(@refs, {worker, id})

  @doc false
  # Marks references released at once (their worker forgets them when it reads the
  # release), so a use right after `SnakeBridge.release/1` fails before sending.
  @spec forget([SnakeBridge.Ref.t()]) :: :ok
  def forget(refs), do: Enum.each(refs, &:ets.delete(@refs, {&1.worker, &1.id}))

  @doc "The OS process id of a worker's Python process (for tests and diagnostics)."
  @spec os_pid(pid()) :: non_neg_integer() | nil
  def os_pid(worker), do: GenServer.call(worker, :os_pid)

  @doc "Per-worker registry sizes: `[%{\"refs\" => n, \"pid\" => os_pid}]`."
  @spec stats() :: [map()]
  def stats do
    for worker <- workers() do
      {:ok, stats} = request(worker, {:stats}, {}, Config.timeout())
      stats
    end
  end
end
