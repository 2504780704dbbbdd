"""`[snakebridge]` options: where the engine comes from."""

from __future__ import annotations

from pants.option.option_types import IntOption, SkipOption, StrOption
from pants.option.subsystem import Subsystem
from pants.util.strutil import help_text


class SnakebridgeSubsystem(Subsystem):
    options_scope = "snakebridge"
    name = "snakebridge"  # the linter name `pants lint` reports
    help = "Lazy Elixir bindings for Python libraries (the `elixir_bindings` target)."

    engine = StrOption(
        default=None,
        help=help_text("""
            Address of the target whose transitive closure provides the `snakebridge`
            engine (module `snakebridge_rules.cli`): a `python_requirement` on the
            `snakebridge` distribution in a resolve of its own (CPython 3.11), e.g.
            `3rdparty/python:snakebridge` (docs/pants.md). Required: there is no default,
            since no address exists in every repository.
        """),
    )
    skip = SkipOption("lint")
    timeout = IntOption(
        default=600,
        help="Seconds before one scan, introspect or render process is killed.",
    )
