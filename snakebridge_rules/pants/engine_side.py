"""Steps the Pants rules run inside the engine PEX (Python 3.11, never inside Pants).

The rules run in Pants' own Python 3.9 and cannot import the engine (protobuf, 3.11
syntax), so what they need from it runs as small sandboxed processes:

- `prepare SYMBOLS OLD DISPLAY [--prune] --library SPEC...` turns the scan's symbol set
  into what generation needs, exactly as `snakebridge generate` does: scanned calls
  become the bindings they need (`mean!/1` -> `mean/1`, `doc/1` dropped), joined with
  the manifest's calls (unless --prune). It writes `merged.manifest` (what the goal
  writes into the workspace) and `calls/<pymod>.pb`, a SymbolSet per library that has
  calls: one introspection input each, so a new numpy call leaves other libraries'
  introspection cached.
- `locate LOCATIONS OLD DISPLAY ERRORS` words introspection errors (JSON list of
  {"call", "message"}) as `file:line: call: message`, like `snakebridge generate`.

Exit 1 with `file:line: message` lines on a malformed manifest.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from snakebridge_rules.engine import artifacts
from snakebridge_rules.engine.calls import CallKey, binding_of
from snakebridge_rules.engine.files import write_atomic
from snakebridge_rules.engine.libraries import Library
from snakebridge_rules.engine.manifest import Entry, ManifestError, parse_lines, render_manifest


def _manifest(old: Path, display: str) -> list[Entry]:
    return parse_lines(Path(display), old.read_text(encoding="utf-8") if old.exists() else "")


def _bindings(calls: list[str]) -> set[CallKey]:
    return {b for b in (binding_of(CallKey.parse(c)) for c in calls) if b is not None}


def prepare(args: argparse.Namespace) -> int:
    manifest = [] if args.prune else _manifest(args.old, args.display)
    scanned = _bindings(list(artifacts.read(args.symbols, artifacts.SymbolSet).calls))
    calls = sorted(scanned | _bindings([str(e.call) for e in manifest]))
    write_atomic(Path("merged.manifest"), render_manifest(calls))
    for spec in args.library:
        library = Library.parse(spec)
        owned = [str(c) for c in calls if library.owns(c.module)]
        if owned:
            out = Path("calls") / f"{spec.split('=', 1)[0]}.pb"
            out.parent.mkdir(exist_ok=True)
            artifacts.write(out, artifacts.SymbolSet(calls=owned))
    return 0


def locate(args: argparse.Namespace) -> int:
    first: dict[str, tuple[str, int]] = {}
    for site in artifacts.read(args.locations, artifacts.SymbolLocations).locations:
        binding = binding_of(CallKey.parse(site.call))
        if binding is not None:
            key = str(binding)
            first[key] = min(first.get(key, (site.file, site.line)), (site.file, site.line))
    where = {key: f"{file}:{line}" for key, (file, line) in first.items()}
    for entry in _manifest(args.old, args.display):
        where.setdefault(str(entry.call), f"{entry.file}:{entry.line}")
    for error in json.loads(args.errors.read_text()):
        call = error["call"]
        label = f"{where[call]}: {call}" if call in where else call
        print(f"{label}: {error['message']}" if label else error["message"])
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="engine_side")
    sub = parser.add_subparsers(dest="step", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("symbols", type=Path)
    p.add_argument("old", type=Path)
    p.add_argument("display")
    p.add_argument("--prune", action="store_true")
    p.add_argument("--library", action="append", default=[])
    p.set_defaults(run=prepare)
    p = sub.add_parser("locate")
    p.add_argument("locations", type=Path)
    p.add_argument("old", type=Path)
    p.add_argument("display")
    p.add_argument("errors", type=Path)
    p.set_defaults(run=locate)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except ManifestError as exc:
        print(exc, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
