"""Introspecting the fixture package: every parameter kind, classes, names, sources.

Runs against Python 3.11 and 3.8 (the probe and names.py must work on both).
"""

from __future__ import annotations

import pytest

from snakebridge_rules._pb.snakebridge.v1.api_pb2 import ApiSurface, Member, Parameter, Source
from snakebridge_rules.engine.calls import CallKey
from snakebridge_rules.engine.introspect import introspect
from snakebridge_rules.engine.libraries import Library

KEYS = [
    "Sbfixture.every_kind/4", "Sbfixture.every_kind/5", "Sbfixture.no_args/0",
    "Sbfixture.end_/1", "Sbfixture.upper_2/1", "Sbfixture.upper/1", "Sbfixture.module_info_/0",
    "Sbfixture.doc_/1", "Sbfixture.cafu00e9/1", "Sbfixture.with_object_default/0",
    "Sbfixture.answer/0", "Sbfixture.Shape.new/1", "Sbfixture.Shape.area/1",
    "Sbfixture.Shape.resize/3", "Sbfixture.Shape.label/1", "Sbfixture.Shape.unit/0",
    "Sbfixture.Shape.named/1", "Sbfixture.Shape.new_/1", "Sbfixture.Shape.sides/0",
    "Sbfixture.Shape.Inner.ping/1", "Sbfixture.Core_.which/0", "Sbfixture.Core.which/0",
    "Sbfixture.Core.helper/1", "Sbfixture.Typed.scale/1", "Sbfixture.Typed.annotated/2",
    "Sbfixture.where_am_i/0",
]
LIBRARY = Library.parse("sbfixture")


@pytest.fixture(scope="module", params=["fixture_python", "oldest_python"])
def surface(request: pytest.FixtureRequest) -> ApiSurface:
    python = request.getfixturevalue(request.param)
    result, errors = introspect(LIBRARY, python, [CallKey.parse(k) for k in KEYS])
    assert errors == []
    return result


def member(surface: ApiSurface, module: str, name: str) -> Member:
    [found] = [m for mod in surface.modules if mod.elixir_module == module
               for m in mod.members if m.elixir_name == name]
    return found


def test_every_parameter_kind(surface: ApiSurface) -> None:
    fn = member(surface, "Sbfixture", "every_kind")
    assert fn.kind == Member.FUNCTION
    assert [(p.name, p.kind, p.has_default, p.default, p.annotation) for p in fn.parameters] == [
        ("a", Parameter.POSITIONAL_ONLY, False, "", ""),
        ("b", Parameter.POSITIONAL_ONLY, False, "", "int"),
        ("c", Parameter.POSITIONAL_OR_KEYWORD, False, "", ""),
        ("d", Parameter.POSITIONAL_OR_KEYWORD, True, "'x'", "str"),
        ("args", Parameter.VAR_POSITIONAL, False, "", "float"),
        ("e", Parameter.KEYWORD_ONLY, False, "", ""),
        ("f", Parameter.KEYWORD_ONLY, True, "False", "bool"),
        ("kwargs", Parameter.VAR_KEYWORD, False, "", "object"),
    ]
    assert fn.return_annotation == "list[int]"
    assert list(fn.arities) == [4, 5]
    assert fn.doc.startswith("All five parameter kinds.\n\nSecond paragraph")
    assert fn.doc_source == Source.RUNTIME


def test_classes_constructor_methods_properties(surface: ApiSurface) -> None:
    shape = next(m for m in surface.modules if m.elixir_module == "Sbfixture.Shape")
    assert (shape.python_module, shape.qualname, shape.is_class) == ("sbfixture", "Shape", True)
    kinds = {m.elixir_name: (m.python_name, m.kind) for m in shape.members}
    assert kinds == {
        "new": ("__init__", Member.CLASS), "area": ("area", Member.METHOD),
        "resize": ("resize", Member.METHOD), "label": ("label", Member.PROPERTY),
        "unit": ("unit", Member.STATIC_METHOD), "named": ("named", Member.CLASS_METHOD),
        "new_": ("new", Member.METHOD), "sides": ("sides", Member.ATTRIBUTE),
    }
    ctor = member(surface, "Sbfixture.Shape", "new")
    assert [(p.name, p.kind) for p in ctor.parameters] == [
        ("name", Parameter.POSITIONAL_OR_KEYWORD), ("scale", Parameter.KEYWORD_ONLY)]
    resize = member(surface, "Sbfixture.Shape", "resize")
    assert [p.name for p in resize.parameters] == ["factor", "clamp"]  # no self
    assert member(surface, "Sbfixture.Shape.Inner", "ping").kind == Member.METHOD
    label = member(surface, "Sbfixture.Shape", "label")
    assert (label.return_annotation, label.signature_source) == ("str", Source.SOURCE)


def test_constants_and_mapped_names(surface: ApiSurface) -> None:
    assert member(surface, "Sbfixture", "answer").python_name == "ANSWER"
    assert member(surface, "Sbfixture", "answer").kind == Member.ATTRIBUTE
    assert member(surface, "Sbfixture", "end_").python_name == "end"
    assert member(surface, "Sbfixture", "upper_2").python_name == "Upper"
    assert member(surface, "Sbfixture", "upper").python_name == "upper"
    assert member(surface, "Sbfixture", "module_info_").python_name == "module_info"
    assert member(surface, "Sbfixture", "doc_").python_name == "doc"
    assert member(surface, "Sbfixture", "cafu00e9").python_name == "café"


def test_core_and_private_core_are_distinct_modules(surface: ApiSurface) -> None:
    modules = {m.elixir_module: m.python_module for m in surface.modules}
    assert modules["Sbfixture.Core_"] == "sbfixture._core"
    assert modules["Sbfixture.Core"] == "sbfixture.core"


def test_addresses_are_scrubbed(surface: ApiSurface) -> None:
    fn = member(surface, "Sbfixture", "with_object_default")
    assert [p.default for p in fn.parameters] == ["<built-in function print>",
                                                  "<object object at 0x...>"]
    path = member(surface, "Sbfixture", "where_am_i").parameters[0].default
    assert path == "'<path>/sbfixture/__init__.py'"
    assert "/tmp" not in surface.SerializeToString().decode("utf-8", "replace")


def test_static_facts_record_their_source(surface: ApiSurface) -> None:
    scale = member(surface, "Sbfixture.Typed", "scale")  # annotated only in the stub
    assert scale.signature_source == Source.STUB
    assert [p.annotation for p in scale.parameters] == ["list[float]", "int"]
    assert scale.return_annotation == "list[float]"
    no_args = member(surface, "Sbfixture", "no_args")  # nothing static to add
    assert no_args.signature_source == Source.RUNTIME


def test_modules_and_members_are_sorted(surface: ApiSurface) -> None:
    names = [m.elixir_module for m in surface.modules]
    assert names == sorted(names)
    for module in surface.modules:
        assert [m.python_name for m in module.members] == sorted(m.python_name
                                                                  for m in module.members)


def test_all_lists_public_symbols_one_level_in(fixture_python: str) -> None:
    result, errors = introspect(LIBRARY, fixture_python, [], eager=True)
    assert errors == []
    found = {(m.elixir_module, x.python_name) for m in result.modules for x in m.members}
    assert ("Sbfixture", "every_kind") in found
    assert ("Sbfixture", "_hidden") not in found
    assert ("Sbfixture", "os") not in found  # an import, not part of the API
    assert ("Sbfixture.Core", "helper") in found  # core.__all__ ...
    assert ("Sbfixture.Core", "not_exported") not in found  # ... is respected
    assert ("Sbfixture.Shape", "__init__") in found
    assert all(list(x.arities) for m in result.modules for x in m.members)
