"""The library map: which Python module is bound to which Elixir module."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from snakebridge_rules.engine.elixir_modules import ELIXIR_MODULES
from snakebridge_rules.engine.elixir_releases import ADDED_IN

_PY_MODULE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_ELIXIR_ALIAS = re.compile(r"^[A-Z][A-Za-z0-9_]*(\.[A-Z][A-Za-z0-9_]*)*$")


class LibrarySpecError(ValueError):
    """A `--library` argument that cannot be a Python module → Elixir module binding."""


def taken_by_elixir(elixir_module: str) -> bool:
    """True for a module Elixir itself (this one or a newer release: `JSON` since 1.18)
    or the SnakeBridge runtime defines: generating it would replace that module
    (`String`, `Time`, `Code`…) and break the build or VM."""
    return (elixir_module in ELIXIR_MODULES or elixir_module in ADDED_IN
            or elixir_module == "SnakeBridge" or elixir_module.startswith("SnakeBridge."))


def is_python_module_name(name: str) -> bool:
    """A dotted Python import name (`numpy`, `scipy.stats`)."""
    return bool(_PY_MODULE.match(name))


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
        if not is_python_module_name(python_module):
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
        if taken_by_elixir(elixir_module):
            since = (f" (since Elixir {ADDED_IN[elixir_module]})"
                     if elixir_module in ADDED_IN else "")
            raise LibrarySpecError(
                f"--library {spec!r}: {elixir_module} is one of Elixir's own modules{since} (or "
                "the runtime's) and cannot be generated; bind the library under another name, "
                f"e.g. --library {python_module}=Py{elixir_module}"
            )
        return cls(python_module, elixir_module)

    @classmethod
    def parse_all(cls, specs: Iterable[str]) -> list[Library]:
        """Parse every `--library` of one command and check them together: each Python
        module given once, each Elixir module its own (none the same as or inside
        another's: `scipy` already binds `scipy.stats` as `Scipy.Stats`). The one check
        of the list, for the CLI, Pants and Bazel alike."""
        libraries: list[Library] = []
        for spec in specs:
            library = cls.parse(spec)
            for other in libraries:
                problem = _overlap(other, library)
                if problem:
                    raise LibrarySpecError(problem)
            libraries.append(library)
        return libraries

    def owns(self, elixir_module: str) -> bool:
        """True when `elixir_module` is this library's module or one of its submodules."""
        return elixir_module == self.elixir_module or elixir_module.startswith(
            self.elixir_module + "."
        )

    def __str__(self) -> str:
        return f"{self.python_module}={self.elixir_module}"


def _within(name: str, scope: str) -> bool:
    return name == scope or name.startswith(scope + ".")


def _overlap(first: Library, second: Library) -> str:
    """Why two libraries cannot be bound together ('' when they can). A submodule bound
    on its own beside its package is fine under a name of its own (`numpy.linalg=LA`);
    under the package's Elixir module it would be generated twice."""
    if first.python_module == second.python_module:
        return (f"--library {first.python_module} is given twice ({first} and {second}): "
                "remove one")
    one, two = first.elixir_module, second.elixir_module
    if not (_within(one, two) or _within(two, one)):
        return ""
    inner, outer = (second, first) if _within(two, one) else (first, second)
    if _within(inner.python_module, outer.python_module):
        return (f"--library {inner.python_module}: {inner.python_module} is part of "
                f"--library {outer.python_module}: remove one (or bind it outside "
                f"{outer.elixir_module}, e.g. --library {inner.python_module}="
                f"{inner.elixir_module.replace('.', '')})")
    if one == two:
        return (f"--library {first} and --library {second}: both are bound to the Elixir "
                f"module {one}; give each library its own, e.g. --library "
                f"{second.python_module}={one}{camelize(second.python_module.split('.')[-1])}")
    return (f"--library {inner}: {inner.elixir_module} is inside {outer.elixir_module}, the "
            f"Elixir module of --library {outer}; bind {inner.python_module} outside it")
