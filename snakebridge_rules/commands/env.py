"""`snakebridge env`: build (once) the venv of a lockfile and print its interpreter."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from snakebridge_rules.engine.resolve import ResolveError, default_cache_dir, environment


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("lockfile", type=Path, metavar="LOCKFILE")
    parser.add_argument("--cache-dir", type=Path, metavar="D",
                        help="where venvs live (default $SNAKEBRIDGE_CACHE or "
                        "~/.cache/snakebridge)")
    parser.add_argument("--python", metavar="PY",
                        help="base interpreter (default: the lock's Python version)")


def run(args: argparse.Namespace) -> int:
    try:
        interpreter = environment(args.lockfile, args.cache_dir or default_cache_dir(),
                                  args.python)
    except ResolveError as exc:
        print(f"snakebridge env: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # the lockfile or the cache dir: name which, and why
        print(f"snakebridge env: {exc.filename or args.lockfile}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1
    print(interpreter)
    return 0
