"""`snakebridge promote LEDGER --manifest F`: bind the calls the runtime saw.

Dynamic calls (`apply/3`, names built at run time) escape every scan; the runtime
records them in a ledger, and this explicit step merges them into the manifest so the
next `generate` binds them. Ledger lines hold a call key as their first field.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ledger", type=Path, nargs="+", metavar="LEDGER",
                        help="ledger file(s) written by the runtime")
    parser.add_argument("--manifest", type=Path, required=True, metavar="F",
                        help="the accumulator manifest to extend")


def run(args: argparse.Namespace) -> int:
    from snakebridge_rules.engine.ledger import read_ledger
    from snakebridge_rules.engine.manifest import ManifestError, read_manifest, write_manifest

    try:
        calls = {entry.call for entry in read_manifest(args.manifest)}
        before = len(calls)
        for ledger in args.ledger:
            calls |= read_ledger(ledger)
    except (ManifestError, OSError, UnicodeDecodeError) as exc:
        print(f"snakebridge promote: {exc}", file=sys.stderr)
        return 1
    write_manifest(args.manifest, calls)
    print(f"{len(calls) - before} call(s) added to {args.manifest}", file=sys.stderr)
    return 0
