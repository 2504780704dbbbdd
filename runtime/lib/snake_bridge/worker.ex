defmodule SnakeBridge.Worker do
  @moduledoc """
  One Python process behind an Erlang Port, and the owner bookkeeping of its objects.

  Callers encode their own requests and decode their own answers (see
  `SnakeBridge.Pool.request/4`); this process only forwards frames, routes each answer
  by the id in its header, and records which Elixir process owns each new reference so
  that references die with their owner. If Python exits, hangs past a caller's timeout
  or writes a frame that is not one, every waiting caller gets a
  `%SnakeBridge.WorkerError{}` at once and this process stops; its supervisor starts a
  fresh one.
  """
  use GenServer
  require Logger

  alias SnakeBridge.{Config, WorkerError}

  @magic 0xAB
  @init_id 0xFFFFFFFFFFFFFFFF
  @early_death_pause 500

  defstruct [
    :index,
    :port,
    :os_pid,
    :load,
    :table,
    ready: false,
    exited: false,
    exit_status: nil,
    broken: nil,
    pending: %{},
    owners: %{},
    ref_owner: %{},
    sessions: %{}
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
    state = %__MODULE__{index: opts[:index], load: opts[:load], table: opts[:table]}
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
  def handle_info({:sb_call, id, frame, caller, tag, session}, state) do
    if state.broken do
      send(caller, {tag, {:sb_error, error(state, :not_started, state.broken)}})
      {:noreply, state}
    else
      Port.command(state.port, frame)
      :atomics.add(state.load, state.index, 1)
      {:noreply, put_in(state.pending[id], {caller, tag, session})}
    end
  end

  def handle_info({port, {:data, frame}}, %{port: port} = state), do: answer(frame, state)

  def handle_info({:sb_release, ids}, state), do: {:noreply, release(ids, state)}

  def handle_info({:sb_release_session, token}, state) do
    {ids, sessions} = Map.pop(state.sessions, token, MapSet.new())
    {:noreply, release(MapSet.to_list(ids), %{state | sessions: sessions})}
  end

  def handle_info({:DOWN, _mref, :process, owner, _reason}, state) do
    {{_mref, ids}, owners} = Map.pop(state.owners, owner, {nil, MapSet.new()})
    {:noreply, release(MapSet.to_list(ids), %{state | owners: owners})}
  end

  def handle_info({:sb_timeout, id}, state) do
    case Map.pop(state.pending, id) do
      {nil, _} -> {:noreply, state}
      {_, pending} -> fail(%{state | pending: pending}, :timeout, "a call timed out")
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
    kill(state)
  end

  # An answer: `<<0xAB, id::64, n::32, new_ref_ids::n*64, etf>>`.
  defp answer(<<@magic, id::64, n::32, ids::binary-size(n * 8), etf::binary>>, state) do
    case Map.pop(state.pending, id) do
      {{caller, tag, session}, pending} ->
        :atomics.sub(state.load, state.index, 1)
        send(caller, {tag, etf})
        {:noreply, own(ids, caller, session, %{state | pending: pending})}

      {nil, _} when id == @init_id ->
        {:noreply, %{state | ready: true}}

      {nil, _} ->
        {:noreply, release(for(<<ref_id::64 <- ids>>, do: ref_id), state)}
    end
  end

  defp answer(frame, state) do
    fail(
      state,
      :protocol,
      "Python wrote a frame that is not an answer: #{inspect(frame, limit: 8)}"
    )
  end

  defp own(<<>>, _caller, _session, state), do: state

  defp own(ids, caller, session, state) do
    ids = for <<ref_id::64 <- ids>>, do: ref_id

    owners =
      Map.update(state.owners, caller, {Process.monitor(caller), MapSet.new(ids)}, fn {m, set} ->
        {m, Enum.into(ids, set)}
      end)

    ref_owner = Enum.reduce(ids, state.ref_owner, &Map.put(&2, &1, {caller, session}))
    sessions = track_session(state.sessions, session, ids)
    %{state | owners: owners, ref_owner: ref_owner, sessions: sessions}
  end

  defp track_session(sessions, nil, _ids), do: sessions

  defp track_session(sessions, token, ids),
    do: Map.update(sessions, token, MapSet.new(ids), &Enum.into(ids, &1))

  # Forget the owners of `ids` and tell Python to drop them (no answer wanted: id 0).
  defp release([], state), do: state

  defp release(ids, state) do
    state = Enum.reduce(ids, state, &disown/2)
    if state.port, do: Port.command(state.port, SnakeBridge.Pool.frame(0, {:release}, {ids}))
    state
  end

  defp disown(id, state) do
    case Map.pop(state.ref_owner, id) do
      {nil, _} ->
        state

      {{owner, session}, ref_owner} ->
        %{state | ref_owner: ref_owner, owners: drop_owned(state.owners, owner, id)}
        |> Map.update!(:sessions, &drop_session_ref(&1, session, id))
    end
  end

  defp drop_owned(owners, owner, id) do
    case owners do
      %{^owner => {mref, set}} ->
        set = MapSet.delete(set, id)

        if MapSet.size(set) == 0 do
          Process.demonitor(mref, [:flush])
          Map.delete(owners, owner)
        else
          Map.put(owners, owner, {mref, set})
        end

      _ ->
        owners
    end
  end

  defp drop_session_ref(sessions, nil, _id), do: sessions

  defp drop_session_ref(sessions, token, id) do
    case sessions do
      %{^token => set} -> Map.put(sessions, token, MapSet.delete(set, id))
      _ -> sessions
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

    for {_id, {caller, tag, _session}} <- state.pending do
      send(caller, {tag, {:sb_error, exception}})
    end

    :atomics.put(state.load, state.index, 0)
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
