"""The parse worker: a subprocess that scans the files the pool sends it, one at a time.

Parsing runs here, not in the caller, because the tree-sitter Elixir grammar can go
quadratic in time and memory on some inputs: the worker caps its own address space, and
the pool kills it on a timeout. Either way only this process dies, and the file that
caused it becomes an error entry. Protocol: one JSON request line per file on stdin
(`{"path": ...}`), one JSON response line on stdout.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from typing import Any, BinaryIO

from snakebridge_rules.engine.scan.extract import Extractor, FileFacts, Finding

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def limit_memory(budget_mb: int) -> None:
    """Cap the address space at what the worker maps now plus `budget_mb` for parsing."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return
    try:
        with open("/proc/self/statm") as handle:
            current = int(handle.read().split()[0]) * _PAGE
    except OSError:
        current = 0
    limit = current + budget_mb * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _rows(findings: list[Finding]) -> list[list[Any]]:
    return [[f.line, f.column, f.text] for f in findings]


def scan_file(extractor: Extractor, path: str) -> dict[str, Any]:
    """Read, check and scan one file; every failure becomes an error row."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO would block the worker
            return {"errors": [[1, 1, "cannot read file: not a regular file"]]}
        with open(path, "rb") as handle:
            source = handle.read()
    except OSError as exc:
        return {"errors": [[1, 1, f"cannot read file: {exc.strerror or exc}"]]}
    facts = FileFacts()
    try:
        source.decode("utf-8")
    except UnicodeDecodeError as exc:
        facts = FileFacts(errors=[_decode_error(source, exc)])
    found = extractor.extract(source)
    return {"calls": _rows(found.calls), "warnings": _rows(found.warnings),
            "errors": _rows(facts.errors + found.errors)}


def _decode_error(source: bytes, exc: UnicodeDecodeError) -> Finding:
    before = source[: exc.start]
    line = before.count(b"\n") + 1
    line_start = before.rfind(b"\n") + 1
    column = len(before[line_start:].decode("utf-8", "replace")) + 1
    return Finding(line, column, f"not valid UTF-8: unexpected byte 0x{source[exc.start]:02x} "
                                 "(Elixir source must be UTF-8)")


def serve(extractor: Extractor, requests: BinaryIO, replies: BinaryIO) -> None:
    for line in requests:
        path = json.loads(line)["path"]
        try:
            reply = scan_file(extractor, path)
        except MemoryError:
            reply = {"errors": [[1, 1, "parser ran out of memory"]]}
        except Exception as exc:  # a scanner bug must cost one file, not the run
            reply = {"errors": [[1, 1, f"internal scanner error: {type(exc).__name__}: {exc}"]]}
        replies.write(json.dumps(reply).encode() + b"\n")
        replies.flush()


def main(config: dict[str, Any]) -> None:
    import tree_sitter_elixir
    from tree_sitter import Language

    extractor = Extractor(Language(tree_sitter_elixir.language()), config["libraries"])
    limit_memory(int(config["memory_mb"]))
    sys.stdout.buffer.write(b"ready\n")
    sys.stdout.buffer.flush()
    serve(extractor, sys.stdin.buffer, sys.stdout.buffer)
