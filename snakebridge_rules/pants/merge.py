"""The merge step: manifest ∪ scan (the engine's one normalization), one symbol set per
library, so a new call into one library re-runs only that library's introspection.
Runs inside Pants (Python 3.9).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

from pants.engine.fs import Digest, DigestContents, DigestSubset, MergeDigests, PathGlobs
from pants.engine.rules import Get, MultiGet, collect_rules, rule
from pants.util.logging import LogLevel

from snakebridge_rules.engine.libraries import Library
from snakebridge_rules.engine.problems import Problem
from snakebridge_rules.pants.process import EngineStep, StepResult
from snakebridge_rules.pants.scan import SYMBOLS

MERGED = "merged.manifest"


def calls_file(library: str) -> str:
    return f"calls/{Library.parse(library).python_module}.pb"


@dataclass(frozen=True)
class MergeRequest:
    symbols: Digest
    manifest: Digest  # the workspace manifest at `manifest_path` (empty: none yet)
    manifest_path: str
    libraries: Tuple[str, ...]
    prune: bool


@dataclass(frozen=True)
class MergeResult:
    manifest: bytes  # what the goal writes to the workspace
    calls: Tuple[Tuple[str, Digest], ...]  # (library, calls_file(library)) for each library
    problems: Tuple[Problem, ...]


@rule(desc="Merge the snakebridge manifest", level=LogLevel.DEBUG)
async def merge(request: MergeRequest) -> MergeResult:
    argv = ["merge", "--symbols", SYMBOLS, "--manifest", request.manifest_path, "-o", MERGED]
    argv += ["--prune"] if request.prune else []
    for library in request.libraries:
        argv += ["--library", library, "--calls-out", calls_file(library)]
    inputs = await Get(Digest, MergeDigests([request.symbols, request.manifest]))
    outputs = (MERGED, *(calls_file(library) for library in request.libraries))
    result = await Get(
        StepResult,
        EngineStep(tuple(argv), f"snakebridge merge for {request.manifest_path}", inputs,
                   output_files=outputs),
    )
    if result.problems:
        return MergeResult(b"", (), result.problems)
    merged, *per_library = await MultiGet(
        Get(DigestContents, DigestSubset(result.output_digest, PathGlobs([MERGED]))),
        *(
            Get(Digest, DigestSubset(result.output_digest, PathGlobs([calls_file(library)])))
            for library in request.libraries
        ),
    )
    return MergeResult(merged[0].content, tuple(zip(request.libraries, per_library)), ())


def rules():
    return collect_rules()
