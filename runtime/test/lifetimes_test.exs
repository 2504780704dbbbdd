defmodule SnakeBridge.LifetimesTest do
  # References are released explicitly, by scope and with their owner; the
  # worker-side registry returns to empty each time.
  use ExUnit.Case
  import SnakeBridge.TestHelpers

  alias SnakeBridge.{Ref, Runtime, WorkerError}
  alias SnakeBridge.Test.Counter

  setup do
    assert pool_full()
    assert eventually(fn -> registry_size() == 0 end)
    :ok
  end

  defp counters(n), do: for(i <- 1..n, do: Runtime.unwrap!(Counter.new(start: i)))

  test "explicit release" do
    refs = counters(20)
    assert registry_size() == 20
    SnakeBridge.release(Enum.take(refs, 5))
    assert eventually(fn -> registry_size() == 15 end)
    SnakeBridge.release(Enum.drop(refs, 5))
    assert eventually(fn -> registry_size() == 0 end)

    # Refused before anything is sent.
    assert {:error, %WorkerError{reason: :stale_ref, message: message}} = Counter.add(hd(refs))
    assert message =~ "(sb_test_helpers.Counter) was released"
    counter = hd(counters(1))
    SnakeBridge.release(counter)
    assert {:error, %WorkerError{reason: :stale_ref}} = Counter.add(counter)
  end

  test "a ref made in a Task is held by its caller too: parallel loading works" do
    made = Task.async(fn -> Runtime.unwrap!(Counter.new(start: 1)) end) |> Task.await()

    loaded =
      1..4
      |> Task.async_stream(fn i -> Runtime.unwrap!(Counter.new(start: i * 10)) end)
      |> Enum.map(fn {:ok, ref} -> ref end)

    # The Tasks have exited (their exits reach the workers before these calls).
    Process.sleep(100)
    assert registry_size() == 5
    assert Counter.add(made) == {:ok, 2}
    assert Enum.map(loaded, &Runtime.unwrap!(Counter.add(&1))) == [11, 21, 31, 41]

    SnakeBridge.release([made | loaded])
    assert eventually(fn -> registry_size() == 0 end)
  end

  test "a session pins calls to one worker and releases its references at the end" do
    result =
      SnakeBridge.with_session(fn ->
        refs = counters(10)
        assert refs |> Enum.map(& &1.worker) |> Enum.uniq() |> length() == 1
        assert registry_size() == 10
        refs |> Enum.map(&Runtime.unwrap!(Counter.add(&1))) |> Enum.sum()
      end)

    assert result == Enum.sum(2..11)
    assert eventually(fn -> registry_size() == 0 end)
  end

  test "a session releases its references when the function raises" do
    assert_raise RuntimeError, fn ->
      SnakeBridge.with_session(fn ->
        counters(3)
        raise "boom"
      end)
    end

    assert eventually(fn -> registry_size() == 0 end)
  end

  test "references die with the process that owns them" do
    parent = self()

    owner =
      spawn(fn ->
        send(parent, {:made, counters(25)})
        Process.sleep(:infinity)
      end)

    assert_receive {:made, [%Ref{} | _]}, 5_000
    assert registry_size() == 25
    Process.exit(owner, :kill)
    assert eventually(fn -> registry_size() == 0 end)
  end

  test "references nested in results are owned too" do
    {:ok, [a, %{"b" => b}]} =
      Runtime.call_function("builtins", "eval", ["[object(), {'b': object()}]"], [])

    assert %Ref{type: "object"} = a
    assert %Ref{} = b
    assert registry_size() == 2
    SnakeBridge.release([a, b])
    assert eventually(fn -> registry_size() == 0 end)
  end
end
