"""The scan step: a target's Elixir sources → symbol set (keys only) + locations.

The symbol set has no line numbers, so an edit that adds no Python call changes only
the locations and every later step is a cache hit. Runs inside Pants (Python 3.9).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Tuple

from pants.engine.addresses import Address
from pants.engine.fs import Digest, DigestSubset, PathGlobs
from pants.engine.rules import Get, MultiGet, collect_rules, rule
from pants.util.logging import LogLevel

from snakebridge_rules.engine.problems import Problem
from snakebridge_rules.pants.process import EngineStep, StepResult, library_args

SYMBOLS = "symbols.pb"
LOCATIONS = "locations.pb"
# Per-file scan results (engine/scan/cache.py), shared by every scan process through an
# append-only named cache: an edit re-parses only the edited files. They cannot change
# a result, so the process's cache key rightly ignores them.
SCAN_CACHE = ("snakebridge_scan", ".cache/snakebridge_scan")


@dataclass(frozen=True)
class ScanRequest:
    address: Address
    sources: Digest
    files: Tuple[str, ...]
    libraries: Tuple[str, ...]


@dataclass(frozen=True)
class ScanResult:
    symbols: Digest  # SYMBOLS: the content-addressed input of merge
    locations: Digest  # LOCATIONS: read only to word problems (the check step)
    problems: Tuple[Problem, ...]
    warnings: Tuple[str, ...]


@rule(desc="Scan Elixir sources for Python calls", level=LogLevel.DEBUG)
async def scan(request: ScanRequest) -> ScanResult:
    argv = ("scan", *library_args(request.libraries), "--symbols-out", SYMBOLS,
            "--locations-out", LOCATIONS, "--cache-dir", SCAN_CACHE[1], *request.files)
    description = f"snakebridge scan for {request.address} ({len(request.files)} files)"
    result = await Get(
        StepResult,
        EngineStep(argv, description, request.sources, output_files=(SYMBOLS, LOCATIONS),
                   caches=(SCAN_CACHE,)),
    )
    warnings = json.loads(result.stdout).get("warnings", ())
    symbols, locations = await MultiGet(
        Get(Digest, DigestSubset(result.output_digest, PathGlobs([SYMBOLS]))),
        Get(Digest, DigestSubset(result.output_digest, PathGlobs([LOCATIONS]))),
    )
    return ScanResult(
        symbols, locations, result.problems,
        tuple(str(Problem.from_json(w)) for w in warnings),
    )


def rules():
    return collect_rules()
