"""The engine PEX, the introspection environments, and running one engine step.

Every step is a sandboxed `snakebridge STEP` process of the engine PEX
(`[snakebridge].engine`); what its exit means is the engine's (engine/problems.py
`step_problems`): a failed or crashed step becomes its target's problems, never an
exception, so one target cannot stop a goal from writing the others. Runs inside Pants.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

from pants.backend.python.target_types import EntryPoint
from pants.backend.python.util_rules.pex import PexRequest, VenvPex, VenvPexProcess, VenvPexRequest
from pants.backend.python.util_rules.pex_environment import PexEnvironment
from pants.backend.python.util_rules.pex_from_targets import PexFromTargetsRequest
from pants.engine.addresses import Addresses, UnparsedAddressInputs
from pants.engine.fs import (
    Digest,
    GlobMatchErrorBehavior,
    MergeDigests,
    PathGlobs,
)
from pants.engine.process import FallibleProcessResult, Process
from pants.engine.rules import Get, collect_rules, rule
from pants.util.logging import LogLevel

from snakebridge_rules.engine.libraries import Library
from snakebridge_rules.engine.problems import Problem, step_problems
from snakebridge_rules.pants.subsystem import SnakebridgeSubsystem


class BindingsError(Exception):
    """A failure to show as its message alone, without a Python trace."""


@dataclass(frozen=True)
class SnakebridgeEngine:
    venv_pex: VenvPex


@dataclass(frozen=True)
class IntrospectionEnvRequest:
    requirements: Addresses


async def _venv_pex(request: PexFromTargetsRequest, pex_environment: PexEnvironment) -> VenvPex:
    pex_request = await Get(PexRequest, PexFromTargetsRequest, request)
    return await Get(VenvPex, VenvPexRequest(
        pex_request, pex_environment.in_sandbox(working_directory=None)))


@rule(desc="Build the snakebridge engine", level=LogLevel.DEBUG)
async def build_engine(subsystem: SnakebridgeSubsystem,
                       pex_environment: PexEnvironment) -> SnakebridgeEngine:
    if not subsystem.engine:
        raise BindingsError(
            "[snakebridge].engine is not set: point it at a `python_requirement` on the "
            "`snakebridge` distribution, e.g. `engine = \"3rdparty/python:snakebridge\"` "
            "in pants.toml (docs/pants.md, \"Another repository\")")
    addresses = await Get(Addresses, UnparsedAddressInputs(
        [subsystem.engine], owning_address=None,
        description_of_origin="the option `[snakebridge].engine`"))
    request = PexFromTargetsRequest(
        addresses, output_filename="snakebridge-engine.pex", internal_only=True,
        main=EntryPoint("snakebridge_rules.cli", "main"), description="snakebridge engine")
    return SnakebridgeEngine(await _venv_pex(request, pex_environment))


@rule(desc="Build a locked introspection environment", level=LogLevel.DEBUG)
async def build_introspection_env(request: IntrospectionEnvRequest,
                                  pex_environment: PexEnvironment) -> VenvPex:
    names = ", ".join(map(str, request.requirements))
    pex_request = PexFromTargetsRequest(
        request.requirements, output_filename="snakebridge-env.pex", internal_only=True,
        include_source_files=False, description=f"snakebridge environment for {names}")
    return await _venv_pex(pex_request, pex_environment)


@dataclass(frozen=True)
class EngineStep:
    """`snakebridge ARGV` over `input_digest` (plus `env`'s PEX when given)."""

    argv: Tuple[str, ...]
    description: str
    input_digest: Digest
    output_files: Tuple[str, ...] = ()
    output_directories: Tuple[str, ...] = ()
    env: Optional[VenvPex] = None  # noqa: UP045 (Pants runs Python 3.9)
    caches: Tuple[Tuple[str, str], ...] = ()  # append-only named caches: (name, sandbox path)


@dataclass(frozen=True)
class StepResult:
    output_digest: Digest
    stdout: bytes
    problems: Tuple[Problem, ...]  # empty when the step succeeded


@rule(level=LogLevel.DEBUG)
async def run_engine_step(step: EngineStep, engine: SnakebridgeEngine,
                          subsystem: SnakebridgeSubsystem) -> StepResult:
    input_digest = step.input_digest
    if step.env is not None:
        input_digest = await Get(Digest, MergeDigests([input_digest, step.env.digest]))
    caches = {**(step.env.append_only_caches if step.env else {}), **dict(step.caches)}
    process = await Get(Process, VenvPexProcess(
        engine.venv_pex, argv=step.argv, description=step.description, level=LogLevel.DEBUG,
        input_digest=input_digest, output_files=step.output_files or None,
        output_directories=step.output_directories or None,
        timeout_seconds=subsystem.timeout, append_only_caches=caches))
    result = await Get(FallibleProcessResult, Process, process)
    problems = step_problems(step.description, result.exit_code, result.stdout, result.stderr)
    return StepResult(result.output_digest, result.stdout, tuple(problems))


def library_file(library: str, suffix: str) -> str:
    """A per-library step file, named by the library's Python module."""
    return Library.parse(library).python_module + suffix


def workspace_file(path: str) -> PathGlobs:
    """A workspace file at its own path (`Get(Digest, ...)`: empty when there is none)."""
    return PathGlobs([path], glob_match_error_behavior=GlobMatchErrorBehavior.ignore)


def rules():
    return collect_rules()
