"""Checked-in bindings against a fresh build: what differs, and making them equal.

The generated tree and the merged manifest are build outputs; teams check them in, so a
build tool's "update" target copies them into the source tree and its test fails while
they differ. Both are this one comparison.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path


def _tree(root: Path) -> dict[str, Path]:
    """Relative path → file under `root` (following the symlinks of a runfiles tree)."""
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


def differences(tree: Path, dest: Path) -> Iterator[tuple[str, str]]:
    """(relative path, 'missing' | 'stale' | 'extra') for every file that differs."""
    want, have = _tree(tree), _tree(dest)
    for name in sorted(want.keys() | have.keys()):
        if name not in have:
            yield name, "missing"
        elif name not in want:
            yield name, "extra"
        elif want[name].read_bytes() != have[name].read_bytes():
            yield name, "stale"


def stale(tree: Path, dest: Path, manifest: Path, manifest_dest: Path) -> list[str]:
    """`path: state` for each checked-in file that differs from the build's."""
    problems = [f"{dest / name}: {state}" for name, state in differences(tree, dest)]
    have = manifest_dest.read_bytes() if manifest_dest.is_file() else b""
    if manifest.read_bytes() != have:
        problems.append(f"{manifest_dest}: not manifest ∪ the calls the sources make")
    return problems


def sync(tree: Path, dest: Path, manifest: Path, manifest_dest: Path) -> list[str]:
    """Make `dest` hold exactly the generated files and `manifest_dest` the manifest, all
    at once through the engine's writer (a kill leaves the old or the new pair); returns
    one line per file written or removed. Raises OutputError when the disk refuses."""
    from snakebridge_rules.engine.tree import write_tree

    files = {name: path.read_bytes() for name, path in _tree(tree).items()}
    report = write_tree(dest, files, manifest_dest, manifest.read_bytes())
    done = [f"{'removed' if name in report.removed else 'wrote'} {dest / name}"
            for name in sorted(report.written + report.removed)]
    return done + ([f"wrote {manifest_dest}"] if report.manifest_changed else [])
