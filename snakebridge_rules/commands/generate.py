"""`snakebridge generate`: scan, introspect and render in one process (issue 3)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from snakebridge_rules.commands.introspect import add_probe_arguments, probe_limits
from snakebridge_rules.commands.scan import add_cache_argument, add_parse_limits, parse_limits


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--library", action="append", required=True, metavar="PYMOD[=Mod]",
                        help="a Python module and the Elixir module bound to it (repeatable)")
    parser.add_argument("--python", required=True, metavar="PY",
                        help="interpreter of an environment that has the libraries")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="directory that receives only the generated .ex files")
    parser.add_argument("--manifest", type=Path, metavar="FILE",
                        help="accumulator manifest: its calls are bound too; rewritten as "
                             "manifest ∪ scan")
    parser.add_argument("--all", action="store_true",
                        help="bind every public symbol of the libraries (eager mode)")
    add_cache_argument(parser)
    add_parse_limits(parser)
    add_probe_arguments(parser)
    parser.add_argument("paths", nargs="*", metavar="PATH", help="Elixir sources to scan")


def run(args: argparse.Namespace) -> int:
    from snakebridge_rules.engine.generate import OutputError
    from snakebridge_rules.engine.generate.pipeline import GenerationFailed, Request, generate
    from snakebridge_rules.engine.libraries import Library, LibrarySpecError
    from snakebridge_rules.engine.manifest import ManifestError
    from snakebridge_rules.engine.problems import Problem, report
    from snakebridge_rules.engine.scan import ScanPathError

    try:
        libraries = Library.parse_all(args.library)
    except LibrarySpecError as exc:
        print(f"snakebridge generate: {exc}", file=sys.stderr)
        return 2
    request = Request(libraries, args.python, args.out, args.manifest, args.all, args.paths,
                      args.cache_dir, probe_limits(args), parse_limits(args))
    try:
        outcome = generate(request)
    except (GenerationFailed, ManifestError, ScanPathError) as exc:
        failed = isinstance(exc, GenerationFailed)
        report("generate", exc.problems if failed else [Problem(message=str(exc))])
        print("snakebridge generate: nothing was written", file=sys.stderr)
        return 1
    except OutputError as exc:
        print(f"snakebridge generate: {exc}", file=sys.stderr)
        return 1
    for warning in outcome.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    written = outcome.report
    print(f"snakebridge generate: {args.out}: {len(written.written)} written, "
          f"{len(written.unchanged)} unchanged, {len(written.removed)} removed"
          + (f"; {args.manifest} updated" if outcome.manifest_changed else ""), file=sys.stderr)
    return 0
