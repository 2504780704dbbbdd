"""The scan cache: one file's scan reply, reused when nothing it depends on changed.

A reply (calls, warnings, errors at line:column) is a function of the file's bytes, the
bound Elixir modules and the scanner itself, so an entry is keyed by exactly those: the
SHA-256 of the content, the sorted module names, and a digest of the scanner's code and
parser versions. The path is not in the key (`scan_paths` adds it), so a moved or copied
file is a hit too. Replies that depend on anything else (a timeout, a crashed worker,
an unreadable file) are never stored.

The cache cannot change a result: an entry carries a checksum of its text and its key,
and anything that does not verify (truncated, edited, another version's) is a miss that
the scan then overwrites. Entries are written to a temporary file and renamed into
place, so concurrent scans sharing a directory (a Pants named cache, CI runners) see a
whole entry or none. Nothing is ever deleted: remove the directory to reclaim space.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

_LAYOUT = "scan-v2"  # bump when the entry format changes
_PARSER_PACKAGES = ("tree_sitter", "tree_sitter_elixir")
_KINDS = ("calls", "warnings", "errors")

Reply = dict[str, Any]


def _package_files(name: str) -> list[Path]:
    """The files of an installed package's directory (its binary extension included)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return []
    return sorted(p for d in spec.submodule_search_locations for p in Path(d).iterdir()
                  if p.is_file())


@lru_cache(maxsize=1)
def scanner_version() -> str | None:
    """A digest of the scanner's code and the parser's files; None when they are unknown.

    Any change to a module of this package, to tree-sitter or to the grammar changes it,
    so entries written by another version are never read. (Hashing the ~4 MB of parser
    files takes a few ms, less than importing importlib.metadata to read versions.)
    """
    digest = hashlib.sha256(_LAYOUT.encode())
    for name in (__package__, *_PARSER_PACKAGES):
        files = _package_files(name)
        if not files:  # not installed, or imported from an archive: cannot be digested
            return None
        for path in files:
            digest.update(f"\0{name}/{path.name}\0".encode() + path.read_bytes())
    return digest.hexdigest()


def _valid_row(row: Any, kind: str) -> bool:
    """[line, column, text], and for a call also its keyword names (a list of str)."""
    if not isinstance(row, list) or len(row) != (4 if kind == "calls" else 3):
        return False
    keywords = row[3] if kind == "calls" else []
    return (type(row[0]) is int and type(row[1]) is int and isinstance(row[2], str)
            and isinstance(keywords, list) and all(isinstance(k, str) for k in keywords))


def _valid(reply: Any) -> bool:
    return isinstance(reply, dict) and set(reply) <= set(_KINDS) and all(
        isinstance(rows, list) and all(_valid_row(row, kind) for row in rows)
        for kind, rows in reply.items())


class ScanCache:
    """Entries under `root/scan-v1/`, for one set of bound modules."""

    def __init__(self, root: Path, library_modules: list[str]) -> None:
        self.directory = Path(root) / _LAYOUT
        version = scanner_version()
        self.salt = None if version is None else (
            f"{version}\0{chr(10).join(sorted(library_modules))}\0".encode())

    def _path(self, content_digest: str) -> tuple[str, Path] | None:
        if self.salt is None:  # unknown scanner version: never read, never write
            return None
        key = hashlib.sha256(self.salt + content_digest.encode()).hexdigest()
        return key, self.directory / key[:2] / key

    def get(self, content_digest: str) -> Reply | None:
        """The stored reply for a file with this content digest, or None (a miss)."""
        where = self._path(content_digest)
        if where is None:
            return None
        key, path = where
        try:
            checksum, _, payload = path.read_bytes().partition(b"\n")
            if hashlib.sha256(payload).hexdigest().encode() != checksum:
                return None
            entry = json.loads(payload)
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        reply = entry.get("reply")
        return reply if _valid(reply) else None

    def put(self, content_digest: str, reply: Reply) -> None:
        """Store a reply; a cache that cannot be written is only a slower scan."""
        where = self._path(content_digest)
        if where is None or not _valid(reply):
            return
        key, path = where
        payload = json.dumps({"key": key, "reply": reply}, sort_keys=True).encode()
        data = hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(temporary, path)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            pass
