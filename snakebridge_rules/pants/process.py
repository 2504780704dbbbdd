"""The engine PEX, the introspection environments, and running one engine step.

Every step is a sandboxed `snakebridge STEP` process of the engine PEX
(`[snakebridge].engine`) and follows the engine's one protocol (engine/problems.py):
exit 0 done; exit 1 bad input, with `{"errors": [...]}` on stdout, which becomes the
step's problems. Anything else (a traceback, a signal) is a crashed step: it becomes one
problem of that target, with the step's last stderr lines, not an exception, so one
target's crash cannot stop a goal from writing the others. Runs inside Pants (3.9).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional, Tuple

from pants.backend.python.target_types import EntryPoint
from pants.backend.python.util_rules.pex import PexRequest, VenvPex, VenvPexProcess, VenvPexRequest
from pants.backend.python.util_rules.pex_environment import PexEnvironment
from pants.backend.python.util_rules.pex_from_targets import PexFromTargetsRequest
from pants.engine.addresses import Addresses, UnparsedAddressInputs
from pants.engine.fs import Digest, MergeDigests
from pants.engine.process import FallibleProcessResult, Process
from pants.engine.rules import Get, collect_rules, rule
from pants.util.logging import LogLevel

from snakebridge_rules.engine.problems import Problem
from snakebridge_rules.pants.subsystem import SnakebridgeSubsystem


class BindingsError(Exception):
    """The engine itself failed (not the user's input): its stderr, no Python trace."""


@dataclass(frozen=True)
class SnakebridgeEngine:
    venv_pex: VenvPex


@dataclass(frozen=True)
class IntrospectionEnvRequest:
    requirements: Addresses


@dataclass(frozen=True)
class IntrospectionEnv:
    venv_pex: VenvPex


async def _venv_pex(request: PexFromTargetsRequest, pex_environment: PexEnvironment) -> VenvPex:
    pex_request = await Get(PexRequest, PexFromTargetsRequest, request)
    return await Get(
        VenvPex, VenvPexRequest(pex_request, pex_environment.in_sandbox(working_directory=None))
    )


@rule(desc="Build the snakebridge engine", level=LogLevel.DEBUG)
async def build_engine(
    subsystem: SnakebridgeSubsystem, pex_environment: PexEnvironment
) -> SnakebridgeEngine:
    if not subsystem.engine:
        raise BindingsError(
            "[snakebridge].engine is not set: point it at a `python_requirement` on the "
            "`snakebridge` distribution, e.g. `engine = \"3rdparty/python:snakebridge\"` "
            "in pants.toml (docs/pants.md, \"Another repository\")"
        )
    addresses = await Get(
        Addresses,
        UnparsedAddressInputs(
            [subsystem.engine],
            owning_address=None,
            description_of_origin="the option `[snakebridge].engine`",
        ),
    )
    request = PexFromTargetsRequest(
        addresses,
        output_filename="snakebridge-engine.pex",
        internal_only=True,
        main=EntryPoint("snakebridge_rules.cli", "main"),
        description="snakebridge engine",
    )
    return SnakebridgeEngine(await _venv_pex(request, pex_environment))


@rule(desc="Build a locked introspection environment", level=LogLevel.DEBUG)
async def build_introspection_env(
    request: IntrospectionEnvRequest, pex_environment: PexEnvironment
) -> IntrospectionEnv:
    names = ", ".join(map(str, request.requirements))
    pex_request = PexFromTargetsRequest(
        request.requirements,
        output_filename="snakebridge-env.pex",
        internal_only=True,
        include_source_files=False,
        description=f"snakebridge environment for {names}",
    )
    return IntrospectionEnv(await _venv_pex(pex_request, pex_environment))


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
async def run_engine_step(
    step: EngineStep, engine: SnakebridgeEngine, subsystem: SnakebridgeSubsystem
) -> StepResult:
    input_digest = step.input_digest
    if step.env is not None:
        input_digest = await Get(Digest, MergeDigests([input_digest, step.env.digest]))
    process = await Get(
        Process,
        VenvPexProcess(
            engine.venv_pex,
            argv=step.argv,
            description=step.description,
            level=LogLevel.DEBUG,
            input_digest=input_digest,
            output_files=step.output_files or None,
            output_directories=step.output_directories or None,
            timeout_seconds=subsystem.timeout,
            append_only_caches={
                **(step.env.append_only_caches if step.env is not None else {}),
                **dict(step.caches),
            },
        ),
    )
    result = await Get(FallibleProcessResult, Process, process)
    if result.exit_code == 0:
        return StepResult(result.output_digest, result.stdout, ())
    problems = _problems(result) if result.exit_code == 1 else ()
    return StepResult(result.output_digest, result.stdout, problems or (_crash(step, result),))


CRASH_LINES = 10  # of a crashed step's stderr: a traceback's end says what broke


def _crash(step: EngineStep, result: FallibleProcessResult) -> Problem:
    """A step that broke outside the protocol, as a problem: the tail of what it said."""
    lines = (result.stderr or result.stdout).decode(errors="replace").strip().splitlines()
    tail = "".join(f"\n    {line}" for line in lines[-CRASH_LINES:]) or " (no output)"
    return Problem(message=f"{step.description} crashed (exit {result.exit_code}); "
                           f"its last output:{tail}")


def _problems(result: FallibleProcessResult) -> Tuple[Problem, ...]:
    """The protocol's JSON errors of a failed step (empty when stdout is not that)."""
    try:
        entries = json.loads(result.stdout)["errors"]
        return tuple(Problem.from_json(entry) for entry in entries)
    except (ValueError, KeyError, TypeError):
        return ()


def library_args(libraries: Tuple[str, ...]) -> Tuple[str, ...]:
    return tuple(arg for library in libraries for arg in ("--library", library))


def rules():
    return collect_rules()
