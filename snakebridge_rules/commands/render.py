"""`snakebridge render --out DIR SURFACE...`: Elixir modules from API surfaces."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="directory that receives the generated .ex files")
    parser.add_argument("surfaces", nargs="+", type=Path, metavar="SURFACE",
                        help="ApiSurface files written by `snakebridge introspect`")


def run(args: argparse.Namespace) -> int:
    from google.protobuf.message import DecodeError

    from snakebridge_rules.engine.artifacts import ApiSurface, read
    from snakebridge_rules.engine.generate import (
        GenerateError,
        OutputError,
        render_surfaces,
        write_outputs,
    )

    surfaces = []
    for path in args.surfaces:
        try:
            surfaces.append(read(path, ApiSurface))
        except (OSError, DecodeError) as exc:
            print(f"{path}: not a readable ApiSurface ({exc})", file=sys.stderr)
            return 1
    try:
        write_outputs(args.out, render_surfaces(surfaces))
    except (GenerateError, OutputError) as exc:
        print(f"snakebridge render: {exc}", file=sys.stderr)
        return 1
    return 0
