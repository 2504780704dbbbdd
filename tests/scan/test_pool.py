"""The worker pool in process: forked workers, chunks, and what a dying worker costs.

Workers are forked from this process, so a function patched here is what they run: a
worker that exits or hangs on one file stands in for a crash of the parser itself.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from snakebridge_rules.engine.libraries import Library
from snakebridge_rules.engine.scan import Limits, scan_paths, worker

NUMPY = [Library.parse("numpy")]


@pytest.fixture()
def files(tmp_path: Path) -> Path:
    for i in range(20):
        (tmp_path / f"f{i:02d}.ex").write_text(f"Numpy.f{i:02d}(1)\n")
    return tmp_path


def _expected(skip: str = "") -> tuple[str, ...]:
    return tuple(f"Numpy.f{i:02d}/1" for i in range(20) if f"f{i:02d}" != skip)


@pytest.mark.parametrize("jobs", [1, 3])
def test_workers_are_forked_not_started_as_interpreters(files: Path, jobs: int,
                                                        monkeypatch) -> None:
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    result = scan_paths([str(files)], NUMPY, jobs=jobs)
    assert result.ok and result.files == 20
    assert result.calls == _expected()


def _dies_on(name: str, how: str):
    real = worker.scan_file

    def scan_file(extractor, path: str):
        if path.endswith(name):
            if how == "exit":
                os._exit(3)
            time.sleep(60)
        return real(extractor, path)

    return scan_file


@pytest.mark.parametrize(("how", "message"), [
    ("exit", "parser process failed (exit status 3)"),
    ("hang", "parsing took longer than 0.5 s"),
])
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_dying_worker_costs_one_file(files: Path, monkeypatch, how: str, message: str,
                                       jobs: int) -> None:
    monkeypatch.setattr(worker, "scan_file", _dies_on("f07.ex", how))
    before = set(_children())
    result = scan_paths([str(files)], NUMPY, jobs=jobs, limits=Limits(timeout=0.5))
    assert result.calls == _expected(skip="f07")
    [error] = result.errors
    assert error.file.endswith("f07.ex") and error.message.startswith(message)
    assert not set(_children()) - before


def _children() -> list[str]:
    """Processes whose parent is this one: the pool must reap every worker it forked
    (other tests' servers may be children too, so compare before and after)."""
    me, found = str(os.getpid()), []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as handle:
                if handle.read().rpartition(")")[2].split()[1] == me:
                    found.append(entry)
        except (OSError, IndexError):
            continue
    return found
