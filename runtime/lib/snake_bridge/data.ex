defmodule SnakeBridge.Ref do
  @moduledoc """
  An opaque reference to a Python object that has no Elixir form, held in the
  registry of the worker `worker` (a pid) under `id`; `type` names its Python class.

  Pass it back into calls from any process (they run on its worker; see
  `SnakeBridge.Affinity`). It is `Enumerable` (a lazy, batched stream of `iter(obj)`:
  `SnakeBridge.Stream`), `inspect/1` shows its type and a bounded `repr`, and
  `to_string/1` is `str(obj)` (both ask the worker). It is released by
  `SnakeBridge.release/1`, at the end of `SnakeBridge.with_session/1`, or when every
  process that received it or passed it in a call has exited.
  """
  @enforce_keys [:id, :worker]
  defstruct [:id, :worker, :type]

  @type t :: %__MODULE__{id: pos_integer(), worker: pid(), type: String.t()}
end

defmodule SnakeBridge.Callback do
  @moduledoc false
  # The placeholder an Elixir function in a call's arguments travels as (see
  # SnakeBridge.Args): Python gets a callable that asks the caller to run function
  # `index` of that call with `arity` arguments; `name` (`#Function<...>/1`) is what
  # Python's errors call it.
  @enforce_keys [:index, :arity, :name]
  defstruct [:index, :arity, :name]
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

  @typedoc "A float, or one of the atoms that stand for IEEE values Erlang has no float for."
  @type float_value :: number() | :nan | :infinity | :neg_infinity

  # IEEE 754 float64 bit patterns (the quiet NaN numpy and CPython produce).
  @nan64 <<0, 0, 0, 0, 0, 0, 248, 127>>
  @inf64 <<0, 0, 0, 0, 0, 0, 240, 127>>
  @ninf64 <<0, 0, 0, 0, 0, 0, 240, 255>>

  @doc "A one-dimensional float64 array of `values` (`:nan`, `:infinity`, `:neg_infinity` too)."
  @spec from_floats([float_value()]) :: t()
  def from_floats(values) when is_list(values) do
    data = for value <- values, into: <<>>, do: float64(value)
    %__MODULE__{dtype: "float64", shape: [length(values)], data: data}
  end

  defp float64(:nan), do: @nan64
  defp float64(:infinity), do: @inf64
  defp float64(:neg_infinity), do: @ninf64
  defp float64(value), do: <<value * 1.0::float-64-little>>

  @doc """
  The elements of a float64/float32/int64/int32 array as a flat list; non-finite
  floats are `:nan`, `:infinity` and `:neg_infinity`, as everywhere in SnakeBridge.
  """
  @spec to_list(t()) :: [float_value()]
  def to_list(%__MODULE__{dtype: "float64", data: data}),
    do: for(<<v::binary-8 <- data>>, do: float_of(v, 64))

  def to_list(%__MODULE__{dtype: "float32", data: data}),
    do: for(<<v::binary-4 <- data>>, do: float_of(v, 32))

  def to_list(%__MODULE__{dtype: "int64", data: data}),
    do: for(<<v::signed-64-little <- data>>, do: v)

  def to_list(%__MODULE__{dtype: "int32", data: data}),
    do: for(<<v::signed-32-little <- data>>, do: v)

  # A float's bytes; NaN and the infinities (exponent all ones) do not match `float`.
  defp float_of(bytes, size) do
    case bytes do
      <<v::float-size(size)-little>> -> v
      _ -> non_finite(:binary.decode_unsigned(bytes, :little), size)
    end
  end

  defp non_finite(bits, size) do
    fraction_bits = if size == 64, do: 52, else: 23
    fraction = Bitwise.band(bits, Bitwise.bsl(1, fraction_bits) - 1)
    negative = Bitwise.bsr(bits, size - 1) == 1

    cond do
      fraction != 0 -> :nan
      negative -> :neg_infinity
      true -> :infinity
    end
  end
end
