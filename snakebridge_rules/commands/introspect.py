"""`snakebridge introspect`: the API surface of one library's calls, in an environment."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from snakebridge_rules.engine.calls import CallKey, binding_of
from snakebridge_rules.engine.libraries import Library, LibrarySpecError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--library", required=True, metavar="PYMOD[=Mod]",
                        help="the Python module and the Elixir module it is bound to")
    parser.add_argument("--python", required=True, metavar="PY",
                        help="interpreter of an environment that has the library")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--symbols", type=Path, metavar="F", help="a SymbolSet (from scan)")
    source.add_argument("--all", action="store_true",
                        help="every public symbol of the library (eager mode)")
    parser.add_argument("--manifest", type=Path, metavar="F",
                        help="an accumulator manifest whose calls are described too")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="SURFACE")
    add_probe_arguments(parser)


def add_probe_arguments(parser: argparse.ArgumentParser) -> None:
    """The probe's limits and sandbox switch (shared with `generate`)."""
    parser.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS",
                        help="wall-clock limit of the sandboxed probe (default 120)")
    parser.add_argument("--memory-mb", type=int, default=4096, metavar="MIB",
                        help="address-space limit of the probe (default 4096)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="import the library without the bubblewrap sandbox (only "
                             "where namespaces are unavailable: the library's code then "
                             "runs with the caller's rights)")


def probe_limits(args: argparse.Namespace):  # -> Limits (imported lazily: fast --help)
    from snakebridge_rules.engine.introspect import Limits

    return Limits(timeout_seconds=args.timeout, memory_bytes=args.memory_mb << 20,
                  cpu_seconds=max(1, int(args.timeout)), sandbox=not args.no_sandbox)


class InputError(Exception):
    """Bad input named by file (and line): exit 1 with the message."""


def read_symbols(path: Path) -> list[CallKey]:
    from google.protobuf.message import DecodeError

    from snakebridge_rules.engine.artifacts import SymbolSet, read

    try:
        symbols = read(path, SymbolSet)
    except DecodeError as exc:
        raise InputError(f"{path}: not a SymbolSet ({exc})") from None
    calls = []
    for index, key in enumerate(symbols.calls):
        try:
            calls.append(binding_of(CallKey.parse(key)))
        except ValueError as exc:
            raise InputError(f"{path}: call #{index + 1}: {exc}") from None
    return sorted(set(calls) - {None})


def run(args: argparse.Namespace) -> int:
    from snakebridge_rules.engine import artifacts
    from snakebridge_rules.engine.introspect import ProbeError, introspect
    from snakebridge_rules.engine.manifest import ManifestError, read_manifest

    try:
        library = Library.parse(args.library)
        calls = read_symbols(args.symbols) if args.symbols else []
        if args.manifest:
            manifest = read_manifest(args.manifest)
            calls += [b for b in (binding_of(entry.call) for entry in manifest) if b]
    except (LibrarySpecError, InputError, ManifestError, OSError) as exc:
        print(f"snakebridge introspect: {exc}", file=sys.stderr)
        return 1
    try:
        surface, errors = introspect(library, args.python, calls, eager=args.all,
                                     limits=probe_limits(args))
    except ProbeError as exc:
        return report_errors([{"call": "", "message": str(exc)}])
    if errors:
        return report_errors([e.as_json() for e in errors])
    artifacts.write(args.output, surface)
    return 0


def report_errors(errors: list[dict[str, str]]) -> int:
    """The contract's failure form: JSON on stdout, one line per error on stderr, exit 1."""
    print(json.dumps({"errors": errors}, ensure_ascii=False, sort_keys=True))
    for error in errors:
        prefix = f"{error['call']}: " if error["call"] else ""
        print(f"snakebridge introspect: {prefix}{error['message']}", file=sys.stderr)
    return 1
