"""Putting rendered files into the output directory (engine/tree.py: all or nothing).

The output directory belongs to the generator, but a file without our header (one a
user put there) stays; a generated `.ex` file no longer produced is removed.
"""

from __future__ import annotations

from pathlib import Path

from snakebridge_rules.engine.generate.modules import HEADER
from snakebridge_rules.engine.tree import OutputError, WriteReport, recover, write_tree

__all__ = ["OutputError", "WriteReport", "recover", "write_outputs"]


def _foreign(relative: str, path: Path) -> bool:
    """A file this generator did not write (its first line is not our header)."""
    if not relative.endswith(".ex") or path.is_symlink():
        return True
    try:
        with path.open("rb") as handle:
            return handle.readline().rstrip(b"\n") != HEADER.encode()
    except OSError:
        return True


def write_outputs(out_dir: Path, files: dict[str, bytes], manifest: Path | None = None,
                  manifest_data: bytes = b"") -> WriteReport:
    """Swap `files` (and the manifest) in; foreign files stay (see engine/tree.py)."""
    return write_tree(out_dir, files, manifest, manifest_data, keep=_foreign)
