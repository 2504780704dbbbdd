"""Module-level objects (`scipy.stats.norm`): an instance's public methods bind as
functions of the Elixir module named after it, with the bound methods' signatures
(no `self`); properties are attributes, described without being run; a class or
submodule of the same segment takes the name, and the object's calls say how to reach
it. Runs against Python 3.11 and 3.8."""

from __future__ import annotations

import pytest

from snakebridge_rules._pb.snakebridge.v1.api_pb2 import ApiSurface, Member, ModuleSurface
from snakebridge_rules.engine.calls import CallKey
from snakebridge_rules.engine.introspect import introspect
from snakebridge_rules.engine.libraries import Library

BOUND = ["Sbinstances.Counter.add/1", "Sbinstances.Counter.add/2",
         "Sbinstances.Counter.double/0", "Sbinstances.Counter.make/0",
         "Sbinstances.Counter.pure/2", "Sbinstances.Counter.unit/0",
         "Sbinstances.Counter.count/0", "Sbinstances.counter/0", "Sbinstances.Norm.new/0"]
REFUSED = {
    "Sbinstances.Norm.add/1": "sbinstances.Norm has no attribute 'add' (the object "
    "sbinstances.norm has this Elixir module name too, but the class takes it: call the "
    'object as SnakeBridge.call("sbinstances", "norm.add", args))',
    "Sbinstances.Limits.get/1": "sbinstances has no submodule, class or object for "
    "'Limits'",
    "Sbinstances.Liar.x/0": "sbinstances has no submodule, class or object for 'Liar'",
    "Sbinstances.Countr.add/1": "sbinstances has no submodule, class or object for "
    "'Countr' — did you mean 'Counter'?",
}
LIBRARY = Library.parse("sbinstances")


@pytest.fixture(scope="module", params=["fixture_python", "oldest_python"])
def answer(request: pytest.FixtureRequest) -> tuple[ApiSurface, dict[str, str]]:
    python = request.getfixturevalue(request.param)
    keys = [CallKey.parse(k) for k in BOUND + sorted(REFUSED)]
    surface, errors = introspect(LIBRARY, python, keys)
    return surface, {e.call: e.message for e in errors}


def _module(surface: ApiSurface, name: str) -> ModuleSurface:
    [found] = [m for m in surface.modules if m.elixir_module == name]
    return found


def _member(surface: ApiSurface, name: str) -> Member:
    [found] = [m for m in _module(surface, "Sbinstances.Counter").members
               if m.elixir_name == name]
    return found


def test_the_object_is_a_module_of_its_own(answer) -> None:
    surface, _ = answer
    module = _module(surface, "Sbinstances.Counter")
    assert (module.python_module, module.qualname) == ("sbinstances", "counter")
    assert module.is_instance and not module.is_class
    assert module.doc == "Counts things (the objects' class docstring)."
    assert not _module(surface, "Sbinstances").is_instance


def test_a_method_is_a_function_without_self(answer) -> None:
    surface, _ = answer
    add = _member(surface, "add")
    assert add.kind == Member.FUNCTION
    assert [(p.name, p.default, p.annotation) for p in add.parameters] == [
        ("n", "", "int"), ("step", "1", "int")]
    assert (list(add.arities), add.return_annotation) == ([1, 2], "int")
    assert add.doc == "Adds `n` times `step` and returns the count."
    make, pure = _member(surface, "make"), _member(surface, "pure")
    assert [p.name for p in make.parameters] == ["start"]  # a classmethod drops cls
    assert [p.name for p in pure.parameters] == ["x", "y"]  # a staticmethod keeps all


def test_properties_and_data_are_attributes_never_run(answer) -> None:
    surface, errors = answer
    double = _member(surface, "double")
    assert (double.kind, double.return_annotation) == (Member.ATTRIBUTE, "int")
    assert double.doc == "Twice the count; describing it must not run it."
    assert _member(surface, "unit").kind == Member.ATTRIBUTE
    assert _member(surface, "count").kind == Member.ATTRIBUTE
    assert not any(c.startswith("Sbinstances.Counter.") for c in errors)


def test_the_module_keeps_the_object_as_an_attribute(answer) -> None:
    surface, _ = answer
    [counter] = [m for m in _module(surface, "Sbinstances").members
                 if m.elixir_name == "counter"]
    assert counter.kind == Member.ATTRIBUTE


@pytest.mark.parametrize("call", sorted(REFUSED))
def test_a_class_takes_the_segment_and_data_is_no_object(answer, call: str) -> None:
    surface, errors = answer
    assert errors[call] == REFUSED[call]
    assert _module(surface, "Sbinstances.Norm").is_class
