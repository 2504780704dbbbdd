"""Where a call is written, so that every message about it names `file:line`.

Introspection sees only call keys (its cache key must not move when a call moves), so
its problems name a call; this step puts them back at the call sites the scan found —
every site, keyed by the binding (`Numpy.meen!(x)` is a site of `Numpy.meen/1`) — or
at the manifest line of a call only the manifest holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from snakebridge_rules.engine.calls import CallKey, binding_of
from snakebridge_rules.engine.manifest import Entry
from snakebridge_rules.engine.problems import Problem


class Site(Protocol):
    """A scanned call site (engine/scan's CallSite, or a SymbolLocation proto)."""

    call: str
    file: str
    line: int


def call_sites(sites: Iterable[Site]) -> dict[str, list[tuple[str, int]]]:
    """Binding key → its sorted, unique (file, line) call sites."""
    found: dict[str, set[tuple[str, int]]] = {}
    for site in sites:
        binding = binding_of(CallKey.parse(site.call))
        if binding is not None:
            found.setdefault(str(binding), set()).add((site.file, int(site.line)))
    return {key: sorted(places) for key, places in found.items()}


def locate(problems: Iterable[Problem], sites: dict[str, list[tuple[str, int]]],
           manifest: list[Entry], target: str = "") -> list[Problem]:
    """Each problem at every place its call is written (sorted); a problem about no
    call, or a call written nowhere, is placed at `target` (a build target) if given."""
    in_manifest = {str(e.call): (e.file, e.line) for e in reversed(manifest)}
    placed = set()
    for problem in problems:
        places = sites.get(problem.call) or (
            [in_manifest[problem.call]] if problem.call in in_manifest else [(target, 0)])
        placed.update(Problem(file, line, problem.call, problem.message)
                      for file, line in places)
    return sorted(placed)
