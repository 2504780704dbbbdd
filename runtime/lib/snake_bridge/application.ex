defmodule SnakeBridge.Application do
  @moduledoc false
  use Application

  @impl true
  def start(_type, _args), do: SnakeBridge.Supervisor.start_link([])
end

defmodule SnakeBridge.Supervisor do
  @moduledoc """
  The runtime's tree: the docs cache table (owned here), the ledger writer and the
  worker pool (`SnakeBridge.Pool`).
  """
  use Supervisor

  @doc false
  def start_link(opts), do: Supervisor.start_link(__MODULE__, opts, name: __MODULE__)

  @impl true
  def init(_opts) do
    SnakeBridge.Docs.create_cache()
    children = [SnakeBridge.Ledger, SnakeBridge.Pool]
    Supervisor.init(children, strategy: :one_for_one)
  end
end
