"""Each scan rule of issue 2 with its own case, and the negative case beside it.

The extractor runs in process here (the worker's code, the real grammar); the CLI tests
cover the subprocess pool around it.
"""

from __future__ import annotations

import pytest

CASES = {
    # remote calls, with and without parens; keyword lists; do-blocks
    "parens": ("Numpy.mean(x, y)", {"Numpy.mean/2"}),
    "no_parens_zero_arity": ("x = Numpy.nan", {"Numpy.nan/0"}),
    "no_parens_with_args": ("Numpy.mean x, y", {"Numpy.mean/2"}),
    "keyword_list_is_one_argument": ("Numpy.sum(x, axis: 0, keepdims: true)", {"Numpy.sum/2"}),
    "explicit_keyword_list": ("Numpy.sum(x, [axis: 0])", {"Numpy.sum/2"}),
    "do_block_is_one_argument": ("Numpy.f x do\n 1\nend", {"Numpy.f/2"}),
    "do_block_joins_keywords": ("Numpy.f x, a: 1 do\n 1\nend", {"Numpy.f/2"}),
    "comment_inside_arguments": ("Numpy.f(x, # note\n y)", {"Numpy.f/2"}),
    "submodule": ("Numpy.Linalg.norm(x)", {"Numpy.Linalg.norm/1"}),
    "other_module_not_counted": ("Enum.map(x, f)\nNumpyx.f(1)\nMy.Numpy.f(1)", set()),
    "library_chain_counts_first_call_only": ("Numpy.linalg.norm(x)", {"Numpy.linalg/0"}),
    # pipes
    "pipe_adds_one": ("x |> Numpy.mean(axis: 0)", {"Numpy.mean/2"}),
    "pipe_without_parens": ("x |> Numpy.mean", {"Numpy.mean/1"}),
    "pipe_chain": ("x |> Numpy.a() |> Numpy.b(1)", {"Numpy.a/1", "Numpy.b/2"}),
    "pipe_left_side_not_incremented": ("Numpy.a(1) |> f()", {"Numpy.a/1"}),
    # captures
    "capture_with_arity": ("Enum.map(x, &Numpy.sqrt/1)", {"Numpy.sqrt/1"}),
    "capture_with_placeholders": ("Enum.map(x, &Numpy.clip(&1, 0, 1))", {"Numpy.clip/3"}),
    "division_is_not_a_capture": ("Numpy.pi / 2", {"Numpy.pi/0"}),
    # aliases
    "alias_plain": ("alias Numpy.Linalg\nLinalg.norm(x)", {"Numpy.Linalg.norm/1"}),
    "alias_as": ("alias Numpy, as: NP\nNP.mean(x)", {"Numpy.mean/1"}),
    "alias_multi": ("alias Numpy.{Linalg, Random.Generator}\nLinalg.inv(a)\n"
                    "Generator.normal(g)", {"Numpy.Linalg.inv/1",
                                            "Numpy.Random.Generator.normal/1"}),
    "alias_of_alias": ("alias Numpy, as: NP\nalias NP.Linalg\nLinalg.det(a)",
                       {"Numpy.Linalg.det/1"}),
    "alias_prefix_expands": ("alias Numpy.Linalg\nLinalg.Sub.f()", {"Numpy.Linalg.Sub.f/0"}),
    "require_as_aliases": ("require Numpy, as: N\nN.f()", {"Numpy.f/0"}),
    "require_without_as_does_not_alias": ("alias Foo.Numpy\nrequire Numpy.Linalg\nNumpy.f()",
                                          set()),
    "alias_before_its_line_not_visible": ("Linalg.norm(x)\nalias Numpy.Linalg", set()),
    "alias_shadowing_library": ("alias MyApp.Numpy\nNumpy.mean(x)", set()),
    "alias_shadowing_then_elixir_prefix": ("alias MyApp.Numpy\nElixir.Numpy.mean(x)",
                                           {"Numpy.mean/1"}),
    "elixir_prefix": ("Elixir.Numpy.mean(x)", {"Numpy.mean/1"}),
    "alias_elixir_prefixed": ("alias Elixir.Numpy.Linalg\nLinalg.inv(x)",
                              {"Numpy.Linalg.inv/1"}),
    "alias_scoped_to_def": ("defmodule A do\n def f do\n  alias Numpy.Linalg\n"
                            "  Linalg.a()\n end\n def g, do: Linalg.b()\nend",
                            {"Numpy.Linalg.a/0"}),
    "alias_scoped_to_fn": ("fn -> alias Numpy.Linalg; Linalg.a() end\nLinalg.b()",
                           {"Numpy.Linalg.a/0"}),
    "alias_scoped_to_do_block": ("if c do\n alias Numpy.Linalg\n Linalg.a()\nend\nLinalg.b()",
                                 {"Numpy.Linalg.a/0"}),
    "alias_in_do_not_visible_in_else": ("if c do\n alias Numpy.Linalg\nelse\n Linalg.b()\nend",
                                        set()),
    "alias_in_module_visible_in_def": ("defmodule A do\n alias Numpy.Linalg\n"
                                       " def f, do: Linalg.a()\nend", {"Numpy.Linalg.a/0"}),
    "alias_scoped_to_module": ("defmodule A do\n alias Numpy.Linalg\nend\n"
                               "defmodule B do\n def f, do: Linalg.a()\nend", set()),
    "shadow_scoped_to_def": ("defmodule A do\n def f do\n  alias MyApp.Numpy\n"
                             "  Numpy.a()\n end\n def g, do: Numpy.b()\nend", {"Numpy.b/0"}),
    "nested_defmodule_aliases": ("defmodule MyApp do\n defmodule Numpy do\n"
                                 "  def x, do: 1\n end\n def f, do: Numpy.x()\nend", set()),
    "nested_defmodule_alias_visible_inside": (
        "defmodule MyApp do\n defmodule Numpy.Sub do\n  def x, do: Numpy.y()\n end\nend", set()),
    "nested_defmodule_not_before_it": ("defmodule MyApp do\n def f, do: Numpy.x()\n"
                                       " defmodule Numpy do\n end\nend", {"Numpy.x/0"}),
    "toplevel_defmodule_named_like_library": ("defmodule Numpy.Helpers do\n"
                                              " def f, do: Numpy.mean(1)\nend",
                                              {"Numpy.mean/1"}),
    "module_attribute_alias_via___MODULE__": ("defmodule Numpy.Helpers do\n"
                                              " def f, do: __MODULE__.Sub.g()\nend",
                                              {"Numpy.Helpers.Sub.g/0"}),
    "multi_segment_library": ("alias Google.{Protobuf}\nProtobuf.Any.new()",
                              {"Google.Protobuf.Any.new/0"}),
    # import only
    "import_only_bare_call": ("import Numpy, only: [sqrt: 1]\nsqrt(x)", {"Numpy.sqrt/1"}),
    "import_only_wrong_arity": ("import Numpy, only: [sqrt: 1]\nsqrt(x, y)", set()),
    "import_only_other_name": ("import Numpy, only: [sqrt: 1]\nmean(x)", set()),
    "import_only_pipe_and_capture": ("import Numpy, only: [sqrt: 1, clip: 3]\nx |> sqrt()\n"
                                     "&sqrt/1\nx |> clip(0, 1)\ny |> sqrt",
                                     {"Numpy.sqrt/1", "Numpy.clip/3"}),
    "import_only_via_alias": ("alias Numpy.Linalg\nimport Linalg, only: [norm: 1]\nnorm(v)",
                              {"Numpy.Linalg.norm/1"}),
    "import_scoped": ("def f do\n import Numpy, only: [sqrt: 1]\n sqrt(1)\nend\n"
                      "def g, do: sqrt(2)", {"Numpy.sqrt/1"}),
    "bare_call_without_import": ("sqrt(x)", set()),
    "import_replaced_by_later_import": ("import Numpy, only: [sqrt: 1]\n"
                                        "import Numpy, only: [mean: 1]\nsqrt(x)\nmean(x)",
                                        {"Numpy.mean/1"}),
    "import_without_only_replaces_only": ("import Numpy, only: [sqrt: 1]\nimport Numpy\n"
                                          "sqrt(x)", set()),
    "import_only_tuple_form": ("import Numpy, only: [{:sqrt, 1}]\nsqrt(x)", {"Numpy.sqrt/1"}),
    # defdelegate, apply
    "defdelegate": ("defdelegate norm(x, ord), to: Numpy.Linalg", {"Numpy.Linalg.norm/2"}),
    "defdelegate_as": ("alias Numpy, as: NP\ndefdelegate avg(x), to: NP, as: :mean",
                       {"Numpy.mean/1"}),
    "defdelegate_other_module": ("defdelegate f(x), to: Enum", set()),
    "apply_literal": ("apply(Numpy, :mean, [x, [axis: 0]])", {"Numpy.mean/2"}),
    "apply_quoted_atom": ('Kernel.apply(Numpy.Linalg, :"norm", [])', {"Numpy.Linalg.norm/0"}),
    "apply_other_module": ("apply(Enum, :map, [x, f])", set()),
    # where calls count and where text never counts
    "interpolation_counts": ('"value: #{Numpy.mean(x)}"', {"Numpy.mean/1"}),
    "lowercase_sigil_interpolation_counts": ("~s(#{Numpy.mean(x)})", {"Numpy.mean/1"}),
    "quote_counts": ("quote do\n Numpy.mean(unquote(x))\nend", {"Numpy.mean/1"}),
    "comment_never": ("# Numpy.mean(x)\n", set()),
    "string_never": ('"Numpy.mean(x)"', set()),
    "charlist_never": ("'Numpy.mean(x)'", set()),
    "heredoc_never": ('"""\nNumpy.mean(x)\n"""', set()),
    "uppercase_sigil_never": ('~S"#{Numpy.mean(x)}"\n~S"""\nNumpy.f(1)\n"""', set()),
    "doc_never": ('@doc """\n    iex> Numpy.mean([1])\n"""\n@moduledoc "Numpy.f(1)"', set()),
    "atom_never": (":\"Numpy.mean\"\n:Numpy", set()),
    "typespec_never": ("@spec f(Numpy.t()) :: Numpy.Ndarray.t()\n@type t :: Numpy.t()", set()),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule(name: str, calls_of) -> None:
    source, expected = CASES[name]
    assert calls_of(source) == expected


def _warnings(facts_of, source: str) -> list[tuple[int, str]]:
    return [(w.line, w.text) for w in facts_of(source).warnings]


def test_module_in_variable_warns_at_binding_and_call(facts_of) -> None:
    warnings = _warnings(facts_of, "mod = Numpy\nmod.mean(x)\n")
    assert [line for line, _ in warnings] == [1, 2]
    assert "Numpy kept in `mod`" in warnings[0][1]
    assert "`mod`" in warnings[1][1]


def test_module_in_attribute_warns(facts_of) -> None:
    warnings = _warnings(facts_of, "@np Numpy.Linalg\ndef f, do: @np.norm(1)\n")
    assert [line for line, _ in warnings] == [1, 2]
    assert "`@np`" in warnings[1][1]


def test_other_module_in_variable_does_not_warn(facts_of) -> None:
    assert _warnings(facts_of, "mod = Enum\nmod.map(x, f)\nalias Numpy.Linalg\n") == []


def test_module_as_argument_or_pattern_does_not_warn(facts_of) -> None:
    source = "raise Numpy.Error\nrun(Numpy)\n{:ok, Numpy} = x\n@behaviour Enum\n"
    assert _warnings(facts_of, source) == []


def test_import_without_only_warns(facts_of) -> None:
    facts = facts_of("import Numpy\nsqrt(1)\nimport Numpy.Linalg, only: :functions\n")
    assert [(w.line, w.column) for w in facts.warnings] == [(1, 1), (3, 1)]
    assert all("without a literal `only:" in w.text for w in facts.warnings)
    assert facts.calls == []


def test_import_of_other_module_does_not_warn(facts_of) -> None:
    assert _warnings(facts_of, "import Enum\nimport Bitwise\n") == []


def test_apply_with_computed_parts_warns(facts_of) -> None:
    facts = facts_of("apply(Numpy, fun, [1])\napply(Numpy, :f, args)\napply(Numpy, :f, [h | t])")
    assert [w.line for w in facts.warnings] == [1, 2, 3]
    assert facts.calls == []


def test_call_positions_are_one_based_characters(facts_of) -> None:
    facts = facts_of('x = "é"; Numpy.mean(1)\n  y |> Numpy.f()\n')
    assert [(c.line, c.column, c.text) for c in facts.calls] == [
        (1, 10, "Numpy.mean/1"), (2, 8, "Numpy.f/1")]


def test_syntax_error_is_reported_and_rest_still_scanned(facts_of) -> None:
    facts = facts_of("defmodule A do\n  def f(x) do\n    Numpy.ok(x)\n  end\n"
                     "  def g( do\nend\nNumpy.after(1)\n")
    assert facts.errors and facts.errors[0].text.startswith("syntax error")
    assert {c.text for c in facts.calls} == {"Numpy.ok/1", "Numpy.after/1"}


def test_missing_end_is_reported(facts_of) -> None:
    facts = facts_of("defmodule A do\n  def f do\n    Numpy.ok(1)\n  end\n")
    assert facts.errors
    assert any("missing" in e.text or "syntax error" in e.text for e in facts.errors)


@pytest.mark.parametrize(("source", "where", "message"), [
    ("defmodule A do\n  def f(x), do: x\n  def g( do\nend\n", (3, 8), "missing terminator for `(`"),
    ('defmodule A do\n  def f do\n    "open\n  end\nend\n', (3, 5), 'missing terminator for `"`'),
    ("defmodule A do\n  def f do\n    1\n  end\n", (5, 1), "missing `end`"),
])
def test_syntax_error_points_at_the_unclosed_token(facts_of, source, where, message) -> None:
    [error] = facts_of(source).errors
    assert (error.line, error.column) == where
    assert error.text == f"syntax error: {message}"
