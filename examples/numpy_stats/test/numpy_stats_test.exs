defmodule NumpyStatsTest do
  use ExUnit.Case, async: true

  @sample [2, 4, 4, 4, 5, 5, 7, 9]

  test "summary statistics are numpy's" do
    stats = NumpyStats.summary(@sample)
    assert stats.mean == 5.0
    assert_in_delta stats.std, 2.138089935299395, 1.0e-12
    assert stats.median == 4.5
    assert stats.range == 7
  end

  test "z-scores through a pipe with keyword options" do
    assert NumpyStats.zscores(@sample) == [-1.5, -0.5, -0.5, -0.5, 0.0, 0.0, 1.0, 2.0]
  end

  test "a method on a returned array" do
    assert NumpyStats.matrix([1, 2, 3, 4, 5, 6], 2) == [[1, 2, 3], [4, 5, 6]]
  end

  test "least squares line" do
    {slope, intercept} = NumpyStats.fit_line([0, 1, 2, 3], [1, 3, 5, 7])
    assert_in_delta slope, 2.0, 1.0e-9
    assert_in_delta intercept, 1.0, 1.0e-9
  end

  test "a constructor and a property" do
    [a, b] = NumpyStats.roots([1, -3, 2])
    assert_in_delta a, 1.0, 1.0e-12
    assert_in_delta b, 2.0, 1.0e-12
  end

  test "aliased submodule" do
    assert NumpyStats.norm([3, 4]) == 5.0
  end

  test "a Python error is an {:error, _} value, and raises from the bang form" do
    {:ok, inverse} = NumpyStats.inverse([[1, 2], [3, 4]])

    for {got, want} <- Enum.zip(List.flatten(inverse), [-2.0, 1.0, 1.5, -0.5]) do
      assert_in_delta got, want, 1.0e-12
    end

    assert {:error, "numpy.linalg.LinAlgError: Singular matrix"} =
             NumpyStats.inverse([[1, 2], [2, 4]])

    assert_raise SnakeBridge.PythonError, ~r/Singular matrix/, fn ->
      Numpy.Linalg.inv!([[1, 2], [2, 4]])
    end
  end

  test "docs come from the generated bindings" do
    assert {:ok, "```python\nnumpy.mean(a, axis=None" <> _ = doc} = Numpy.doc(:mean)
    assert doc =~ "Compute the arithmetic mean"
    assert doc =~ "## Parameters\n\n  * `a` (argument 1, *array_like*) - "
  end
end
