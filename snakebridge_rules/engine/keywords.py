"""Keyword names checked before anything runs: `Numpy.mean(xs, axs: 0)` is a generate-time
`file:line` error, not a Python TypeError at run time.

The scan records the names of each call's literal trailing keyword list (SymbolLocation
`keywords`). Introspection never sees them (its input is call keys only, so that its
cache key does not move when a keyword changes); instead it records, per bound function,
what its Python signature accepts by name (`Signature`, written beside its problems by
`introspect --errors-out`), and the check step tests every call site against it.

A signature is recorded only where Python reports it (not a C builtin probed as
`*args, **kwargs`, such as `math.log`); with `**kwargs` any other name may be right, so
only names of its own parameters are checked there. A keyword list is checked as
keywords only where the calling convention (calls.py) takes it as the keywords: after
the always-positional arguments.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from snakebridge_rules._pb.snakebridge.v1.api_pb2 import ApiSurface, Member, Parameter
from snakebridge_rules.engine.calls import MAX_ARITY, CallKey, binding_of
from snakebridge_rules.engine.names import suggest
from snakebridge_rules.engine.problems import Problem

#: The runtime's own options (`__runtime__: [timeout: 5]`): never a Python keyword.
RUNTIME_KEY = "__runtime__"
_CALLABLE = (Member.FUNCTION, Member.CLASS, Member.METHOD, Member.STATIC_METHOD,
             Member.CLASS_METHOD)
_POSITIONAL = (Parameter.POSITIONAL_ONLY, Parameter.POSITIONAL_OR_KEYWORD)


class Site(Protocol):
    """A scanned call site (engine/scan's CallSite, or a SymbolLocation proto)."""

    call: str
    file: str
    line: int
    keywords: Iterable[str]


@dataclass(frozen=True)
class Signature:
    """What one bound function accepts, as far as keyword names go."""

    python_name: str  # for messages: "mean", "JSONEncoder", "str.strip"
    positional: tuple[str, ...]  # positional parameters in order (self excluded)
    positional_only: int  # how many leading ones cannot be passed by name
    required: int  # positional parameters without a default
    keyword_only: tuple[str, ...]
    receiver: bool  # a method: the object is Elixir argument 1
    var_keyword: bool = False  # `**kwargs`: a name it does not list may still be right

    @classmethod
    def of(cls, python_name: str, member: Member) -> Signature | None:
        """The signature of a member, or None when Python cannot tell it."""
        params = list(member.parameters)
        if member.kind not in _CALLABLE or not member.signature_source:
            return None
        positional = [p for p in params if p.kind in _POSITIONAL]
        return cls(python_name, tuple(p.name for p in positional),
                   sum(p.kind == Parameter.POSITIONAL_ONLY for p in positional),
                   sum(not p.has_default for p in positional),
                   tuple(p.name for p in params if p.kind == Parameter.KEYWORD_ONLY),
                   member.kind == Member.METHOD,
                   any(p.kind == Parameter.VAR_KEYWORD for p in params))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Signature:
        return cls(str(data["python_name"]), tuple(data["positional"]),
                   int(data["positional_only"]), int(data["required"]),
                   tuple(data["keyword_only"]), bool(data["receiver"]),
                   bool(data["var_keyword"]))

    def problems(self, arity: int, names: Iterable[str]) -> list[str]:
        """What is wrong with passing `names` as the keyword list of a call of `arity`."""
        names = [name for name in names if name != RUNTIME_KEY]
        fixed = int(self.receiver) + self.required
        if fixed > MAX_ARITY:  # bound keyword-only (calls.py): every name is a keyword
            given = 0
        elif arity - 1 < fixed:  # the list is one of the always-positional values
            return self._value_problems(arity, names)
        else:
            given = arity - 1 - int(self.receiver)
        twice = [f"`{name}:` is given twice in the keyword list; Python takes one value "
                 "per keyword: pass it once" for name in _repeated(names)]
        return twice + [message for name in dict.fromkeys(names)
                        for message in [self._problem(name, given)] if message]

    def _value_problems(self, arity: int, names: list[str]) -> list[str]:
        """A keyword list in a required slot is that argument's value, which is right
        for data (`Json.dumps([a: 1])`) but not when its keys name the function's own
        parameters (`Random.sample(pop, k: 3)` would pass `[k: 3]` as k)."""
        own = [name for name in dict.fromkeys(names)
               if name in self.positional or name in self.keyword_only]
        if not own:
            return []
        slot = self.positional[arity - 1 - int(self.receiver)]
        return [f"{self.python_name}() takes '{slot}' as argument {arity}, so this keyword "
                f"list is its value, not keywords (`{own[0]}:` names a parameter): pass "
                f"'{slot}' by position, or add `[]` after the list to pass it as the value"]

    def _problem(self, name: str, given: int) -> str:
        where = f"argument {self.positional.index(name) + 1 + int(self.receiver)}" \
            if name in self.positional else ""
        if name in self.positional[: self.positional_only] and self.var_keyword:
            return ""  # `f(a, /, **kw)` takes `a=` into kw
        if name in self.positional[:given]:
            return (f"{self.python_name}() got '{name}' as {where} and again as keyword "
                    f"`{name}:`; pass it once")
        if name in self.positional[: self.positional_only]:
            return (f"{self.python_name}() takes '{name}' only by position: pass it as "
                    f"{where}, not as `{name}:`")
        if name in self.positional or name in self.keyword_only or self.var_keyword:
            return ""
        accepted = [*self.positional[max(given, self.positional_only):], *self.keyword_only]
        close = suggest(name, accepted)
        slot = given + 1 + int(self.receiver)  # where the list would go as a value
        value = (f" (to pass the keyword list itself as argument {slot}, add `[]` after it)"
                 if not close and given < len(self.positional) else "")
        listed = close or _listed(accepted, by_position=given > 0)
        return f"{self.python_name}() has no keyword '{name}'{listed}{value}"


def _repeated(names: list[str]) -> list[str]:
    """The names written more than once, in the order first written."""
    return [name for name, count in Counter(names).items() if count > 1]


def _listed(names: list[str], most: int = 10, by_position: bool = False) -> str:
    """`; its keywords: a, b, c` (at most `most` names), or that none is left."""
    if not names:
        return ("; its parameters are all given by position already" if by_position
                else "; it takes no keywords")
    more = f", and {len(names) - most} more" if len(names) > most else ""
    return f"; its keywords: {', '.join(names[:most])}{more}"


def signatures(surface: ApiSurface) -> dict[str, Signature]:
    """`Numpy.mean` (Elixir module and function) → its Signature, where one is known."""
    from snakebridge_rules.engine.generate.members import qualname

    found = {}
    for module in surface.modules:
        for member in module.members:
            signature = Signature.of(qualname(module, member), member)
            if signature is not None:
                found[f"{module.elixir_module}.{member.elixir_name}"] = signature
    return found


def signatures_json(known: Mapping[str, Signature]) -> dict[str, Any]:
    """The `signatures` entry of an errors document (sorted by its writer)."""
    return {key: asdict(signature) for key, signature in known.items()}


def read_signatures(text: str) -> dict[str, Signature]:
    """The signatures of an `introspect --errors-out` document (ValueError if broken)."""
    try:
        entries = json.loads(text).get("signatures", {})
        return {str(key): Signature.from_json(value) for key, value in entries.items()}
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not an errors document ({exc})") from None


def keyword_problems(sites: Iterable[Site], known: Mapping[str, Signature]) -> list[Problem]:
    """A problem at each call site whose literal keyword names the signature refuses."""
    problems = set()
    for site in sites:
        binding = binding_of(CallKey.parse(site.call)) if site.keywords else None
        signature = known.get(f"{binding.module}.{binding.name}") if binding else None
        if signature is not None:
            problems.update(Problem(site.file, int(site.line), str(binding), message)
                            for message in signature.problems(binding.arity, site.keywords))
    return sorted(problems)
