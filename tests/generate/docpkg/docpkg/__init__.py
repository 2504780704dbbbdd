"""A small package documented in Google, Sphinx and NumPy styles (the docs tests).

Each function is annotated, so the same package also tests typespecs.
"""

from docpkg import google, sphinx  # noqa: F401
