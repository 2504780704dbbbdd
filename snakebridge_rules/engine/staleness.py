"""Checked-in bindings against a fresh build: what differs, and making them equal.

The generated tree and the merged manifest are build outputs; teams check them in, so a
build tool's "update" copies them into the source tree and its check fails while they
differ. Every adapter does both through this module: `snakebridge sync` (the CLI, Bazel's
update and test targets) reads trees from disk, the Pants goal and lint pass the bytes
Pants read. Standard library only, Python 3.9-safe: the Pants plugin imports it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from pathlib import Path

UP_TO_DATE = "generated bindings and manifest are up to date"


def read_tree(root: Path) -> dict[str, bytes]:
    """Relative path → bytes of each file under `root` (following a runfiles tree's
    symlinks); empty when `root` is not a directory."""
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def stale(want: Mapping[str, bytes], have: Mapping[str, bytes], dest: str,
          manifest: bytes, manifest_have: bytes | None, manifest_dest: str) -> list[str]:
    """`path: missing | stale | extra` for each checked-in file under `dest` that differs
    from the build's, then the manifest's line when it differs (a missing one is empty)."""
    problems = []
    for name in sorted(want.keys() | have.keys()):
        state = ("missing" if name not in have else "extra" if name not in want
                 else "stale" if want[name] != have[name] else "")
        if state:
            problems.append(f"{posixpath.join(dest, name)}: {state}")
    if manifest != (manifest_have or b""):
        problems.append(f"{manifest_dest}: not manifest ∪ the calls the sources make")
    return problems


def stale_report(who: str, problems: list[str], fix: str = "") -> str:
    """What a check prints for stale bindings: `who` is `snakebridge` or a target."""
    lines = [f"{who}: the checked-in bindings are stale:", *(f"  {p}" for p in problems)]
    return "\n".join(lines + ([f"run: {fix}"] if fix else [])) + "\n"


def sync(files: Mapping[str, bytes], dest: Path, manifest: bytes, manifest_dest: Path,
         root: Path = Path()) -> list[str]:
    """Make `root/dest` hold exactly `files` and `root/manifest_dest` the manifest, all at
    once through the engine's writer (a kill leaves the old or the new pair); returns one
    line per file written or removed. Raises OutputError when the disk refuses."""
    from snakebridge_rules.engine.tree import write_tree

    report = write_tree(root / dest, dict(files), root / manifest_dest, manifest)
    done = [f"{'removed' if name in report.removed else 'wrote'} {dest / name}"
            for name in sorted(report.written + report.removed)]
    return done + ([f"wrote {manifest_dest}"] if report.manifest_changed else [])
