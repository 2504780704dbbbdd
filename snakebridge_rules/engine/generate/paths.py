"""Elixir module names → file paths in the output directory (`Numpy.Linalg` →
`numpy/linalg.ex`), deterministic and distinct even on case-insensitive filesystems."""

from __future__ import annotations

import re


def _underscore(segment: str) -> str:
    """`Linalg` → `linalg`, `HTTPError` → `http_error`, `Core_` → `core_`."""
    segment = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", segment)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", segment).lower()


def module_paths(modules: list[str]) -> dict[str, str]:
    """Map each module to `a/b/c.ex`; clashing paths (`Numpy.ABC`, `Numpy.Abc`) get
    `_2`, `_3` in the sorted order of the module names."""
    result: dict[str, str] = {}
    taken: set[str] = set()
    for module in sorted(modules):
        base = "/".join(_underscore(s) for s in module.split("."))
        path, n = f"{base}.ex", 2
        while path.lower() in taken:
            path, n = f"{base}_{n}.ex", n + 1
        taken.add(path.lower())
        result[module] = path
    return result
