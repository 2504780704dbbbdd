"""The engine-side steps of the Bazel rules, without Bazel (fast, real engine and numpy)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from snakebridge_rules.bazel import actions, repo_tool
from snakebridge_rules.engine import artifacts
from snakebridge_rules.engine.artifacts import SymbolLocations, SymbolSet
from snakebridge_rules.engine.manifest import HEADER


def symbol_set(path: Path, *calls: str) -> Path:
    artifacts.write(path, SymbolSet(calls=sorted(calls)))
    return path


def locations(path: Path, *entries: tuple[str, str, int]) -> Path:
    message = SymbolLocations()
    for call, file, line in entries:
        message.locations.add(call=call, file=file, line=line, column=5)
    artifacts.write(path, message)
    return path


def errors_file(path: Path, *errors: tuple[str, str]) -> Path:
    path.write_text(json.dumps({"errors": [{"call": c, "message": m} for c, m in errors]}))
    return path


def test_check_words_each_error_with_file_and_line(tmp_path: Path, capsys) -> None:
    manifest = tmp_path / "snakebridge.manifest"
    manifest.write_text(HEADER + "Numpy.gone/0\n")
    locs = locations(tmp_path / "l.pb", ("Numpy.meen/1", "lib/a.ex", 10),
                     ("Numpy.meen/1", "lib/a.ex", 7),
                     ("Numpy.meen/1", "lib/b.ex", 3), ("Numpy.mean/1", "lib/a.ex", 2))
    errors = errors_file(tmp_path / "e.json", ("Numpy.meen/1", "no 'meen'"),
                         ("Numpy.gone/0", "no 'gone'"), ("", "numpy is not importable"))
    stamp = tmp_path / "stamp"
    status = actions.check(locs, manifest, [errors], stamp, tmp_path / "unused", "//:b")
    assert status == 1
    assert not stamp.exists()
    assert capsys.readouterr().err.splitlines() == [
        "//:b: numpy is not importable",
        f"{manifest}:4: no 'gone'",
        "lib/a.ex:7: no 'meen'",
        "lib/a.ex:10: no 'meen'",
        "lib/b.ex:3: no 'meen'",
    ]


def test_check_passes_and_declares_the_wording_inputs_unused(tmp_path: Path) -> None:
    locs, manifest = locations(tmp_path / "l.pb"), tmp_path / "m"
    manifest.write_text(HEADER)
    stamp, unused = tmp_path / "stamp", tmp_path / "unused"
    status = actions.check(locs, manifest, [errors_file(tmp_path / "e.json")], stamp, unused,
                           "//:b")
    assert status == 0
    assert stamp.read_bytes() == b"ok\n"
    assert unused.read_text().split() == [str(locs), str(manifest)]


def test_introspect_turns_unknown_symbols_into_an_errors_file(tmp_path: Path,
                                                              numpy_python: str) -> None:
    symbols = symbol_set(tmp_path / "s.pb", "Numpy.meen/1", "Numpy.mean/1")
    surface, errors = tmp_path / "surface.pb", tmp_path / "errors.json"
    argv = ["--library", "numpy", "--python", numpy_python, "--symbols", str(symbols)]
    assert actions.introspect(surface, errors, argv) == 0
    assert surface.read_bytes() == b""
    [error] = json.loads(errors.read_text())["errors"]
    assert error["call"] == "Numpy.meen/1"
    assert "did you mean 'mean'" in error["message"]

    symbol_set(symbols, "Numpy.mean/1")
    assert actions.introspect(surface, errors, argv) == 0
    assert json.loads(errors.read_text()) == {"errors": []}
    assert surface.stat().st_size > 0


def test_introspect_fails_when_the_environment_is_broken(tmp_path: Path, capsys) -> None:
    symbols = symbol_set(tmp_path / "s.pb", "Numpy.mean/1")
    argv = ["--library", "numpy", "--python", str(tmp_path / "missing/python"),
            "--symbols", str(symbols)]
    assert actions.introspect(tmp_path / "o.pb", tmp_path / "e.json", argv) == 1
    assert "missing/python" in capsys.readouterr().err
    assert not (tmp_path / "e.json").exists()  # a failure, never a cached errors file


def test_introspect_fails_on_input_that_is_not_a_symbol_error(tmp_path: Path, capsys,
                                                              numpy_python: str) -> None:
    bad = tmp_path / "s.pb"
    bad.write_bytes(b"\xff\xff not a proto")
    argv = ["--library", "numpy", "--python", numpy_python, "--symbols", str(bad)]
    assert actions.introspect(tmp_path / "o.pb", tmp_path / "e.json", argv) == 1
    assert "not a SymbolSet" in capsys.readouterr().err
    assert not (tmp_path / "e.json").exists()


def test_merge_accumulates_in_the_manifest_format(tmp_path: Path) -> None:
    manifest, out = tmp_path / "m", tmp_path / "out"
    manifest.write_text(HEADER + "Numpy.zeros/1\n")
    symbols = symbol_set(tmp_path / "s.pb", "Numpy.mean/1", "Numpy.zeros/1")
    assert actions.merge(manifest, symbols, out) == 0
    assert out.read_text() == HEADER + "Numpy.mean/1\nNumpy.zeros/1\n"


def test_diff_names_the_fix_until_sync_makes_the_tree_current(tmp_path: Path, capsys) -> None:
    tree, dest = tmp_path / "tree", tmp_path / "src"
    (tree / "numpy").mkdir(parents=True)
    (tree / "numpy.ex").write_text("new\n")
    (tree / "numpy/linalg.ex").write_text("linalg\n")
    (dest / "old").mkdir(parents=True)
    (dest / "numpy.ex").write_text("old\n")
    (dest / "old/gone.ex").write_text("gone\n")
    manifest, manifest_src = tmp_path / "merged", tmp_path / "snakebridge.manifest"
    manifest.write_text(HEADER + "Numpy.mean/1\n")
    manifest_src.write_text(HEADER)

    assert actions.diff(tree, dest, manifest, manifest_src, "bazel run //:b.update") == 1
    out = capsys.readouterr().out
    for line in (f"{dest}/numpy.ex: stale", f"{dest}/numpy/linalg.ex: missing",
                 f"{dest}/old/gone.ex: extra", "run: bazel run //:b.update"):
        assert line in out
    assert actions.sync(tree, dest, manifest, manifest_src) == 0
    assert actions.diff(tree, dest, manifest, manifest_src, "fix") == 0
    assert manifest_src.read_bytes() == manifest.read_bytes()
    assert not (dest / "old/gone.ex").exists()


@pytest.mark.parametrize("volatile", ["RECORD", "direct_url.json", "mod.cpython-311.pyc"])
def test_identity_ignores_where_and_when_a_venv_was_made(tmp_path: Path, volatile: str) -> None:
    def venv(root: Path, noise: str) -> Path:
        site = root / "lib/python3.11/site-packages/pkg"
        site.mkdir(parents=True)
        (site / "mod.py").write_text("x = 1\n")
        (site / volatile).write_text(noise)
        return root

    first, second = venv(tmp_path / "a", "/a/bin/x"), venv(tmp_path / "b", "/b/bin/x")
    assert repo_tool.identity(first) == repo_tool.identity(second)
    (second / "lib/python3.11/site-packages/pkg/mod.py").write_text("x = 2\n")
    assert repo_tool.identity(first) != repo_tool.identity(second)
