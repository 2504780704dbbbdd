"""`snakebridge check`: introspection's problems at the file:line where each call is.

    snakebridge check --locations LOC [--manifest M] [--target LABEL]
                      [--stamp F] [--unused-out F] ERRORS...

ERRORS are `introspect --errors-out` files. Each problem is reported at every call site
of its call (scan locations; `Numpy.meen!(x)` is a site of `Numpy.meen/1`), else at the
manifest line, else at LABEL; so is every literal keyword name a call site passes that
its function's signature (also in ERRORS) refuses (engine/keywords.py). Exit 1 in the
JSON error protocol. With no problem it writes `--stamp` and lists in `--unused-out`
the inputs that only word messages: M, and LOC when no signature could refuse a keyword
(a build tool such as Bazel may then skip this step when only they change).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from snakebridge_rules._pb.snakebridge.v1.symbols_pb2 import SymbolLocation
    from snakebridge_rules.engine.keywords import Signature
    from snakebridge_rules.engine.manifest import Entry
    from snakebridge_rules.engine.problems import Problem


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--locations", type=Path, required=True, metavar="F",
                        help="SymbolLocations from `snakebridge scan --locations-out`")
    parser.add_argument("--manifest", type=Path, metavar="F",
                        help="the checked-in manifest (its lines place manifest-only calls)")
    parser.add_argument("--target", default="", metavar="LABEL",
                        help="where problems about no call are reported (a build target)")
    parser.add_argument("--stamp", type=Path, metavar="F", help="written when all is well")
    parser.add_argument("--unused-out", type=Path, metavar="F",
                        help="on success, the inputs that did not matter, one per line")
    parser.add_argument("errors", nargs="*", type=Path, metavar="ERRORS",
                        help="errors files written by `snakebridge introspect --errors-out`")


def run(args: argparse.Namespace) -> int:
    from snakebridge_rules.engine.files import write_atomic
    from snakebridge_rules.engine.keywords import read_signatures
    from snakebridge_rules.engine.problems import Problem, read_errors, report

    try:
        texts = [path.read_text("utf-8") for path in args.errors]
        problems = [p for text in texts for p in read_errors(text)]
        known = {key: s for text in texts for key, s in read_signatures(text).items()}
    except (OSError, ValueError) as exc:
        return report("check", [Problem(message=f"cannot read an errors file: {exc}")])
    if (problems or known) and (placed := _placed(args, problems, known)):
        return report("check", placed)
    if args.unused_out:
        unused = ([] if known else [args.locations]) + ([args.manifest] if args.manifest else [])
        write_atomic(args.unused_out, "".join(f"{p}\n" for p in unused).encode())
    if args.stamp:
        write_atomic(args.stamp, b"ok\n")
    return 0


def _placed(args: argparse.Namespace, problems: list[Problem],
            known: dict[str, Signature]) -> list[Problem]:
    """The problems at their call sites, and those of the sites' keyword names."""
    from snakebridge_rules.engine.check import check
    from snakebridge_rules.engine.problems import Problem  # noqa: F811 (run time)

    try:
        sites, manifest = _wording_inputs(args)
    except (OSError, ValueError) as exc:
        return [Problem(message=str(exc)), *problems]
    return check(problems, sites, manifest, known, args.target)


def _wording_inputs(args: argparse.Namespace) -> tuple[list[SymbolLocation], list[Entry]]:
    """The scan's call sites and the manifest's lines (ValueError when unreadable)."""
    from google.protobuf.message import DecodeError

    from snakebridge_rules.engine.artifacts import SymbolLocations, read
    from snakebridge_rules.engine.manifest import ManifestError, read_manifest

    try:
        sites = list(read(args.locations, SymbolLocations).locations)
        return sites, read_manifest(args.manifest) if args.manifest else []
    except (DecodeError, ManifestError) as exc:
        raise ValueError(str(exc)) from None
