"""One `elixir_bindings` target end to end: its spec checked, then the engine's steps.

    scan → merge → introspect (one process per library) → check → render

Only wiring: what each step means is the engine's. A target's problems come back in
`Bindings.problems` (never raised), so a goal can report every target and still write
the good ones. Runs inside Pants (Python 3.9).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Tuple

from pants.engine.addresses import Address
from pants.engine.fs import EMPTY_DIGEST, Digest
from pants.engine.rules import Get, MultiGet, collect_rules, rule
from pants.util.docutil import bin_name
from pants.util.logging import LogLevel

from snakebridge_rules.engine.problems import target_report
from snakebridge_rules.pants.check import CheckRequest, CheckResult
from snakebridge_rules.pants.introspect import IntrospectRequest, IntrospectResult
from snakebridge_rules.pants.merge import MergeRequest, MergeResult
from snakebridge_rules.pants.render import RenderRequest, RenderResult
from snakebridge_rules.pants.scan import ScanResult
from snakebridge_rules.pants.spec import BindingsSpec


@dataclass(frozen=True)
class BindingsRequest:
    address: Address
    prune: bool = False  # True: ignore the manifest (generate from the scan alone)


@dataclass(frozen=True)
class Bindings:
    address: Address
    output_dir: str  # build-root relative, as is manifest_path
    manifest_path: str
    fix: str  # the command that writes these bindings
    problems: Tuple[str, ...]
    warnings: Tuple[str, ...] = ()
    generated: Digest = EMPTY_DIGEST  # relative to output_dir
    manifest: bytes = b""  # manifest ∪ scan or, pruned, the scan

    def failure(self) -> str:
        return target_report(str(self.address), self.problems)


@rule(desc="Generate Elixir bindings", level=LogLevel.DEBUG)
async def generate_bindings(request: BindingsRequest) -> Bindings:
    spec = await Get(BindingsSpec, Address, request.address)
    fix = f"{bin_name()} generate-bindings{' --prune' if request.prune else ''} {spec.address}"

    def bindings(problems: Iterable[object], warnings: Tuple[str, ...] = (),
                 generated: Digest = EMPTY_DIGEST, manifest: bytes = b"") -> Bindings:
        return Bindings(spec.address, spec.output_dir, spec.manifest_path, fix,
                        tuple(map(str, problems)), warnings, generated, manifest)

    if spec.problems:
        return bindings(spec.problems)
    scanned = await Get(ScanResult, BindingsSpec, spec)
    if scanned.problems:
        return bindings(scanned.problems, scanned.warnings)
    merged = await Get(MergeResult, MergeRequest(spec, scanned.symbols, request.prune))
    if merged.problems:
        return bindings(merged.problems, scanned.warnings)
    introspected = await MultiGet(
        Get(IntrospectResult, IntrospectRequest(spec, library, calls))
        for library, calls in zip(spec.libraries, merged.calls))
    checked = await Get(CheckResult, CheckRequest(spec, scanned.locations, introspected))
    if checked.problems:
        return bindings(checked.problems, scanned.warnings)
    rendered = await Get(RenderResult, RenderRequest(spec, introspected))
    return bindings(rendered.problems, scanned.warnings, rendered.generated, merged.manifest)


def rules():
    return collect_rules()
