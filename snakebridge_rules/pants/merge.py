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

from snakebridge_rules.engine.problems import Problem
from snakebridge_rules.pants.process import EngineStep, StepResult, library_file, workspace_file
from snakebridge_rules.pants.scan import SYMBOLS
from snakebridge_rules.pants.spec import BindingsSpec

MERGED = "merged.manifest"


@dataclass(frozen=True)
class MergeRequest:
    spec: BindingsSpec
    symbols: Digest
    prune: bool


@dataclass(frozen=True)
class MergeResult:
    manifest: bytes  # what the goal writes to the workspace
    calls: Tuple[Digest, ...]  # one symbol set per library, in the spec's order
    problems: Tuple[Problem, ...]


@rule(desc="Merge the snakebridge manifest", level=LogLevel.DEBUG)
async def merge(request: MergeRequest) -> MergeResult:
    spec = request.spec
    calls = [library_file(library, ".calls.pb") for library in spec.libraries]
    argv = ["merge", f"--symbols={SYMBOLS}", f"--manifest={spec.manifest_path}",
            f"--output={MERGED}", *(["--prune"] if request.prune else [])]
    for library, out in zip(spec.libraries, calls):
        argv += [f"--library={library}", f"--calls-out={out}"]
    inputs = await Get(Digest, MergeDigests(
        [request.symbols, await Get(Digest, PathGlobs, workspace_file(spec.manifest_path))]))
    result = await Get(StepResult, EngineStep(
        tuple(argv), f"snakebridge merge for {spec.address}", inputs,
        output_files=(MERGED, *calls)))
    if result.problems:
        return MergeResult(b"", (), result.problems)
    merged = await Get(DigestContents, DigestSubset(result.output_digest, PathGlobs([MERGED])))
    per_library = await MultiGet(
        Get(Digest, DigestSubset(result.output_digest, PathGlobs([out]))) for out in calls)
    return MergeResult(merged[0].content, per_library, ())


def rules():
    return collect_rules()
