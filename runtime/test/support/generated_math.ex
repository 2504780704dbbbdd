defmodule SnakeBridge.Test.Math do
  @moduledoc "Shaped like a generated binding of Python's `math` (see docs/CONTRACTS.md)."

  alias SnakeBridge.Runtime

  @doc "Return the square root of x. (generated doc)"
  @doc python: "math.sqrt"
  @spec sqrt(number()) :: {:ok, float()} | {:error, Exception.t()}
  @spec sqrt(number(), keyword()) :: {:ok, float()} | {:error, Exception.t()}
  def sqrt(x), do: Runtime.invoke_function("math", "sqrt", [x], [])
  def sqrt(x, opts), do: Runtime.invoke_function("math", "sqrt", [x], [opts])

  @doc "Raising twin of `sqrt/1..2`."
  def sqrt!(x), do: Runtime.unwrap!(sqrt(x))
  def sqrt!(x, opts), do: Runtime.unwrap!(sqrt(x, opts))

  @doc "The ratio of a circle's circumference to its diameter."
  @doc python: "math.pi"
  def pi, do: Runtime.get_attribute("math", "pi")

  @doc false
  def __python__, do: {"math", nil}

  @doc "Documentation of a Python name of this module."
  def doc(name), do: SnakeBridge.Docs.fetch(__MODULE__, name)

  @doc "The generated functions."
  def __functions__, do: SnakeBridge.Docs.functions(__MODULE__)
end

# The modules below keep the default arguments of bindings generated before one `def`
# per arity: the runtime still drops their `:__snakebridge_unset__` marker.
defmodule SnakeBridge.Test.Counter do
  @moduledoc "Shaped like a generated binding of a Python class."

  alias SnakeBridge.Runtime

  @doc "Construct a Counter."
  def new(opts \\ :__snakebridge_unset__),
    do: Runtime.invoke_function("sb_test_helpers", "Counter", [], [opts])

  @doc "Counter.add"
  def add(ref, opts \\ :__snakebridge_unset__),
    do: Runtime.invoke_method(ref, {__MODULE__, :add, "add"}, [], [opts])

  @doc "Counter.doubled"
  def doubled(ref), do: Runtime.get_property(ref, "doubled")

  @doc false
  def __python__, do: {"sb_test_helpers", "Counter"}

  @doc "Documentation of a Python name of this class."
  def doc(name), do: SnakeBridge.Docs.fetch(__MODULE__, name)
end

defmodule SnakeBridge.Test.Str do
  @moduledoc "Shaped like a generated binding of the class `builtins.str`."

  alias SnakeBridge.Runtime

  @doc "str.split"
  def split(ref, sep \\ :__snakebridge_unset__, opts \\ :__snakebridge_unset__),
    do: Runtime.invoke_method(ref, {__MODULE__, :split, "split"}, [], [sep, opts])

  @doc false
  def __python__, do: {"builtins", "str"}
end

defmodule SnakeBridge.Test.Date do
  @moduledoc "Shaped like a generated binding of the class `datetime.date`."

  alias SnakeBridge.Runtime

  @doc "date.isoformat"
  def isoformat(ref),
    do: Runtime.invoke_method(ref, {__MODULE__, :isoformat, "isoformat"}, [], [])

  @doc false
  def __python__, do: {"datetime", "date"}
end
