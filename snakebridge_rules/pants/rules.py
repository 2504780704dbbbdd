"""The bindings pipeline as separate sandboxed processes, each cached on its own.

    scan(Elixir sources) -> symbols.pb (keys only) + locations.pb (file:line)
    prepare(symbols.pb, manifest) -> merged manifest + calls/<pymod>.pb per library
    introspect(calls/<pymod>.pb, env PEX of the target's locked requirements) -> surface
    render(all surfaces) -> the Elixir files

All four run the engine PEX (`[snakebridge].engine`). A process sees only its declared
inputs, and the symbol set has no line numbers, so an edit that adds no Python call
re-runs the scan and nothing after it. Runs inside Pants (Python 3.9).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Iterable, List, Tuple

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
    env_pex: VenvPex | None = None,
    python_module: str | None = None,
) -> FallibleProcessResult:
    """Run one engine command in a sandbox that holds just `input_digest` (and `env_pex`).

    With `python_module`, run that module of the engine's venv instead of its CLI.
    """
    if python_module is not None:
        argv = ("-m", python_module, *argv)
    if env_pex is not None:
        input_digest = await Get(Digest, MergeDigests([input_digest, env_pex.digest]))
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
            append_only_caches=env_pex.append_only_caches if env_pex is not None else None,
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
        errors=tuple(_diagnostic(e) for e in report.get("errors", ())),
        warnings=tuple(
            e if isinstance(e, str) else _diagnostic(e) for e in report.get("warnings", ())
        ),
    )


# ---------------------------------------------------------------------------------------
# prepare: scan -> bindings per library, manifest merged (engine_side.py)
# ---------------------------------------------------------------------------------------

ENGINE_SIDE = "snakebridge_rules.pants.engine_side"
OLD_MANIFEST = "old.manifest"
MERGED_MANIFEST = "merged.manifest"


@dataclass(frozen=True)
class PrepareRequest:
    symbols: Digest
    manifest: Digest  # OLD_MANIFEST (absent: none yet)
    manifest_path: str
    libraries: Tuple[str, ...]
    prune: bool


@dataclass(frozen=True)
class PrepareResult:
    merged_manifest: bytes
    calls: Tuple[Tuple[str, Digest], ...]  # (library, calls/<pymod>.pb) with calls only
    errors: Tuple[str, ...]


def calls_file(library: str) -> str:
    return f"calls/{library.split('=', 1)[0]}.pb"


@rule(desc="Prepare snakebridge introspection inputs", level=LogLevel.DEBUG)
async def prepare(
    request: PrepareRequest, engine: SnakebridgeEngine, subsystem: SnakebridgeSubsystem
) -> PrepareResult:
    inputs = await Get(Digest, MergeDigests([request.symbols, request.manifest]))
    argv = ["prepare", SYMBOLS, OLD_MANIFEST, request.manifest_path]
    argv += ["--prune"] if request.prune else []
    argv += _library_args(request.libraries)
    description = f"snakebridge prepare for {request.manifest_path}"
    result = await _run_engine(
        engine,
        subsystem,
        argv,
        description=description,
        input_digest=inputs,
        output_files=(MERGED_MANIFEST,),
        output_directories=("calls",),
        python_module=ENGINE_SIDE,
    )
    if result.exit_code == 1:
        errors = tuple(result.stderr.decode(errors="replace").strip().splitlines())
        return PrepareResult(b"", (), errors)
    if result.exit_code != 0:
        raise _engine_failure(description, result)
    snapshot = await Get(Snapshot, Digest, result.output_digest)
    merged, *per_library = await MultiGet(
        Get(DigestContents, DigestSubset(result.output_digest, PathGlobs([MERGED_MANIFEST]))),
        *(
            Get(Digest, DigestSubset(result.output_digest, PathGlobs([calls_file(library)])))
            for library in request.libraries
        ),
    )
    calls = tuple(
        (library, digest)
        for library, digest in zip(request.libraries, per_library)
        if calls_file(library) in snapshot.files
    )
    return PrepareResult(merged[0].content, calls, ())


# ---------------------------------------------------------------------------------------
# introspect (one process per library)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntrospectRequest:
    address: Address
    library: str
    calls: Digest  # calls_file(library)
    requirements: Addresses


@dataclass(frozen=True)
class IntrospectResult:
    surface: Digest  # surface_file(library)
    errors: str  # JSON list of {"call", "message"}; "" when it succeeded


def surface_file(library: str) -> str:
    return f"{library.split('=', 1)[0]}.surface.pb"


def _introspect_errors(result: FallibleProcessResult) -> List[dict]:
    try:
        return list(json.loads(result.stdout).get("errors", ()))
    except ValueError:
        return []


@rule(desc="Introspect one Python library", level=LogLevel.DEBUG)
async def introspect(
    request: IntrospectRequest, engine: SnakebridgeEngine, subsystem: SnakebridgeSubsystem
) -> IntrospectResult:
    env = await Get(IntrospectionEnv, IntrospectionEnvRequest(request.requirements))
    output = surface_file(request.library)
    python = "{chroot}/" + env.venv_pex.python.argv0
    argv = ("introspect", "--library", request.library, "--python", python)
    argv += ("--symbols", calls_file(request.library), "-o", output)
    description = f"snakebridge introspect {request.library} for {request.address}"
    result = await _run_engine(
        engine,
        subsystem,
        argv,
        description=description,
        input_digest=request.calls,
        output_files=(output,),
        env_pex=env.venv_pex,
    )
    if result.exit_code == 0:
        return IntrospectResult(result.output_digest, "")
    errors = _introspect_errors(result)
    if result.exit_code != 1 or not errors:
        raise _engine_failure(description, result)
    return IntrospectResult(EMPTY_DIGEST, json.dumps(errors, sort_keys=True))


# ---------------------------------------------------------------------------------------
# render
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderRequest:
    address: Address
    surfaces: Digest
    files: Tuple[str, ...]


@rule(desc="Render Elixir bindings", level=LogLevel.DEBUG)
async def render(
    request: RenderRequest, engine: SnakebridgeEngine, subsystem: SnakebridgeSubsystem
) -> Snapshot:
    """The generated files, relative to the output directory."""
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
    return await Get(Snapshot, RemovePrefix(result.output_digest, RENDER_OUT))


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


async def _locate_errors(
    engine: SnakebridgeEngine,
    subsystem: SnakebridgeSubsystem,
    spec: BindingsSpec,
    inputs: List[Digest],
    errors: List[str],
) -> Tuple[str, ...]:
    """Introspection errors as `file:line: call: message` (runs only on failure)."""
    listed = [e for blob in errors for e in json.loads(blob)]
    errors_file = await Get(
        Digest, CreateDigest([FileContent("errors.json", json.dumps(listed).encode())])
    )
    description = f"snakebridge locate errors for {spec.address}"
    result = await _run_engine(
        engine,
        subsystem,
        ("locate", LOCATIONS, OLD_MANIFEST, spec.manifest_path, "errors.json"),
        description=description,
        input_digest=await Get(Digest, MergeDigests([*inputs, errors_file])),
        python_module=ENGINE_SIDE,
    )
    if result.exit_code != 0:
        raise _engine_failure(description, result)
    return tuple(result.stdout.decode().splitlines())


async def _old_manifest(path: str) -> Digest:
    """The workspace manifest as OLD_MANIFEST (an empty digest when there is none)."""
    contents = await Get(
        DigestContents,
        PathGlobs([path], glob_match_error_behavior=GlobMatchErrorBehavior.ignore),
    )
    if not contents:
        return EMPTY_DIGEST
    return await Get(Digest, CreateDigest([FileContent(OLD_MANIFEST, contents[0].content)]))


@rule(desc="Generate Elixir bindings", level=LogLevel.DEBUG)
async def generate_bindings(
    request: BindingsRequest, engine: SnakebridgeEngine, subsystem: SnakebridgeSubsystem
) -> Bindings:
    spec = await Get(BindingsSpec, Address, request.address)
    scanned = await Get(ScanResult, BindingsSpec, spec)
    old_manifest = await _old_manifest(spec.manifest_path)

    def result(generated: Snapshot, errors: Tuple[str, ...], manifest: bytes = b"") -> Bindings:
        return Bindings(
            address=spec.address,
            output_dir=spec.output_dir,
            manifest_path=spec.manifest_path,
            generated=generated,
            manifest=manifest,
            errors=errors,
            warnings=scanned.warnings,
        )

    empty = await Get(Snapshot, Digest, EMPTY_DIGEST)
    if scanned.errors:
        return result(empty, scanned.errors)
    prepared = await Get(
        PrepareResult,
        PrepareRequest(
            scanned.symbols, old_manifest, spec.manifest_path, spec.libraries, request.prune
        ),
    )
    if prepared.errors:
        return result(empty, prepared.errors)

    introspected = await MultiGet(
        Get(IntrospectResult, IntrospectRequest(spec.address, library, calls, spec.requirements))
        for library, calls in prepared.calls
    )
    failures = [r.errors for r in introspected if r.errors]
    if failures:
        inputs = [scanned.locations, old_manifest]
        return result(empty, await _locate_errors(engine, subsystem, spec, inputs, failures))
    if not introspected:
        return result(empty, (), prepared.merged_manifest)

    surfaces = await Get(Digest, MergeDigests(r.surface for r in introspected))
    files = tuple(surface_file(library) for library, _ in prepared.calls)
    rendered = await Get(Snapshot, RenderRequest(spec.address, surfaces, files))
    generated = await Get(Snapshot, AddPrefix(rendered.digest, spec.output_dir))
    return result(generated, (), prepared.merged_manifest)


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
