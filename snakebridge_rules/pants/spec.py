"""An `elixir_bindings` target's fields, resolved against its directory and checked.

The checks run before any process, so a mistake in the BUILD file gets a BUILD fix, not
an environment's import error: `python_requirements` may list only `python_requirement`
targets, and Pants' module mapping must find each library in them (standard-library
modules need none). Runs inside Pants (Python 3.9).
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

from snakebridge_rules.engine.libraries import Library
from snakebridge_rules.pants.target_types import (
    ElixirBindingsLibrariesField,
    ElixirBindingsManifestField,
    ElixirBindingsOutputDirField,
    ElixirBindingsRequirementsField,
    ElixirBindingsSourcesField,
)

REQUIREMENTS = ElixirBindingsRequirementsField.alias


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
    problems = _not_requirements(address, targets) or _not_importable(
        address, libraries, targets, mapping)
    join = functools.partial(os.path.join, address.spec_path)
    return BindingsSpec(address, target[ElixirBindingsSourcesField], libraries, requirements,
                        join(target[ElixirBindingsManifestField].value or ""),
                        os.path.normpath(join(target[ElixirBindingsOutputDirField].value or ".")),
                        tuple(problems))


def _not_requirements(address: Address, targets: Targets) -> List[str]:
    return [f"{address}: `{REQUIREMENTS}` lists {t.address}, which is not a "
            f"`python_requirement` target; list only the requirements that provide the "
            f"libraries" for t in targets if not t.has_field(PythonRequirementsField)]


@functools.cache
def _stdlib_modules() -> frozenset:
    """Top-level standard-library modules (of Pants' Python: close enough to say that
    `json` needs no requirement)."""
    found = pkgutil.iter_modules([sysconfig.get_paths()["stdlib"]])
    return frozenset(sys.builtin_module_names) | {m.name for m in found}


def _not_importable(address: Address, libraries: Tuple[str, ...], targets: Targets,
                    mapping: ThirdPartyPythonModuleMapping) -> List[str]:
    listed = {t.address for t in targets}
    problems = []
    for spec in libraries:
        module = Library.parse(spec).python_module
        if module.split(".")[0] in _stdlib_modules():
            continue
        providers = {p.provider.addr for p in mapping.providers_for_module(module, None)}
        if not providers & listed:
            hint = (f" (provided by {', '.join(sorted(map(str, providers)))}: add it)"
                    if providers else " (add the `python_requirement` that provides it)")
            problems.append(f"{address}: library {module!r} is not importable from "
                            f"`{REQUIREMENTS}` [{', '.join(sorted(map(str, listed)))}]{hint}")
    return problems


def rules():
    return collect_rules()
