"""One `elixir_bindings` target end to end: its fields checked, then the engine's steps.

    scan → merge → introspect (one process per library) → check → render

This file only wires steps and moves digests; what each step means is the engine's.
A target's problems come back in `Bindings.problems` (never raised), so a goal can
report every target and still write the good ones. Runs inside Pants (Python 3.9).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import List, Tuple

from pants.backend.python.dependency_inference.module_mapper import (
    ThirdPartyPythonModuleMapping,
)
from pants.engine.addresses import Address, Addresses, UnparsedAddressInputs
from pants.engine.fs import (
    EMPTY_DIGEST,
    AddPrefix,
    CreateDigest,
    Digest,
    DigestContents,
    DigestSubset,
    GlobMatchErrorBehavior,
    MergeDigests,
    PathGlobs,
    Snapshot,
)
from pants.engine.rules import Get, MultiGet, collect_rules, rule
from pants.engine.target import (
    HydratedSources,
    HydrateSourcesRequest,
    Targets,
    WrappedTarget,
    WrappedTargetRequest,
)
from pants.util.logging import LogLevel

from snakebridge_rules.engine.problems import Problem
from snakebridge_rules.pants.check import CheckRequest, CheckResult
from snakebridge_rules.pants.field_checks import import_problems, requirement_problems
from snakebridge_rules.pants.introspect import (
    IntrospectRequest,
    IntrospectResult,
    errors_file,
    surface_file,
)
from snakebridge_rules.pants.merge import MergeRequest, MergeResult
from snakebridge_rules.pants.render import RenderRequest, RenderResult
from snakebridge_rules.pants.scan import ScanRequest, ScanResult
from snakebridge_rules.pants.target_types import (
    ElixirBindingsLibrariesField,
    ElixirBindingsManifestField,
    ElixirBindingsOutputDirField,
    ElixirBindingsRequirementsField,
    ElixirBindingsSourcesField,
)


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
    problems: Tuple[str, ...]
    warnings: Tuple[str, ...]


@dataclass(frozen=True)
class BindingsSpec:
    """A target's fields, resolved against its directory, and what is wrong with them."""

    address: Address
    libraries: Tuple[str, ...]
    requirements: Addresses
    manifest_path: str
    output_dir: str
    problems: Tuple[str, ...]


@rule(level=LogLevel.DEBUG)
async def bindings_spec(address: Address, mapping: ThirdPartyPythonModuleMapping) -> BindingsSpec:
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
    targets = await Get(Targets, Addresses, requirements)
    libraries = tuple(target[ElixirBindingsLibrariesField].value or ())
    problems = requirement_problems(address, targets) or import_problems(
        address, libraries, targets, mapping
    )
    directory = address.spec_path
    return BindingsSpec(
        address=address,
        libraries=libraries,
        requirements=requirements,
        manifest_path=os.path.join(directory, target[ElixirBindingsManifestField].value or ""),
        output_dir=os.path.normpath(
            os.path.join(directory, target[ElixirBindingsOutputDirField].value or ".")
        ),
        problems=tuple(problems),
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


async def _workspace_manifest(path: str) -> Digest:
    """The checked-in manifest at its own path (an empty digest when there is none)."""
    contents = await Get(
        DigestContents,
        PathGlobs([path], glob_match_error_behavior=GlobMatchErrorBehavior.ignore),
    )
    return await Get(Digest, CreateDigest(contents)) if contents else EMPTY_DIGEST


async def _locate(spec: BindingsSpec, scanned: ScanResult, manifest: Digest,
                  results: List[Tuple[str, IntrospectResult]]) -> Tuple[str, ...]:
    """Every library's problems and keyword names, worded at their call sites by the
    check step, in the engine's file, line, column order (the libraries' and check's
    lists joined)."""
    direct = [p for _, r in results for p in r.problems]
    described = [(library, r) for library, r in results if not r.problems]
    checked: Tuple[Problem, ...] = ()
    if described:
        errors = await Get(Digest, MergeDigests(r.errors for _, r in described))
        checked = (await Get(
            CheckResult,
            CheckRequest(spec.address, scanned.locations, manifest, spec.manifest_path,
                         errors, tuple(errors_file(library) for library, _ in described)),
        )).problems
    worded = [(p, f"{spec.address}: {p}") for p in direct] + [(p, str(p)) for p in checked]
    return tuple(text for _, text in sorted(worded, key=lambda pair: pair[0].sort_key()))


@rule(desc="Generate Elixir bindings", level=LogLevel.DEBUG)
async def generate_bindings(request: BindingsRequest) -> Bindings:
    spec = await Get(BindingsSpec, Address, request.address)
    empty = await Get(Snapshot, Digest, EMPTY_DIGEST)

    def result(problems: Tuple[str, ...], warnings: Tuple[str, ...] = (),
               generated: Snapshot = empty, manifest: bytes = b"") -> Bindings:
        return Bindings(spec.address, spec.output_dir, spec.manifest_path, generated,
                        manifest, problems, warnings)

    if spec.problems:
        return result(spec.problems)
    scanned = await Get(ScanResult, BindingsSpec, spec)
    if scanned.problems:
        return result(tuple(map(str, scanned.problems)), scanned.warnings)
    manifest = await _workspace_manifest(spec.manifest_path)
    merged = await Get(
        MergeResult,
        MergeRequest(scanned.symbols, manifest, spec.manifest_path, spec.libraries,
                     request.prune),
    )
    if merged.problems:
        return result(tuple(map(str, merged.problems)), scanned.warnings)
    introspected = await MultiGet(
        Get(IntrospectResult, IntrospectRequest(spec.address, library, calls, spec.requirements))
        for library, calls in merged.calls
    )
    problems = await _locate(spec, scanned, manifest, list(zip(spec.libraries, introspected)))
    if problems:
        return result(problems, scanned.warnings)
    surfaces = await Get(Digest, MergeDigests(r.surface for r in introspected))
    files = tuple(surface_file(library) for library in spec.libraries)
    rendered = await Get(RenderResult, RenderRequest(spec.address, surfaces, files))
    if rendered.problems:
        return result(tuple(map(str, rendered.problems)), scanned.warnings)
    generated = await Get(Snapshot, AddPrefix(rendered.generated.digest, spec.output_dir))
    return result((), scanned.warnings, generated, merged.manifest)


def rules():
    return collect_rules()
