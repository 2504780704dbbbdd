"""`snakebridge scan`: the Python calls in Elixir sources, as a content-addressed symbol set.

JSON on stdout (`calls`, `errors`, `files`, `warnings`, sorted keys); each error and
warning also goes to stderr as `file:line:column: message`. Exit 0 when every file
parsed, 1 when any file had errors (the calls found elsewhere are still printed), 2 on a
usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from snakebridge_rules.engine.scan import ScanResult


def _positive(kind: Callable[[str], float]) -> Callable[[str], float]:
    """An argparse type: a positive int or float (bad values are usage errors, exit 2)."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
        return value

    return parse


def add_cache_argument(parser: argparse.ArgumentParser) -> None:
    """`--cache-dir`, shared with `generate`: results never depend on it (engine/scan/cache.py)."""
    parser.add_argument("--cache-dir", type=Path, metavar="DIR",
                        help="reuse per-file scan results stored in DIR (keyed by content, "
                             "library map and scanner version; created if missing)")


def add_parse_limits(parser: argparse.ArgumentParser) -> None:
    """The parse workers' limits, shared with `generate` (their errors name these)."""
    parser.add_argument("--parse-timeout", type=_positive(float), default=60.0,
                        metavar="SECONDS", help="wall-clock limit per file (default 60)")
    parser.add_argument("--parse-memory-mb", type=_positive(int), default=1024, metavar="MB",
                        help="memory a worker may use for parsing (default 1024)")


def parse_limits(args: argparse.Namespace):  # -> scan Limits (imported lazily)
    from snakebridge_rules.engine.scan import Limits

    return Limits(args.parse_timeout, args.parse_memory_mb)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--library", action="append", default=[], metavar="PYMOD[=Mod]",
                        help="bind Python module PYMOD to an Elixir module (default: each "
                             "dotted segment camelized, numpy -> Numpy); repeatable")
    parser.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                        help="skip files/directories whose path as printed, path inside "
                             "the PATH argument, or name matches GLOB; repeatable")
    parser.add_argument("--symbols-out", type=Path, metavar="F",
                        help="write the SymbolSet (sorted call keys) to F")
    parser.add_argument("--locations-out", type=Path, metavar="F",
                        help="write the SymbolLocations (file:line of calls, diagnostics) to F")
    parser.add_argument("--jobs", type=_positive(int), metavar="N",
                        help="parse worker processes (default: the CPUs available)")
    add_parse_limits(parser)
    add_cache_argument(parser)
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="Elixir files, or directories searched for .ex/.exs files")


def run(args: argparse.Namespace) -> int:
    from snakebridge_rules.engine.libraries import Library, LibrarySpecError
    from snakebridge_rules.engine.scan import (
        ScanPathError,
        WorkerStartError,
        scan_paths,
    )

    try:
        libraries = Library.parse_all(args.library)
        result = scan_paths(args.paths, libraries, args.exclude, jobs=args.jobs,
                            limits=parse_limits(args),
                            cache_dir=args.cache_dir)
    except (LibrarySpecError, ScanPathError) as exc:
        print(f"snakebridge scan: error: {exc}", file=sys.stderr)
        return 2
    except WorkerStartError as exc:
        print(f"snakebridge scan: error: {exc}", file=sys.stderr)
        return 1
    printed = sorted([(d, "error") for d in result.errors]
                     + [(d, "warning") for d in result.warnings])
    for d, kind in printed:  # one file:line:column order, errors and warnings mixed
        print(f"{d.file}:{d.line}:{d.column}: {kind}: {d.message}", file=sys.stderr)
    if not _write_outputs(args, result):
        return 1
    sys.stdout.buffer.write(result.to_json())
    sys.stdout.flush()
    return 0 if result.ok else 1


def _write_outputs(args: argparse.Namespace, result: ScanResult) -> bool:
    """Write --symbols-out/--locations-out; protobuf is imported only when one is asked for."""
    outputs = [(path, message) for path, message in ((args.symbols_out, result.symbol_set),
                                                     (args.locations_out,
                                                      result.symbol_locations))
               if path is not None]
    if not outputs:
        return True
    from snakebridge_rules.engine import artifacts

    for path, message in outputs:
        try:
            artifacts.write(path, message())
        except OSError as exc:
            print(f"{path}: cannot write: {exc.strerror or exc}", file=sys.stderr)
            return False
    return True
