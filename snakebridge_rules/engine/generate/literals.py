"""Elixir string literals that can never run code at compile time.

Untrusted text (docstrings, names) reaches Elixir only as a plain double-quoted
literal or a plain `\"\"\"` heredoc, never a `~S` sigil (a `\"\"\"` line in the text
would close it). In both, `\\` is escaped, `#{` becomes `\\#{` (no interpolation) and
every control or invisible formatting character becomes `\\u{...}`. The one-line literal
escapes every `"`; the heredoc escapes every `"` of a run of three or more, so no
line of it can close the heredoc. The escapes used here are ones `mix format` keeps as
written, so both literals are also formatter-stable.
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


#: Heredoc escapes: `\\` first (so later escapes are not doubled), then interpolation,
#: carriage returns and tabs; `"` only in runs of three or more: the source must never
#: hold three `"` in a row, even escaped, or `mix format` inserts a `\\` before them.
_HEREDOC_ASCII = {code: text for code, text in _ASCII.items()
                  if chr(code) not in {'"', "#", "\n"}}
_INTERPOLATION = re.compile(r"#(?=\{)")
_QUOTE_RUN = re.compile(r'"{3,}')


def elixir_doc(text: str, indent: str = "  ") -> list[str]:
    """`text` as the lines of an `@doc`-style literal body: a heredoc when `text` has
    several lines and ends with a newline (what a heredoc evaluates to), else a one-line
    literal. `indent` is the indentation of the attribute; the lines exclude it."""
    if "\n" not in text[:-1] or not text.endswith("\n"):
        return [elixir_string(text)]
    escaped = text[:-1].translate(_HEREDOC_ASCII)
    if not text.isascii():
        escaped = _NON_ASCII.sub(_non_ascii, escaped)
    escaped = _INTERPOLATION.sub("\\\\#", escaped)
    escaped = _QUOTE_RUN.sub(lambda run: '\\"' * len(run.group()), escaped)
    body = [f"{indent}{line}" if line else "" for line in escaped.split("\n")]
    return ['"""', *body, f'{indent}"""']
