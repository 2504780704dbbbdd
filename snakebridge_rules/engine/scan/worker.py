"""The parse worker: a forked child of the pool that scans the files the pool sends it.

Parsing runs here, not in the caller, because the tree-sitter Elixir grammar can go
quadratic in time and memory on some inputs: the worker caps its own address space, and
the pool kills it on a timeout. Either way only this process dies, and the file that
caused it becomes an error entry. Protocol: one JSON request line per chunk of files
(a list of paths), one JSON reply line per file, in order.
"""

from __future__ import annotations

import hashlib
import json
import os
import traceback
from typing import Any, BinaryIO, NoReturn

from snakebridge_rules.engine.scan.extract import Extractor
from snakebridge_rules.engine.scan.source import (
    Finding,
    UnreadableSource,
    decode_errors,
    read_source,
)

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
    # tree-sitter aborts when malloc fails: no core file of the capped worker, please
    resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))


def _rows(findings: list[Finding]) -> list[list[Any]]:
    return [[f.line, f.column, f.text] for f in findings]


def _call_rows(findings: list[Finding]) -> list[list[Any]]:
    """Call rows also carry the call's literal keyword names (a list, often empty)."""
    return [[f.line, f.column, f.text, list(f.keywords)] for f in findings]


def scan_file(extractor: Extractor, path: str) -> dict[str, Any]:
    """Read, check and scan one file; every failure becomes an error row.

    A reply that depends only on the file's bytes carries their `digest`: the pool's
    caller may keep it in the scan cache (cache.py) under that digest.
    """
    try:
        source = read_source(path)
    except UnreadableSource as exc:
        return {"errors": [[1, 1, str(exc)]]}
    found = extractor.extract(source)
    return {"calls": _call_rows(found.calls), "warnings": _rows(found.warnings),
            "errors": _rows(decode_errors(source) + found.errors),
            "digest": hashlib.sha256(source).hexdigest()}


def serve(extractor: Extractor, requests: BinaryIO, replies: BinaryIO) -> None:
    for line in requests:
        for path in json.loads(line):
            try:
                reply = scan_file(extractor, path)
            except MemoryError:
                reply = {"errors": [[1, 1, "parser ran out of memory"]]}
            except Exception as exc:  # a scanner bug must cost one file, not the run
                reply = {"errors": [[1, 1, f"internal scanner error: "
                                           f"{type(exc).__name__}: {exc}"]]}
            replies.write(json.dumps(reply).encode() + b"\n")
            replies.flush()


def run_forked(extractor: Extractor, memory_mb: int, requests: int, replies: int,
               output: int, inherited: list[int]) -> NoReturn:
    """The body of a freshly forked worker: serve until the pool closes its pipe.

    It leaves by `os._exit` only, so the pool's buffers, atexit hooks and finalizers are
    never run twice; its stdout and stderr go to `output` (the pool's crash note).
    """
    status = 1
    try:
        for fd in inherited:
            os.close(fd)
        os.dup2(output, 1)
        os.dup2(output, 2)
        extractor.prepare()  # while the pool's caller is still reading files
        limit_memory(memory_mb)
        with os.fdopen(requests, "rb") as inbox, os.fdopen(replies, "wb") as outbox:
            serve(extractor, inbox, outbox)
        status = 0
    except BaseException:  # noqa: B036 - whatever happens, report it and leave by _exit
        os.write(2, traceback.format_exc().encode())
    finally:
        os._exit(status)
