"""The render step: every library's API surface → the Elixir files. Runs inside Pants."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

from pants.engine.fs import EMPTY_DIGEST, Digest, MergeDigests, RemovePrefix
from pants.engine.rules import Get, collect_rules, rule
from pants.util.logging import LogLevel

from snakebridge_rules.engine.problems import Problem
from snakebridge_rules.pants.introspect import IntrospectResult
from snakebridge_rules.pants.process import EngineStep, StepResult
from snakebridge_rules.pants.spec import BindingsSpec

RENDER_OUT = "out"


@dataclass(frozen=True)
class RenderRequest:
    spec: BindingsSpec
    introspected: Tuple[IntrospectResult, ...]


@dataclass(frozen=True)
class RenderResult:
    generated: Digest  # relative to the output directory; empty on problems
    problems: Tuple[Problem, ...]


@rule(desc="Render Elixir bindings", level=LogLevel.DEBUG)
async def render(request: RenderRequest) -> RenderResult:
    surfaces = await Get(Digest, MergeDigests(r.digest for r in request.introspected))
    argv = ("render", f"--out={RENDER_OUT}", "--",
            *(r.surface_file for r in request.introspected))
    result = await Get(StepResult, EngineStep(
        argv, f"snakebridge render for {request.spec.address}", surfaces,
        output_directories=(RENDER_OUT,)))
    if result.problems:
        return RenderResult(EMPTY_DIGEST, result.problems)
    return RenderResult(await Get(Digest, RemovePrefix(result.output_digest, RENDER_OUT)), ())


def rules():
    return collect_rules()
