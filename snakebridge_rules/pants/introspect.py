"""The introspect step, one process per library: that library's symbol set in the locked
environment of the target's requirements → its API surface, or its problems as a file
(`--errors-out`: facts about the inputs, so Pants caches them like a success).
Runs inside Pants (Python 3.9).
"""

from __future__ import annotations

from dataclasses import dataclass

from pants.backend.python.util_rules.pex import VenvPex
from pants.engine.fs import CreateDigest, Digest, FileContent
from pants.engine.rules import Get, collect_rules, rule
from pants.util.logging import LogLevel

from snakebridge_rules.engine.problems import errors_json
from snakebridge_rules.pants.process import (
    EngineStep,
    IntrospectionEnvRequest,
    StepResult,
    library_file,
)
from snakebridge_rules.pants.spec import BindingsSpec


@dataclass(frozen=True)
class IntrospectRequest:
    spec: BindingsSpec
    library: str
    calls: Digest  # the library's symbol set, from merge


@dataclass(frozen=True)
class IntrospectResult:
    digest: Digest  # holds surface_file and errors_file
    surface_file: str
    errors_file: str  # its problems and signatures: `check` words and tests them


@rule(desc="Introspect one Python library", level=LogLevel.DEBUG)
async def introspect(request: IntrospectRequest) -> IntrospectResult:
    spec, library = request.spec, request.library
    env = await Get(VenvPex, IntrospectionEnvRequest(spec.requirements))
    calls, surface, errors = (library_file(library, suffix)
                              for suffix in (".calls.pb", ".surface.pb", ".errors.json"))
    argv = ("introspect", f"--library={library}",
            f"--python={{chroot}}/{env.python.argv0}", f"--symbols={calls}",
            f"--output={surface}", f"--errors-out={errors}",
            f"--missing-fix={spec.missing_module_fix()}")
    result = await Get(StepResult, EngineStep(
        argv, f"snakebridge introspect {library} for {spec.address}", request.calls,
        output_files=(surface, errors), env=env))
    if result.problems:  # not about a call (the library cannot be described), or a crash
        digest = await Get(Digest, CreateDigest(
            [FileContent(errors, errors_json(result.problems))]))
        return IntrospectResult(digest, surface, errors)
    return IntrospectResult(result.output_digest, surface, errors)


def rules():
    return collect_rules()
