"""Line layout exactly as `mix format` (Elixir 1.14+) lays out the few forms we emit.

The renderer never shells out to Elixir: it decides line breaks itself, with the
formatter's rules for the constructs it generates, so the output is already
formatted. The rule everywhere is "one line when it fits in 98 columns, otherwise one
item per line"; the offsets of the broken forms (`def` heads indent their arguments by
6, `@spec` heads by 8) are the formatter's. The suite checks every generated file
against `Code.format_string!/1`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

WIDTH = 98


@dataclass(frozen=True)
class Group:
    """`open item, item close` (a call or a list) that breaks into one item per line."""

    open: str
    items: tuple[Doc, ...]
    close: str
    item_offset: int = 2  # indentation of broken items, relative to the first line
    close_offset: int = 0  # indentation of the closing bracket when broken


Doc = Union[str, Group]


def flat(doc: Doc) -> str:
    if isinstance(doc, str):
        return doc
    return doc.open + ", ".join(flat(i) for i in doc.items) + doc.close


def fits(line: str) -> bool:
    return len(line) <= WIDTH


def lay_out(doc: Doc, indent: int, prefix: str = "", trailing: str = "") -> list[str]:
    """Lines for `prefix doc trailing` starting at column `indent`."""
    pad = " " * indent
    line = pad + prefix + flat(doc) + trailing
    if isinstance(doc, str) or fits(line) or not doc.items:
        return [line]
    lines = [pad + prefix + doc.open]
    last = len(doc.items) - 1
    for n, item in enumerate(doc.items):
        lines += lay_out(item, indent + doc.item_offset, "", "" if n == last else ",")
    lines.append(" " * (indent + doc.close_offset) + doc.close + trailing)
    return lines


def call(name: str, args: list[Doc]) -> Group:
    """A call in a function body: `name(arg, ...)`."""
    return Group(name + "(", tuple(args), ")")


def elixir_list(items: list[Doc], tail: str | None = None) -> Doc:
    """`[a, b]`, or `[a, b | tail]` (the tail joins the last item's line); a bare
    `tail` when there are no items (the `*args` list is the whole argument list)."""
    if tail is None:
        return Group("[", tuple(items), "]")
    if not items:
        return tail
    return Group("[", (*items[:-1], f"{flat(items[-1])} | {tail}"), "]")


def def_head(keyword: str, name: str, params: list[str]) -> list[str]:
    """`  def name(a, b) do`, broken as the formatter breaks a long head."""
    if not params:
        return [f"  {keyword} {name} do"]
    head = Group(f"{name}(", tuple(params), ")", item_offset=6, close_offset=4)
    return lay_out(head, 2, f"{keyword} ", " do")


def spec(name: str, arg_types: list[str], result: str | tuple[str, ...]) -> list[str]:
    """`  @spec name(types) :: result` in the formatter's layouts.

    `result` may be the alternatives of a union (`{:ok, t}`, `{:error, e}`): when the
    union does not fit after `::`, the formatter puts it on its own lines, one `| alt`
    per line. A lone map/list/tuple argument that does not fit on the line becomes
    `term()`: the formatter would break inside it (`name(%{` ... `})`), a layout this
    module lacks.
    """
    alternatives = (result,) if isinstance(result, str) else result
    flat_result = " | ".join(alternatives)
    one_line = f"  @spec {name}({', '.join(arg_types)}) :: {flat_result}"
    if fits(one_line):
        return [one_line]
    if len(arg_types) == 1 and arg_types[0][:1] in ("%", "[", "{", "<"):
        arg_types = ["term()"]
    head = Group(f"{name}(", tuple(arg_types), ")", item_offset=8, close_offset=6)
    below = _union_lines(alternatives, 10)
    if fits(f"  @spec {flat(head)} ::") or len(arg_types) == 1:  # a lone argument stays put
        return [f"  @spec {flat(head)} ::", *below]
    lines = lay_out(head, 2, "@spec ", f" :: {flat_result}")
    if fits(lines[-1]):
        return lines
    return [*lines[:-1], lines[-1].removesuffix(f" {flat_result}"), *below]


def _union_lines(alternatives: tuple[str, ...], indent: int) -> list[str]:
    pad = " " * indent
    if fits(pad + " | ".join(alternatives)):
        return [pad + " | ".join(alternatives)]
    return [pad + alternatives[0], *(f"{pad}| {alt}" for alt in alternatives[1:])]


def keyword_import(module: str, key: str, items: list[str]) -> list[str]:
    """`  import Kernel, except: [max: 2]` and its two broken layouts."""
    value = Group("[", tuple(items), "]")
    one_line = f"  import {module}, {key}: {flat(value)}"
    if fits(one_line):
        return [one_line]
    return [f"  import {module},", *lay_out(value, 4, f"{key}: ")]
