defmodule SnakeBridge.DocsTest do
  # Docs on demand: generated names from @doc, others from the worker, cached.
  use ExUnit.Case

  alias SnakeBridge.{Docs, PythonError}
  alias SnakeBridge.Test.{Counter, Math}

  test "a generated name answers from its compiled @doc" do
    # The test module's @doc differs from Python's docstring, so the source shows.
    assert Math.doc(:sqrt) == {:ok, "Return the square root of x. (generated doc)"}
    assert Math.doc("pi") == {:ok, "The ratio of a circle's circumference to its diameter."}
    assert Counter.doc(:add) == {:ok, "Counter.add"}
  end

  test "a generated name needs no worker" do
    :ok = Supervisor.terminate_child(SnakeBridge.Supervisor, SnakeBridge.Pool)

    try do
      assert Math.doc(:sqrt) == {:ok, "Return the square root of x. (generated doc)"}
    after
      {:ok, _} = Supervisor.restart_child(SnakeBridge.Supervisor, SnakeBridge.Pool)
    end
  end

  test "a name never generated is asked of the worker, then cached" do
    assert {:ok, doc} = Math.doc(:floor)
    assert doc =~ "math.floor(x, /)"
    assert doc =~ "Return the floor of x"
    assert :ets.lookup(:snakebridge_docs, {Math, "floor"}) == [{{Math, "floor"}, doc}]
    assert Math.doc(:floor) == {:ok, doc}

    assert {:ok, method_doc} = Counter.doc(:__init__)
    assert method_doc =~ "sb_test_helpers.Counter.__init__(self, start=0)"

    assert {:ok, numpy_doc} = Docs.fetch("numpy", "mean")
    assert numpy_doc =~ "Compute the arithmetic mean"
    # the generator's renderer, run by the worker: Markdown sections, no raw numpydoc
    assert numpy_doc =~ "```python\nnumpy.mean(a, axis=None"
    assert numpy_doc =~ "## Parameters\n\n  * `a` (*array_like*) - "
    refute numpy_doc =~ "----------"
  end

  test "an unknown name is a Python error" do
    assert {:error, %PythonError{type: "AttributeError"}} = Math.doc(:no_such_function)
  end

  test "the index of a generated module: each arity, its Python name and summary" do
    assert Math.__functions__() == [
             {:pi, 0, "math.pi", "The ratio of a circle's circumference to its diameter."},
             {:sqrt, 1, "math.sqrt", "Return the square root of x. (generated doc)"},
             {:sqrt, 2, "math.sqrt", "Return the square root of x. (generated doc)"}
           ]

    assert Docs.summary_of("```python\nf(x)\n```\n\n## H\n\nFirst\nline.\n\nMore.\n") ==
             "First line."
  end

  test "search ranks names, then Python names, then summaries" do
    assert [{Math, :sqrt, 1, "math.sqrt", _}] = SnakeBridge.search([Math], "sq")
    assert [{Math, :pi, 0, "math.pi", _}] = SnakeBridge.search(SnakeBridge.Test, :pi)
    assert [{Math, :pi, 0, _, _}] = SnakeBridge.search([Math], "circumference")
    assert [{Math, :sqrt, 1, _, _}, {Math, :pi, 0, _, _}] = SnakeBridge.search([Math], "r")
    assert SnakeBridge.search([Math, Counter], "nothing like this") == []
  end
end
