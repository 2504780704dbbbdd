defmodule SnakeBridge.Ref do
  @moduledoc """
  An opaque reference to a Python object that has no Elixir form, held in the
  registry of the worker `worker` (a pid) under `id`; `type` names its Python class.

  Pass it back into calls (they are routed to its worker). It is released by
  `SnakeBridge.release/1`, at the end of `SnakeBridge.with_session/1`, or when the
  process that received it exits.
  """
  @enforce_keys [:id, :worker]
  defstruct [:id, :worker, :type]

  @type t :: %__MODULE__{id: pos_integer(), worker: pid(), type: String.t()}
end

defmodule SnakeBridge.Bytes do
  @moduledoc """
  Python `bytes`. Plain Elixir binaries are UTF-8 text and become `str`; raw bytes
  cross only inside this struct, in both directions.
  """
  @enforce_keys [:data]
  defstruct [:data]

  @type t :: %__MODULE__{data: binary()}
end

defmodule SnakeBridge.Array do
  @moduledoc """
  Bulk numeric data as one binary: a numpy array's `dtype` name (`"float64"`, `"int32"`,
  ...), its `shape`, and its elements in C order, little-endian.

  As an argument it becomes an `ndarray` without an element-by-element copy; a call
  returns arrays in this form with `__runtime__: [ndarray: :array]`.
  """
  @enforce_keys [:dtype, :shape, :data]
  defstruct [:dtype, :shape, :data]

  @type t :: %__MODULE__{dtype: String.t(), shape: [non_neg_integer()], data: binary()}

  @doc "A one-dimensional float64 array of `values`."
  @spec from_floats([number()]) :: t()
  def from_floats(values) when is_list(values) do
    data = for value <- values, into: <<>>, do: <<value * 1.0::float-64-little>>
    %__MODULE__{dtype: "float64", shape: [length(values)], data: data}
  end

  @doc "The elements of a float64/float32/int64/int32 array as a flat list."
  @spec to_list(t()) :: [number()]
  def to_list(%__MODULE__{dtype: "float64", data: data}),
    do: for(<<v::float-64-little <- data>>, do: v)

  def to_list(%__MODULE__{dtype: "float32", data: data}),
    do: for(<<v::float-32-little <- data>>, do: v)

  def to_list(%__MODULE__{dtype: "int64", data: data}),
    do: for(<<v::signed-64-little <- data>>, do: v)

  def to_list(%__MODULE__{dtype: "int32", data: data}),
    do: for(<<v::signed-32-little <- data>>, do: v)
end
