"""Elixir string literals that can never run code at compile time.

A docstring reaches Elixir only as a plain double-quoted literal in which `\\`, `"`,
`#` and every control or invisible formatting character are escaped: no heredoc and
no `~S` sigil, because a docstring containing a `\"\"\"` line could close those, and an
unescaped `#{` would interpolate. The escapes used here are ones `mix format` keeps
as written, so the literal is also formatter-stable.
"""

from __future__ import annotations

import unicodedata

_SIMPLE = {"\\": "\\\\", '"': '\\"', "#": "\\#", "\n": "\\n", "\t": "\\t", "\r": "\\r"}

#: Unicode categories escaped as `\u{...}`: controls, format characters (bidi
#: overrides, zero-width joiners: "Trojan source"), line/paragraph separators,
#: surrogates and unassigned code points.
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def _escape_char(char: str) -> str:
    simple = _SIMPLE.get(char)
    if simple is not None:
        return simple
    if unicodedata.category(char) in _ESCAPED_CATEGORIES:
        return f"\\u{{{ord(char):04X}}}"
    return char


def elixir_string(text: str) -> str:
    """`text` as an Elixir double-quoted string literal that evaluates to exactly `text`."""
    return '"' + "".join(_escape_char(c) for c in text) + '"'
