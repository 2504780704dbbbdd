"""Problems are printed in file, line, column order wherever the engine prints them
(engine/problems.py `report`, `scan`'s errors and warnings), whatever order the steps
found them in."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from snakebridge_rules.engine.problems import Problem, report


def test_report_sorts_by_file_line_column_message(capsys) -> None:
    problems = [Problem("lib/b.ex", 4, "B.f/0", "z"), Problem("lib/a.ex", 10, "", "y", 2),
                Problem("lib/a.ex", 3, "", "x", 9), Problem("lib/a.ex", 3, "", "w", 12),
                Problem("lib/a.ex", 2, "A.g/1", "v"), Problem(message="no place")]
    assert report("generate", problems) == 1
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        "snakebridge generate: no place", "lib/a.ex:2: A.g/1: v", "lib/a.ex:3:9: x",
        "lib/a.ex:3:12: w", "lib/a.ex:10:2: y", "lib/b.ex:4: B.f/0: z"]
    listed = json.loads(out)["errors"]
    assert [(e.get("file"), e.get("line"), e.get("column")) for e in listed] == [
        (None, None, None), ("lib/a.ex", 2, None), ("lib/a.ex", 3, 9), ("lib/a.ex", 3, 12),
        ("lib/a.ex", 10, 2), ("lib/b.ex", 4, None)]
    assert [Problem.from_json(e) for e in listed] == sorted(problems, key=Problem.sort_key)


def test_generate_places_syntax_errors_at_file_line_column(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "b.ex").write_text("defmodule B do\n  def f, do: Numpy.mean(\nend\n")
    (lib / "a.ex").write_text("defmodule A do\n  def f, do: Numpy.mean([1]\nend\n")
    done = subprocess.run([sys.executable, "-m", "snakebridge_rules.cli", "generate",
                           "--library", "numpy", "--python", sys.executable, "--out", "gen",
                           "lib"], capture_output=True, text=True, cwd=tmp_path, check=False)
    assert done.returncode == 1
    listed = json.loads(done.stdout)["errors"]
    assert [(e["file"], e["line"], e["column"] > 0) for e in listed] == [
        ("lib/a.ex", 3, True), ("lib/b.ex", 2, True)], listed
    lines = done.stderr.splitlines()
    assert lines[0].startswith("lib/a.ex:3:1: ") and lines[1].startswith("lib/b.ex:2:24: ")
    assert not (tmp_path / "gen").exists()
