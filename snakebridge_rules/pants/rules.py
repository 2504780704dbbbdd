"""The bindings pipeline as separate sandboxed processes, each cached on its own.

    engine PEX (from `[snakebridge].engine`)      env PEX (the target's requirements, locked)
          |                                              |
    scan(Elixir sources) -> symbols.pb ---+--> introspect(one library) -> <lib>.surface.pb
                                manifest -+                                 |
                                                    render(all surfaces) -> Elixir files

A process sees only its declared inputs. The symbol set holds call keys only (no lines),
so an edit that adds no Python call re-runs the scan and nothing after it. Runs inside
Pants (Python 3.9).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Dict, Iterable, List, Tuple

from pants.backend.python.target_types import EntryPoint
from pants.backend.python.util_rules import pex, pex_from_targets
from pants.backend.python.util_rules.pex import PexRequest, VenvPex, VenvPexProcess, VenvPexRequest
from pants.backend.python.util_rules.pex_environment import PexEnvironment
from pants.backend.python.util_rules.pex_from_targets import PexFromTargetsRequest
from pants.engine.addresses import Address, Addresses, UnparsedAddressInputs
from pants.engine.fs import (
    EMPTY_DIGEST,
    AddPrefix,
    CreateDigest,
    Digest,
    DigestContents,
    DigestSubset,
    FileContent,
    GlobMatchErrorBehavior,
    MergeDigests,
    PathGlobs,
    RemovePrefix,
    Snapshot,
)
from pants.engine.process import FallibleProcessResult, Process
from pants.engine.rules import Get, MultiGet, collect_rules, rule
from pants.engine.target import (
    GeneratedSources,
    GenerateSourcesRequest,
    HydratedSources,
    HydrateSourcesRequest,
    WrappedTarget,
    WrappedTargetRequest,
)
from pants.engine.unions import UnionRule
from pants.util.logging import LogLevel

from snakebridge_rules.pants.subsystem import SnakebridgeSubsystem
from snakebridge_rules.pants.target_types import (
    ElixirBindingsGeneratedSourcesField,
    ElixirBindingsLibrariesField,
    ElixirBindingsManifestField,
    ElixirBindingsOutputDirField,
    ElixirBindingsRequirementsField,
    ElixirBindingsSourcesField,
)

SYMBOLS = "symbols.pb"
LOCATIONS = "locations.pb"
MANIFEST = "manifest.txt"
RENDER_OUT = "out"


class BindingsError(Exception):
    """Bad input (unknown symbol, bad arity, unparsable file): file:line lines, no trace."""


# ---------------------------------------------------------------------------------------
# Environments
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SnakebridgeEngine:
    venv_pex: VenvPex


@dataclass(frozen=True)
class IntrospectionEnvRequest:
    requirements: Addresses


@dataclass(frozen=True)
class IntrospectionEnv:
    venv_pex: VenvPex


@rule(desc="Build the snakebridge engine", level=LogLevel.DEBUG)
async def build_engine(
    subsystem: SnakebridgeSubsystem, pex_environment: PexEnvironment
) -> SnakebridgeEngine:
    addresses = await Get(
        Addresses,
        UnparsedAddressInputs(
            [subsystem.engine],
            owning_address=None,
            description_of_origin="the option `[snakebridge].engine`",
        ),
    )
    pex_request = await Get(
        PexRequest,
        PexFromTargetsRequest(
            addresses,
            output_filename="snakebridge-engine.pex",
            internal_only=True,
            main=EntryPoint("snakebridge_rules.cli", "main"),
            description="snakebridge engine",
        ),
    )
    venv_pex = await Get(
        VenvPex, VenvPexRequest(pex_request, pex_environment.in_sandbox(working_directory=None))
    )
    return SnakebridgeEngine(venv_pex)


@rule(desc="Build a locked introspection environment", level=LogLevel.DEBUG)
async def build_introspection_env(
    request: IntrospectionEnvRequest, pex_environment: PexEnvironment
) -> IntrospectionEnv:
    pex_request = await Get(
        PexRequest,
        PexFromTargetsRequest(
            request.requirements,
            output_filename="snakebridge-env.pex",
            internal_only=True,
            include_source_files=False,
            description=f"snakebridge environment for {', '.join(map(str, request.requirements))}",
        ),
    )
    venv_pex = await Get(
        VenvPex, VenvPexRequest(pex_request, pex_environment.in_sandbox(working_directory=None))
    )
    return IntrospectionEnv(venv_pex)


async def _run_engine(
    engine: SnakebridgeEngine,
    subsystem: SnakebridgeSubsystem,
    argv: Iterable[str],
    *,
    description: str,
    input_digest: Digest,
    output_files: Tuple[str, ...] = (),
    output_directories: Tuple[str, ...] = (),
    extra_immutable: VenvPex | None = None,
    python_module: str | None = None,
) -> FallibleProcessResult:
    """Run one engine command in a sandbox that holds just `input_digest` (+ another PEX).

    With `python_module`, run that module of the engine's venv instead of its CLI.
    """
    if python_module is not None:
        argv = ("-m", python_module, *argv)
    if extra_immutable is not None:
        input_digest = await Get(Digest, MergeDigests([input_digest, extra_immutable.digest]))
    process = await Get(
        Process,
        VenvPexProcess(
            engine.venv_pex,
            argv=tuple(argv),
            description=description,
            level=LogLevel.DEBUG,
            input_digest=input_digest,
            output_files=output_files or None,
            output_directories=output_directories or None,
            timeout_seconds=subsystem.timeout,
            extra_env={"PEX_INTERPRETER": "1"} if python_module is not None else None,
            append_only_caches=(
                extra_immutable.append_only_caches if extra_immutable is not None else None
            ),
        ),
    )
    return await Get(FallibleProcessResult, Process, process)


def _engine_failure(description: str, result: FallibleProcessResult) -> BindingsError:
    detail = (result.stderr or result.stdout).decode(errors="replace").strip()
    return BindingsError(f"{description} failed (exit {result.exit_code}):\n{detail}")


# ---------------------------------------------------------------------------------------
# scan
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanRequest:
    address: Address
    sources: Digest
    files: Tuple[str, ...]
    libraries: Tuple[str, ...]


@dataclass(frozen=True)
class ScanResult:
    symbols: Digest  # SYMBOLS: call keys only, the content-addressed introspection input
    locations: Digest  # LOCATIONS: file:line of each call, read only to word errors
    calls: Tuple[str, ...]
    errors: Tuple[str, ...]
    warnings: Tuple[str, ...]


def _library_args(libraries: Iterable[str]) -> Tuple[str, ...]:
    return tuple(arg for library in libraries for arg in ("--library", library))


def _diagnostic(entry: dict) -> str:
    return f"{entry.get('file')}:{entry.get('line')}: {entry.get('message')}"


@rule(desc="Scan Elixir sources for Python calls", level=LogLevel.DEBUG)
async def scan(
    request: ScanRequest, engine: SnakebridgeEngine, subsystem: SnakebridgeSubsystem
) -> ScanResult:
    description = f"snakebridge scan for {request.address} ({len(request.files)} files)"
    argv = (
        "scan",
        *_library_args(request.libraries),
        "--symbols-out",
        SYMBOLS,
        "--locations-out",
        LOCATIONS,
        *request.files,
    )
    result = await _run_engine(
        engine,
        subsystem,
        argv,
        description=description,
        input_digest=request.sources,
        output_files=(SYMBOLS, LOCATIONS),
    )
    if result.exit_code not in (0, 1):
        raise _engine_failure(description, result)
    report = json.loads(result.stdout)
    symbols, locations = await MultiGet(
        Get(Digest, DigestSubset(result.output_digest, PathGlobs([SYMBOLS]))),
        Get(Digest, DigestSubset(result.output_digest, PathGlobs([LOCATIONS]))),
    )
    return ScanResult(
        symbols=symbols,
        locations=locations,
        calls=tuple(report.get("calls", ())),
        errors=tuple(_diagnostic(e) for e in report.get("errors", ())),
        warnings=tuple(
            e if isinstance(e, str) else _diagnostic(e) for e in report.get("warnings", ())
        ),
    )


# ---------------------------------------------------------------------------------------
# introspect (one process per library)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntrospectRequest:
    address: Address
    library: str
    symbols: Digest
    manifest: Digest  # MANIFEST with just the call keys, or EMPTY_DIGEST
    requirements: Addresses


@dataclass(frozen=True)
class IntrospectResult:
    surface: Digest  # <pymod>.surface.pb
    errors: Tuple[Tuple[str, str], ...]  # (call key, message)


def surface_file(library: str) -> str:
    return f"{library.split('=', 1)[0]}.surface.pb"


def _introspect_errors(result: FallibleProcessResult) -> Tuple[Tuple[str, str], ...]:
    try:
        errors = json.loads(result.stdout).get("errors", ())
    except ValueError:
        return ()
    return tuple((str(e.get("call", "")), str(e.get("message", ""))) for e in errors)


@rule(desc="Introspect one Python library", level=LogLevel.DEBUG)
async def introspect(
    request: IntrospectRequest, engine: SnakebridgeEngine, subsystem: SnakebridgeSubsystem
) -> IntrospectResult:
    env = await Get(IntrospectionEnv, IntrospectionEnvRequest(request.requirements))
    inputs = await Get(Digest, MergeDigests([request.symbols, request.manifest]))
    output = surface_file(request.library)
    argv = [
        "introspect",
        "--library",
        request.library,
        "--python",
        "{chroot}/" + env.venv_pex.python.argv0,
        "--symbols",
        SYMBOLS,
        "-o",
        output,
    ]
    if request.manifest != EMPTY_DIGEST:
        argv[-2:-2] = ["--manifest", MANIFEST]
    description = f"snakebridge introspect {request.library} for {request.address}"
    result = await _run_engine(
        engine,
        subsystem,
        argv,
        description=description,
        input_digest=inputs,
        output_files=(output,),
        extra_immutable=env.venv_pex,
    )
    if result.exit_code == 0:
        return IntrospectResult(result.output_digest, ())
    errors = _introspect_errors(result)
    if result.exit_code != 1 or not errors:
        raise _engine_failure(description, result)
    return IntrospectResult(EMPTY_DIGEST, errors)


# ---------------------------------------------------------------------------------------
# render
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderRequest:
    address: Address
    surfaces: Digest
    files: Tuple[str, ...]


@dataclass(frozen=True)
class RenderResult:
    files: Digest  # relative to the output directory


@rule(desc="Render Elixir bindings", level=LogLevel.DEBUG)
async def render(
    request: RenderRequest, engine: SnakebridgeEngine, subsystem: SnakebridgeSubsystem
) -> RenderResult:
    description = f"snakebridge render for {request.address}"
    result = await _run_engine(
        engine,
        subsystem,
        ("render", "--out", RENDER_OUT, *request.files),
        description=description,
        input_digest=request.surfaces,
        output_directories=(RENDER_OUT,),
    )
    if result.exit_code != 0:
        raise _engine_failure(description, result)
    return RenderResult(await Get(Digest, RemovePrefix(result.output_digest, RENDER_OUT)))


# ---------------------------------------------------------------------------------------
# The whole target
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BindingsRequest:
    address: Address
    prune: bool = False  # True: ignore the manifest (generate from the scan alone)


@dataclass(frozen=True)
class Bindings:
    address: Address
    output_dir: str  # build-root relative
    manifest_path: str  # build-root relative
    generated: Snapshot  # build-root relative paths under output_dir
    manifest: bytes  # the manifest to write: (manifest ∪ scan) or, pruned, scan
    errors: Tuple[str, ...]
    warnings: Tuple[str, ...]


@dataclass(frozen=True)
class BindingsSpec:
    """A target's fields, resolved against its directory."""

    address: Address
    libraries: Tuple[str, ...]
    requirements: Addresses
    manifest_path: str
    output_dir: str


@rule(level=LogLevel.DEBUG)
async def bindings_spec(address: Address) -> BindingsSpec:
    wrapped = await Get(
        WrappedTarget,
        WrappedTargetRequest(address, description_of_origin="snakebridge bindings"),
    )
    target = wrapped.target
    requirements = await Get(
        Addresses,
        UnparsedAddressInputs(
            target[ElixirBindingsRequirementsField].value or (),
            owning_address=address,
            description_of_origin=f"the `python_requirements` field of {address}",
        ),
    )
    directory = address.spec_path
    return BindingsSpec(
        address=address,
        libraries=tuple(target[ElixirBindingsLibrariesField].value or ()),
        requirements=requirements,
        manifest_path=os.path.join(directory, target[ElixirBindingsManifestField].value or ""),
        output_dir=os.path.normpath(
            os.path.join(directory, target[ElixirBindingsOutputDirField].value or ".")
        ),
    )


@rule(level=LogLevel.DEBUG)
async def scan_bindings_target(spec: BindingsSpec) -> ScanResult:
    """The scan of a target's sources, minus its own generated files."""
    wrapped = await Get(
        WrappedTarget,
        WrappedTargetRequest(spec.address, description_of_origin="snakebridge bindings"),
    )
    hydrated = await Get(
        HydratedSources, HydrateSourcesRequest(wrapped.target[ElixirBindingsSourcesField])
    )
    prefix = spec.output_dir + os.sep
    files = tuple(f for f in hydrated.snapshot.files if not f.startswith(prefix))
    sources = await Get(Digest, DigestSubset(hydrated.snapshot.digest, PathGlobs(files)))
    return await Get(ScanResult, ScanRequest(spec.address, sources, files, spec.libraries))


ENGINE_SIDE = "snakebridge_rules.pants.engine_side"


async def _call_locations(
    engine: SnakebridgeEngine, subsystem: SnakebridgeSubsystem, locations: Digest
) -> Dict[str, List[str]]:
    """call key -> ["file:line", ...], read from the scan's SymbolLocations (errors only)."""
    description = "snakebridge: locate calls for error messages"
    result = await _run_engine(
        engine,
        subsystem,
        ("locate", LOCATIONS),
        description=description,
        input_digest=locations,
        python_module=ENGINE_SIDE,
    )
    if result.exit_code != 0:
        raise _engine_failure(description, result)
    return json.loads(result.stdout)


@dataclass(frozen=True)
class ManifestRequest:
    manifest_path: str
    calls: Tuple[str, ...]
    prune: bool


@dataclass(frozen=True)
class ManifestResult:
    merged: bytes  # what generate-bindings writes
    kept: Digest  # MANIFEST: the old manifest's calls, canonical (introspection input)
    has_kept: bool
    errors: Tuple[str, ...]


@rule(desc="Merge the snakebridge manifest", level=LogLevel.DEBUG)
async def merge_manifest(
    request: ManifestRequest, engine: SnakebridgeEngine, subsystem: SnakebridgeSubsystem
) -> ManifestResult:
    old = await Get(
        DigestContents,
        PathGlobs([request.manifest_path], glob_match_error_behavior=GlobMatchErrorBehavior.ignore),
    )
    inputs = await Get(
        Digest,
        CreateDigest(
            [
                FileContent("old.manifest", old[0].content if old else b""),
                FileContent("calls.json", json.dumps(sorted(request.calls)).encode()),
            ]
        ),
    )
    description = f"snakebridge: merge {request.manifest_path}"
    argv = ["manifest", "old.manifest", request.manifest_path, "calls.json"]
    result = await _run_engine(
        engine,
        subsystem,
        argv + (["--prune"] if request.prune else []),
        description=description,
        input_digest=inputs,
        output_files=("merged.manifest", "kept.manifest"),
        python_module=ENGINE_SIDE,
    )
    if result.exit_code == 1:
        errors = tuple(result.stderr.decode(errors="replace").strip().splitlines())
        return ManifestResult(b"", EMPTY_DIGEST, False, errors)
    if result.exit_code != 0:
        raise _engine_failure(description, result)
    contents = await Get(DigestContents, Digest, result.output_digest)
    by_name = {c.path: c.content for c in contents}
    kept = by_name["kept.manifest"]
    has_kept = any(line and not line.startswith(b"#") for line in kept.splitlines())
    kept_digest = (
        await Get(Digest, CreateDigest([FileContent(MANIFEST, kept)])) if has_kept else EMPTY_DIGEST
    )
    return ManifestResult(by_name["merged.manifest"], kept_digest, has_kept, ())


def _word_introspect_errors(
    errors: Iterable[Tuple[str, str]], where: dict, manifest_path: str, manifest: bytes
) -> Tuple[str, ...]:
    manifest_lines = {
        line.strip(): number for number, line in enumerate(manifest.decode().splitlines(), 1)
    }
    lines = []
    for call, message in errors:
        places = where.get(call) or (
            [f"{manifest_path}:{manifest_lines[call]}"] if call in manifest_lines else ["<scan>"]
        )
        lines.extend(f"{place}: {message}" for place in places)
    return tuple(sorted(lines))


@rule(desc="Generate Elixir bindings", level=LogLevel.DEBUG)
async def generate_bindings(
    request: BindingsRequest, engine: SnakebridgeEngine, subsystem: SnakebridgeSubsystem
) -> Bindings:
    spec = await Get(BindingsSpec, Address, request.address)
    scanned = await Get(ScanResult, BindingsSpec, spec)
    manifest = await Get(
        ManifestResult, ManifestRequest(spec.manifest_path, scanned.calls, request.prune)
    )

    def result(generated: Snapshot, errors: Tuple[str, ...]) -> Bindings:
        return Bindings(
            address=spec.address,
            output_dir=spec.output_dir,
            manifest_path=spec.manifest_path,
            generated=generated,
            manifest=manifest.merged,
            errors=errors,
            warnings=scanned.warnings,
        )

    empty = await Get(Snapshot, Digest, EMPTY_DIGEST)
    if scanned.errors or manifest.errors:
        return result(empty, scanned.errors + manifest.errors)

    introspected = await MultiGet(
        Get(
            IntrospectResult,
            IntrospectRequest(
                spec.address, library, scanned.symbols, manifest.kept, spec.requirements
            ),
        )
        for library in spec.libraries
    )
    errors = [e for r in introspected for e in r.errors]
    if errors:
        where = await _call_locations(engine, subsystem, scanned.locations)
        manifest_text = await Get(
            DigestContents,
            PathGlobs(
                [spec.manifest_path], glob_match_error_behavior=GlobMatchErrorBehavior.ignore
            ),
        )
        old = manifest_text[0].content if manifest_text else b""
        return result(empty, _word_introspect_errors(errors, where, spec.manifest_path, old))

    surfaces = await Get(Digest, MergeDigests(r.surface for r in introspected))
    rendered = await Get(
        RenderResult,
        RenderRequest(spec.address, surfaces, tuple(surface_file(lib) for lib in spec.libraries)),
    )
    generated = await Get(Snapshot, AddPrefix(rendered.files, spec.output_dir))
    return result(generated, ())


# ---------------------------------------------------------------------------------------
# Codegen: export-codegen, and shell commands / adhoc tools that depend on the target
# ---------------------------------------------------------------------------------------


class GenerateElixirBindingsRequest(GenerateSourcesRequest):
    input = ElixirBindingsSourcesField
    output = ElixirBindingsGeneratedSourcesField


@rule(desc="Generate Elixir bindings (codegen)", level=LogLevel.DEBUG)
async def generate_bindings_sources(request: GenerateElixirBindingsRequest) -> GeneratedSources:
    bindings = await Get(Bindings, BindingsRequest(request.protocol_target.address))
    if bindings.errors:
        raise BindingsError(
            f"{bindings.address}: bindings cannot be generated:\n" + "\n".join(bindings.errors)
        )
    return GeneratedSources(bindings.generated)


def rules():
    return [
        *collect_rules(),
        *pex.rules(),
        *pex_from_targets.rules(),
        UnionRule(GenerateSourcesRequest, GenerateElixirBindingsRequest),
    ]
