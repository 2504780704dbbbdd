"""Python names -> safe Elixir names, deterministically (see CONTRACTS.md "Names").

Stdlib only and Python 3.8 compatible: the introspection probe loads this file by path
inside the user's interpreter, so that resolution (Elixir call key -> Python object)
and generation use one and the same mapping. Python is always called by the original
name; these names exist only on the Elixir side.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from typing import Dict, Iterable, List

__all__ = [
    "GENERATOR_RESERVED",
    "MAX_NAME",
    "RESERVED_WORDS",
    "UnsafeName",
    "checked_function_name",
    "checked_module_name",
    "closest",
    "function_names",
    "is_valid_function_name",
    "is_valid_module_name",
    "module_segment",
    "segment_names",
    "suggest",
]

# A conservative subset of Elixir's grammar: ASCII identifiers and aliases only, and
# no `?`/`!` suffix (the generator appends `!` to every name for the raising twin).
_VALID_FUNCTION = re.compile(r"^[a-z_][a-zA-Z0-9_]*$")
_VALID_SEGMENT = re.compile(r"^[A-Z][A-Za-z0-9_]*$")
_NOT_WORD = re.compile(r"[^A-Za-z0-9_]+")

#: Atoms are at most 255 characters; a module atom carries `Elixir.` and the raising
#: twin a `!`, so names stay well below that (longer ones are shortened with a digest).
MAX_NAME = 200


class UnsafeName(ValueError):
    """A name that is not a valid Elixir identifier or alias: it is never written."""

#: Words that cannot be defined with a plain `def NAME` in Elixir (or that we refuse
#: to shadow: `not` and the special forms that read as keywords).
RESERVED_WORDS = frozenset([
    "end", "do", "fn", "when", "in", "and", "or", "not", "nil", "true", "false", "catch",
    "rescue", "after", "else", "unquote", "unquote_splicing", "quote", "__MODULE__",
    "__ENV__", "__CALLER__", "__DIR__", "__STACKTRACE__", "__block__", "__aliases__",
    "__cursor__", "__info__", "module_info", "behaviour_info", "_", "__struct__",
    "__exception__", "__impl__", "__protocol__", "__deriving__",
])

#: Names every generated module defines itself (`__python__/0`, `doc/1`, `__functions__/0`).
GENERATOR_RESERVED = frozenset({"doc", "__python__", "__functions__"})


def is_valid_function_name(name: str, reserved: Iterable[str] = ()) -> bool:
    """True when `def name` compiles and clashes with nothing the generator defines."""
    return (
        name.isascii()
        and len(name) <= MAX_NAME
        and bool(_VALID_FUNCTION.match(name))
        and name not in RESERVED_WORDS
        and name not in GENERATOR_RESERVED
        and name not in reserved
    )


def is_valid_module_name(name: str) -> bool:
    """True when `name` is a dotted Elixir alias (`Numpy.Linalg`) we can write as is."""
    segments = name.split(".")
    return (name.isascii() and len(name) <= MAX_NAME
            and all(_VALID_SEGMENT.match(s) for s in segments))


def checked_function_name(name: str) -> str:
    """`name` if the generator may write `def name` and `def name!`, else UnsafeName.

    The one gate every generated function name passes through (generate/members.py),
    whatever produced it: the mapping below, a probe answer or an ApiSurface file.
    """
    return _gate(name, is_valid_function_name, "function name",
                 "[a-z_][a-zA-Z0-9_]*, not a reserved word", "function_names")


def checked_module_name(name: str) -> str:
    """`name` if the generator may write `defmodule name`, else UnsafeName (one gate)."""
    return _gate(name, is_valid_module_name, "module name",
                 "dotted segments [A-Z][A-Za-z0-9_]*", "segment_names")


def _gate(name: str, valid, what: str, shape: str, mapping: str) -> str:
    if isinstance(name, str) and valid(name):
        return name
    shown = repr(name) if len(repr(name)) <= 100 else repr(name)[:97] + "..."
    raise UnsafeName(f"{shown} is not a safe Elixir {what} (expected {shape}, at most "
                     f"{MAX_NAME} characters); map it with engine/names.py {mapping}")


def _escape_non_ascii(name: str) -> str:
    """`café` -> `cafu00e9`: ASCII-only and still readable."""
    return "".join(c if c.isascii() else f"u{ord(c):04x}" for c in name)


def _shorten(mapped: str, original: str, limit: int) -> str:
    """Names longer than `limit` keep a prefix and a digest of the original name."""
    if len(mapped) <= limit:
        return mapped
    digest = hashlib.sha256(original.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{mapped[: limit - 13]}_{digest}"


def _snake_case(name: str) -> str:
    """`HTTPError` -> `http_error`, `FooBar` -> `foo_bar`, `PI` -> `pi`."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return name.lower()


def _map_function_name(name: str, reserved: Iterable[str]) -> str:
    """The candidate Elixir name of one Python name (collisions handled by the caller)."""
    mapped = _snake_case(_NOT_WORD.sub("_", _escape_non_ascii(name)))
    if not re.match(r"^[a-z_]", mapped):
        mapped = "f_" + mapped
    mapped = _shorten(mapped, name, MAX_NAME - 8)  # room for `_` and a `_N` suffix
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
    return {name: checked_function_name(elixir) for name, elixir in result.items()}


def _unique(candidate: str, taken: set[str]) -> str:
    """`candidate`, or the first free `candidate_N` (checked: never raw text)."""
    if candidate not in taken and is_valid_function_name(candidate):
        return candidate
    n = 2
    while f"{candidate}_{n}" in taken:
        n += 1
    return checked_function_name(f"{candidate}_{n}")


def module_segment(name: str) -> str:
    """One Python module/class name -> one Elixir alias segment (`_core` -> `Core_`).

    Each leading underscore becomes a trailing one, so `_core` and `core` never
    collide; the rest is camelized as `Macro.camelize/1` does. Any other character
    (` `, `.`, `"`) separates words as `_` does; long names are shortened.
    """
    stripped = name.lstrip("_")
    trailing = "_" * min(len(name) - len(stripped), 4)
    ascii_name = _NOT_WORD.sub("_", _escape_non_ascii(stripped))
    parts: List[str] = [p for p in ascii_name.split("_") if p]
    camel = "".join(p[0].upper() + p[1:] for p in parts)
    if not _VALID_SEGMENT.match(camel):
        camel = "M" + camel
    return _shorten(camel, name, 60) + trailing


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
        result[name] = checked_module_name(segment)
        taken.add(segment)
    return result


def closest(wanted: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate closest to `wanted` (case-insensitive), or None: the one notion of
    "close" behind every "did you mean" of the probe, the engine and the Pants plugin."""
    by_lower: Dict[str, str] = {}
    for candidate in sorted(candidates):
        by_lower.setdefault(candidate.lower(), candidate)
    close = difflib.get_close_matches(wanted.lower(), sorted(by_lower), n=1, cutoff=cutoff)
    return by_lower[close[0]] if close else None


def suggest(wanted: str, candidates: Iterable[str], cutoff: float = 0.6) -> str:
    """` — did you mean 'x'?` for the closest candidate, else ''."""
    match = closest(wanted, candidates, cutoff)
    return f" — did you mean '{match}'?" if match else ""
