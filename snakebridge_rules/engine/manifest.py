"""The accumulator manifest: a checked-in text file of every call key ever bound.

Format (CONTRACTS.md): `#` comment lines, then one `Module.fun/arity` per line, sorted
by Python's string order, unique, `\\n` endings. It only grows: generation rewrites it
as manifest ∪ scan, and `promote` merges runtime ledgers of dynamic calls into it, so
a call that no scan can see keeps its binding. Each key keeps the line it was read
from, so errors about a manifest-only call can name `manifest:line`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from snakebridge_rules.engine.calls import CallKey
from snakebridge_rules.engine.files import write_atomic

HEADER = (
    "# snakebridge manifest: every Python call bound for this target, one per line, sorted.\n"
    "# It only grows. Updated by `snakebridge generate --manifest` and `snakebridge promote`;\n"
    "# remove a line by hand (then regenerate) to drop a binding.\n"
)


class ManifestError(ValueError):
    """A malformed manifest or ledger line: the message is `file:line: problem`."""


@dataclass(frozen=True)
class Entry:
    """A call key and where it was read (for messages that point into the file)."""

    call: CallKey
    file: str
    line: int


def parse_lines(path: Path, text: str, first_field_only: bool = False) -> list[Entry]:
    """Call keys of a manifest (or ledger) text; `#` comments and blank lines skipped.

    `first_field_only` accepts ledger lines that carry more whitespace-separated
    fields after the key (the key is the first field).
    """
    entries = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        token = line.split()[0] if first_field_only else line
        try:
            entries.append(Entry(CallKey.parse(token), str(path), number))
        except ValueError as exc:
            raise ManifestError(f"{path}:{number}: {exc}") from None
    return entries


def read_manifest(path: Path) -> list[Entry]:
    """The entries of `path`; a manifest that does not exist yet is empty."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: cannot read the manifest ({exc})") from None
    return parse_lines(path, text)


def render_manifest(calls: Iterable[CallKey]) -> bytes:
    keys = sorted({str(call) for call in calls})
    return (HEADER + "".join(f"{key}\n" for key in keys)).encode()


def write_manifest(path: Path, calls: Iterable[CallKey]) -> bool:
    """Rewrite `path` with `calls` (sorted, unique); untouched when the bytes are equal."""
    return write_atomic(path, render_manifest(calls))
