"""The library map: which Python module is bound to which Elixir module."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PY_MODULE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_ELIXIR_ALIAS = re.compile(r"^[A-Z][A-Za-z0-9_]*(\.[A-Z][A-Za-z0-9_]*)*$")


class LibrarySpecError(ValueError):
    """A `--library` argument that cannot be a Python module → Elixir module binding."""


def camelize(segment: str) -> str:
    """Camelize one segment as Elixir's `Macro.camelize/1` does (`linalg` → `Linalg`)."""
    parts = [p for p in segment.split("_") if p]
    return "".join(p[0].upper() + p[1:] for p in parts)


@dataclass(frozen=True, order=True)
class Library:
    """One binding: Python import name (`numpy`) ↔ Elixir module (`Numpy` or `NP`)."""

    python_module: str
    elixir_module: str

    @classmethod
    def parse(cls, spec: str) -> Library:
        """Parse `PYMOD` or `PYMOD=ElixirModule`; the default camelizes each segment."""
        python_module, sep, elixir_module = spec.partition("=")
        python_module = python_module.strip()
        if not _PY_MODULE.match(python_module):
            raise LibrarySpecError(
                f"--library {spec!r}: {python_module!r} is not a Python module name "
                "(expected PYMOD or PYMOD=ElixirModule, e.g. numpy or numpy=NP)"
            )
        if not sep:
            elixir_module = ".".join(camelize(s) for s in python_module.split("."))
        elixir_module = elixir_module.strip().removeprefix("Elixir.")
        if not _ELIXIR_ALIAS.match(elixir_module):
            raise LibrarySpecError(
                f"--library {spec!r}: {elixir_module!r} is not an Elixir module name "
                "(segments start with an uppercase letter, e.g. Numpy or My.NP)"
            )
        return cls(python_module, elixir_module)

    def owns(self, elixir_module: str) -> bool:
        """True when `elixir_module` is this library's module or one of its submodules."""
        return elixir_module == self.elixir_module or elixir_module.startswith(
            self.elixir_module + "."
        )

    def __str__(self) -> str:
        return f"{self.python_module}={self.elixir_module}"
