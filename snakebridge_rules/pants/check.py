"""The check step: introspection's problems at the file:line of each call site (or the
manifest line), and the call sites' keyword names tested against the signatures in the
errors files. Runs inside Pants (3.9).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

from pants.engine.addresses import Address
from pants.engine.fs import Digest, MergeDigests
from pants.engine.rules import Get, collect_rules, rule
from pants.util.logging import LogLevel

from snakebridge_rules.engine.problems import Problem
from snakebridge_rules.pants.process import EngineStep, StepResult
from snakebridge_rules.pants.scan import LOCATIONS


@dataclass(frozen=True)
class CheckRequest:
    address: Address
    locations: Digest
    manifest: Digest
    manifest_path: str
    errors: Digest  # the libraries' errors files
    errors_files: Tuple[str, ...]


@dataclass(frozen=True)
class CheckResult:
    problems: Tuple[Problem, ...]


@rule(desc="Locate snakebridge problems", level=LogLevel.DEBUG)
async def check(request: CheckRequest) -> CheckResult:
    inputs = await Get(Digest, MergeDigests([request.locations, request.manifest,
                                             request.errors]))
    argv = ("check", "--locations", LOCATIONS, "--manifest", request.manifest_path,
            "--target", str(request.address), *request.errors_files)
    result = await Get(
        StepResult, EngineStep(argv, f"snakebridge check for {request.address}", inputs)
    )
    return CheckResult(result.problems)


def rules():
    return collect_rules()
