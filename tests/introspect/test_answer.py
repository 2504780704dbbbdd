"""The probe's answer is untrusted data: authenticated, then checked against its schema."""

from __future__ import annotations

import json

import pytest

from snakebridge_rules.engine.calls import CallKey
from snakebridge_rules.engine.introspect import introspect
from snakebridge_rules.engine.introspect.answer import AnswerError, parse_answer
from snakebridge_rules.engine.libraries import Library

SECRET = "s" * 64
REQUEST = {"library": "lib", "elixir_module": "Lib"}


def _member(**overrides) -> dict:
    record = {"python_name": "f", "elixir_module": "Lib", "elixir_name": "f", "kind": 1,
              "doc": "Doc.", "signature_found": True, "return_annotation": "",
              "parameters": [{"name": "x", "kind": 2, "default": None, "annotation": ""}],
              "origin": None}
    return {**record, **overrides}


def _answer(members: list, secret: str = SECRET, scopes: dict | None = None) -> bytes:
    scopes = scopes or {"Lib": {"python_module": "lib", "qualname": "", "is_class": False,
                                "is_instance": False, "converted": False, "doc": ""}}
    header = json.dumps({"secret": secret, "status": 0}).encode()
    payload = json.dumps({"members": members, "errors": [], "scopes": scopes}).encode()
    return header + b"\n" + payload


def test_a_well_formed_answer_passes() -> None:
    status, result = parse_answer(_answer([_member()]), SECRET, REQUEST)
    assert status == 0 and [m["python_name"] for m in result["members"]] == ["f"]


@pytest.mark.parametrize("data", [
    b"", b"{}", b'{"members": []}', json.dumps({"secret": "x" * 64, "status": 0}).encode(),
])
def test_an_answer_without_this_runs_secret_is_refused(data: bytes) -> None:
    with pytest.raises(AnswerError, match="secret|authenticated"):
        parse_answer(data, SECRET, REQUEST)


def test_a_forged_answer_with_another_secret_is_refused() -> None:
    with pytest.raises(AnswerError, match="does not carry this run's secret"):
        parse_answer(_answer([_member()], secret="f" * 64), SECRET, REQUEST)


@pytest.mark.parametrize(("overrides", "field"), [
    ({"elixir_name": 'x(); :os.cmd(~c"id"); def y'}, "elixir_name"),
    ({"elixir_name": "f?"}, "elixir_name"),
    ({"elixir_module": "/etc/Lib"}, "elixir_module"),
    ({"elixir_module": "Other.Module"}, "elixir_module"),
    ({"elixir_module": "Lib.Missing"}, "does not describe"),
    ({"kind": 99}, "kind"),
    ({"kind": True}, "kind"),
    ({"doc": 3}, "doc"),
    ({"parameters": [{"name": "x", "kind": 2, "default": 1, "annotation": ""}]}, "default"),
    ({"python_name": "x" * 5000}, "python_name"),
])
def test_fields_are_checked(overrides: dict, field: str) -> None:
    with pytest.raises(AnswerError, match=field):
        parse_answer(_answer([_member(**overrides)]), SECRET, REQUEST)


def test_a_scope_outside_the_library_is_refused() -> None:
    scopes = {"/abs/Path": {"python_module": "lib", "qualname": "", "is_class": False,
                            "is_instance": False, "converted": False, "doc": ""}}
    with pytest.raises(AnswerError, match="scopes key"):
        parse_answer(_answer([], scopes=scopes), SECRET, REQUEST)


def _object_scopes(**overrides) -> dict:
    counter = {"python_module": "lib", "qualname": "counter", "is_class": False,
               "is_instance": True, "converted": False, "doc": "", **overrides}
    root = {"python_module": "lib", "qualname": "", "is_class": False, "is_instance": False,
            "converted": False, "doc": ""}
    return {"Lib": root, "Lib.Counter": counter}


@pytest.mark.parametrize("kind", [1, 7])
def test_an_objects_functions_and_attributes_pass(kind: int) -> None:
    data = _answer([_member(elixir_module="Lib.Counter", kind=kind)],
                   scopes=_object_scopes())
    _, result = parse_answer(data, SECRET, REQUEST)
    assert result["scopes"]["Lib.Counter"]["is_instance"]
    assert [m["kind"] for m in result["members"]] == [kind]


@pytest.mark.parametrize("kind", [2, 3, 4, 5, 6])
def test_an_object_has_no_methods_or_classes(kind: int) -> None:
    data = _answer([_member(elixir_module="Lib.Counter", kind=kind)],
                   scopes=_object_scopes())
    with pytest.raises(AnswerError, match=r"members\[0\]\.kind is not an integer in 1\.\.1 "
                       r"or 7\.\.7"):
        parse_answer(data, SECRET, REQUEST)


@pytest.mark.parametrize("overrides", [{"is_class": True}, {"qualname": "a.b"},
                                       {"qualname": ""}, {"is_instance": 1}])
def test_an_object_scope_is_checked(overrides: dict) -> None:
    data = _answer([], scopes=_object_scopes(**overrides))
    with pytest.raises(AnswerError, match=r"scopes\['Lib.Counter'\]\.is_instance"):
        parse_answer(data, SECRET, REQUEST)


def test_a_converted_class_stays_converted(fixture_python: str) -> None:
    """`converted` reaches the surface: `Builtins.Str.split` takes a string (any term),
    not a reference to a Python str."""
    keys = [CallKey.parse("Builtins.Str.split/2"), CallKey.parse("Fractions.Fraction.new/1")]
    surfaces = {key.module: introspect(Library.parse(key.module.split(".")[0].lower()),
                                       fixture_python, [key])[0] for key in keys}
    [string] = surfaces["Builtins.Str"].modules
    [fraction] = surfaces["Fractions.Fraction"].modules
    assert (string.converted, fraction.converted) == (True, False)


def test_a_lone_surrogate_makes_an_error_for_that_member_only() -> None:
    data = _answer([_member(doc="bad \udc80 text"), _member(python_name="g", elixir_name="g")])
    _, result = parse_answer(data, SECRET, REQUEST)
    assert [m["python_name"] for m in result["members"]] == ["g"]
    [error] = result["errors"]
    assert error["name"] == "f" and "lone surrogate (U+DC80)" in error["message"]


@pytest.mark.parametrize("importable", [[3], "pandas", [None]])
def test_the_importable_names_of_an_import_error_are_checked(importable) -> None:
    header = json.dumps({"secret": SECRET, "status": 0}).encode()
    payload = json.dumps({"import_error": "ModuleNotFoundError: No module named 'lib'",
                          "importable": importable}).encode()
    with pytest.raises(AnswerError, match="importable"):
        parse_answer(header + b"\n" + payload, SECRET, REQUEST)
