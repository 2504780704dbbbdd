"""Call keys (`Numpy.Linalg.norm/1`) and the calling convention that decides arities.

The convention, shared by introspection (to reject impossible arities) and generation
(to emit the functions): the Python parameters that are positional and have no default
become Elixir arguments, in order; a `*args` parameter becomes one more argument, a
list; everything else travels in one trailing keyword list, which may be omitted.
An instance method or property takes the object as its first Elixir argument.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_KEY = re.compile(r"^(?P<module>[A-Z][A-Za-z0-9_]*(?:\.[A-Z][A-Za-z0-9_]*)*)\."
                  r"(?P<name>[^./\s]+)/(?P<arity>0|[1-9][0-9]*)$")


@dataclass(frozen=True, order=True)
class CallKey:
    """One remote call as Elixir names it: module, function name, arity."""

    module: str
    name: str
    arity: int

    @classmethod
    def parse(cls, key: str) -> CallKey:
        match = _KEY.match(key)
        if not match:
            raise ValueError(f"not a call key (Module.fun/arity): {key!r}")
        return cls(match["module"], match["name"], int(match["arity"]))

    def __str__(self) -> str:
        return f"{self.module}.{self.name}/{self.arity}"


def accepted_arities(required: int, has_varargs: bool, takes_object: bool) -> tuple[int, int]:
    """The two Elixir arities of a callable: without and with the trailing keyword list.

    `required` counts positional parameters without defaults (self excluded).
    """
    base = required + int(has_varargs) + int(takes_object)
    return (base, base + 1)


#: Functions every generated module defines itself; they bind nothing in Python.
GENERATED_ONLY = frozenset({("doc", 1), ("__python__", 0)})


def binding_of(call: CallKey) -> CallKey | None:
    """The binding a scanned call needs (`mean!` → `mean`), or None for generator-owned
    names: Elixir code calls the raising twins and `doc/1` too, but introspection must
    only ever see the Python binding."""
    if (call.name, call.arity) in GENERATED_ONLY:
        return None
    if call.name.endswith("!") and len(call.name) > 1:  # Python names never end in "!"
        return CallKey(call.module, call.name[:-1], call.arity)
    return call
