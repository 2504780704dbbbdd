defmodule SnakeBridge.Worker do
  @moduledoc """
  One Python process behind an Erlang Port, and the owner bookkeeping of its objects.

  Callers encode their own requests and decode their own answers (see
  `SnakeBridge.Pool.request/7`); this process only forwards frames, routes each answer
  (and each callback request, `SnakeBridge.Callbacks`) by the id in its header, and
  records which Elixir processes hold each reference: the one that received it and
  every one that passed it in a call. A reference is released when all its holders
  have exited (or by `SnakeBridge.release/1`, or at the end of its session).

  Calls wait in this process's queue until Python reads: when it is idle, or waiting
  for a callback's result (a call made meanwhile is served nested, so a callback may
  call Python again); up to 8 more frames may wait in the pipe while Python
  runs a call with no callback in progress, so Python does not wait for this process
  between calls.
  The worker thus knows which calls have started: a call that had not is never lost
  when this worker is replaced (its caller is told to send it again, `:sb_retry`), and
  when its own timeout passes it leaves the queue. Only a call Python has started
  can time the worker out. If Python exits, hangs past a caller's timeout
  or writes a frame that is not one, every waiting caller gets a
  `%SnakeBridge.WorkerError{}` at once and this process stops; its supervisor starts a
  fresh one.
  """
  use GenServer
  require Logger

  alias SnakeBridge.{Config, WorkerError}

  @magic 0xAB
  # Request frames written ahead of Python's reading (see `pump/1`).
  @pipeline 8
  @callback_magic 0xAC
  @keep_magic 0xAD
  @drop_magic 0xAE
  @init_id 0xFFFFFFFFFFFFFFFF
  @early_death_pause 500

  defstruct [
    :index,
    :port,
    :os_pid,
    :load,
    :deadlines,
    :table,
    # the live references of all workers, {{worker pid, ref id}} (SnakeBridge.Ref.live?/1)
    :refs,
    ready: false,
    exited: false,
    exit_status: nil,
    broken: nil,
    pending: %{},
    # calls not yet sent to Python: {id, frame, timeout}
    queue: :queue.new(),
    # calls Python is running, innermost first: {id, :running | :waiting (a callback)}
    stack: [],
    # request frames written to the pipe that Python has not read, oldest first: {id, timeout}
    inflight: [],
    # pid => {monitor, MapSet of ref ids}; ref id => [holder pids]
    held: %{},
    holders: %{},
    # session token => MapSet of ref ids; ref id => token
    sessions: %{},
    ref_session: %{},
    # Elixir functions: call id => tuple of that call's functions, while it runs;
    # {call id, index} => function, for those Python keeps after its call (0xAD frames)
    # until it frees them (0xAE frames)
    funs: %{},
    kept: %{}
  ]

  @doc false
  def child_spec(opts) do
    %{id: {__MODULE__, opts[:index]}, start: {__MODULE__, :start_link, [opts]}}
  end

  @doc false
  def start_link(opts), do: GenServer.start_link(__MODULE__, opts)

  @impl true
  def init(opts) do
    Process.flag(:trap_exit, true)

    state = %__MODULE__{
      index: opts[:index],
      load: opts[:load],
      deadlines: opts[:deadlines],
      table: opts[:table],
      refs: opts[:refs] || :snakebridge_refs
    }

    {:ok, open_port(state)}
  end

  defp open_port(state) do
    python = Config.python()
    script = Config.worker_script()

    options =
      [{:args, [script]}, {:packet, 4}, :binary, :exit_status, :use_stdio] ++
        Config.port_options()

    port = Port.open({:spawn_executable, python}, options)
    {:os_pid, os_pid} = Port.info(port, :os_pid)
    Port.command(port, SnakeBridge.Pool.frame(@init_id, {:init}, {self()}))
    :ets.insert(state.table, {state.index, self()})
    %{state | port: port, os_pid: os_pid}
  rescue
    error ->
      message =
        "cannot start Python worker #{inspect(Config.python())} " <>
          "#{inspect(Config.worker_script())}: #{Exception.message(error)}"

      Logger.error("SnakeBridge: " <> message)
      :ets.insert(state.table, {state.index, self()})
      %{state | broken: message}
  end

  @impl true
  def handle_info(
        {:sb_call, id, frame, {caller, callers}, tag, session, used, timeout, funs},
        state
      ) do
    if state.broken do
      send(caller, {tag, {:sb_error, error(state, :not_started, state.broken)}})
      {:noreply, state}
    else
      :atomics.add(state.load, state.index, 1)
      state = share(used, caller, state)
      state = put_in(state.pending[id], {caller, tag, session, [caller | callers]})
      state = if funs == {}, do: state, else: put_in(state.funs[id], funs)
      {:noreply, pump(%{state | queue: :queue.in({id, frame, timeout}, state.queue)})}
    end
  end

  def handle_info({port, {:data, frame}}, %{port: port} = state), do: answer(frame, state)

  def handle_info({:sb_cb_reply, id, frame}, state), do: {:noreply, reply(state, id, frame)}

  def handle_info({:sb_release, ids}, state), do: {:noreply, release(ids, state)}

  # Iterators a stream used up: Python drops the objects and keeps their ids as marks.
  def handle_info({:sb_consumed, ids}, state) do
    if state.port, do: Port.command(state.port, SnakeBridge.Pool.frame(0, {:consumed}, {ids}))
    {:noreply, state}
  end

  def handle_info({:sb_release_session, token}, state) do
    ids = Map.get(state.sessions, token, MapSet.new())
    {:noreply, release(MapSet.to_list(ids), state)}
  end

  def handle_info({:DOWN, _mref, :process, holder, _reason}, state) do
    {{_mref, ids}, held} = Map.pop(state.held, holder, {nil, MapSet.new()})

    {orphans, holders} =
      Enum.reduce(ids, {[], state.holders}, fn id, {orphans, holders} ->
        case List.delete(Map.get(holders, id, []), holder) do
          [] -> {[id | orphans], holders}
          rest -> {orphans, Map.put(holders, id, rest)}
        end
      end)

    {:noreply, release(orphans, %{state | held: held, holders: holders})}
  end

  def handle_info({:sb_timeout, id}, state) do
    {queued, queue} = take_queued(state.queue, id)

    cond do
      queued ->
        :atomics.sub(state.load, state.index, 1)
        state = %{state | queue: queue, funs: Map.delete(state.funs, id)}
        {:noreply, %{state | pending: Map.delete(state.pending, id)}}

      # In the pipe, not started: Python will run it; nobody waits for the answer.
      List.keymember?(state.inflight, id, 0) ->
        :atomics.sub(state.load, state.index, 1)
        {:noreply, %{state | pending: Map.delete(state.pending, id)}}

      Map.has_key?(state.pending, id) ->
        fail(%{state | pending: Map.delete(state.pending, id)}, :timeout, "a call timed out")

      true ->
        {:noreply, state}
    end
  end

  def handle_info({port, {:exit_status, status}}, %{port: port} = state) do
    state = %{state | port: nil, exited: true, exit_status: status}
    fail(state, :exited, "Python exited with status #{status}")
  end

  def handle_info({:EXIT, port, reason}, %{port: port} = state) do
    fail(%{state | port: nil, exited: true}, :exited, "the port closed: #{inspect(reason)}")
  end

  def handle_info(_other, state), do: {:noreply, state}

  @impl true
  def handle_call(:os_pid, _from, state), do: {:reply, state.os_pid, state}

  @impl true
  def terminate(_reason, state) do
    :ets.delete_object(state.table, {state.index, self()})
    :ets.match_delete(state.refs, {{self(), :_}})
    kill(state)
  end

  # An answer: `<<0xAB, id::64, n::32, new_ref_ids::n*64, etf>>`.
  defp answer(<<@magic, id::64, n::32, ids::binary-size(n * 8), etf::binary>>, state) do
    case Map.pop(state.pending, id) do
      {{caller, tag, session, owners}, pending} ->
        :atomics.sub(state.load, state.index, 1)
        # Recorded (SnakeBridge.Ref.live?/1) before the caller can use them.
        state = own(ids, owners, session, state)
        send(caller, {tag, etf, n})
        state = %{state | pending: pending, funs: Map.delete(state.funs, id)}
        {:noreply, state |> finished(id) |> consume() |> pump()}

      {nil, _} when id == @init_id ->
        {:noreply, pump(%{state | ready: true})}

      {nil, _} ->
        state = %{state | funs: Map.delete(state.funs, id)}
        state = release(for(<<ref_id::64 <- ids>>, do: ref_id), state)
        {:noreply, state |> finished(id) |> consume() |> pump()}
    end
  end

  # A callback request made during call `id` for function `index` of call `fun_id`
  # (see SnakeBridge.Callbacks): `id`'s caller runs it.
  defp answer(
         <<@callback_magic, id::64, fun_id::64, index::32, n::32, ids::binary-size(n * 8),
           etf::binary>>,
         state
       ) do
    case {state.pending, function(state, fun_id, index)} do
      {%{^id => {caller, tag, session, owners}}, fun} when fun != nil ->
        state = own(ids, owners, session, %{state | stack: mark(state.stack, id, :waiting)})
        send(caller, {tag, {:sb_callback, self(), id, fun, etf}})
        {:noreply, state |> consume() |> pump()}

      {_pending, fun} ->
        {cb_id, _args} = :erlang.binary_to_term(etf)
        why = if fun, do: "nobody waits for the call in progress", else: "it was dropped"
        gone = {"SnakeBridge", "the Elixir function cannot run: #{why}", ""}
        frame = SnakeBridge.Pool.frame(0, {:cb_reply}, {cb_id, :error, gone})
        state = release(for(<<ref_id::64 <- ids>>, do: ref_id), state)
        {:noreply, reply(state, id, frame)}
    end
  end

  # Python kept functions `indices` of call `id` past its answer (which follows).
  defp answer(<<@keep_magic, id::64, n::32, indices::binary-size(n * 4)>>, state) do
    funs = Map.get(state.funs, id, {})

    kept =
      for <<index::32 <- indices>>, index < tuple_size(funs), into: state.kept do
        {{id, index}, elem(funs, index)}
      end

    {:noreply, %{state | kept: kept}}
  end

  # Python freed kept functions: `n` pairs `<<call_id::64, index::32>>`.
  defp answer(<<@drop_magic, n::32, keys::binary-size(n * 12)>>, state) do
    kept =
      for <<id::64, index::32 <- keys>>, reduce: state.kept, do: (k -> Map.delete(k, {id, index}))

    {:noreply, %{state | kept: kept}}
  end

  defp answer(frame, state) do
    fail(
      state,
      :protocol,
      "Python wrote a frame that is not an answer: #{inspect(frame, limit: 8)}"
    )
  end

  defp function(state, id, index) do
    case state.funs do
      %{^id => funs} when index < tuple_size(funs) -> elem(funs, index)
      _ -> Map.get(state.kept, {id, index})
    end
  end

  # A callback's result for call `id`: the frames already in the pipe are read (and
  # run, nested) before it, so they count as started.
  defp reply(state, id, frame) do
    if state.port, do: Port.command(state.port, frame)

    state =
      Enum.reduce(state.inflight, %{state | inflight: []}, fn {i, t}, s -> start(s, i, t) end)

    %{state | stack: mark(state.stack, id, :running)}
  end

  # Writes the next queued calls: one for Python to read now (it is idle or waiting for
  # a callback), or up to @pipeline waiting in the pipe behind a call with no callback
  # in progress (a callback's wait would read them, nested: see :sb_cb_reply).
  defp pump(%{ready: true, port: port, stack: stack, inflight: inflight} = state)
       when port != nil do
    cond do
      inflight == [] and reading?(stack) -> write_next(state, :started)
      length(stack) == 1 and length(inflight) < @pipeline -> write_next(state, :inflight)
      true -> state
    end
  end

  defp pump(state), do: state

  defp write_next(state, where) do
    case :queue.out(state.queue) do
      {{:value, {id, frame, timeout}}, queue} ->
        Port.command(state.port, frame)
        state = %{state | queue: queue}

        if where == :started,
          do: state |> start(id, timeout) |> pump(),
          else: pump(%{state | inflight: state.inflight ++ [{id, timeout}]})

      {:empty, _} ->
        state
    end
  end

  # Python reads again (a call ended, or one waits for a callback): it takes the oldest
  # frame waiting in the pipe, if any.
  defp consume(%{inflight: [{id, timeout} | rest], stack: stack} = state) do
    if reading?(stack), do: start(%{state | inflight: rest}, id, timeout), else: state
  end

  defp consume(state), do: state

  defp start(state, id, timeout) do
    if state.stack == [], do: set_deadline(state, deadline(timeout))
    %{state | stack: [{id, :running} | state.stack]}
  end

  defp reading?([]), do: true
  defp reading?([{_id, :waiting} | _]), do: true
  defp reading?(_stack), do: false

  defp mark(stack, id, status) do
    if List.keymember?(stack, id, 0), do: List.keystore(stack, id, 0, {id, status}), else: stack
  end

  defp finished(state, id) do
    stack = List.keydelete(state.stack, id, 0)
    if stack == [], do: set_deadline(state, 0)
    %{state | stack: stack}
  end

  defp deadline(:infinity), do: 0
  defp deadline(timeout), do: System.monotonic_time(:millisecond) + timeout

  defp set_deadline(%{deadlines: nil}, _deadline), do: :ok
  defp set_deadline(state, deadline), do: :atomics.put(state.deadlines, state.index, deadline)

  defp take_queued(queue, id) do
    {left, kept} = Enum.split_with(:queue.to_list(queue), &(elem(&1, 0) == id))
    {left != [], :queue.from_list(kept)}
  end

  defp own(<<>>, _owners, _session, state), do: state

  # The caller and its `$callers` (a Task's parent) hold new references `ids`.
  defp own(ids, owners, session, state) do
    ids = for <<ref_id::64 <- ids>>, do: ref_id
    :ets.insert(state.refs, for(id <- ids, do: {{self(), id}}))
    holders = Enum.reduce(ids, state.holders, &Map.put(&2, &1, owners))
    held = Enum.reduce(owners, state.held, &hold(&2, &1, ids))
    state = %{state | held: held, holders: holders}
    track_session(state, session, ids)
  end

  # `caller` passed references `ids` in a call: it holds them too from now on.
  defp share([], _caller, state), do: state

  defp share(ids, caller, state) do
    new = Enum.filter(ids, &(Map.has_key?(state.holders, &1) and caller not in state.holders[&1]))
    holders = Enum.reduce(new, state.holders, &Map.update!(&2, &1, fn hs -> [caller | hs] end))
    %{state | held: hold(state.held, caller, new), holders: holders}
  end

  defp hold(held, _pid, []), do: held

  defp hold(held, pid, ids) do
    Map.update(held, pid, {Process.monitor(pid), MapSet.new(ids)}, fn {m, set} ->
      {m, Enum.into(ids, set)}
    end)
  end

  defp track_session(state, nil, _ids), do: state

  defp track_session(state, token, ids) do
    sessions = Map.update(state.sessions, token, MapSet.new(ids), &Enum.into(ids, &1))
    ref_session = Enum.reduce(ids, state.ref_session, &Map.put(&2, &1, token))
    %{state | sessions: sessions, ref_session: ref_session}
  end

  # Forget the holders of `ids` and tell Python to drop them (no answer wanted: id 0).
  defp release([], state), do: state

  defp release(ids, state) do
    state = Enum.reduce(ids, state, &forget/2)
    if state.port, do: Port.command(state.port, SnakeBridge.Pool.frame(0, {:release}, {ids}))
    state
  end

  defp forget(id, state) do
    :ets.delete(state.refs, {self(), id})
    {holders, all} = Map.pop(state.holders, id, [])
    held = Enum.reduce(holders, state.held, &drop_held(&2, &1, id))
    {token, ref_session} = Map.pop(state.ref_session, id)
    sessions = drop_session_ref(state.sessions, token, id)
    %{state | holders: all, held: held, ref_session: ref_session, sessions: sessions}
  end

  defp drop_held(held, holder, id) do
    case held do
      %{^holder => {mref, set}} ->
        set = MapSet.delete(set, id)

        if MapSet.size(set) == 0 do
          Process.demonitor(mref, [:flush])
          Map.delete(held, holder)
        else
          Map.put(held, holder, {mref, set})
        end

      _ ->
        held
    end
  end

  defp drop_session_ref(sessions, nil, _id), do: sessions

  defp drop_session_ref(sessions, token, id) do
    case sessions do
      %{^token => set} ->
        set = MapSet.delete(set, id)

        if MapSet.size(set) == 0,
          do: Map.delete(sessions, token),
          else: Map.put(sessions, token, set)

      _ ->
        sessions
    end
  end

  # Every waiting caller gets the error now; then this worker is replaced.
  defp fail(state, reason, what) do
    message =
      "SnakeBridge worker #{state.index} (os pid #{state.os_pid}): #{what}#{startup_hint(state)}; " <>
        "restarting it"

    Logger.error(message)
    :ets.delete_object(state.table, {state.index, self()})
    exception = error(state, reason, message)

    queued = for {id, _frame, _timeout} <- :queue.to_list(state.queue), into: MapSet.new(), do: id
    queued = Enum.into(Enum.map(state.inflight, &elem(&1, 0)), queued)

    # A worker that never answered cannot run calls: its replacement will not either.
    :ets.match_delete(state.refs, {{self(), :_}})

    for {id, {caller, tag, _session, _owners}} <- state.pending do
      if state.ready and id in queued,
        do: send(caller, {tag, :sb_retry}),
        else: send(caller, {tag, {:sb_error, exception}})
    end

    :atomics.put(state.load, state.index, 0)
    set_deadline(state, 0)
    kill(state)
    if not state.ready, do: Process.sleep(@early_death_pause)
    {:stop, {:shutdown, reason}, %{state | pending: %{}, port: nil, exited: true}}
  end

  # Python that exits on its own (not by a signal: status < 128) before answering
  # anything could not run the worker at all: say what to check.
  defp startup_hint(%{ready: false, exit_status: status}) when status in 1..127 do
    " before its first answer (is #{inspect(Config.python())} a CPython >= 3.8 that can run " <>
      "#{inspect(Config.worker_script())}? see SNAKEBRIDGE_PYTHON and SNAKEBRIDGE_WORKER)"
  end

  defp startup_hint(_state), do: ""

  defp error(state, reason, message),
    do: %WorkerError{reason: reason, message: message, worker: state.index}

  # Closing stdin ends a healthy worker; a hung one needs SIGKILL.
  defp kill(%{port: port, os_pid: os_pid, exited: exited}) do
    if port, do: safe_close(port)

    if os_pid && not exited,
      do: System.cmd("kill", ["-9", Integer.to_string(os_pid)], stderr_to_stdout: true)

    :ok
  end

  defp safe_close(port) do
    Port.close(port)
  rescue
    ArgumentError -> :ok
  end
end
