"""Scanned call keys → the bindings they need.

Elixir code calls generated functions, not only Python names: `Numpy.mean!/1` is the
raising twin of `Numpy.mean/1`, and `doc/1` and `__python__/0` exist in every
generated module. Introspection must see the binding (`Numpy.mean/1`), never the twin.
"""

from __future__ import annotations

from snakebridge_rules.engine.calls import CallKey

#: Functions every generated module defines itself; they bind nothing in Python.
GENERATED_ONLY = frozenset({("doc", 1), ("__python__", 0)})


def binding_of(call: CallKey) -> CallKey | None:
    """The binding a call needs (`mean!` → `mean`), or None for generator-owned names."""
    if (call.name, call.arity) in GENERATED_ONLY:
        return None
    if call.name.endswith("!") and len(call.name) > 1:  # Python names never end in "!"
        return CallKey(call.module, call.name[:-1], call.arity)
    return call
