"""Instance attributes that only the class docstring names.

Result classes compute their attributes at run time: scipy's `OptimizeResult` is a
dict with attribute access, so neither `dir()`, `__slots__` nor the sources list `x`
or `fun`, but its numpydoc "Attributes" section does. A call the probe could not find
on a class (`Scipy.Optimize.OptimizeResult.x/1`), whose name that section lists, binds
as an arity-1 getter on the object, like a dataclass field; its Source is DOCSTRING.
The section is parsed by the docs renderer's griffe parsing (snakebridge_rules/docs/
markdown.py), so a docstring means the same thing to the bindings and to their docs.
"""

from __future__ import annotations

from typing import Any

from snakebridge_rules._pb.snakebridge.v1.api_pb2 import Member, Source
from snakebridge_rules.docs.markdown import documented_attributes
from snakebridge_rules.engine.names import is_valid_function_name

_RESERVED = frozenset({"new"})  # a class module's constructor


def add_documented_attributes(result: dict[str, Any], eager: bool) -> None:
    """Turn the probe's "not found" errors on classes into getters where the class
    docstring documents the attribute; with `eager`, add every documented one."""
    documented: dict[str, dict[str, str]] = {}

    def of(module: str) -> dict[str, str]:
        if module not in documented:
            scope = result["scopes"].get(module) or {}
            text = scope.get("doc", "") if scope.get("is_class") else ""
            attributes = documented_attributes(text) if text else {}
            documented[module] = {n: d for n, d in attributes.items()
                                  if is_valid_function_name(n, _RESERVED)}
        return documented[module]

    kept = []
    for error in result["errors"]:
        description = of(error["module"]).get(error["name"]) if error.get("missing") else None
        if description is None:
            kept.append(error)
        else:
            result["members"].append(_getter(error["module"], error["name"], description))
    result["errors"] = kept
    if eager:
        _add_all(result, of)


def _add_all(result: dict[str, Any], of: Any) -> None:
    bound = {(m["elixir_module"], m["python_name"]) for m in result["members"]}
    bound |= {(m["elixir_module"], m["elixir_name"]) for m in result["members"]}
    for module in sorted(result["scopes"]):
        for name, description in sorted(of(module).items()):
            if (module, name) not in bound:
                result["members"].append(_getter(module, name, description))


def _getter(module: str, name: str, description: str) -> dict[str, Any]:
    return {"python_name": name, "elixir_module": module, "elixir_name": name,
            "kind": Member.PROPERTY, "doc": description, "doc_source": Source.DOCSTRING,
            "signature_found": True, "signature_source": Source.DOCSTRING,
            "return_annotation": "", "parameters": [], "origin": None}
