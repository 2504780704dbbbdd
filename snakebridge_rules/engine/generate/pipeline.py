"""`generate` in one process: the engine's steps composed (scan → merge → introspect per
library → check → render → write), the same steps the build adapters run one per action.

Everything that can fail happens before the first byte is written: a failure leaves
the output directory and the manifest exactly as they were. Problems about a call name
every Elixir file:line where it is called (or the manifest line that holds it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from snakebridge_rules._pb.snakebridge.v1.api_pb2 import ApiSurface
from snakebridge_rules.engine.calls import CallKey
from snakebridge_rules.engine.generate import render_surfaces, write_outputs
from snakebridge_rules.engine.generate.modules import GenerateError
from snakebridge_rules.engine.generate.output import WriteReport
from snakebridge_rules.engine.introspect.runtime import Limits
from snakebridge_rules.engine.libraries import Library
from snakebridge_rules.engine.manifest import read_manifest, render_manifest
from snakebridge_rules.engine.merge import merge, split
from snakebridge_rules.engine.problems import Problem

if TYPE_CHECKING:
    from snakebridge_rules.engine.scan.pool import Limits as ParseLimits


@dataclass(frozen=True)
class Request:
    libraries: list[Library]
    python: str
    out_dir: Path
    manifest: Path | None = None
    eager: bool = False
    paths: list[str] = field(default_factory=list)
    scan_cache: Path | None = None  # --cache-dir: reused per-file scan results
    limits: Limits | None = None  # the probe's; None: the defaults
    parse_limits: ParseLimits | None = None  # the scan's parse workers'; None: the defaults


@dataclass
class Outcome:
    report: WriteReport
    manifest_changed: bool
    warnings: list[str]


class GenerationFailed(Exception):
    """Bad input: one `file:line: message` per problem; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def _introspect(request: Request, calls: list[CallKey]) -> tuple[list[ApiSurface],
                                                                 list[Problem]]:
    from snakebridge_rules.engine.introspect import ProbeError, introspect

    surfaces, problems = [], []
    for library, owned in split(calls, request.libraries).items():
        if not owned and not request.eager:
            continue
        try:
            surface, errors = introspect(library, request.python, owned, eager=request.eager,
                                         limits=request.limits)
        except ProbeError as exc:
            problems.append(Problem(message=str(exc)))
            continue
        problems += [Problem(call=e.call, message=e.message) for e in errors]
        surfaces.append(surface)
    return surfaces, problems


def generate(request: Request) -> Outcome:
    """Run the whole action; raises GenerationFailed (and writes nothing) on bad input."""
    from snakebridge_rules.engine.check import check
    from snakebridge_rules.engine.keywords import signatures
    from snakebridge_rules.engine.scan import DEFAULT_LIMITS, scan_paths

    manifest = read_manifest(request.manifest) if request.manifest else []
    scanned = (scan_paths(request.paths, request.libraries, cache_dir=request.scan_cache,
                          limits=request.parse_limits or DEFAULT_LIMITS)
               if request.paths else None)
    if scanned and scanned.errors:
        raise GenerationFailed([Problem(d.file, d.line, "", d.message, d.column)
                                for d in scanned.errors])
    found = [CallKey.parse(key) for key in scanned.calls] if scanned else []
    calls = merge(manifest, found)
    surfaces, problems = _introspect(request, calls)
    known = {key: s for surface in surfaces for key, s in signatures(surface).items()}
    if placed := check(problems, scanned.locations if scanned else (), manifest, known):
        raise GenerationFailed(placed)
    try:
        files = render_surfaces(surfaces)
    except GenerateError as exc:
        raise GenerationFailed([Problem(message=str(exc))]) from None
    manifest_data = render_manifest(calls) if request.manifest else b""
    report = write_outputs(request.out_dir, files, request.manifest, manifest_data)
    warnings = [str(d) for d in scanned.warnings] if scanned else []
    return Outcome(report, report.manifest_changed, warnings)
