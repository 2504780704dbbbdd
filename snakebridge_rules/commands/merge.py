"""`snakebridge merge`: manifest ∪ scan, normalized, and one introspection input per library.

    snakebridge merge --symbols SYMBOLS [--manifest M] [--prune] -o MERGED
                      [--library SPEC --calls-out F]...

Writes MERGED (the manifest to check in) and, for the n-th `--library`, the n-th
`--calls-out`: a SymbolSet of that library's calls (empty when it has none), the only
input of its introspection. A missing manifest counts as empty. Bad input: exit 1 in
the JSON error protocol (engine/problems.py).
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--symbols", type=Path, required=True, metavar="F",
                        help="the SymbolSet written by `snakebridge scan --symbols-out`")
    parser.add_argument("--manifest", type=Path, metavar="F",
                        help="the checked-in manifest (missing: empty)")
    parser.add_argument("--prune", action="store_true",
                        help="ignore the manifest: bind only what the scan finds")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="MERGED",
                        help="where the merged manifest goes")
    parser.add_argument("--library", action="append", default=[], metavar="PYMOD[=Mod]",
                        help="a library whose calls go to the matching --calls-out")
    parser.add_argument("--calls-out", action="append", default=[], type=Path, metavar="F",
                        help="the SymbolSet of the matching --library's calls")


def run(args: argparse.Namespace) -> int:
    from snakebridge_rules.engine import artifacts
    from snakebridge_rules.engine.inputs import InputError, read_symbols
    from snakebridge_rules.engine.libraries import Library, LibrarySpecError
    from snakebridge_rules.engine.manifest import ManifestError, read_manifest, write_manifest
    from snakebridge_rules.engine.merge import merge, split
    from snakebridge_rules.engine.problems import Problem, report

    if len(args.library) != len(args.calls_out):
        return report("merge", [Problem(message=f"{len(args.library)} --library but "
                                        f"{len(args.calls_out)} --calls-out: give one each")])
    try:
        libraries = Library.parse_all(args.library)
        manifest = read_manifest(args.manifest) if args.manifest else []
        calls = merge(manifest, read_symbols(args.symbols), args.prune)
    except (LibrarySpecError, ManifestError, InputError) as exc:
        return report("merge", [Problem(message=str(exc))])
    write_manifest(args.output, calls)
    for owned, out in zip(split(calls, libraries).values(), args.calls_out):
        artifacts.write(out, artifacts.SymbolSet(calls=[str(c) for c in owned]))
    return 0
