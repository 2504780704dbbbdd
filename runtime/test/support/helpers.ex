defmodule SnakeBridge.TestHelpers do
  @moduledoc "Polling helpers (releases and restarts happen asynchronously), calls."

  @doc "A Python call's value, raising on an error."
  def call!(module, name, args, opts \\ []),
    do: SnakeBridge.Runtime.unwrap!(SnakeBridge.Runtime.call_function(module, name, args, opts))

  @doc "ExUnit setup: every pool slot has a live worker (`setup :full_pool`)."
  def full_pool(_context) do
    if pool_full(), do: :ok, else: raise("the pool did not refill")
  end

  @doc "Total references held by all workers."
  def registry_size do
    SnakeBridge.Pool.stats() |> Enum.map(& &1["refs"]) |> Enum.sum()
  end

  @doc "Retries `fun` until it returns a truthy value or `ms` pass; returns the last value."
  def eventually(fun, ms \\ 10_000) do
    deadline = System.monotonic_time(:millisecond) + ms
    poll(fun, deadline)
  end

  defp poll(fun, deadline) do
    value = fun.()

    if value || System.monotonic_time(:millisecond) > deadline do
      value
    else
      Process.sleep(20)
      poll(fun, deadline)
    end
  end

  @doc "Waits until every pool slot has a live worker that answers."
  def pool_full(size \\ 4) do
    eventually(fn ->
      length(Enum.filter(SnakeBridge.Pool.workers(), &Process.alive?/1)) == size and ready()
    end)
  end

  # Every worker answers (a replaced one has started Python and imported the worker).
  defp ready do
    length(SnakeBridge.Pool.stats()) == length(SnakeBridge.Pool.workers())
  catch
    _, _ -> false
  end
end
