defmodule BazelNumpy.Report do
  @moduledoc "A one-line report; the numbers come from `BazelNumpy.Stats`."

  def line(xs) do
    {:ok, %{mean: mean, std: std}} = BazelNumpy.Stats.summary(xs)
    {:ok, max} = Numpy.max(xs)
    "n=#{length(xs)} mean=#{mean} std=#{std} max=#{max}"
  end
end
