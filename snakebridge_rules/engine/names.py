"""Python names -> safe Elixir names, deterministically (see CONTRACTS.md "Names").

Stdlib only and Python 3.8 compatible: the introspection probe loads this file by path
inside the user's interpreter, so that resolution (Elixir call key -> Python object)
and generation use one and the same mapping. Python is always called by the original
name; these names exist only on the Elixir side.
"""

from __future__ import annotations

import re
from typing import Dict, Iterable, List

__all__ = [
    "GENERATOR_RESERVED",
    "RESERVED_WORDS",
    "function_names",
    "is_valid_function_name",
    "module_segment",
    "segment_names",
]

_VALID_FUNCTION = re.compile(r"^[a-z_][a-zA-Z0-9_]*[?!]?$")
_VALID_SEGMENT = re.compile(r"^[A-Z][A-Za-z0-9_]*$")

#: Words that cannot be defined with a plain `def NAME` in Elixir (or that we refuse
#: to shadow: `not` and the special forms that read as keywords).
RESERVED_WORDS = frozenset([
    "end", "do", "fn", "when", "in", "and", "or", "not", "nil", "true", "false", "catch",
    "rescue", "after", "else", "unquote", "unquote_splicing", "quote", "__MODULE__",
    "__ENV__", "__CALLER__", "__DIR__", "__STACKTRACE__", "__block__", "__aliases__",
    "__cursor__", "__info__", "module_info", "behaviour_info",
])

#: Names every generated module defines itself (`__python__/0`, `doc/1`).
GENERATOR_RESERVED = frozenset({"doc", "__python__"})


def is_valid_function_name(name: str, reserved: Iterable[str] = ()) -> bool:
    """True when `def name` compiles and clashes with nothing the generator defines."""
    return (
        name.isascii()
        and bool(_VALID_FUNCTION.match(name))
        and name not in RESERVED_WORDS
        and name not in GENERATOR_RESERVED
        and name not in reserved
    )


def _escape_non_ascii(name: str) -> str:
    """`café` -> `cafu00e9`: ASCII-only and still readable."""
    return "".join(c if c.isascii() else f"u{ord(c):04x}" for c in name)


def _snake_case(name: str) -> str:
    """`HTTPError` -> `http_error`, `FooBar` -> `foo_bar`, `PI` -> `pi`."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return name.lower()


def _map_function_name(name: str, reserved: Iterable[str]) -> str:
    """The candidate Elixir name of one Python name (collisions handled by the caller)."""
    mapped = _snake_case(_escape_non_ascii(name))
    if not re.match(r"^[a-z_]", mapped):
        mapped = "f_" + mapped
    return mapped if is_valid_function_name(mapped, reserved) else mapped + "_"


def function_names(python_names: Iterable[str], reserved: Iterable[str] = ()) -> Dict[str, str]:
    """Map every Python name of one scope to a unique, definable Elixir function name.

    Valid names keep their spelling; the others are mapped in sorted order and take
    `_2`, `_3`, ... when their candidate is taken. The result depends only on the set
    of names, so it must be computed over a whole scope (all names of a module or
    class), never over the requested symbols alone.
    """
    reserved_set = frozenset(reserved)
    names = sorted(set(python_names))
    result = {n: n for n in names if is_valid_function_name(n, reserved_set)}
    taken = set(result.values()) | reserved_set
    for name in names:
        if name in result:
            continue
        result[name] = _unique(_map_function_name(name, reserved_set), taken)
        taken.add(result[name])
    return result


def _unique(candidate: str, taken: set[str]) -> str:
    if candidate not in taken and is_valid_function_name(candidate):
        return candidate
    n = 2
    while f"{candidate}_{n}" in taken:
        n += 1
    return f"{candidate}_{n}"


def module_segment(name: str) -> str:
    """One Python module/class name -> one Elixir alias segment (`_core` -> `Core_`).

    Each leading underscore becomes a trailing one, so `_core` and `core` never
    collide; the rest is camelized as `Macro.camelize/1` does.
    """
    stripped = name.lstrip("_")
    trailing = "_" * (len(name) - len(stripped))
    parts: List[str] = [p for p in _escape_non_ascii(stripped).split("_") if p]
    camel = "".join(p[0].upper() + p[1:] for p in parts)
    if not _VALID_SEGMENT.match(camel):
        camel = "M" + camel
    return camel + trailing


def segment_names(python_names: Iterable[str]) -> Dict[str, str]:
    """Map the submodule/class names of one scope to unique Elixir alias segments."""
    names = sorted(set(python_names))
    result: Dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        candidate = module_segment(name)
        segment, n = candidate, 2
        while segment in taken:
            segment, n = f"{candidate}{n}", n + 1
        result[name] = segment
        taken.add(segment)
    return result
