"""The merge step: manifest ∪ scan with the one normalization, split per library.

A scanned call is reduced to the binding it needs (`binding_of`: `mean!/1` → `mean/1`,
`doc/1` dropped) before anything else sees it, so the manifest, the introspection
inputs and the messages of every adapter hold the same keys. Splitting per library
gives each library its own introspection input: a new numpy call leaves every other
library's input, and so its cached introspection, unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable

from snakebridge_rules.engine.calls import CallKey, binding_of
from snakebridge_rules.engine.libraries import Library
from snakebridge_rules.engine.manifest import Entry


def bindings(calls: Iterable[CallKey]) -> set[CallKey]:
    """The Python bindings `calls` need (generator-owned names dropped)."""
    return {b for b in map(binding_of, calls) if b is not None}


def merge(manifest: list[Entry], scanned: Iterable[CallKey], prune: bool = False
          ) -> list[CallKey]:
    """The calls to bind, sorted: the scan's bindings ∪ the manifest's (only the scan's
    when pruning, the one way a manifest shrinks)."""
    kept = [] if prune else [entry.call for entry in manifest]
    return sorted(bindings(scanned) | bindings(kept))


def split(calls: list[CallKey], libraries: list[Library]) -> dict[Library, list[CallKey]]:
    """Each library's calls (in `calls`' order), for one introspection per library."""
    return {library: [c for c in calls if library.owns(c.module)] for library in libraries}
