"""What the probe binds, on the oldest supported Python (3.8) and the engine's: instance
attributes as getters, lowercase classes as functions, attributes over same-named
submodules, keyword-only binding past 255 parameters."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from snakebridge_rules._pb.snakebridge.v1.api_pb2 import Member
from snakebridge_rules.engine.calls import CallKey
from snakebridge_rules.engine.introspect import introspect
from snakebridge_rules.engine.libraries import Library

HERE = Path(__file__).resolve().parent
OLDEST_PYTHON = Path("/root/.pyenv/versions/3.8.18/bin/python")


def _env(base: Path, root: Path) -> str:
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(root)], check=True)
    python = root / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip()
    Path(purelib, "sbforms.pth").write_text(f"{HERE / 'pkg'}\n", encoding="utf-8")
    return str(python)


@pytest.fixture(scope="module", params=["py3.8", "py-current"])
def python(request, tmp_path_factory) -> str:
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    current = Path(sysconfig.get_config_var("BINDIR")) / f"python{version}"
    base = OLDEST_PYTHON if request.param == "py3.8" else current
    if not base.exists():
        pytest.fail(f"{base} is missing: the probe must be tested on Python 3.8 (pyenv)")
    return _env(base, tmp_path_factory.mktemp(request.param))


def _members(python: str, library: str, keys: list[str]) -> dict[str, Member]:
    surface, errors = introspect(Library.parse(library), python, map(CallKey.parse, keys))
    assert errors == []
    return {f"{m.elixir_module}.{x.elixir_name}": x for m in surface.modules for x in m.members}


def test_instance_attributes_are_getters(python: str) -> None:
    found = _members(python, "sbforms", ["Sbforms.Point.y/1", "Sbforms.Point.x/1",
                                         "Sbforms.Slotted.b/1", "Sbforms.Annotated.label/1",
                                         "Sbforms.Plain.total/1"])
    assert {k: m.kind for k, m in found.items()} == dict.fromkeys(found, Member.PROPERTY)
    assert found["Sbforms.Point.y"].return_annotation == "int"
    assert found["Sbforms.Annotated.label"].return_annotation == "str"


def test_wide_signature_binds_keyword_only(python: str) -> None:
    wide = _members(python, "sbforms", ["Sbforms.wide/1"])["Sbforms.wide"]
    assert (wide.kind, len(wide.parameters), list(wide.arities)) == (Member.FUNCTION, 300, [1])


def test_lowercase_classes_bind_as_functions(python: str) -> None:
    found = _members(python, "datetime", ["Datetime.date/3", "Datetime.Date.new/3"])
    assert found["Datetime.date"].kind == Member.CLASS
    assert found["Datetime.date"].python_name == "date"
    _, errors = introspect(Library.parse("fractions"), python,
                           [CallKey.parse("Fractions.fraction/2")])
    assert [e.message for e in errors] == [
        "fractions.Fraction is a class: call Fractions.Fraction.new/N to construct one"]


def test_an_attribute_wins_over_a_submodule_of_its_name(python: str) -> None:
    found = _members(python, "sbshadow", ["Sbshadow.simplify/1", "Sbshadow.Simplify.other/1"])
    assert found["Sbshadow.simplify"].kind == Member.FUNCTION
    assert found["Sbshadow.Simplify.other"].kind == Member.FUNCTION
