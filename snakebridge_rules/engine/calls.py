"""Call keys (`Numpy.Linalg.norm/1`) and the calling convention that decides arities.

The convention (v2), shared by introspection (to reject impossible arities) and
generation (to emit the functions): Elixir arguments are Python's positional
arguments, in order. A callable binds at every arity from its required positional
count up to all its positional parameters (positional-only and positional-or-keyword,
required and optional); each arity also accepts one trailing keyword list of keyword
arguments. A `*args` parameter, or a signature Python cannot report (C builtins such as
`math.log`), adds further positional arities: at least `EXTRA_VARARGS` more are
generated, any more that the Elixir code calls are accepted, never past BEAM's
`MAX_ARITY`. An instance method or property takes the object as its first argument.

When the last argument could be either the next positional value or the keyword list,
a keyword list (`[]` included) is the keywords: the runtime decides
(`SnakeBridge.Runtime.arguments/2`). Such a value is passed positionally by adding the
keyword list explicitly (`f(x, [a: 1], [])`) or by name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_KEY = re.compile(r"^(?P<module>[A-Z][A-Za-z0-9_]*(?:\.[A-Z][A-Za-z0-9_]*)*)\."
                  r"(?P<name>[^./\s]+)/(?P<arity>0|[1-9][0-9]*)$")

#: BEAM's limit on the arity of a function.
MAX_ARITY = 255
#: Positional arities generated beyond the named ones for `*args`.
EXTRA_VARARGS = 8

# Parameter kinds, numbered as in proto/snakebridge/v1/api.proto (Parameter.Kind).
POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD, VAR_POSITIONAL = 1, 2, 3


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


@dataclass(frozen=True)
class Shape:
    """How one callable's parameters travel from Elixir (counts only)."""

    required: int  # positional parameters without a default (self excluded)
    optional: int  # positional parameters with a default
    varargs: bool  # `*args`, or a signature that cannot be read
    receiver: bool  # an instance method: the object comes first

    @classmethod
    def of(cls, params: Iterable[tuple[int, bool]], receiver: bool) -> Shape:
        """From `(kind, has_default)` pairs in Python's order."""
        kinds = list(params)
        positional = [d for k, d in kinds if k in (POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD)]
        return cls(required=positional.count(False), optional=positional.count(True),
                   varargs=any(k == VAR_POSITIONAL for k, _ in kinds), receiver=receiver)

    @property
    def fixed(self) -> int:
        """Leading Elixir arguments that are always values: receiver + required."""
        return int(self.receiver) + self.required

    @property
    def keyword_only(self) -> bool:
        """Too many required parameters for BEAM: bound as one keyword list (by name)."""
        return self.fixed > MAX_ARITY

    def accepted(self) -> range:
        """Every arity a call may have (what introspection checks)."""
        if self.keyword_only:
            return range(int(self.receiver) + 1, int(self.receiver) + 2)
        high = MAX_ARITY if self.varargs else self.fixed + self.optional + 1
        return range(self.fixed, min(high, MAX_ARITY) + 1)

    def generated(self, requested: Iterable[int] = ()) -> range:
        """The arities to emit: the accepted ones, `*args` cut at `EXTRA_VARARGS` more
        positionals unless the Elixir code calls more."""
        accepted = self.accepted()
        if not self.varargs or self.keyword_only:
            return accepted
        high = max([self.fixed + self.optional + EXTRA_VARARGS + 1, *requested])
        return range(accepted.start, min(high, accepted.stop - 1) + 1)


def describe_arities(arities: range) -> str:
    """`arity 1`, `arity 1 to 3`, `arity 2 or more (at most 255)` for messages."""
    if len(arities) == 1:
        return f"arity {arities.start}"
    if arities.stop - 1 == MAX_ARITY:
        return f"arity {arities.start} or more (at most {MAX_ARITY})"
    return f"arity {arities.start} to {arities.stop - 1}"


#: Functions every generated module defines itself; they bind nothing in Python.
GENERATED_ONLY = frozenset({("doc", 1), ("__python__", 0), ("__functions__", 0)})


def binding_of(call: CallKey) -> CallKey | None:
    """The binding a scanned call needs (`mean!` → `mean`), or None for generator-owned
    names: Elixir code calls the raising twins and `doc/1` too, but introspection must
    only ever see the Python binding."""
    if (call.name, call.arity) in GENERATED_ONLY:
        return None
    if call.name.endswith("!") and len(call.name) > 1:  # Python names never end in "!"
        return CallKey(call.module, call.name[:-1], call.arity)
    return call
