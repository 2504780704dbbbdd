"""Which files a scan reads: PATH arguments, recursion into directories, --exclude."""

from __future__ import annotations

import fnmatch
import os
from typing import Iterable

SOURCE_SUFFIXES = (".ex", ".exs")


class ScanPathError(ValueError):
    """A PATH argument that does not exist (a usage error: exit 2)."""


def _excluded(display: str, relative: str, patterns: tuple[str, ...]) -> bool:
    """A glob matches the path as printed, the path inside its PATH argument, or the name."""
    name = display.rpartition("/")[2]
    return any(fnmatch.fnmatchcase(candidate, pattern) for pattern in patterns
               for candidate in (display, relative, name))


def _join(base: str, relative: str) -> str:
    return relative if base in (".", "./") else f"{base.rstrip('/')}/{relative}"


def _walk(root: str, patterns: tuple[str, ...]) -> Iterable[str]:
    """The sources under `root`; a directory that cannot be listed is yielded itself,
    so that reading it becomes that directory's error entry (never a silent skip)."""
    unreadable: list[str] = []
    yield from _walk_listed(root, patterns, unreadable.append)
    for directory in unreadable:
        relative = os.path.relpath(directory, root).replace(os.sep, "/")
        yield _join(root, relative) if relative != "." else root


def _walk_listed(root: str, patterns: tuple[str, ...], unreadable) -> Iterable[str]:
    def failed(error: OSError) -> None:
        unreadable(error.filename or root)

    for current, dirs, files in os.walk(root, onerror=failed):
        rel_dir = os.path.relpath(current, root).replace(os.sep, "/")
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        dirs[:] = sorted(d for d in dirs if not _excluded(
            _join(root, rel_dir + d), rel_dir + d, patterns))
        for name in sorted(files):
            relative = rel_dir + name
            display = _join(root, relative)
            if name.endswith(SOURCE_SUFFIXES) and not _excluded(display, relative, patterns):
                yield display


def collect_files(paths: Iterable[str], excludes: Iterable[str] = ()) -> list[str]:
    """Source files to scan, as printed: sorted, unique, relative paths kept relative.

    A file named explicitly is scanned whatever its suffix (unless excluded); a
    directory contributes its `.ex`/`.exs` files, recursively, symlinked dirs not followed.
    """
    patterns = tuple(excludes)
    found: dict[str, str] = {}
    for raw in paths:
        path = raw.replace(os.sep, "/") if os.sep != "/" else raw
        if os.path.isdir(path):
            for display in _walk(path, patterns):
                found.setdefault(os.path.normpath(display), display)
        elif os.path.exists(path) or os.path.islink(path):
            if not _excluded(path, path, patterns):
                found.setdefault(os.path.normpath(path), path)
        else:
            raise ScanPathError(f"{raw}: no such file or directory")
    return sorted(found.values())
