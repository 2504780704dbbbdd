"""Putting rendered files into the output directory: atomically, idempotently, and
removing only stale files that carry our own header."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from snakebridge_rules.engine.files import write_atomic
from snakebridge_rules.engine.generate.modules import HEADER
from snakebridge_rules.engine.generate.paths import checked_path


@dataclass
class WriteReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def _ours(path: Path) -> bool:
    """A file this generator wrote (its first line is our header)."""
    try:
        with path.open("rb") as handle:
            return handle.readline().rstrip(b"\n") == HEADER.encode()
    except OSError:
        return False


def write_outputs(out_dir: Path, files: dict[str, bytes]) -> WriteReport:
    """Write `files` under `out_dir`; delete generated `.ex` files no longer produced."""
    report = WriteReport()
    for relative in sorted(files):
        changed = write_atomic(checked_path(out_dir, relative), files[relative])
        (report.written if changed else report.unchanged).append(relative)
    if out_dir.is_dir():
        for path in sorted(out_dir.rglob("*.ex")):
            relative = path.relative_to(out_dir).as_posix()
            if relative not in files and _ours(path):
                path.unlink()
                report.removed.append(relative)
                _remove_empty_parents(path.parent, out_dir)
    return report


def _remove_empty_parents(directory: Path, out_dir: Path) -> None:
    """Drop the directories that removing a stale module emptied (up to `out_dir`)."""
    while directory != out_dir and directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent
