"""`snakebridge scan` end to end: the worker pool, exit codes, outputs, error entries."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from snakebridge_rules.engine.artifacts import SymbolLocations, SymbolSet, read

APP = {
    "lib/app.ex": "defmodule App do\n  alias Numpy.Linalg\n  def f(x), do: x |> Numpy.mean()"
                  " |> Linalg.norm()\nend\n",
    "lib/app/util.exs": "NP.zeros(3)\nNumpy.arange(1, 2)\n",
    "lib/app/notes.txt": "Numpy.never(1)\n",
    "lib/deps/vendored.ex": "Numpy.vendored(1)\n",
    "test/app_test.exs": "Numpy.in_test()\n",
}
# Many consecutive multi-line `case` blocks: tree-sitter-elixir goes quadratic here
# (~4 s and ~0.5 GB for these 46 kB), so small limits must stop it.
# Names Numpy (in a comment), so it is parsed: files naming no bound module never are.
PATHOLOGICAL = "# Numpy\n" + "case x do\n  1 -> 2\nend\n" * 2000


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture()
def app(tmp_path: Path) -> Path:
    return _write(tmp_path / "app", APP)


def test_directory_recursion_and_relative_paths(app: Path, scan_cli) -> None:
    run = scan_cli("--library", "numpy", "--library", "np=NP", "lib", cwd=app)
    assert run.code == 0, run.stderr
    assert run.json == {
        "calls": ["NP.zeros/1", "Numpy.Linalg.norm/1", "Numpy.arange/2", "Numpy.mean/1",
                  "Numpy.vendored/1"],
        "errors": [], "files": 3, "warnings": []}


def test_library_default_and_explicit_names(app: Path, scan_cli) -> None:
    run = scan_cli("--library", "numpy=NP", "lib/app/util.exs", cwd=app)
    assert run.json["calls"] == ["NP.zeros/1"]


def test_explicit_file_with_any_suffix(app: Path, scan_cli) -> None:
    run = scan_cli("--library", "numpy", "lib/app/notes.txt", "test", cwd=app)
    assert run.json["calls"] == ["Numpy.in_test/0", "Numpy.never/1"]
    assert run.json["files"] == 2


def test_exclude_globs(app: Path, scan_cli) -> None:
    by_dir = scan_cli("--library", "numpy", "--exclude", "deps", "lib", cwd=app)
    assert "Numpy.vendored/1" not in by_dir.json["calls"] and by_dir.json["files"] == 2
    by_path = scan_cli("--library", "numpy", "--exclude", "lib/app/*", "lib", cwd=app)
    assert by_path.json["calls"] == ["Numpy.Linalg.norm/1", "Numpy.mean/1", "Numpy.vendored/1"]
    by_suffix = scan_cli("--library", "numpy", "--exclude", "*.exs", str(app), cwd=app)
    assert by_suffix.json["files"] == 2


def test_same_file_twice_counts_once(app: Path, scan_cli) -> None:
    run = scan_cli("--library", "numpy", "lib/app.ex", "./lib/app.ex", "lib", cwd=app)
    assert run.json["files"] == 3


@pytest.mark.parametrize("args", [["--bogus", "lib"], [], ["--library", "numpy", "missing"],
                                  ["--library", "nu mpy", "lib"], ["--library", "numpy=np", "lib"],
                                  ["--jobs", "0", "lib"], ["--parse-timeout", "x", "lib"]])
def test_usage_errors_exit_2(app: Path, scan_cli, args: list[str]) -> None:
    run = scan_cli(*args, cwd=app)
    assert run.code == 2
    assert run.stdout == b""
    assert "Traceback" not in run.stderr and "error" in run.stderr


def test_error_entries_exit_1_and_other_calls_still_printed(tmp_path: Path, scan_cli) -> None:
    _write(tmp_path, {"src/good.ex": "Numpy.good(1)\n",
                      "src/broken.ex": "defmodule A do\n  def g( do\nend\nNumpy.after(1)\n"})
    (tmp_path / "src/latin1.ex").write_bytes(b'x = "caf\xe9"\nNumpy.latin(1)\n')
    (tmp_path / "src/dangling.ex").symlink_to(tmp_path / "nowhere.ex")
    os.mkfifo(tmp_path / "src/fifo.ex")
    run = scan_cli("--library", "numpy", "src", cwd=tmp_path)
    assert run.code == 1
    assert "Numpy.good/1" in run.json["calls"] and "Numpy.after/1" in run.json["calls"]
    errors = {e["file"]: e for e in run.json["errors"]}
    assert set(errors) == {"src/broken.ex", "src/latin1.ex", "src/dangling.ex", "src/fifo.ex"}
    assert errors["src/latin1.ex"]["line"] == 1 and errors["src/latin1.ex"]["column"] == 9
    assert "UTF-8" in errors["src/latin1.ex"]["message"]
    assert "cannot read" in errors["src/dangling.ex"]["message"]
    assert "not a regular file" in errors["src/fifo.ex"]["message"]
    assert errors["src/broken.ex"]["message"].startswith("syntax error")
    for entry in run.json["errors"]:
        assert set(entry) == {"file", "line", "column", "message"}
        line = f"{entry['file']}:{entry['line']}:{entry['column']}: error: {entry['message']}"
        assert line in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(("limit", "word"), [(["--parse-memory-mb", "64"], "memory limit"),
                                             (["--parse-timeout", "1.5"], "longer than")])
def test_pathological_file_costs_only_its_worker(tmp_path: Path, scan_cli, limit, word) -> None:
    # 12 files on one worker go in chunks of 6: the slow file is in the middle of the first
    # chunk, so the files after it in that chunk must be handed to the next worker.
    names = [f"a{i}" for i in range(3)] + [f"c{i}" for i in range(8)]
    _write(tmp_path, {f"{n}.ex": f"Numpy.{n}(1)\n" for n in names} | {"b_slow.ex": PATHOLOGICAL})
    run = scan_cli("--library", "numpy", "--jobs", "1", *limit, ".", cwd=tmp_path)
    assert run.code == 1
    assert run.json["calls"] == [f"Numpy.{n}/1" for n in names]
    [error] = run.json["errors"]
    assert error["file"] == "b_slow.ex" and word in error["message"]


def test_warnings_do_not_change_exit_code(tmp_path: Path, scan_cli) -> None:
    _write(tmp_path, {"w.ex": "import Numpy\nmod = Numpy\nmod.mean(1)\n"})
    run = scan_cli("--library", "numpy", "w.ex", cwd=tmp_path)
    assert run.code == 0
    assert [(w["line"], w["column"]) for w in run.json["warnings"]] == [(1, 1), (2, 7), (3, 1)]
    assert "w.ex:1:1: warning: import Numpy" in run.stderr


def test_errors_and_warnings_print_in_file_line_column_order(tmp_path: Path,
                                                             scan_cli) -> None:
    _write(tmp_path, {"a.ex": "defmodule A do\n  import Numpy\n  def f, do: Numpy.mean(\n",
                      "b.ex": "import Numpy\nx = Numpy\n"})
    run = scan_cli("--library", "numpy", "a.ex", "b.ex", cwd=tmp_path)
    assert run.code == 1
    places = [line.split(": ", 2)[:2] for line in run.stderr.splitlines()]
    assert places == [["a.ex:2:3", "warning"], ["a.ex:3:24", "error"],
                      ["b.ex:1:1", "warning"], ["b.ex:2:5", "warning"]], run.stderr


def test_symbol_and_location_protos(app: Path, scan_cli, tmp_path: Path) -> None:
    symbols, locations = tmp_path / "out/symbols.pb", tmp_path / "out/locations.pb"
    run = scan_cli("--library", "numpy", "--symbols-out", str(symbols),
                   "--locations-out", str(locations), "lib/app.ex", "broken.ex", cwd=app)
    assert run.code == 2  # broken.ex does not exist: nothing written
    assert not symbols.exists()
    (app / "broken.ex").write_text("x = [Numpy,\n")
    run = scan_cli("--library", "numpy", "--symbols-out", str(symbols),
                   "--locations-out", str(locations), "lib/app.ex", "broken.ex", cwd=app)
    assert run.code == 1
    assert list(read(symbols, SymbolSet).calls) == run.json["calls"]
    located = read(locations, SymbolLocations)
    assert [(loc.call, loc.file, loc.line) for loc in located.locations] == [
        ("Numpy.Linalg.norm/1", "lib/app.ex", 3), ("Numpy.mean/1", "lib/app.ex", 3)]
    assert [(d.file, d.severity) for d in located.diagnostics] == [("broken.ex", 1)]


def test_byte_identical_across_seed_locale_and_checkout(app: Path, tmp_path: Path,
                                                        scan_cli) -> None:
    _write(app, {"lib/more.ex": "import Numpy\nx = Numpy\n" + "Numpy.é(1)\n" * 3,
                 "lib/zz.ex": "Numpy.x(\n"})
    moved = tmp_path / "elsewhere" / "checkout"
    shutil.copytree(app, moved, symlinks=True)
    outputs = set()
    for root, seed, locale in [(app, "0", "C"), (moved, "123", "C.UTF-8"), (app, "random", "")]:
        out = root / "out.pb"
        run = scan_cli("--library", "numpy", "--library", "np=NP", "--locations-out",
                       str(out), "--jobs", "2", "lib", "test", cwd=root,
                       env={"PYTHONHASHSEED": seed, "LC_ALL": locale})
        assert run.code == 1
        outputs.add((run.stdout, out.read_bytes()))
    assert len(outputs) == 1


def test_python_api(app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from snakebridge_rules.engine.libraries import Library
    from snakebridge_rules.engine.scan import CallSite, Limits, ScanPathError, scan_paths

    monkeypatch.chdir(app)
    result = scan_paths(["lib"], [Library.parse("numpy")], ["deps"], jobs=1,
                        limits=Limits(timeout=30, memory_mb=512))
    assert result.ok and result.files == 2
    assert result.calls == ("Numpy.Linalg.norm/1", "Numpy.arange/2", "Numpy.mean/1")
    assert CallSite("lib/app.ex", 3, 22, "Numpy.mean/1") in result.locations
    with pytest.raises(ScanPathError, match="nope: no such file"):
        scan_paths(["nope"], [Library.parse("numpy")])


def test_parser_that_cannot_load_is_a_one_line_error(app: Path, tmp_path: Path,
                                                     scan_cli) -> None:
    shadow = tmp_path / "shadow" / "tree_sitter"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('tree_sitter is missing')\n")
    run = scan_cli("--library", "numpy", "lib", cwd=app,
                   env={"PYTHONPATH": str(shadow.parent)})
    assert run.code == 1 and run.stdout == b""
    assert run.stderr == ("snakebridge scan: error: the parse worker did not start: "
                          "tree_sitter is missing\n")


def test_unwritable_output_is_a_one_line_error(app: Path, scan_cli) -> None:
    (app / "blocker").write_text("a file, not a directory")
    run = scan_cli("--library", "numpy", "--symbols-out", "blocker/symbols.pb", "lib", cwd=app)
    assert run.code == 1 and "blocker/symbols.pb: cannot write" in run.stderr
    assert "Traceback" not in run.stderr
