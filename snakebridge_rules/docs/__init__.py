"""Docstring → Markdown rendering (markdown.py, rst.py), with no dependency outside the
standard library (griffe is used when present): the generator renders `@doc` with it,
and the worker loads it in the library's environment to answer `Mod.doc/1` for names
that were never generated, so both read the same."""
