"""The scan's append-only named cache under the real ./pants: after an edit, the scan
process re-parses the edited file only (the others' results are reused, not re-stored).

Runs after test_generate_bindings.py in the session's checkout, on a target of its own.
The named caches are shared with other checkouts, so the test looks only at what this
target's files make: entries are never rewritten on a hit (atomic writes replace a file,
so a re-stored entry would show as a new inode).
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest

from tests.pants.pantsrepo import PantsRepo
from tests.support.pants_checkout import NAMED_CACHES

pytestmark = pytest.mark.slow

TARGET_DIR = "scancache"
TARGET = f"{TARGET_DIR}:bindings"
BUILD = """elixir_bindings(
    name="bindings",
    sources=["lib/*.ex"],
    libraries=["numpy"],
    python_requirements=["3rdparty/python:numpy"],
    manifest="bindings.manifest",
    output_dir="generated",
)
"""
STORE = NAMED_CACHES / "snakebridge_scan"


def _caller(i: int) -> str:
    return f"defmodule ScanCache.C{i} do\n  def f(x), do: Numpy.array(x) # {i}\nend\n"


def _entries() -> dict[Path, tuple[int, int]]:
    return {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in STORE.rglob("*")
            if p.is_file() and not p.name.startswith(".")}


def _replies(paths: set[Path]) -> list[dict]:
    return [json.loads(p.read_bytes().partition(b"\n")[2])["reply"] for p in paths]


def test_an_edit_reparses_only_the_edited_file(pants_repo: PantsRepo) -> None:
    root = pants_repo.path(TARGET_DIR)
    (root / "lib").mkdir(parents=True)
    for i in range(12):
        (root / "lib" / f"c{i:02d}.ex").write_text(_caller(i))
    for i in range(20):
        (root / "lib" / f"plain{i:02d}.ex").write_text(
            f"defmodule ScanCache.P{i} do\n  def f(x), do: Enum.sum(x)\nend\n")
    (root / "BUILD").write_text(BUILD)
    (root / "bindings.manifest").write_text("")
    run = pants_repo.pants("generate-bindings", TARGET)
    assert run.returncode == 0, run.stderr
    before = _entries()

    edited = root / "lib" / "c03.ex"
    # unique text: the named cache outlives this session, and a known text would be a hit
    edited.write_text(f"# an edit that adds no Python call ({uuid.uuid4()})\n" + _caller(3))
    time.sleep(1.0)  # let pantsd's watcher see it
    run = pants_repo.pants("generate-bindings", TARGET)
    assert run.returncode == 0, run.stderr
    after = _entries()
    assert {p: after.get(p) for p in before} == before  # nothing reused was re-stored
    new = _replies(set(after) - set(before))
    assert {"calls": [[3, 17, "Numpy.array/1", []]], "errors": [], "warnings": []} in new
