"""Reading the artifacts one step hands the next, with a one-line error when they are bad."""

from __future__ import annotations

from pathlib import Path

from snakebridge_rules.engine.calls import CallKey


class InputError(Exception):
    """An input file that is not what the step expects: the message names it."""


def read_symbols(path: Path) -> list[CallKey]:
    """The call keys of a SymbolSet, as written (not normalized)."""
    from google.protobuf.message import DecodeError

    from snakebridge_rules.engine.artifacts import SymbolSet, read

    try:
        symbols = read(path, SymbolSet)
    except (OSError, DecodeError) as exc:
        raise InputError(f"{path}: not a readable SymbolSet ({exc})") from None
    calls = []
    for index, key in enumerate(symbols.calls):
        try:
            calls.append(CallKey.parse(key))
        except ValueError as exc:
            raise InputError(f"{path}: call #{index + 1}: {exc}") from None
    return calls
