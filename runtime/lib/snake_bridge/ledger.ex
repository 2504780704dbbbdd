defmodule SnakeBridge.Ledger do
  @moduledoc """
  Records dynamic calls (`SnakeBridge.call/4`) whose symbol has no generated binding, so
  `snakebridge promote LEDGER --manifest FILE` can bind them statically next time.

  The file (path from `SnakeBridge.Config.ledger/0`; off when unset) holds one call key
  per line (`Numpy.mean/1`, as in the manifest: Elixir module, function, arity), each
  at most once, `\\n`-terminated, in first-seen order. Appends go through this one
  process (no interleaving inside a VM); each is a single `O_APPEND` write of one line,
  and the reader deduplicates, so several VMs may share a file.
  """
  use GenServer
  require Logger

  @table :snakebridge_ledger

  @doc false
  def start_link(opts), do: GenServer.start_link(__MODULE__, opts, name: __MODULE__)

  @doc """
  Records `module.name/arity` unless the ledger is off or that function is generated.
  Repeats cost one ETS lookup.
  """
  @spec record(String.t(), String.t(), non_neg_integer()) :: :ok
  def record(module, name, arity) do
    path = SnakeBridge.Config.ledger()

    if path && not generated?(module, name, arity) do
      SnakeBridge.ensure_started()
      key = "#{module}.#{name}/#{arity}"

      if :ets.insert_new(@table, {{path, key}}),
        do: GenServer.call(__MODULE__, {:append, path, key})
    end

    :ok
  end

  defp generated?(module, name, arity) do
    with mod when mod != nil <- SnakeBridge.Naming.existing_atom("Elixir." <> module),
         fun when fun != nil <- SnakeBridge.Naming.existing_atom(name),
         true <- Code.ensure_loaded?(mod) do
      function_exported?(mod, fun, arity)
    else
      _ -> false
    end
  end

  @impl true
  def init(_opts) do
    :ets.new(@table, [:named_table, :public, write_concurrency: true])
    {:ok, %{}}
  end

  @impl true
  def handle_call({:append, path, key}, _from, files) do
    seen = Map.get_lazy(files, path, fn -> read(path) end)

    if MapSet.member?(seen, key) do
      {:reply, :ok, Map.put(files, path, seen)}
    else
      append(path, key)
      {:reply, :ok, Map.put(files, path, MapSet.put(seen, key))}
    end
  end

  defp read(path) do
    case File.read(path) do
      {:ok, text} -> text |> String.split("\n", trim: true) |> MapSet.new()
      {:error, _} -> MapSet.new()
    end
  end

  defp append(path, key) do
    with :ok <- File.mkdir_p(Path.dirname(path)),
         :ok <- File.write(path, key <> "\n", [:append]) do
      :ok
    else
      {:error, reason} ->
        Logger.warning(
          "SnakeBridge ledger #{path}: cannot record #{key}: #{:file.format_error(reason)}"
        )
    end
  end
end
