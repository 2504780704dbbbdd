"""The render step: every library's API surface → the Elixir files. Runs inside Pants."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

from pants.engine.addresses import Address
from pants.engine.fs import Digest, RemovePrefix, Snapshot
from pants.engine.rules import Get, collect_rules, rule
from pants.util.logging import LogLevel

from snakebridge_rules.pants.process import BindingsError, EngineStep, StepResult

RENDER_OUT = "out"


@dataclass(frozen=True)
class RenderRequest:
    address: Address
    surfaces: Digest
    files: Tuple[str, ...]


@rule(desc="Render Elixir bindings", level=LogLevel.DEBUG)
async def render(request: RenderRequest) -> Snapshot:
    """The generated files, relative to the output directory."""
    result = await Get(
        StepResult,
        EngineStep(("render", "--out", RENDER_OUT, *request.files),
                   f"snakebridge render for {request.address}", request.surfaces,
                   output_directories=(RENDER_OUT,)),
    )
    if result.problems:
        raise BindingsError(f"{request.address}: " + "; ".join(map(str, result.problems)))
    return await Get(Snapshot, RemovePrefix(result.output_digest, RENDER_OUT))


def rules():
    return collect_rules()
