"""`snakebridge introspect`: the API surface of one library's calls, in an environment."""

from __future__ import annotations

import argparse
from pathlib import Path

from snakebridge_rules.engine.inputs import InputError, read_symbols
from snakebridge_rules.engine.libraries import Library, LibrarySpecError
from snakebridge_rules.engine.merge import bindings
from snakebridge_rules.engine.problems import Problem, errors_json, report


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
    parser.add_argument("--errors-out", type=Path, metavar="F",
                        help="write problems about calls (unknown symbol, bad arity) to F "
                             "and an empty SURFACE, and exit 0: facts about the inputs that "
                             "a build tool may cache; `snakebridge check` words them")
    parser.add_argument("--missing-fix", metavar="TEXT",
                        help="how to add a module missing from the environment, worded for "
                             "whoever runs the engine (default: the `snakebridge lock` "
                             "advice)")
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


def run(args: argparse.Namespace) -> int:
    from snakebridge_rules.engine import artifacts
    from snakebridge_rules.engine.introspect import ProbeError, introspect
    from snakebridge_rules.engine.keywords import signatures, signatures_json
    from snakebridge_rules.engine.manifest import ManifestError, read_manifest

    try:
        library = Library.parse(args.library)
        calls = read_symbols(args.symbols) if args.symbols else []
        if args.manifest:
            calls += [entry.call for entry in read_manifest(args.manifest)]
    except (LibrarySpecError, InputError, ManifestError, OSError) as exc:
        return report("introspect", [Problem(message=str(exc))])
    wanted = sorted(c for c in bindings(calls) if library.owns(c.module))
    if not wanted and not args.all:  # nothing to describe: no probe, an empty surface
        return _succeed(args, artifacts.ApiSurface(), errors_json([]))
    try:
        surface, errors = introspect(library, args.python, wanted, eager=args.all,
                                     limits=probe_limits(args), missing_fix=args.missing_fix)
    except ProbeError as exc:
        return report("introspect", [Problem(message=str(exc))])
    problems = [Problem(call=e.call, message=e.message) for e in errors]
    if problems and not (args.errors_out and all(p.call for p in problems)):
        return report("introspect", problems)
    # the calls' problems, and what check tests call sites' keyword names against
    facts = errors_json(problems, signatures=signatures_json(signatures(surface)))
    return _succeed(args, artifacts.ApiSurface() if problems else surface, facts)


def _succeed(args: argparse.Namespace, surface: object, errors: bytes) -> int:
    """Write the surface, and with `--errors-out` the errors document `errors`."""
    from snakebridge_rules.engine import artifacts
    from snakebridge_rules.engine.files import write_atomic

    artifacts.write(args.output, surface)
    if args.errors_out:
        write_atomic(args.errors_out, errors)
    return 0
