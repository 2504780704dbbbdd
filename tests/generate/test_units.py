"""The generator's pure pieces: typespecs, string literals, layout, paths, keys, manifest,
docstring markup."""

from __future__ import annotations

from pathlib import Path

import pytest

from snakebridge_rules._pb.snakebridge.v1.api_pb2 import ApiSurface, Member, ModuleSurface
from snakebridge_rules.docs import rst
from snakebridge_rules.engine.calls import MAX_ARITY, CallKey, Shape, binding_of, describe_arities
from snakebridge_rules.engine.generate import module_paths
from snakebridge_rules.engine.generate.kernel import kernel_excludes, needs_qualified_call
from snakebridge_rules.engine.generate.layout import WIDTH, def_head, spec
from snakebridge_rules.engine.generate.literals import elixir_string
from snakebridge_rules.engine.generate.specs import Types, annotation_spec
from snakebridge_rules.engine.manifest import (
    ManifestError,
    parse_lines,
    read_manifest,
    render_manifest,
)

_FLOAT = "float() | :nan | :infinity | :neg_infinity"


@pytest.mark.parametrize(("annotation", "expected"), [
    ("int", "integer()"), ("float", _FLOAT), ("str", "String.t()"), ("bool", "boolean()"),
    ("None", "nil"), ("bytes", "SnakeBridge.Bytes.t()"), ("List[int]", "[integer()]"),
    ("dict[str, int]", "%{optional(String.t()) => integer()}"),
    ("Optional[int]", "integer() | nil"), ("int | None", "integer() | nil"),
    ("typing.Optional[str]", "String.t() | nil"), ("Union[int, str, None]",
                                                   "integer() | String.t() | nil"),
    ("tuple[int, str]", "{integer(), String.t()}"), ("tuple[int, ...]", "tuple()"),
    ("'int'", "integer()"), ("list[int | None]", "[integer() | nil]"),
    ("Literal[1, -2, True, None]", "1 | -2 | true | nil"), ("Literal['a', 'b']", "String.t()"),
    ("Sequence[int]", "term()"), ("Mapping[str, int]", "term()"),  # returned: any kind
    ("Callable[[int], int]", "term()"), ("Annotated[int, 'x']", "integer()"),
    ("npt.ArrayLike", "term()"), ("Optional[Any]", "term()"), ("", "term()"),
    ("not valid [", "term()"), ("__import__('os').system('x')", "term()"),
    ("dict[str, dict[str, dict[str, list[Optional[int]]]]]", "term()"),  # too long
])
def test_returned_annotation_specs(annotation: str, expected: str) -> None:
    assert annotation_spec(annotation) == expected


@pytest.mark.parametrize(("annotation", "expected"), [
    ("float", "number()"), ("list[float]", "[number()]"), ("Sequence[int]", "[integer()]"),
    ("Mapping[str, float]", "%{optional(String.t()) => number()}"),
    ("Callable[[float], int]", "(float() | :nan | :infinity | :neg_infinity -> integer())"),
    ("Callable[..., str]", "(... -> String.t())"), ("Callable[[], None]", "(-> nil)"),
    ("Point", "term()"),  # a class argument may be given as data Python converts
])
def test_argument_annotation_specs(annotation: str, expected: str) -> None:
    assert annotation_spec(annotation, argument=True) == expected


def test_classes_are_reference_types_only_where_generated() -> None:
    types = Types("docpkg.google", {"docpkg.google.Point": "Docpkg.Google.Point",
                                    "numpy.random.Generator": "Numpy.Random.Generator"})
    assert annotation_spec("Point", types) == "Docpkg.Google.Point.t()"
    assert annotation_spec("docpkg.google.Point | None", types) == "Docpkg.Google.Point.t() | nil"
    assert annotation_spec("list[Point]", types) == "[Docpkg.Google.Point.t()]"
    assert annotation_spec("numpy.random.Generator", types) == "Numpy.Random.Generator.t()"
    assert annotation_spec("Other", types) == "term()"
    assert annotation_spec("numpy.random.Generator", Types("numpy")) == "term()"


@pytest.mark.parametrize(("text", "literal"), [
    ("plain", '"plain"'),
    ('#{IO.puts("x")}', '"\\#{IO.puts(\\"x\\")}"'),
    ('"""\n~S"""', '"\\"\\"\\"\\n~S\\"\\"\\""'),
    ("a\\b\tc\r\x00\x1b\u202e\u2028é", '"a\\\\b\\tc\\r\\u{0000}\\u{001B}\\u{202E}\\u{2028}é"'),
])
def test_string_literals_escape_everything_active(text: str, literal: str) -> None:
    assert elixir_string(text) == literal


def test_layout_breaks_only_what_does_not_fit() -> None:
    assert def_head("def", "f", ["a", "opts \\\\ []"]) == ["  def f(a, opts \\\\ []) do"]
    long = [f"argument_{n}" for n in range(9)]
    lines = def_head("def", "f", long)
    assert lines[0] == "  def f(" and lines[-1] == "      ) do"
    assert all(line.startswith("        argument_") for line in lines[1:-1])
    assert spec("f", ["term()"], "term()") == ["  @spec f(term()) :: term()"]
    assert all(len(line) <= WIDTH for line in spec("f" * 40, ["term()"] * 6, "x" * 40))


def test_kernel_clashes() -> None:
    assert kernel_excludes({("max", 2), ("max", 3), ("def", 2), ("mean", 1)}) == ["max: 2"]
    assert needs_qualified_call("case") and needs_qualified_call("def")
    assert not needs_qualified_call("max")


def test_module_paths_are_distinct_even_ignoring_case() -> None:
    paths = module_paths(["Numpy", "Numpy.Linalg", "Numpy.ABC", "Numpy.Abc", "Numpy.Core_",
                          "Numpy.HTTPError"])
    assert paths["Numpy"] == "numpy.ex" and paths["Numpy.Linalg"] == "numpy/linalg.ex"
    assert paths["Numpy.Core_"] == "numpy/core_.ex"
    assert paths["Numpy.HTTPError"] == "numpy/http_error.ex"
    assert {paths["Numpy.ABC"], paths["Numpy.Abc"]} == {"numpy/abc.ex", "numpy/abc_2.ex"}


def test_bindings_of_scanned_calls() -> None:
    assert binding_of(CallKey.parse("Numpy.mean!/2")) == CallKey.parse("Numpy.mean/2")
    assert binding_of(CallKey.parse("Numpy.doc/1")) is None
    assert binding_of(CallKey.parse("Numpy.doc/2")) == CallKey.parse("Numpy.doc/2")
    assert binding_of(CallKey.parse("Numpy.__python__/0")) is None


def test_manifest_format(tmp_path: Path) -> None:
    calls = [CallKey.parse(k) for k in ["Numpy.mean/1", "Numpy.Linalg.norm/1", "Numpy.mean/1"]]
    text = render_manifest(calls).decode()
    body = [line for line in text.splitlines() if not line.startswith("#")]
    assert body == ["Numpy.Linalg.norm/1", "Numpy.mean/1"] and text.endswith("/1\n")
    path = tmp_path / "m"
    path.write_text(text)
    assert [str(e.call) for e in read_manifest(path)] == body
    assert read_manifest(tmp_path / "missing") == []
    with pytest.raises(ManifestError, match=r"^m:2: "):
        parse_lines(Path("m"), "Numpy.mean/1\nNumpy.mean\n")
    ledger = parse_lines(Path("l"), "Numpy.var/1 extra fields\n", first_field_only=True)
    assert [str(e.call) for e in ledger] == ["Numpy.var/1"]


_PO, _PK, _VAR, _KW = 1, 2, 3, 4


@pytest.mark.parametrize(("params", "receiver", "accepted", "generated"), [
    ([(_PK, False), (_PK, True)], False, (1, 3), (1, 3)),  # round(number, ndigits=None)
    ([(_PO, False), (_KW, True)], True, (2, 3), (2, 3)),  # a method: the object first
    ([(_VAR, False)], False, (0, MAX_ARITY), (0, 9)),  # *args: 8 more, then the keywords
    ([(_PK, False)] * 300, False, (1, 1), (1, 1)),  # > 255 required: keyword-only
    ([(_PK, True)] * 300, False, (0, MAX_ARITY), (0, MAX_ARITY)),  # capped at 255
])
def test_shape_arities(params, receiver, accepted, generated) -> None:
    shape = Shape.of(params, receiver)
    assert (shape.accepted().start, shape.accepted().stop - 1) == accepted
    assert (shape.generated().start, shape.generated().stop - 1) == generated


def test_varargs_generate_as_many_arities_as_called() -> None:
    shape = Shape.of([(_VAR, False)], False)
    assert shape.generated([12]).stop - 1 == 12
    assert shape.generated([400]).stop - 1 == MAX_ARITY
    assert describe_arities(shape.accepted()) == "arity 0 or more (at most 255)"
    assert describe_arities(range(1, 4)) == "arity 1 to 3"
    assert describe_arities(range(1, 2)) == "arity 1"


# ------------------------------------------------------------------ the names gate


@pytest.mark.parametrize(("module", "name"), [
    ("Hostile", 'x(); :os.cmd(~c"touch pwned"); def y'),
    ("Hostile", "has space"),
    ("/etc/Hostile", "f"),
    ("Hostile do :os.cmd(~c\"id\") end; defmodule X", "f"),
])
def test_render_refuses_names_that_are_not_elixir_identifiers(module: str, name: str) -> None:
    from snakebridge_rules.engine.generate import GenerateError, render_surfaces

    surface = ApiSurface(library="hostile", elixir_module="Hostile", modules=[ModuleSurface(
        elixir_module=module, python_module="hostile",
        members=[Member(python_name="f", elixir_name=name, kind=Member.FUNCTION)])])
    with pytest.raises(GenerateError, match="is not a safe Elixir (function|module) name"):
        render_surfaces([surface])


@pytest.mark.parametrize("relative", ["/etc/passwd.ex", "../x.ex", "a/../../x.ex", "a/B.ex",
                                      "x.exs", ""])
def test_output_paths_must_stay_inside_the_output_dir(tmp_path, relative: str) -> None:
    from snakebridge_rules.engine.tree import UnsafePath, checked_path

    with pytest.raises(UnsafePath):
        checked_path(tmp_path, relative)


@pytest.mark.parametrize(("text", "expected"), [
    # textwrap.shorten: the line ending in "::" stays in its paragraph
    ("as many words\nas possible are joined::\n\n    code\n\nAfter.",
     "as many words\nas possible are joined:\n\n```\ncode\n```\n\nAfter."),
    ("Para.\n\n::\n\n    code\n", "Para.\n\n```\ncode\n```"),
])
def test_literal_block_marker_ends_its_paragraph(text: str, expected: str) -> None:
    assert rst.markdown(text) == expected
