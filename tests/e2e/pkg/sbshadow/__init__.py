"""A package whose attribute `simplify` (a function) hides its submodule `simplify`,
as in sympy."""

from .simplify import simplify  # noqa: F401
