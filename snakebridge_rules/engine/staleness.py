"""Checked-in bindings against a fresh build: what differs, and making them equal.

The generated tree and the merged manifest are build outputs; teams check them in, so a
build tool's "update" target copies them into the source tree and its test fails while
they differ. Both are this one comparison.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from snakebridge_rules.engine.files import write_atomic


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
    """Make `dest` hold exactly the generated files and write the manifest; returns
    one line per file written or removed."""
    wanted = _tree(tree)
    done = []
    for name, state in list(differences(tree, dest)):
        if state == "extra":
            (dest / name).unlink()
        else:
            write_atomic(dest / name, wanted[name].read_bytes())
        done.append(f"{'removed' if state == 'extra' else 'wrote'} {dest / name}")
    if write_atomic(manifest_dest, manifest.read_bytes()):
        done.append(f"wrote {manifest_dest}")
    return done
