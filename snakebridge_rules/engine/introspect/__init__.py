"""Introspection: the API surface of the symbols one library needs, in its environment.

The run-time probe (probe.py, executed by the environment's interpreter in a sandbox)
is the authority on what exists: it resolves each call key with the generator's name
mapping and reports kinds, signatures and docstrings. The static pass (static.py,
griffe over the environment's `.py`/`.pyi` files, in the engine's process) then adds
what only the sources say: annotations as written. Every fact keeps its Source.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from snakebridge_rules._pb.snakebridge.v1.api_pb2 import ApiSurface
from snakebridge_rules.engine.calls import CallKey
from snakebridge_rules.engine.introspect.missing import not_importable
from snakebridge_rules.engine.introspect.runtime import Limits, ProbeError, run_probe
from snakebridge_rules.engine.introspect.surface import CallError, build_surface
from snakebridge_rules.engine.libraries import Library

__all__ = ["CallError", "Limits", "ProbeError", "introspect"]


def introspect(library: Library, python: str, calls: Iterable[CallKey], eager: bool = False,
               limits: Limits | None = None, missing_fix: str | None = None,
               ) -> tuple[ApiSurface, list[CallError]]:
    """Resolve and describe `calls` (those of `library`; others are ignored).

    With `eager`, every public symbol of the library is described too. Returns the
    surface and the sorted errors; callers must not write the surface when there are
    errors. Library-wide failures (not importable, sandbox limits) raise ProbeError;
    `missing_fix` is the caller's advice for a module missing from the environment.
    """
    requested: dict[tuple[str, str], list[CallKey]] = defaultdict(list)
    for call in sorted(set(calls)):
        if library.owns(call.module):
            requested[(call.module, call.name)].append(call)
    request = {"library": library.python_module, "elixir_module": library.elixir_module,
               "targets": sorted(requested), "all": eager}
    limits = limits or Limits()
    result = run_probe(python, request, limits)
    if "import_error" in result:
        message = not_importable(library, python, result["import_error"],
                                 result["importable"], missing_fix)
        if result["import_error"].startswith("MemoryError"):
            message = (f"importing {library.python_module} in {python} exceeded the probe's "
                       f"memory limit of {limits.memory_bytes >> 20} MiB (MemoryError); "
                       "raise it with --memory-mb")
        raise ProbeError(message)
    from snakebridge_rules.engine.introspect.documented import add_documented_attributes
    from snakebridge_rules.engine.introspect.static import add_static_facts

    add_documented_attributes(result, eager)
    add_static_facts(result)
    return build_surface(library, result, requested, eager)

