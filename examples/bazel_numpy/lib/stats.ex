defmodule BazelNumpy.Stats do
  @moduledoc "Summary statistics of a list of numbers, computed by numpy."

  alias Numpy.Linalg

  @doc "Mean and sample standard deviation of `xs`."
  def summary(xs) do
    with {:ok, mean} <- Numpy.mean(xs),
         {:ok, std} <- Numpy.std(xs, ddof: 1) do
      {:ok, %{mean: mean, std: std}}
    end
  end

  @doc "Euclidean norm of `xs`."
  def norm(xs), do: Linalg.norm(xs)
end
