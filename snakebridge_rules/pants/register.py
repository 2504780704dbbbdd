"""Pants backend `snakebridge_rules.pants`: the `elixir_bindings` target and its goals.

Enable it in pants.toml: `backend_packages.add = ["snakebridge_rules.pants"]`. One small
rule file per concern, like Pants' own codegen backends: spec.py checks a target,
process.py runs the engine, scan, merge, introspect, check and render are its steps,
bindings.py wires them, and codegen.py, goal.py and lint.py are how users reach them.
"""

from pants.backend.python.dependency_inference import module_mapper
from pants.backend.python.util_rules import pex, pex_from_targets

from snakebridge_rules.pants import (
    bindings,
    check,
    codegen,
    goal,
    introspect,
    lint,
    merge,
    process,
    render,
    scan,
    spec,
)
from snakebridge_rules.pants.target_types import ElixirBindingsTarget


def target_types():
    return [ElixirBindingsTarget]


def rules():
    steps = (process, spec, scan, merge, introspect, check, render, bindings, codegen, goal, lint)
    return [
        *(r for module in steps for r in module.rules()),
        *pex.rules(),
        *pex_from_targets.rules(),
        *module_mapper.rules(),
    ]
