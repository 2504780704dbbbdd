"""The scan action: Elixir sources + library map → the calls into those libraries.

`scan_paths` is the API that `snakebridge scan`, `snakebridge generate` and the build
adapters share. Only files that name a bound module are parsed (source.py), in bounded
worker subprocesses (pool.py), unless the scan cache has their reply (cache.py); results
are sorted so that the output depends only on the files' bytes and the arguments.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from snakebridge_rules.engine.libraries import Library
from snakebridge_rules.engine.scan.cache import ScanCache
from snakebridge_rules.engine.scan.paths import SOURCE_SUFFIXES, ScanPathError, collect_files
from snakebridge_rules.engine.scan.pool import DEFAULT_LIMITS, Limits, WorkerStartError
from snakebridge_rules.engine.scan.triage import Counts, scan_files

__all__ = ["CallSite", "Counts", "Diagnostic", "Limits", "SOURCE_SUFFIXES", "ScanPathError",
           "ScanResult", "WorkerStartError", "collect_files", "default_jobs", "scan_paths"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """An error or warning at file:line:column (1-based; columns count characters)."""

    file: str
    line: int
    column: int
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column,
                "message": self.message}

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


@dataclass(frozen=True, order=True)
class CallSite:
    """Where one call (`Numpy.mean/1`) was seen, and the names of its literal trailing
    keyword list (`Numpy.mean(x, axis: 0)`: `("axis",)`): for checking and wording
    errors, never a key."""

    file: str
    line: int
    column: int
    call: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScanResult:
    calls: tuple[str, ...]  # sorted, unique call keys
    locations: tuple[CallSite, ...]
    errors: tuple[Diagnostic, ...]
    warnings: tuple[Diagnostic, ...]
    files: int
    counts: Counts = field(default=Counts(), compare=False)  # how, not what: not output

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> bytes:
        """The stdout document of `snakebridge scan`: sorted keys, ASCII, one trailing \\n."""
        document = {"calls": list(self.calls), "files": self.files,
                    "errors": [d.as_json() for d in self.errors],
                    "warnings": [d.as_json() for d in self.warnings]}
        return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode("ascii")

    def symbol_set(self) -> Any:
        from snakebridge_rules.engine.artifacts import SymbolSet

        return SymbolSet(calls=list(self.calls))

    def symbol_locations(self) -> Any:
        from snakebridge_rules._pb.snakebridge.v1 import symbols_pb2 as pb

        return pb.SymbolLocations(
            locations=[pb.SymbolLocation(call=s.call, file=s.file, line=s.line,
                                         column=s.column, keywords=s.keywords)
                       for s in self.locations],
            diagnostics=[pb.Diagnostic(severity=severity, file=d.file, line=d.line,
                                       column=d.column, message=d.message)
                         for severity, items in ((pb.Diagnostic.ERROR, self.errors),
                                                 (pb.Diagnostic.WARNING, self.warnings))
                         for d in items])


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def scan_paths(paths: Iterable[str], libraries: Sequence[Library],
               excludes: Iterable[str] = (), *, jobs: int | None = None,
               limits: Limits = DEFAULT_LIMITS, cache_dir: Path | None = None) -> ScanResult:
    """Scan files and directories; with `cache_dir`, reuse and store per-file replies.

    Raises ScanPathError for a missing PATH, WorkerStartError when no parse worker starts.
    """
    files = collect_files(paths, excludes)
    modules = sorted({lib.elixir_module for lib in libraries})
    cache = ScanCache(cache_dir, modules) if cache_dir is not None else None
    replies, counts = scan_files(files, modules, jobs or default_jobs(), limits, cache)
    sites: set[CallSite] = set()
    errors: set[Diagnostic] = set()
    warnings: set[Diagnostic] = set()
    for path in files:
        reply = replies[path]
        sites.update(CallSite(path, line, col, call, tuple(keywords))
                     for line, col, call, keywords in reply.get("calls", []))
        errors.update(Diagnostic(path, *row) for row in reply.get("errors", []))
        warnings.update(Diagnostic(path, *row) for row in reply.get("warnings", []))
    return ScanResult(calls=tuple(sorted({s.call for s in sites})),
                      locations=tuple(sorted(sites, key=lambda s: (s.call, s.file, s.line,
                                                                    s.column))),
                      errors=tuple(sorted(errors)), warnings=tuple(sorted(warnings)),
                      files=len(files), counts=counts)
