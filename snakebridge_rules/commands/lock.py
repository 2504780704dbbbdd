"""`snakebridge lock`: resolve library constraints into a hashed lockfile with uv."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from snakebridge_rules.engine.resolve import ResolveError, default_python_version, write_lock


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("requirements", nargs="+", metavar="REQUIREMENT",
                        help="PEP 508 requirements, e.g. 'numpy~=2.0'")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    parser.add_argument("--python-version", default=default_python_version(), metavar="X.Y",
                        help="Python version the lock targets (default: the engine's)")
    parser.add_argument("--index-url", metavar="URL",
                        help="package index (default: PyPI); no pip/uv config is read")


def run(args: argparse.Namespace) -> int:
    try:
        write_lock(args.output, args.requirements, args.python_version, args.index_url)
    except (ResolveError, OSError) as exc:
        print(f"snakebridge lock: {exc}", file=sys.stderr)
        return 1
    return 0
