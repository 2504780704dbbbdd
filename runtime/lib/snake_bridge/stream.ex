defmodule SnakeBridge.Stream do
  @moduledoc """
  A Python iterable as an Elixir `Enumerable`, pulled lazily in batches.

  Every `%SnakeBridge.Ref{}` is enumerable (`Enum.to_list(generator_ref)`,
  `Enum.take(count_ref, 5)`); `SnakeBridge.stream/2` builds one with another batch
  size. The first batch calls `iter()` on the object and returns up to `batch` items;
  later batches double up to 1,024 items per round trip. When the enumeration ends or
  halts early (`Enum.take/2` on an infinite generator), the iterator is released, and
  so is the object behind the reference when it was its own iterator (a generator is
  used up by enumerating it; a list-like object can be enumerated again): the ref then
  stands for a consumed iterator, and using it again is a `RuntimeError` that says so.
  """

  alias SnakeBridge.{Ref, Runtime}

  @enforce_keys [:ref]
  defstruct [:ref, batch: 32]

  @type t :: %__MODULE__{ref: Ref.t(), batch: pos_integer()}

  @max_batch 1024

  @doc false
  @spec reduce(Ref.t(), pos_integer(), Enumerable.acc(), Enumerable.reducer()) ::
          Enumerable.result()
  def reduce(%Ref{} = ref, batch, acc, fun), do: step({:start, ref, batch}, acc, fun)

  defp step(cursor, {:halt, acc}, _fun) do
    close(cursor)
    {:halted, acc}
  end

  defp step(cursor, {:suspend, acc}, fun), do: {:suspended, acc, &step(cursor, &1, fun)}

  defp step({:start, ref, batch}, {:cont, _} = acc, fun) do
    {items, iterator, consumed} = fetch!({:iter, :ref, batch}, ref, nil)
    step({items, iterator, if(consumed, do: ref), batch}, acc, fun)
  end

  defp step({[item | rest], iterator, owned, batch}, {:cont, acc}, fun),
    do: step({rest, iterator, owned, batch}, fun.(item, acc), fun)

  defp step({[], nil, _owned, _batch} = cursor, {:cont, acc}, _fun) do
    close(cursor)
    {:done, acc}
  end

  defp step({[], iterator, owned, batch}, {:cont, _} = acc, fun) do
    batch = min(batch * 2, @max_batch)
    cursor = {[], iterator, owned, batch}
    {items, done} = fetch!({:next, :ref, batch}, iterator, cursor)
    step({items, if(done, do: release(iterator), else: iterator), owned, batch}, acc, fun)
  end

  defp fetch!(header, ref, cursor) do
    case Runtime.dispatch(header, {ref}, []) do
      {:ok, answer} ->
        answer

      {:error, error} ->
        if cursor, do: close(cursor)
        raise error
    end
  end

  defp close({:start, _ref, _batch}), do: :ok

  defp close({_items, iterator, owned, _batch}) do
    release(iterator)
    if owned, do: send(owned.worker, {:sb_consumed, [owned.id]})
  end

  defp release(nil), do: nil

  defp release(ref) do
    SnakeBridge.release(ref)
    nil
  end
end

defimpl Enumerable, for: SnakeBridge.Stream do
  def reduce(%{ref: ref, batch: batch}, acc, fun),
    do: SnakeBridge.Stream.reduce(ref, batch, acc, fun)

  def count(_stream), do: {:error, __MODULE__}
  def member?(_stream, _value), do: {:error, __MODULE__}
  def slice(_stream), do: {:error, __MODULE__}
end

defimpl Enumerable, for: SnakeBridge.Ref do
  def reduce(ref, acc, fun), do: SnakeBridge.Stream.reduce(ref, 32, acc, fun)
  def count(_ref), do: {:error, __MODULE__}
  def member?(_ref, _value), do: {:error, __MODULE__}
  def slice(_ref), do: {:error, __MODULE__}
end

defimpl Inspect, for: SnakeBridge.Ref do
  # The Python type and a bounded repr, asked of the worker (a short timeout, and
  # never from the worker process itself); the ids alone when that fails.
  import Inspect.Algebra

  @limit 120

  def inspect(ref, opts) do
    concat(["#SnakeBridge.Ref<", ref.type || "object", repr(ref, opts), ">"])
  end

  defp repr(%{worker: worker} = ref, _opts) when worker != self() do
    case SnakeBridge.Runtime.call_method(ref, "__repr__", [], __runtime__: [timeout: 2_000]) do
      {:ok, text} when is_binary(text) -> " " <> bound(text)
      _ -> " id=#{ref.id}"
    end
  rescue
    _ -> " id=#{ref.id}"
  end

  defp repr(ref, _opts), do: " id=#{ref.id}"

  defp bound(text) do
    if String.length(text) > @limit, do: String.slice(text, 0, @limit - 1) <> "…", else: text
  end
end

defimpl String.Chars, for: SnakeBridge.Ref do
  def to_string(ref) do
    SnakeBridge.Runtime.unwrap!(SnakeBridge.Runtime.call_function("builtins", "str", [ref], []))
  end
end
