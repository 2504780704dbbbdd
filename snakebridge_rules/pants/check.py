"""The check step, run on every build: the libraries' problems worded at the `file:line`
of each call site (or the manifest line, or the target), and the call sites' keyword
names tested against the signatures in the errors files. Runs inside Pants.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

from pants.engine.fs import Digest, MergeDigests, PathGlobs
from pants.engine.rules import Get, collect_rules, rule
from pants.util.logging import LogLevel

from snakebridge_rules.engine.problems import Problem
from snakebridge_rules.pants.introspect import IntrospectResult
from snakebridge_rules.pants.process import EngineStep, StepResult, workspace_file
from snakebridge_rules.pants.scan import LOCATIONS
from snakebridge_rules.pants.spec import BindingsSpec


@dataclass(frozen=True)
class CheckRequest:
    spec: BindingsSpec
    locations: Digest
    introspected: Tuple[IntrospectResult, ...]  # every library's


@dataclass(frozen=True)
class CheckResult:
    problems: Tuple[Problem, ...]


@rule(desc="Locate snakebridge problems", level=LogLevel.DEBUG)
async def check(request: CheckRequest) -> CheckResult:
    spec = request.spec
    inputs = await Get(Digest, MergeDigests([
        request.locations, await Get(Digest, PathGlobs, workspace_file(spec.manifest_path)),
        *(r.digest for r in request.introspected)]))
    argv = ("check", f"--locations={LOCATIONS}", f"--manifest={spec.manifest_path}",
            f"--target={spec.address}", "--", *(r.errors_file for r in request.introspected))
    result = await Get(StepResult, EngineStep(
        argv, f"snakebridge check for {spec.address}", inputs))
    return CheckResult(result.problems)


def rules():
    return collect_rules()
