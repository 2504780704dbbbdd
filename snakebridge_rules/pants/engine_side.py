"""Small steps the Pants rules run inside the engine PEX (Python 3.11, never in Pants).

The rules run in Pants' own Python 3.9 and cannot import the engine (protobuf, 3.11
syntax), so the two things they need from it run as sandboxed processes:

- `manifest OLD CALLS_JSON [--prune]`: writes `merged.manifest` (what generate-bindings
  writes: OLD ∪ calls, or just the calls with --prune) and `kept.manifest` (OLD's calls
  in canonical form: introspection's input, so editing comments re-runs nothing).
- `locate LOCATIONS`: prints `{"call": ["file:line", ...]}` from a SymbolLocations, to
  word introspection errors (only on failure).

Exit 1 with `file:line: message` on a malformed manifest.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from snakebridge_rules.engine.calls import CallKey
from snakebridge_rules.engine.files import write_atomic
from snakebridge_rules.engine.manifest import ManifestError, parse_lines, render_manifest


def merge_manifest(old: Path, display: str, calls_json: Path, prune: bool) -> int:
    text = old.read_text(encoding="utf-8") if old.exists() else ""
    try:
        kept = [entry.call for entry in parse_lines(Path(display), text)]
    except ManifestError as exc:
        print(exc, file=sys.stderr)
        return 1
    scanned = [CallKey.parse(key) for key in json.loads(calls_json.read_text())]
    write_atomic(Path("kept.manifest"), render_manifest(kept))
    write_atomic(Path("merged.manifest"), render_manifest(scanned if prune else kept + scanned))
    return 0


def locate(locations: Path) -> int:
    from snakebridge_rules.engine.artifacts import SymbolLocations, read

    found: dict[str, list[str]] = {}
    for location in read(locations, SymbolLocations).locations:
        found.setdefault(location.call, []).append(f"{location.file}:{location.line}")
    json.dump(found, sys.stdout, sort_keys=True)
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["manifest"] and len(argv) in (4, 5):
        return merge_manifest(Path(argv[1]), argv[2], Path(argv[3]), "--prune" in argv[4:])
    if argv[:1] == ["locate"] and len(argv) == 2:
        return locate(Path(argv[1]))
    print("usage: engine_side manifest OLD DISPLAY CALLS_JSON [--prune] | locate LOCATIONS",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
