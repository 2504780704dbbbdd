defmodule SnakeBridge.PythonError do
  @moduledoc """
  A Python exception raised by a call: `type` (`"ValueError"`, `"numpy.linalg.LinAlgError"`),
  `message` (`str(exc)`) and the formatted Python `traceback`.
  The worker builds this struct itself, so it arrives ready-made.
  """
  defexception [:type, :message, :traceback]

  @type t :: %__MODULE__{type: String.t(), message: String.t(), traceback: String.t()}

  @impl true
  def message(%__MODULE__{type: type, message: message}), do: "#{type}: #{message}"
end

defmodule SnakeBridge.WorkerError do
  @moduledoc """
  The call could not be completed by a Python worker: it timed out (`:timeout`), the
  worker died or was replaced (`:exited`), wrote something that is not a frame
  (`:protocol`), could not be started (`:not_started`), or the reference used belongs
  to a worker that no longer exists (`:stale_ref`).
  """
  defexception [:reason, :message, :worker]

  @type t :: %__MODULE__{reason: atom(), message: String.t(), worker: pos_integer() | nil}
end
