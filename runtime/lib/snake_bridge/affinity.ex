defmodule SnakeBridge.Affinity do
  @moduledoc """
  Which worker runs a call, so that objects from different calls combine.

  A Python object lives in one worker. The rules, in order:

    1. A call whose arguments hold references runs on the worker that holds them; its
       results stay there. Any process may pass any reference it has.
    2. Inside `SnakeBridge.with_session/1`, calls without references run on the
       session's worker.
    3. A process that has received references (its *home* worker) runs its calls
       without references there too, so a process building objects step by step keeps
       them together (unless the home is stuck past a call's timeout). A process that
       never received one is routed to an idle worker.
    4. When references of several workers meet in one call (a process combining its
       own objects with ones another process made), the objects not on the chosen
       worker (the session's, else the home, else the one holding most of them) are
       copied there with `pickle` for this call. An object that cannot be pickled
       (generators, open files, locks) gives a `WorkerError` with reason
       `:cross_worker` saying how to avoid it.
  """

  alias SnakeBridge.{Pool, PythonError, Ref, WorkerError}

  @home :snakebridge_home

  @typedoc "Where a call goes: worker, session token, payload to send, temporary copies."
  @type route :: {pid(), reference() | nil, tuple(), [term()]}

  @doc "The worker for a call carrying `refs`; moves objects when workers meet."
  @spec route([Ref.t()], tuple(), timeout()) :: {:ok, route()} | {:error, Exception.t()}
  def route(refs, payload, timeout) do
    session = Process.get(:snakebridge_session)

    case refs |> Enum.map(& &1.worker) |> Enum.uniq() do
      [] -> free(session, payload)
      [worker] -> pinned(worker, token(session, worker), payload)
      workers -> move(refs, workers, payload, session, timeout)
    end
  end

  @doc false
  # Called with the worker that answered a call whose results hold new references.
  @spec received_refs(pid()) :: :ok
  def received_refs(worker) do
    if Process.get(@home) == nil, do: Process.put(@home, worker)
    :ok
  end

  defp free({worker, token}, payload), do: pinned(worker, token, payload)

  defp free(nil, payload) do
    case Process.get(@home) do
      nil ->
        checkout(payload)

      home ->
        cond do
          not Process.alive?(home) ->
            Process.delete(@home)
            checkout(payload)

          # Hung past a timeout, about to be replaced: this call need not wait for it.
          Pool.stuck?(home) ->
            checkout(payload)

          true ->
            {:ok, {home, nil, payload, []}}
        end
    end
  end

  # Objects live only in their worker: a replaced worker's references are gone.
  defp pinned(worker, token, payload) do
    if Process.alive?(worker) do
      {:ok, {worker, token, payload, []}}
    else
      {:error,
       %WorkerError{
         reason: :stale_ref,
         message:
           "the worker is gone (a reference from a replaced worker, or a session whose " <>
             "worker was replaced, is stale)"
       }}
    end
  end

  defp checkout(payload) do
    with {:ok, worker} <- Pool.checkout(), do: {:ok, {worker, nil, payload, []}}
  end

  defp token({worker, token}, worker), do: token
  defp token(_session, _worker), do: nil

  defp move(refs, workers, payload, session, timeout) do
    target = target(refs, workers, session)

    moving =
      refs
      |> Enum.reject(&(&1.worker == target))
      |> Enum.uniq_by(&{&1.worker, &1.id})

    case copy_all(moving, target, timeout, %{}) do
      {:ok, copies} ->
        {:ok, {target, token(session, target), substitute(payload, copies), Map.values(copies)}}

      {:error, _} = error ->
        error
    end
  end

  defp target(refs, workers, session) do
    preferred = [elem(session || {nil, nil}, 0), Process.get(@home)]

    Enum.find(preferred, &(&1 in workers)) ||
      refs |> Enum.frequencies_by(& &1.worker) |> Enum.max_by(&elem(&1, 1)) |> elem(0)
  end

  defp copy_all([], _target, _timeout, copies), do: {:ok, copies}

  defp copy_all([ref | rest], target, timeout, copies) do
    case copy(ref, target, timeout) do
      {:ok, copy} ->
        copy_all(rest, target, timeout, Map.put(copies, {ref.worker, ref.id}, copy))

      {:error, error} ->
        copies |> Map.values() |> release()
        {:error, cross_error(ref, error)}
    end
  end

  defp copy(ref, target, timeout) do
    with {:ok, data} <- Pool.request(ref.worker, {:export}, {ref}, timeout) do
      Pool.request(target, {:import, :ref}, {data}, timeout)
    end
  end

  @doc false
  # Drops the temporary copies a moved call made (the objects live on in Python if the
  # call kept them).
  @spec release([term()]) :: :ok
  def release([]), do: :ok
  def release(copies), do: copies |> Enum.filter(&match?(%Ref{}, &1)) |> SnakeBridge.release()

  defp cross_error(ref, error) do
    why =
      case error do
        %PythonError{type: type, message: message} -> "#{type}: #{message}"
        other -> Exception.message(other)
      end

    %WorkerError{
      reason: :cross_worker,
      message:
        "this call combines objects held by different Python workers and the " <>
          "#{ref.type} (#{inspect(ref.worker)}) cannot be moved (#{why}); make the objects " <>
          "in one process (its calls share a worker) or inside SnakeBridge.with_session/1"
    }
  end

  defp substitute(%Ref{} = ref, copies), do: Map.get(copies, {ref.worker, ref.id}, ref)

  defp substitute([head | tail], copies),
    do: [substitute(head, copies) | substitute(tail, copies)]

  defp substitute(%MapSet{} = set, copies), do: MapSet.new(set, &substitute(&1, copies))
  defp substitute(%{__struct__: _} = struct, _copies), do: struct
  defp substitute(%{} = map, copies), do: Map.new(map, &substitute(&1, copies))

  defp substitute(tuple, copies) when is_tuple(tuple),
    do: tuple |> Tuple.to_list() |> substitute(copies) |> List.to_tuple()

  defp substitute(value, _copies), do: value
end
