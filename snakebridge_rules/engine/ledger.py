"""The runtime's ledger of dynamic calls, as `snakebridge promote` reads it.

The Elixir runtime (runtime/lib/snake_bridge/ledger.ex) appends one call key per line
(`Numpy.mean/1`: Elixir module, function, arity — the manifest's keys), `\\n`-ended,
each key once per VM in first-seen order. Several VMs may append to one file, so the
reader deduplicates; `#` comments and blank lines are allowed so a ledger can be
edited by hand before promotion. The syntax is the manifest's, parsed by the same code.
"""

from __future__ import annotations

from pathlib import Path

from snakebridge_rules.engine.calls import CallKey
from snakebridge_rules.engine.manifest import parse_lines


def read_ledger(path: Path | str) -> set[CallKey]:
    """The distinct call keys of a ledger; a malformed line raises `ManifestError`
    naming `file:line`, a missing file `OSError`."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    return {entry.call for entry in parse_lines(path, text, first_field_only=True)}
