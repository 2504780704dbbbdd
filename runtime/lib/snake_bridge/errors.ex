defmodule SnakeBridge.PythonError do
  @moduledoc """
  A Python exception raised by a call: `type` (`"ValueError"`, `"numpy.linalg.LinAlgError"`),
  `message` (`str(exc)`), the formatted Python `traceback`, the exception's `args`
  (converted; `repr` for those that do not convert), its public `attributes` that
  convert (`%{"errno" => 2, ...}`), and `mro`: the qualified names of its class and
  its bases, so code can match a base class (`"LookupError" in error.mro`, or
  `kind_of?/2`). An exception raised by an Elixir callback and not caught in Python
  is a `"snakebridge.ElixirError"` whose message holds Elixir's message and stacktrace.
  The worker builds this struct itself, so it arrives ready-made.
  """
  defexception [:type, :message, :traceback, args: [], attributes: %{}, mro: []]

  @type t :: %__MODULE__{
          type: String.t(),
          message: String.t(),
          traceback: String.t(),
          args: list(),
          attributes: %{optional(String.t()) => term()},
          mro: [String.t()]
        }

  @impl true
  def message(%__MODULE__{type: type, message: message}), do: "#{type}: #{message}"

  @doc "Whether the exception is of class `qualname` or a subclass (`\"OSError\"`)."
  @spec kind_of?(t(), String.t()) :: boolean()
  def kind_of?(%__MODULE__{type: type, mro: mro}, qualname),
    do: qualname == type or qualname in mro
end

defmodule SnakeBridge.WorkerError do
  @moduledoc """
  The call could not be completed by a Python worker: it timed out (`:timeout`), the
  worker died or was replaced (`:exited`), wrote something that is not a frame
  (`:protocol`), could not be started (`:not_started`), the reference used belongs
  to a worker that no longer exists (`:stale_ref`), or references of two workers met
  in one call and one could not be moved (`:cross_worker`, see `SnakeBridge.Affinity`).
  """
  defexception [:reason, :message, :worker]

  @type t :: %__MODULE__{reason: atom(), message: String.t(), worker: pos_integer() | nil}
end
