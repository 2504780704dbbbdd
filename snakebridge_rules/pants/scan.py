"""The scan step: a target's Elixir sources (minus its generated files) → symbol set
(call keys, no lines: an edit that adds no call leaves every later step a cache hit) and
locations (read only to word problems). Runs inside Pants (Python 3.9).
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import Tuple

from pants.engine.fs import Digest, DigestSubset, PathGlobs
from pants.engine.rules import Get, MultiGet, collect_rules, rule
from pants.engine.target import HydratedSources, HydrateSourcesRequest
from pants.util.logging import LogLevel

from snakebridge_rules.engine.problems import Problem
from snakebridge_rules.pants.process import EngineStep, StepResult
from snakebridge_rules.pants.spec import BindingsSpec

SYMBOLS = "symbols.pb"
LOCATIONS = "locations.pb"
# Per-file scan results (engine/scan/cache.py) in an append-only named cache: an edit
# re-parses only the edited files. They cannot change a result, so the process's cache
# key rightly ignores them.
SCAN_CACHE = ("snakebridge_scan", ".cache/snakebridge_scan")


@dataclass(frozen=True)
class ScanResult:
    symbols: Digest
    locations: Digest
    problems: Tuple[Problem, ...]
    warnings: Tuple[str, ...]


@rule(desc="Scan Elixir sources for Python calls", level=LogLevel.DEBUG)
async def scan(spec: BindingsSpec) -> ScanResult:
    hydrated = await Get(HydratedSources, HydrateSourcesRequest(spec.sources))
    files = [f for f in hydrated.snapshot.files if not f.startswith(spec.output_dir + "/")]
    sources = await Get(Digest, DigestSubset(hydrated.snapshot.digest, PathGlobs(files)))
    argv = ("scan", *(f"--library={library}" for library in spec.libraries),
            f"--symbols-out={SYMBOLS}", f"--locations-out={LOCATIONS}",
            f"--cache-dir={SCAN_CACHE[1]}", "--", *files)
    result = await Get(StepResult, EngineStep(
        argv, f"snakebridge scan for {spec.address} ({len(files)} files)", sources,
        output_files=(SYMBOLS, LOCATIONS), caches=(SCAN_CACHE,)))
    symbols, locations = await MultiGet(
        Get(Digest, DigestSubset(result.output_digest, PathGlobs([SYMBOLS]))),
        Get(Digest, DigestSubset(result.output_digest, PathGlobs([LOCATIONS]))))
    warnings = []
    with contextlib.suppress(ValueError):  # a crashed scan printed no JSON
        warnings = [str(Problem.from_json(w)) for w in json.loads(result.stdout)["warnings"]]
    return ScanResult(symbols, locations, result.problems, tuple(warnings))


def rules():
    return collect_rules()
