"""`generate` in one process: scan ∪ manifest → introspect → render → write.

Everything that can fail happens before the first byte is written: a failure leaves
the output directory and the manifest exactly as they were. Errors about a call name
the Elixir file and line where the call is (or the manifest line that holds it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from snakebridge_rules._pb.snakebridge.v1.api_pb2 import ApiSurface
from snakebridge_rules.engine.calls import CallKey, binding_of
from snakebridge_rules.engine.generate import render_surfaces, write_outputs
from snakebridge_rules.engine.generate.modules import GenerateError
from snakebridge_rules.engine.generate.output import WriteReport
from snakebridge_rules.engine.generate.scanning import ScanResult, scan
from snakebridge_rules.engine.introspect.runtime import Limits
from snakebridge_rules.engine.libraries import Library
from snakebridge_rules.engine.manifest import Entry, read_manifest, render_manifest


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


@dataclass
class Outcome:
    report: WriteReport
    manifest_changed: bool
    warnings: list[str]


class GenerationFailed(Exception):
    """Bad input: one `file:line: message` per problem; nothing was written."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


def _where(call: str, scanned: ScanResult, manifest: list[Entry]) -> str:
    """`lib/x.ex:12` for a scanned call, `manifest:3` for a manifest-only one."""
    if call in scanned.locations:
        return scanned.locations[call]
    for entry in manifest:
        if str(entry.call) == call:
            return f"{entry.file}:{entry.line}"
    return ""


def _introspect(request: Request, calls: list[CallKey], scanned: ScanResult,
                manifest: list[Entry]) -> list[ApiSurface]:
    from snakebridge_rules.engine.introspect import ProbeError, introspect

    surfaces, problems = [], []
    for library in request.libraries:
        if not request.eager and not any(library.owns(c.module) for c in calls):
            continue
        try:
            surface, errors = introspect(library, request.python, calls, eager=request.eager,
                                         limits=request.limits)
        except ProbeError as exc:
            problems.append(str(exc))
            continue
        for error in errors:
            where = _where(error.call, scanned, manifest)
            label = f"{where}: {error.call}" if where else error.call
            problems.append(f"{label}: {error.message}" if label else error.message)
        surfaces.append(surface)
    if problems:
        raise GenerationFailed(problems)
    return surfaces


def generate(request: Request) -> Outcome:
    """Run the whole action; raises GenerationFailed (and writes nothing) on bad input."""
    manifest = read_manifest(request.manifest) if request.manifest else []
    scanned = scan(request.paths, request.libraries, request.scan_cache)
    if scanned.errors:
        raise GenerationFailed(scanned.errors)
    from_manifest = {binding_of(e.call) for e in manifest} - {None}
    calls = sorted(from_manifest | set(scanned.calls))
    surfaces = _introspect(request, calls, scanned, manifest)
    try:
        files = render_surfaces(surfaces)
    except GenerateError as exc:
        raise GenerationFailed([str(exc)]) from None
    manifest_data = render_manifest(calls) if request.manifest else b""
    report = write_outputs(request.out_dir, files, request.manifest, manifest_data)
    return Outcome(report, report.manifest_changed, scanned.warnings)
