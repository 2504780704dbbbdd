"""Attributes documented in a class docstring's Attributes section bind as arity-1
getters (introspect/documented.py), with the docstring as their Source; nothing that
the docstring does not document is invented. Runs on Python 3.11 and 3.8."""

from __future__ import annotations

import pytest

from snakebridge_rules._pb.snakebridge.v1.api_pb2 import Member, Source
from snakebridge_rules.engine.calls import CallKey
from snakebridge_rules.engine.introspect import introspect
from snakebridge_rules.engine.libraries import Library

LIBRARY = Library.parse("sbresults")


@pytest.fixture(scope="module", params=["fixture_python", "oldest_python"])
def python(request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue(request.param)


def _introspect(python: str, *keys: str):
    return introspect(LIBRARY, python, [CallKey.parse(k) for k in keys])


def test_documented_attributes_are_getters_from_the_docstring(python: str) -> None:
    surface, errors = _introspect(python, "Sbresults.Result.x/1", "Sbresults.Result.jac/1")
    assert errors == []
    [module] = surface.modules
    assert [(m.python_name, m.kind, list(m.arities), m.doc, m.doc_source, m.signature_source)
            for m in module.members] == [
        ("jac", Member.PROPERTY, [1], "Value and slope at `x`.", Source.DOCSTRING,
         Source.DOCSTRING),
        ("x", Member.PROPERTY, [1], "The solution.", Source.DOCSTRING, Source.DOCSTRING)]


def test_a_documented_attribute_takes_the_object(python: str) -> None:
    _, errors = _introspect(python, "Sbresults.Result.x/0")
    assert [e.message for e in errors] == [
        "sbresults.Result.x cannot be called with 0 arguments from Elixir: it accepts "
        "arity 1 (Sbresults.Result.x/1)"]


@pytest.mark.parametrize(("key", "message"), [
    ("Sbresults.Result.y/1", "sbresults.Result has no attribute 'y'"),
    ("Sbresults.Undocumented.x/1", "sbresults.Undocumented has no attribute 'x'"),
])
def test_what_the_docstring_does_not_document_stays_an_error(python, key, message) -> None:
    _, errors = _introspect(python, key)
    assert [e.message for e in errors] == [message]


def test_eager_mode_binds_every_documented_attribute(python: str) -> None:
    surface, errors = introspect(LIBRARY, python, [], eager=True)
    assert errors == []
    [result] = [m for m in surface.modules if m.elixir_module == "Sbresults.Result"]
    documented = sorted(m.python_name for m in result.members
                        if m.doc_source == Source.DOCSTRING)
    assert documented == ["fun", "jac", "x"]
