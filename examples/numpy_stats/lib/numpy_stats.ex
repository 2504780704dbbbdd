defmodule NumpyStats do
  @moduledoc """
  Descriptive statistics of a sample, computed by numpy through the generated
  bindings (`Numpy`, `Numpy.Linalg`, `Numpy.Ndarray`, `Numpy.Poly1d`).
  """

  alias Numpy.Linalg
  alias Numpy.Ndarray

  @doc "Mean, sample standard deviation (`ddof: 1`), median and range of `xs`."
  @spec summary([number()]) :: %{atom() => float()}
  def summary(xs) do
    %{
      mean: Numpy.mean!(xs),
      std: Numpy.std!(xs, ddof: 1),
      median: Numpy.median!(xs),
      range: Numpy.max!(xs) - Numpy.min!(xs)
    }
  end

  @doc "The z-scores of `xs`, rounded to `digits` decimals."
  @spec zscores([number()], non_neg_integer()) :: [float()]
  def zscores(xs, digits \\ 3) do
    mean = Numpy.mean!(xs)
    std = Numpy.std!(xs)

    xs
    |> Numpy.array!()
    |> Numpy.subtract!(mean)
    |> Numpy.divide!(std)
    |> Numpy.round!(digits)
    |> Ndarray.tolist!()
  end

  @doc "`xs` as a `rows`-row matrix: a method (`reshape`, `*shape`) on a returned array."
  @spec matrix([number()], pos_integer()) :: [[number()]]
  def matrix(xs, rows) do
    xs
    |> Numpy.array!()
    |> Ndarray.reshape!(rows, div(length(xs), rows))
    |> Ndarray.tolist!()
  end

  @doc "Slope and intercept of the least-squares line through the points."
  @spec fit_line([number()], [number()]) :: {float(), float()}
  def fit_line(xs, ys) do
    [slope, intercept] = xs |> Numpy.polyfit!(ys, 1) |> Ndarray.tolist!()
    {slope, intercept}
  end

  @doc "The real roots of the polynomial with `coefficients`, built by its constructor."
  @spec roots([number()]) :: [float()]
  def roots(coefficients) do
    coefficients
    |> Numpy.Poly1d.new!()
    |> Numpy.Poly1d.roots!()
    |> Numpy.sort!()
    |> Ndarray.tolist!()
  end

  @doc "Euclidean norm of a vector."
  @spec norm([number()]) :: float()
  def norm(xs), do: Linalg.norm!(xs)

  @doc "The inverse of a square matrix, or `{:error, reason}` when it is singular."
  @spec inverse([[number()]]) :: {:ok, [[float()]]} | {:error, String.t()}
  def inverse(matrix) do
    case Linalg.inv(matrix) do
      {:ok, inverse} ->
        {:ok, Ndarray.tolist!(inverse)}

      {:error, %SnakeBridge.PythonError{type: type, message: message}} ->
        {:error, "#{type}: #{message}"}
    end
  end
end
