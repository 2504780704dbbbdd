"""Bad input and hostile libraries: one clear message each, exit 1, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from snakebridge_rules.engine.artifacts import SymbolSet, write
from snakebridge_rules.engine.calls import CallKey
from snakebridge_rules.engine.introspect import ProbeError, introspect
from snakebridge_rules.engine.libraries import Library


def errors_of(python: str, library: str, *keys: str) -> dict[str, str]:
    _, errors = introspect(Library.parse(library), python, [CallKey.parse(k) for k in keys])
    return {e.call: e.message for e in errors}


def test_unknown_symbol_suggests_the_closest_public_name(fixture_python: str) -> None:
    assert errors_of(fixture_python, "sbfixture", "Sbfixture.meanis/1") == {
        "Sbfixture.meanis/1": "sbfixture has no attribute 'meanis' — did you mean 'meanish'?"}


def test_unknown_submodule_or_class(fixture_python: str) -> None:
    key = "Sbfixture.Shap.area/1"
    message = errors_of(fixture_python, "sbfixture", key)[key]
    assert message == ("sbfixture has no submodule, class or object for 'Shap' — did you "
                       "mean 'Shape'?")


def test_python_name_used_instead_of_its_elixir_name(fixture_python: str) -> None:
    assert errors_of(fixture_python, "sbfixture", "Sbfixture.end/1") == {
        "Sbfixture.end/1": "sbfixture.end is named Sbfixture.end_ in Elixir (a safe function name)"}


def test_class_called_as_a_function(fixture_python: str) -> None:
    message = errors_of(fixture_python, "sbfixture", "Sbfixture.shape/1")["Sbfixture.shape/1"]
    assert message == "sbfixture.Shape is a class: call Sbfixture.Shape.new/N to construct one"


@pytest.mark.parametrize(("key", "accepted"), [
    ("Sbfixture.every_kind/2", "3 or more (at most 255) (Sbfixture.every_kind/3 to /255)"),
    ("Sbfixture.Shape.area/0", "1 to 2 (Sbfixture.Shape.area/1 to /2)"),
    ("Sbfixture.Shape.label/2", "1 (Sbfixture.Shape.label/1)"),
    ("Sbfixture.answer/1", "0 (Sbfixture.answer/0)"),
])
def test_impossible_arity_lists_the_accepted_ones(fixture_python: str, key: str,
                                                  accepted: str) -> None:
    message = errors_of(fixture_python, "sbfixture", key)[key]
    assert message.endswith(f"it accepts arity {accepted}")


def test_errors_are_reported_as_json_and_nothing_is_written(
        cli, fixture_python: str, tmp_path: Path) -> None:
    symbols = tmp_path / "in.symbols"
    write(symbols, SymbolSet(calls=["Sbfixture.meanis/1", "Sbfixture.no_args/0"]))
    out = tmp_path / "out.surface"
    done = cli("introspect", "--library", "sbfixture", "--python", fixture_python,
               "--symbols", str(symbols), "-o", str(out))
    assert done.returncode == 1
    assert json.loads(done.stdout) == {"errors": [{
        "call": "Sbfixture.meanis/1",
        "message": "sbfixture has no attribute 'meanis' — did you mean 'meanish'?"}]}
    assert "Sbfixture.meanis/1: sbfixture has no attribute 'meanis'" in done.stderr
    assert not out.exists()


def test_library_not_importable_names_the_interpreter_and_the_fix(
        cli, fixture_python: str, tmp_path: Path) -> None:
    out = tmp_path / "out.surface"
    done = cli("introspect", "--library", "nosuchlib", "--python", fixture_python, "--all",
               "-o", str(out))
    assert done.returncode == 1, done.stderr
    [error] = json.loads(done.stdout)["errors"]
    assert error["call"] == ""
    assert fixture_python in error["message"]
    assert "No module named 'nosuchlib'" in error["message"]
    assert "nosuchlib is not installed in that environment; add the distribution that " \
        "provides it to the requirements of the lockfile" in error["message"]
    assert "sklearn is scikit-learn" in error["message"]
    assert "lock nosuchlib" not in error["message"]  # never "install what you typed"
    assert "pip install" not in error["message"] and "did you mean" not in error["message"]
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1
    assert not out.exists()


def test_the_caller_words_the_fix_for_a_missing_module(
        cli, fixture_python: str, tmp_path: Path) -> None:
    """An adapter (Pants) replaces the CLI's lockfile advice with its own, once."""
    done = cli("introspect", "--library", "nosuchlib", "--python", fixture_python, "--all",
               "--missing-fix", "edit BUILD", "-o", str(tmp_path / "out"))
    assert done.returncode == 1, done.stderr
    [error] = json.loads(done.stdout)["errors"]
    assert error["message"].endswith("nosuchlib is not installed in that environment; edit "
                                     "BUILD; its PyPI name may differ from the import name "
                                     "(sklearn is scikit-learn)"), error["message"]
    assert "snakebridge lock" not in error["message"]


@pytest.mark.parametrize(("typed", "meant"), [("sbfixtur", "sbfixture"),
                                              ("Sbfixture", "sbfixture"),
                                              ("sbfixture.shape", "sbfixture.shapes")])
def test_library_not_importable_suggests_what_the_environment_can_import(
        cli, fixture_python: str, tmp_path: Path, typed: str, meant: str) -> None:
    done = cli("introspect", "--library", typed, "--python", fixture_python, "--all",
               "-o", str(tmp_path / "out"))
    assert done.returncode == 1, done.stderr
    [error] = json.loads(done.stdout)["errors"]
    assert error["message"].endswith(f"(ModuleNotFoundError: No module named '{typed}') "
                                     f"— did you mean '{meant}'?"), error["message"]
    assert "install" not in error["message"] and len(done.stderr.splitlines()) == 1


def test_a_missing_dependency_is_named_not_the_library(fixture_python: str) -> None:
    with pytest.raises(ProbeError, match=r"sbneedsdep is not importable by .*: it needs "
                                         r"sbnosuchdep, which is not installed there; add "
                                         r"the distribution that provides it"):
        introspect(Library.parse("sbneedsdep"), fixture_python, [], eager=True)


def test_missing_interpreter(tmp_path: Path) -> None:
    with pytest.raises(ProbeError, match="no such executable interpreter"):
        introspect(Library.parse("json"), str(tmp_path / "nopython"), [], eager=True)


def test_prints_during_import_do_not_corrupt_the_result(fixture_python: str) -> None:
    surface, errors = introspect(Library.parse("sbprints"), fixture_python,
                                 [CallKey.parse("Sbprints.hello/1")])
    assert errors == []
    assert surface.modules[0].members[0].doc == "Say hello."


def test_import_that_blocks_is_killed_at_the_timeout(cli, fixture_python: str,
                                                     tmp_path: Path) -> None:
    done = cli("introspect", "--library", "sbsleeps", "--python", fixture_python, "--all",
               "--timeout", "2", "-o", str(tmp_path / "out"))
    assert done.returncode == 1
    [error] = json.loads(done.stdout)["errors"]
    assert "did not finish within 2 s (wall clock); the probe was killed" in error["message"]
    assert not (tmp_path / "out").exists()


def test_import_that_allocates_too_much_hits_the_memory_limit(cli, fixture_python: str,
                                                              tmp_path: Path) -> None:
    done = cli("introspect", "--library", "sbhog", "--python", fixture_python, "--all",
               "--memory-mb", "256", "-o", str(tmp_path / "out"))
    assert done.returncode == 1
    [error] = json.loads(done.stdout)["errors"]
    assert "MemoryError" in error["message"]
    assert fixture_python in error["message"]


def test_import_that_exits_is_not_importable(fixture_python: str) -> None:
    with pytest.raises(ProbeError, match=r"sbexits is not importable by .*SystemExit: 3"):
        introspect(Library.parse("sbexits"), fixture_python, [], eager=True)


def test_bad_symbol_file_is_a_one_line_error(cli, fixture_python: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.symbols"
    write(bad, SymbolSet(calls=["not a key"]))
    done = cli("introspect", "--library", "sbfixture", "--python", fixture_python,
               "--symbols", str(bad), "-o", str(tmp_path / "out"))
    assert done.returncode == 1
    assert done.stderr.strip() == (f"snakebridge introspect: {bad}: call #1: not a call key "
                                   "(Module.fun/arity): 'not a key'")


def test_manifest_calls_are_described_too(cli, fixture_python: str, tmp_path: Path) -> None:
    from snakebridge_rules.engine.artifacts import ApiSurface, read

    symbols, manifest = tmp_path / "in.symbols", tmp_path / "bindings.manifest"
    write(symbols, SymbolSet(calls=["Sbfixture.upper/1"]))
    manifest.write_text("# snakebridge manifest\nSbfixture.no_args/0\nOther.lib/1\n")
    out = tmp_path / "out.surface"
    done = cli("introspect", "--library", "sbfixture", "--python", fixture_python,
               "--symbols", str(symbols), "--manifest", str(manifest), "-o", str(out))
    assert done.returncode == 0, done.stderr
    [module] = read(out, ApiSurface).modules
    assert [m.python_name for m in module.members] == ["no_args", "upper"]
    manifest.write_text("Sbfixture.no_args/0\nbroken line\n")
    done = cli("introspect", "--library", "sbfixture", "--python", fixture_python,
               "--symbols", str(symbols), "--manifest", str(manifest), "-o", str(out))
    assert done.returncode == 1
    assert f"{manifest}:2: not a call key" in done.stderr
