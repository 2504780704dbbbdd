"""Typespecs from simple Python annotations; anything unusual becomes `term()`.

Annotations arrive as source text (`"list[float]"`, `"Optional[int]"`, `"int | None"`).
They are parsed with `ast`, never evaluated. Only the shapes with an obvious Elixir
counterpart are translated; a spec that would be long or speculative is `term()`,
since a wrong spec is worse than a vague one.
"""

from __future__ import annotations

import ast

TERM = "term()"

#: Longest spec text kept; longer ones become `term()` (keeps specs readable and
#: every generated spec line within the formatter's width).
MAX_SPEC = 60

_NAMES = {
    "int": "integer()",
    "float": "float()",
    "str": "String.t()",
    "bool": "boolean()",
    "None": "nil",
    "NoneType": "nil",
    "list": "list()",
    "List": "list()",
    "dict": "map()",
    "Dict": "map()",
    "tuple": "tuple()",
    "Tuple": "tuple()",
}


def _name(node: ast.expr) -> str | None:
    """`int`, `typing.List` → `List`: the last segment of a (dotted) name."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.attr if node.value.id in {"typing", "builtins", "types"} else None
    if isinstance(node, ast.Constant) and node.value is None:
        return "None"
    return None


def _union(alternatives: list[list[str]]) -> list[str]:
    """Flatten union alternatives, dropping repeats; `term()` absorbs everything."""
    unique: list[str] = []
    for alternative in alternatives:
        unique.extend(a for a in alternative if a not in unique)
    return [TERM] if TERM in unique else unique


def _subscript(node: ast.Subscript) -> list[str]:
    base = _name(node.value)
    args = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
    if base in {"list", "List", "Sequence"} and len(args) == 1:
        return [f"[{_spec(args[0])}]"]
    if base in {"dict", "Dict", "Mapping"} and len(args) == 2:
        return [f"%{{optional({_spec(args[0])}) => {_spec(args[1])}}}"]
    if base == "Optional" and len(args) == 1:
        return _union([_alternatives(args[0]), ["nil"]])
    if base == "Union":
        return _union([_alternatives(a) for a in args])
    if base in {"tuple", "Tuple"}:
        return ["tuple()"]
    return [TERM]


def _alternatives(node: ast.expr) -> list[str]:
    """The union members of one annotation node, each an Elixir type."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _parse(node.value)  # a quoted forward reference
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _union([_alternatives(node.left), _alternatives(node.right)])
    if isinstance(node, ast.Subscript):
        return _subscript(node)
    return [_NAMES.get(_name(node) or "", TERM)]


def _spec(node: ast.expr) -> str:
    return " | ".join(_alternatives(node))


def _parse(text: str) -> list[str]:
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError):
        return [TERM]
    return _alternatives(tree.body)


def annotation_spec(annotation: str) -> str:
    """The Elixir typespec of one annotation text; `term()` when unknown or too long."""
    if not annotation.strip():
        return TERM
    spec = " | ".join(_parse(annotation))
    return TERM if len(spec) > MAX_SPEC else spec
