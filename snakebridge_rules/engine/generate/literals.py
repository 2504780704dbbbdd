"""Elixir string literals that can never run code at compile time.

A docstring reaches Elixir only as a plain double-quoted literal in which `\\`, `"`,
`#` and every control or invisible formatting character are escaped: no heredoc and
no `~S` sigil, because a docstring containing a `\"\"\"` line could close those, and an
unescaped `#{` would interpolate. The escapes used here are ones `mix format` keeps
as written, so the literal is also formatter-stable.
"""

from __future__ import annotations

import re
import unicodedata

_SIMPLE = {"\\": "\\\\", '"': '\\"', "#": "\\#", "\n": "\\n", "\t": "\\t", "\r": "\\r"}

#: Unicode categories escaped as `\u{...}`: controls, format characters (bidi
#: overrides, zero-width joiners: "Trojan source"), line/paragraph separators,
#: surrogates, private use and unassigned code points.
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def _unicode_escape(char: str) -> str:
    return f"\\u{{{ord(char):04X}}}"


#: ASCII in one C-level `str.translate` (docstrings are long: per-character Python
#: calls would dominate generation time); non-ASCII characters go through `_NON_ASCII`.
_ASCII = {
    code: _SIMPLE.get(chr(code), _unicode_escape(chr(code)) if code < 32 or code == 127
                      else chr(code))
    for code in range(128)
}
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _non_ascii(match: re.Match[str]) -> str:
    char = match.group()
    return _unicode_escape(char) if unicodedata.category(char) in _ESCAPED_CATEGORIES else char


def elixir_string(text: str) -> str:
    """`text` as an Elixir double-quoted string literal that evaluates to exactly `text`."""
    escaped = text.translate(_ASCII)
    if not text.isascii():
        escaped = _NON_ASCII.sub(_non_ascii, escaped)
    return f'"{escaped}"'
