"""Typespecs from Python annotations; anything without a sure Elixir meaning is `term()`.

Annotations arrive as source text (`"list[float]"`, `"Optional[int]"`, `"int | None"`,
from run time, a `.py`, a `.pyi` stub or a stub-only package). They are parsed with
`ast`, never evaluated. Types describe values as the runtime converts them, which
differs by direction: an argument annotated `float` accepts any Elixir number, a
returned `float` may be `:nan`/`:infinity`; `Sequence[int]` accepts an Elixir list, but
a returned `Sequence` may be a tuple. A class of the bound library is its module's
reference type (`Numpy.Random.Generator.t()`) when that module is generated and its
instances stay in Python (ModuleSurface.converted is false). A spec that would be long
or speculative is `term()`: a wrong spec is worse than a vague one.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field

TERM = "term()"

#: Longest spec text kept; longer ones become `term()` (keeps specs readable and
#: every generated spec line within the formatter's width).
MAX_SPEC = 60

_FLOAT_RETURNED = "float() | :nan | :infinity | :neg_infinity"
_BYTES = "SnakeBridge.Bytes.t()"
_SHARED = {
    "int": "integer()", "str": "String.t()", "bool": "boolean()", "None": "nil",
    "NoneType": "nil", "bytes": _BYTES, "list": "list()", "List": "list()",
    "dict": "map()", "Dict": "map()", "tuple": "tuple()", "Tuple": "tuple()",
    "Any": TERM, "object": TERM,
}
_ARGUMENT = {**_SHARED, "float": "number()", "complex": TERM}
_RETURNED = {**_SHARED, "float": _FLOAT_RETURNED}
#: Abstract containers: an Elixir list or map satisfies them as an argument, but a
#: returned value may be any implementation (a tuple, a range, a ref).
_SEQUENCES = {"Sequence", "Iterable", "Collection", "MutableSequence"}
_MAPPINGS = {"Mapping", "MutableMapping"}
_QUALIFIERS = {"typing", "builtins", "types", "collections.abc", "typing_extensions", "abc"}


@dataclass(frozen=True)
class Types:
    """What class names mean in the annotations of one Python module's members."""

    module: str = ""  # "docpkg.google": resolves bare names ("Point")
    classes: Mapping[str, str] = field(default_factory=dict)  # "numpy.ndarray" → "Numpy.Ndarray"

    def reference(self, dotted: str) -> str | None:
        """The reference type of a class named in an annotation, if it is generated."""
        root = self.module.split(".")[0]
        tail = dotted.split(".", 1)[1] if "." in dotted else ""
        for candidate in (dotted, f"{self.module}.{dotted}", f"{root}.{tail}" if tail else ""):
            if candidate in self.classes:
                return f"{self.classes[candidate]}.t()"
        return None


NO_TYPES = Types()


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, ast.Constant) and node.value is None:
        return "None"
    return None


def _name(node: ast.expr) -> str | None:
    """`int`, `typing.List` → `List`; other dotted names stay whole (`np.ndarray`)."""
    dotted = _dotted(node)
    if dotted and "." in dotted and dotted.rsplit(".", 1)[0] in _QUALIFIERS:
        return dotted.rsplit(".", 1)[1]
    return dotted


def _union(alternatives: list[list[str]]) -> list[str]:
    """Flatten union alternatives, dropping repeats; `term()` absorbs everything."""
    unique: list[str] = []
    for alternative in alternatives:
        unique.extend(a for a in alternative if a not in unique)
    return [TERM] if TERM in unique else unique


@dataclass(frozen=True)
class _Mapper:
    types: Types
    argument: bool  # the value travels Elixir → Python (else Python → Elixir)

    def flipped(self) -> _Mapper:
        return _Mapper(self.types, not self.argument)

    def spec(self, node: ast.expr) -> str:
        return " | ".join(self.alternatives(node))

    def alternatives(self, node: ast.expr) -> list[str]:
        """The union members of one annotation node, each an Elixir type."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return _parse(node.value, self)  # a quoted forward reference
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return _union([self.alternatives(node.left), self.alternatives(node.right)])
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        name = _name(node) or ""
        known = (_ARGUMENT if self.argument else _RETURNED).get(name)
        if known is not None:
            return [known]
        reference = None if self.argument else self.types.reference(name)
        return [reference or TERM]

    def subscript(self, node: ast.Subscript) -> list[str]:
        base = _name(node.value)
        args = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        if base == "Optional" and len(args) == 1:
            return _union([self.alternatives(args[0]), ["nil"]])
        if base == "Union":
            return _union([self.alternatives(a) for a in args])
        if base == "Literal":
            return _union([_literal(a) for a in args])
        if base in {"list", "List"} or (self.argument and base in _SEQUENCES):
            return [f"[{self.spec(args[0])}]"] if len(args) == 1 else [TERM]
        if base in {"dict", "Dict"} or (self.argument and base in _MAPPINGS):
            if len(args) == 2:
                return [f"%{{optional({self.spec(args[0])}) => {self.spec(args[1])}}}"]
            return [TERM]
        if base in {"tuple", "Tuple"}:
            return [self.tuple(args)]
        if base == "Callable" and self.argument and len(args) == 2:
            return [self.callable(args[0], args[1])]
        if base in {"Annotated"} and args:
            return self.alternatives(args[0])
        return [TERM]

    def tuple(self, args: list[ast.expr]) -> str:
        if any(isinstance(a, ast.Constant) and a.value is Ellipsis for a in args):
            return "tuple()"
        if len(args) == 1 and isinstance(args[0], ast.Tuple) and not args[0].elts:
            return "{}"  # tuple[()]
        return "{" + ", ".join(self.spec(a) for a in args) + "}"

    def callable(self, params: ast.expr, returns: ast.expr) -> str:
        """An Elixir function Python calls: its arguments arrive as converted values."""
        result = self.spec(returns)  # what the function returns travels Elixir → Python
        if isinstance(params, ast.Constant) and params.value is Ellipsis:
            return f"(... -> {result})"
        if not isinstance(params, ast.List):
            return TERM
        arguments = ", ".join(self.flipped().spec(p) for p in params.elts)
        return f"({arguments} -> {result})" if arguments else f"(-> {result})"


def _literal(node: ast.expr) -> list[str]:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) \
            and isinstance(node.operand, ast.Constant) and type(node.operand.value) is int:
        return [f"-{node.operand.value}"]
    if not isinstance(node, ast.Constant):
        return [TERM]  # an enum member: its value is not known here
    value = node.value
    if value is None or isinstance(value, bool):
        return [{None: "nil", True: "true", False: "false"}[value]]
    if type(value) is int:
        return [str(value)]
    return [{str: "String.t()", bytes: _BYTES}.get(type(value), TERM)]


def _parse(text: str, mapper: _Mapper) -> list[str]:
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError):
        return [TERM]
    return mapper.alternatives(tree.body)


def annotation_spec(annotation: str, types: Types = NO_TYPES, argument: bool = False) -> str:
    """The Elixir typespec of one annotation text, for a value the Python side returns
    (or, with `argument`, receives); `term()` when unknown or too long."""
    if not annotation.strip():
        return TERM
    spec = " | ".join(_parse(annotation, _Mapper(types, argument)))
    return TERM if len(spec) > MAX_SPEC else spec
