"""`snakebridge` command line: one subcommand per engine action.

Each subcommand lives in `snakebridge_rules.commands.<name>` and exposes
`add_arguments(parser)` and `run(args) -> int`; only the chosen one is imported, so
`snakebridge scan` never pays for griffe.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = {
    "scan": "Find the Python calls in Elixir sources (a symbol set).",
    "lock": "Resolve library constraints into a hashed lockfile (uv).",
    "env": "Build (once) the venv of a lockfile and print its interpreter.",
    "merge": "Manifest ∪ scan, normalized, split into one symbol set per library.",
    "introspect": "Describe the API surface of a symbol set in a Python environment.",
    "check": "Word introspection problems at the file:line of each call.",
    "render": "Write Elixir modules from API surfaces.",
    "sync": "Copy built bindings into the source tree, or --check that they are current.",
    "generate": "Scan, introspect and render in one step.",
    "promote": "Merge a runtime ledger of dynamic calls into a manifest.",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2, as argparse does
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; only `command`'s module is imported to add its arguments."""
    parser = _Parser(prog="snakebridge", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, summary in COMMANDS.items():
        subparser = sub.add_parser(name, help=summary, description=summary)
        if name == command:
            importlib.import_module(f"snakebridge_rules.commands.{name}").add_arguments(subparser)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = next((a for a in argv if not a.startswith("-")), None)
    args = build_parser(command).parse_args(argv)
    module = importlib.import_module(f"snakebridge_rules.commands.{args.command}")
    try:
        return module.run(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
