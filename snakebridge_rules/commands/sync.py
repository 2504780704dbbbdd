"""`snakebridge sync`: copy a built tree and manifest into the source tree, or `--check`.

    snakebridge sync --tree T --manifest M --dest D --manifest-dest MD [--check --fix CMD]

Without `--check`, D ends up holding exactly T's files and MD equals M. With `--check`,
nothing is written: exit 1 listing what is stale and the command (CMD) that fixes it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tree", type=Path, required=True, metavar="T",
                        help="the generated files, as built")
    parser.add_argument("--manifest", type=Path, required=True, metavar="M",
                        help="the merged manifest, as built")
    parser.add_argument("--dest", type=Path, required=True, metavar="D",
                        help="the checked-in generated directory")
    parser.add_argument("--manifest-dest", type=Path, required=True, metavar="MD",
                        help="the checked-in manifest")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    parser.add_argument("--fix", default="", metavar="CMD", help="named when stale")


def run(args: argparse.Namespace) -> int:
    from snakebridge_rules.engine.staleness import UP_TO_DATE, read_tree, stale, stale_report, sync
    from snakebridge_rules.engine.tree import OutputError

    files, manifest = read_tree(args.tree), args.manifest.read_bytes()
    if not args.check:
        try:
            done = sync(files, args.dest, manifest, args.manifest_dest)
        except OutputError as exc:
            print(f"snakebridge sync: {exc}", file=sys.stderr)
            return 1
        for line in done or [UP_TO_DATE]:
            print(f"snakebridge: {line}")
        return 0
    have = args.manifest_dest.read_bytes() if args.manifest_dest.is_file() else None
    problems = stale(files, read_tree(args.dest), str(args.dest), manifest, have,
                     str(args.manifest_dest))
    if not problems:
        print(f"snakebridge: {UP_TO_DATE}")
        return 0
    print(stale_report("snakebridge", problems, args.fix), end="")
    return 1
