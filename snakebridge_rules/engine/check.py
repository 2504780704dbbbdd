"""The check step: every problem about the calls, at the `file:line` where they are
written — introspection's (placed by locate.py) and the call sites' keyword names that
their Python signatures refuse (keywords.py). `snakebridge check` and `generate` run it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from snakebridge_rules.engine.keywords import Signature, Site, keyword_problems
from snakebridge_rules.engine.locate import call_sites, locate
from snakebridge_rules.engine.manifest import Entry
from snakebridge_rules.engine.problems import Problem


def check(problems: Iterable[Problem], sites: Iterable[Site], manifest: list[Entry],
          known: Mapping[str, Signature], target: str = "") -> list[Problem]:
    """All problems, placed and sorted; empty when the calls are fine."""
    sites = list(sites)
    return sorted(locate(problems, call_sites(sites), manifest, target)
                  + keyword_problems(sites, known))
