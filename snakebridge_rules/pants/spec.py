"""An `elixir_bindings` target's fields, resolved against its directory and checked.

The checks run before any process, so a mistake in the BUILD file gets a BUILD fix at
its `BUILD:line`, not an environment's import error, and fails that target alone: the
field values, then `python_requirements` may list only `python_requirement` targets,
and Pants' module mapping must find each library in them (standard-library modules
need none; a near miss gets "did you mean"). Runs inside Pants (Python 3.9).
"""

from __future__ import annotations

import functools
import os
import pkgutil
import sys
import sysconfig
from dataclasses import dataclass
from typing import List, Tuple

from pants.backend.python.dependency_inference.module_mapper import (
    ThirdPartyPythonModuleMapping,
)
from pants.backend.python.target_types import PythonRequirementsField
from pants.engine.addresses import Address, Addresses, UnparsedAddressInputs
from pants.engine.rules import Get, collect_rules, rule
from pants.engine.target import Targets, WrappedTarget, WrappedTargetRequest
from pants.util.docutil import bin_name
from pants.util.logging import LogLevel

from snakebridge_rules.engine.libraries import Library, LibrarySpecError
from snakebridge_rules.engine.names import closest
from snakebridge_rules.pants.target_types import (
    ElixirBindingsLibrariesField,
    ElixirBindingsManifestField,
    ElixirBindingsOutputDirField,
    ElixirBindingsRequirementsField,
    ElixirBindingsSourcesField,
)

REQUIREMENTS = ElixirBindingsRequirementsField.alias
LIBRARIES = ElixirBindingsLibrariesField.alias
OUTPUT_DIR = ElixirBindingsOutputDirField.alias


@dataclass(frozen=True)
class BindingsSpec:
    address: Address
    sources: ElixirBindingsSourcesField
    libraries: Tuple[str, ...]
    requirements: Addresses
    manifest_path: str  # build-root relative, as is output_dir
    output_dir: str
    problems: Tuple[str, ...]  # BUILD-level: when any, no process runs

    def missing_module_fix(self) -> str:
        """introspect's `--missing-fix`: a library these checks pass can still fail to
        import (a wrong `modules=` mapping, an undeclared dependency)."""
        return (f"add the distribution that provides it to the requirements of the resolve "
                f"and to the `{REQUIREMENTS}` of {self.address}, then run "
                f"`{bin_name()} generate-lockfiles`")


@rule(level=LogLevel.DEBUG)
async def bindings_spec(address: Address, mapping: ThirdPartyPythonModuleMapping) -> BindingsSpec:
    target = (await Get(WrappedTarget, WrappedTargetRequest(
        address, description_of_origin="snakebridge bindings"))).target
    requirements = await Get(Addresses, UnparsedAddressInputs(
        target[ElixirBindingsRequirementsField].value or (), owning_address=address,
        description_of_origin=f"the `{REQUIREMENTS}` field of {address}"))
    targets = await Get(Targets, Addresses, requirements)
    libraries = tuple(target[ElixirBindingsLibrariesField].value or ())
    output_dir = target[ElixirBindingsOutputDirField].value or ""
    problems = (_bad_values(address, libraries, output_dir) or _not_requirements(targets)
                or _not_importable(libraries, targets, mapping))
    join = functools.partial(os.path.join, address.spec_path)
    return BindingsSpec(address, target[ElixirBindingsSourcesField], libraries, requirements,
                        join(target[ElixirBindingsManifestField].value or ""),
                        os.path.normpath(join(output_dir)),
                        tuple(f"{target.description_of_origin}: {p}" for p in problems))


def _bad_values(address: Address, libraries: Tuple[str, ...], output_dir: str) -> List[str]:
    """Here, not in the fields' `compute_value`: an error there is raised wherever Pants
    builds the target, and most goals build every target (the module mapping does)."""
    normalized = os.path.normpath(output_dir or ".")
    if normalized == "." or normalized.startswith(("/", "..")):
        return [f"`{OUTPUT_DIR}` must be a subdirectory of {address.spec_path or '.'} (the "
                f"generator deletes files it no longer produces there), not {output_dir!r}"]
    if not libraries:
        return [f"`{LIBRARIES}` names no Python module; name the ones to bind, e.g. "
                f"`{LIBRARIES}=[\"numpy\"]`"]
    try:
        Library.parse_all(libraries)
    except LibrarySpecError as exc:
        return [f"`{LIBRARIES}`: {exc}"]
    return []


def _not_requirements(targets: Targets) -> List[str]:
    return [f"`{REQUIREMENTS}` lists {t.address}, which is not a "
            f"`python_requirement` target; list only the requirements that provide the "
            f"libraries" for t in targets if not t.has_field(PythonRequirementsField)]


@functools.cache
def _stdlib_modules() -> frozenset:
    """Top-level standard-library modules (of Pants' Python: close enough to say that
    `json` needs no requirement)."""
    found = pkgutil.iter_modules([sysconfig.get_paths()["stdlib"]])
    return frozenset(sys.builtin_module_names) | {m.name for m in found}


def _not_importable(libraries: Tuple[str, ...], targets: Targets,
                    mapping: ThirdPartyPythonModuleMapping) -> List[str]:
    listed = {t.address for t in targets}
    provided = sorted({module.split(".")[0]  # what a typo may have meant
                       for by_module in mapping.resolves_to_modules_to_providers.values()
                       for module, by in by_module.items() if any(p.addr in listed for p in by)})
    problems = []
    for spec in libraries:
        module = Library.parse(spec).python_module
        top, dot, rest = module.partition(".")
        providers = {p.provider.addr for p in mapping.providers_for_module(module, None)}
        if top in _stdlib_modules() or providers & listed:
            continue
        close = closest(top, provided)
        hint = (f" (provided by {', '.join(sorted(map(str, providers)))}: add it)" if providers
                else f" — did you mean {close + dot + rest!r}?" if close
                else " (add the `python_requirement` that provides it)")
        problems.append(f"library {module!r} is not importable from `{REQUIREMENTS}` "
                        f"[{', '.join(sorted(map(str, listed)))}]{hint}")
    return problems


def rules():
    return collect_rules()
