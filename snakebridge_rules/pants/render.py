"""The render step: every library's API surface → the Elixir files. Runs inside Pants."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

from pants.engine.addresses import Address
from pants.engine.fs import EMPTY_DIGEST, Digest, RemovePrefix, Snapshot
from pants.engine.rules import Get, collect_rules, rule
from pants.util.logging import LogLevel

from snakebridge_rules.engine.problems import Problem
from snakebridge_rules.pants.process import EngineStep, StepResult

RENDER_OUT = "out"


@dataclass(frozen=True)
class RenderRequest:
    address: Address
    surfaces: Digest
    files: Tuple[str, ...]


@dataclass(frozen=True)
class RenderResult:
    generated: Snapshot  # relative to the output directory; empty on problems
    problems: Tuple[Problem, ...]


@rule(desc="Render Elixir bindings", level=LogLevel.DEBUG)
async def render(request: RenderRequest) -> RenderResult:
    result = await Get(
        StepResult,
        EngineStep(("render", "--out", RENDER_OUT, *request.files),
                   f"snakebridge render for {request.address}", request.surfaces,
                   output_directories=(RENDER_OUT,)),
    )
    if result.problems:
        return RenderResult(await Get(Snapshot, Digest, EMPTY_DIGEST), result.problems)
    generated = await Get(Snapshot, RemovePrefix(result.output_digest, RENDER_OUT))
    return RenderResult(generated, ())


def rules():
    return collect_rules()
