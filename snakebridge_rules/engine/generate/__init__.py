"""API surfaces → Elixir source files (the generate action's pure core).

`render_surfaces` maps surfaces to `{relative path: bytes}` in memory, so a failure
writes nothing; `write_outputs` then swaps them into the output directory all at once
(output.py), leaving identical files (and their mtimes) alone.
"""

from __future__ import annotations

from snakebridge_rules._pb.snakebridge.v1.api_pb2 import ApiSurface, ModuleSurface
from snakebridge_rules.engine.generate.modules import HEADER, GenerateError, render_module
from snakebridge_rules.engine.generate.output import OutputError, WriteReport, write_outputs
from snakebridge_rules.engine.generate.paths import module_paths
from snakebridge_rules.engine.generate.specs import Types
from snakebridge_rules.engine.libraries import taken_by_elixir

__all__ = [
    "HEADER",
    "GenerateError",
    "OutputError",
    "WriteReport",
    "module_paths",
    "render_surfaces",
    "write_outputs",
]


def render_surfaces(surfaces: list[ApiSurface]) -> dict[str, bytes]:
    """Every module of every surface, keyed by its path relative to the output dir."""
    modules: dict[str, ModuleSurface] = {}
    for surface in surfaces:
        for module in surface.modules:
            if module.elixir_module in modules:
                raise GenerateError(
                    f"{module.elixir_module} is described by two API surfaces "
                    f"({modules[module.elixir_module].python_module} and "
                    f"{module.python_module}); bind each library to its own Elixir module"
                )
            if taken_by_elixir(module.elixir_module):
                raise GenerateError(
                    f"{module.elixir_module} (for {module.python_module}) is one of Elixir's "
                    "own modules and cannot be generated; bind the library under another "
                    f"name, e.g. --library {surface.library}=Py{surface.elixir_module}"
                )
            modules[module.elixir_module] = module
    paths = module_paths(sorted(modules))
    specs = Types(classes={f"{m.python_module}.{m.qualname}": m.elixir_module
                           for m in modules.values() if m.is_class and not m.converted})
    return {paths[name]: render_module(modules[name], specs).encode()
            for name in sorted(modules)}
