"""BUILD-level checks of an `elixir_bindings` target, before any process runs.

`python_requirements` may list only `python_requirement` targets, and each library must
be importable from them (Pants' module mapping; standard-library modules need none):
otherwise the fix is in the BUILD file, and the message says so instead of an
environment's import error. A library these checks pass that still fails to import
(a wrong `modules=` mapping, a dependency its distribution does not declare) gets the
same BUILD-file fix from the engine: `missing_module_fix` is its `--missing-fix`.
Runs inside Pants (Python 3.9).
"""

from __future__ import annotations

import functools
import pkgutil
import sys
import sysconfig
from typing import List, Tuple

from pants.backend.python.dependency_inference.module_mapper import (
    ThirdPartyPythonModuleMapping,
)
from pants.backend.python.target_types import PythonRequirementsField
from pants.engine.addresses import Address
from pants.engine.target import Targets
from pants.util.docutil import bin_name

from snakebridge_rules.engine.libraries import Library
from snakebridge_rules.pants.target_types import ElixirBindingsRequirementsField


def requirement_problems(address: Address, targets: Targets) -> List[str]:
    return [
        f"{address}: `{ElixirBindingsRequirementsField.alias}` lists {t.address}, which is "
        f"not a `python_requirement` target; list only the requirements that provide the "
        f"libraries"
        for t in targets
        if not t.has_field(PythonRequirementsField)
    ]


@functools.cache
def _stdlib_modules() -> frozenset:
    """Top-level standard-library modules (of Pants' Python: close enough to say that
    `json` needs no requirement)."""
    found = pkgutil.iter_modules([sysconfig.get_paths()["stdlib"]])
    return frozenset(sys.builtin_module_names) | {m.name for m in found}


def import_problems(
    address: Address, libraries: Tuple[str, ...], targets: Targets,
    mapping: ThirdPartyPythonModuleMapping,
) -> List[str]:
    """A library none of the listed requirements provides is a BUILD-file mistake."""
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
            problems.append(
                f"{address}: library {module!r} is not importable from `"
                f"{ElixirBindingsRequirementsField.alias}` "
                f"[{', '.join(sorted(map(str, listed)))}]{hint}"
            )
    return problems


def missing_module_fix(address: Address) -> str:
    """How a Pants user adds a module the introspection environment lacks."""
    return (f"add the distribution that provides it to the requirements of the resolve and "
            f"to the `{ElixirBindingsRequirementsField.alias}` of {address}, then run "
            f"`{bin_name()} generate-lockfiles`")
