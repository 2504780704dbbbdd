"""The message for a library that the environment cannot import.

Its advice must never be "install the name you typed": `panda` is a real, unrelated
PyPI project, and a typo turned into an install command is how typosquatting works. So
the message names a close match the environment *can* import ("did you mean 'pandas'?"),
or says the module is not installed there and that the distribution providing it goes
into the environment's requirements, whatever its PyPI name is. Where those requirements
live depends on who runs the engine, so the caller may pass its own `fix` (Pants: the
target's `python_requirements` and `generate-lockfiles`); the default is the CLI's.
"""

from __future__ import annotations

import re

from snakebridge_rules.engine.libraries import Library, is_python_module_name
from snakebridge_rules.engine.names import suggest

_NOT_FOUND = re.compile(r"^ModuleNotFoundError: No module named '([^']+)'")
_CLOSE = 0.8  # closer than probe's member hints: a module hint must not invite a typo


def not_importable(library: Library, python: str, error: str, importable: list[str],
                   fix: str | None = None) -> str:
    """One line: what failed, then the close match or the fix (`fix`, else the CLI's)."""
    wanted = library.python_module
    head = f"{wanted} is not importable by {python} ({error})"
    missing = _missing_module(error)
    if missing is None:
        return head
    if missing == wanted or wanted.startswith(missing + "."):
        candidates = [n for n in importable if is_python_module_name(n) and n != wanted
                      and (wanted.startswith("_") or not n.rpartition(".")[2].startswith("_"))]
        hint = suggest(wanted, candidates, cutoff=_CLOSE)
        if hint:
            return head + hint
        return head + f": {missing} is not installed in that environment; " + _advice(fix)
    return head + f": it needs {missing}, which is not installed there; " + _advice(fix)


def _missing_module(error: str) -> str | None:
    found = _NOT_FOUND.match(error)
    return found.group(1) if found and is_python_module_name(found.group(1)) else None


def _advice(fix: str | None) -> str:
    return (fix or CLI_FIX) + "; its PyPI name may differ from the import name (sklearn is "\
        "scikit-learn)"


CLI_FIX = ("add the distribution that provides it to the requirements of the lockfile the "
           "environment is built from (`snakebridge lock REQUIREMENT... -o FILE`, then "
           "`snakebridge env FILE` prints the --python)")
