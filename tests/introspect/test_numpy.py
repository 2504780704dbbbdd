"""numpy 2.x, as issue 3 lists it: the 30 symbols of the Speed section, errors, determinism."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from snakebridge_rules._pb.snakebridge.v1.api_pb2 import ApiSurface, Member, Parameter
from snakebridge_rules.engine.artifacts import SymbolSet, read, write
from snakebridge_rules.engine.calls import CallKey
from snakebridge_rules.engine.introspect import introspect
from snakebridge_rules.engine.libraries import Library

SPEED_SYMBOLS = [
    "mean", "std", "var", "median", "sum", "cumsum", "diff", "sqrt", "exp", "log", "abs",
    "round", "clip", "where", "array", "arange", "linspace", "zeros", "ones", "dot", "matmul",
    "transpose", "concatenate", "argmax", "sort", "unique", "polyfit", "Linalg.norm",
    "Linalg.inv", "Random.default_rng",
]
TWO_ARGS = {"dot", "matmul", "linspace"}
EXTRA = ["Numpy.Ndarray.new/1", "Numpy.Ndarray.reshape/2", "Numpy.Ndarray.shape/1",
         "Numpy.pi/0", "Numpy.Random.Generator.normal/1", "Numpy.Core_.Multiarray.array/1"]


def calls() -> list[str]:
    keys = []
    for symbol in SPEED_SYMBOLS:
        arity = 3 if symbol == "polyfit" else 2 if symbol in TWO_ARGS else 1
        keys.append(f"Numpy.{symbol}/{arity}")
    return sorted(keys + EXTRA)


@pytest.fixture(scope="module")
def surface(numpy_python: str) -> ApiSurface:
    result, errors = introspect(Library.parse("numpy"), numpy_python,
                                [CallKey.parse(k) for k in calls()])
    assert errors == []
    return result


def by_key(surface: ApiSurface) -> dict[str, Member]:
    return {f"{m.elixir_module}.{x.elixir_name}": x for m in surface.modules for x in m.members}


def test_the_thirty_symbols_resolve(surface: ApiSurface) -> None:
    members = by_key(surface)
    for symbol in SPEED_SYMBOLS:
        assert members[f"Numpy.{symbol}"].kind == Member.FUNCTION, symbol
        assert members[f"Numpy.{symbol}"].doc, symbol
    assert len(members) == 30 + len(EXTRA)


def test_ufuncs_and_c_functions_have_signatures(surface: ApiSurface) -> None:
    members = by_key(surface)
    sqrt = members["Numpy.sqrt"]
    assert (sqrt.parameters[0].name, sqrt.parameters[0].kind) == ("x", Parameter.POSITIONAL_ONLY)
    assert any(p.kind == Parameter.KEYWORD_ONLY for p in sqrt.parameters)
    mean = members["Numpy.mean"]
    assert [p.name for p in mean.parameters][:2] == ["a", "axis"]
    assert not mean.parameters[0].has_default and mean.parameters[1].default == "None"
    assert [p.name for p in members["Numpy.dot"].parameters][:2] == ["a", "b"]
    assert [p.name for p in members["Numpy.polyfit"].parameters][:3] == ["x", "y", "deg"]
    assert members["Numpy.Random.default_rng"].parameters[0].name == "seed"


def test_classes_methods_properties_constants(surface: ApiSurface) -> None:
    members = by_key(surface)
    assert members["Numpy.Ndarray.new"].kind == Member.CLASS
    assert members["Numpy.Ndarray.new"].python_name == "__init__"
    reshape = members["Numpy.Ndarray.reshape"]
    assert reshape.kind == Member.METHOD
    assert (reshape.parameters[0].name, reshape.parameters[0].kind) == (
        "shape", Parameter.VAR_POSITIONAL)
    assert members["Numpy.Ndarray.shape"].kind == Member.PROPERTY
    assert members["Numpy.pi"].kind == Member.ATTRIBUTE
    assert members["Numpy.Random.Generator.normal"].kind == Member.METHOD
    modules = {m.elixir_module: (m.python_module, m.qualname) for m in surface.modules}
    assert modules["Numpy.Core_.Multiarray"] == ("numpy._core.multiarray", "")
    assert modules["Numpy.Random.Generator"] == ("numpy.random", "Generator")


def test_did_you_mean_and_arity(numpy_python: str) -> None:
    _, errors = introspect(Library.parse("numpy"), numpy_python,
                           [CallKey.parse("Numpy.meen/1"), CallKey.parse("Numpy.dot/1")])
    assert [e.as_json() for e in errors] == [
        {"call": "Numpy.dot/1", "message": "numpy.dot cannot be called with 1 argument from "
         "Elixir: it accepts arity 2 to 4 (Numpy.dot/2 to /4)"},
        {"call": "Numpy.meen/1",
         "message": "numpy has no attribute 'meen' — did you mean 'mean'?"},
    ]


def test_output_is_byte_identical_across_seeds_zones_locales_and_paths(
        cli, numpy_python: str, tmp_path: Path) -> None:
    outputs = []
    for seed, tz, locale in (("0", "UTC", "C.UTF-8"), ("4242", "Asia/Tokyo", "C")):
        workdir = tmp_path / f"run-{seed}"
        workdir.mkdir()
        write(workdir / "in.symbols", SymbolSet(calls=calls()))
        env = {**os.environ, "PYTHONHASHSEED": seed, "TZ": tz, "LC_ALL": locale}
        done = cli("introspect", "--library", "numpy", "--python", numpy_python,
                   "--symbols", "in.symbols", "-o", "out.surface", env=env, cwd=workdir)
        assert done.returncode == 0, done.stderr
        outputs.append((workdir / "out.surface").read_bytes())
    assert outputs[0] == outputs[1]
    text = outputs[0].decode("utf-8", "replace")
    assert str(tmp_path) not in text and "0x7f" not in text
    assert len(read(tmp_path / "run-0" / "out.surface", ApiSurface).modules) == 6


def test_all_binds_every_public_symbol(numpy_python: str) -> None:
    result, errors = introspect(Library.parse("numpy"), numpy_python, [], eager=True)
    assert errors == []
    members = by_key(result)
    assert {"Numpy.mean", "Numpy.Linalg.norm", "Numpy.Fft.fft", "Numpy.Random.default_rng",
            "Numpy.Ndarray.new", "Numpy.Ndarray.reshape"} <= set(members)
    assert len(members) > 1000
    assert not [m.elixir_module for m in result.modules if m.elixir_module.startswith(
        ("Numpy.Core_", "Numpy.Core.", "Numpy.Testing.Tests"))]  # private or not public
