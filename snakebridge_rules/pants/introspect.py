"""The introspect step, one process per library: that library's symbol set in the locked
environment of the target's requirements → its API surface, or its problems as a file
(`--errors-out`: facts about the inputs, so Pants caches them like a success).
Runs inside Pants (Python 3.9).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

from pants.engine.addresses import Address, Addresses
from pants.engine.fs import EMPTY_DIGEST, Digest, DigestSubset, PathGlobs
from pants.engine.rules import Get, MultiGet, collect_rules, rule
from pants.util.logging import LogLevel

from snakebridge_rules.engine.libraries import Library
from snakebridge_rules.engine.problems import Problem
from snakebridge_rules.pants.field_checks import missing_module_fix
from snakebridge_rules.pants.merge import calls_file
from snakebridge_rules.pants.process import (
    EngineStep,
    IntrospectionEnv,
    IntrospectionEnvRequest,
    StepResult,
)


def surface_file(library: str) -> str:
    return f"{Library.parse(library).python_module}.surface.pb"


def errors_file(library: str) -> str:
    return f"{Library.parse(library).python_module}.errors.json"


@dataclass(frozen=True)
class IntrospectRequest:
    address: Address
    library: str
    calls: Digest  # calls_file(library)
    requirements: Addresses


@dataclass(frozen=True)
class IntrospectResult:
    surface: Digest  # surface_file(library)
    errors: Digest  # errors_file(library): problems about calls, signatures (for check)
    problems: Tuple[Problem, ...] = ()  # not about a call: the library cannot be described


@rule(desc="Introspect one Python library", level=LogLevel.DEBUG)
async def introspect(request: IntrospectRequest) -> IntrospectResult:
    env = await Get(IntrospectionEnv, IntrospectionEnvRequest(request.requirements))
    surface, errors = surface_file(request.library), errors_file(request.library)
    argv = ("introspect", "--library", request.library,
            "--python", "{chroot}/" + env.venv_pex.python.argv0,
            "--symbols", calls_file(request.library), "-o", surface, "--errors-out", errors,
            "--missing-fix", missing_module_fix(request.address))
    description = f"snakebridge introspect {request.library} for {request.address}"
    result = await Get(
        StepResult,
        EngineStep(argv, description, request.calls, output_files=(surface, errors),
                   env=env.venv_pex),
    )
    if result.problems:
        return IntrospectResult(EMPTY_DIGEST, EMPTY_DIGEST, result.problems)
    surface_digest, errors_digest = await MultiGet(
        Get(Digest, DigestSubset(result.output_digest, PathGlobs([surface]))),
        Get(Digest, DigestSubset(result.output_digest, PathGlobs([errors]))),
    )
    return IntrospectResult(surface_digest, errors_digest)


def rules():
    return collect_rules()
