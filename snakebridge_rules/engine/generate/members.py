"""One Python member → its Elixir functions: the `{:ok, _}` form and the `!` twin.

The calling convention is `engine/calls.py`'s (v2): one `def` per arity, from the
required positional parameters up to every optional positional (and `*args` slot) and
the trailing keyword list; each passes the arguments it has
(`SnakeBridge.Runtime.invoke_function/4` takes a final keyword list as the keywords).
No default arguments: a `\\ default` head makes Elixir call the full arity with a
marker value, which that arity's `@spec` would then have to admit, so each arity's
`@spec` states exactly what a caller may pass. The doc goes on the lowest arity.
Methods and properties take the object first. Python is always called by
`python_name`; `elixir_name` exists only on the Elixir side.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from snakebridge_rules._pb.snakebridge.v1.api_pb2 import Member, ModuleSurface, Parameter, Source
from snakebridge_rules.docs.markdown import DocInput, render_doc
from snakebridge_rules.engine.calls import Shape
from snakebridge_rules.engine.generate import kernel, layout
from snakebridge_rules.engine.generate.docs import placements, python_signature
from snakebridge_rules.engine.generate.layout import Doc
from snakebridge_rules.engine.generate.literals import elixir_doc, elixir_string
from snakebridge_rules.engine.generate.specs import NO_TYPES, TERM, Types, annotation_spec
from snakebridge_rules.engine.names import RESERVED_WORDS, checked_function_name

RUNTIME = "SnakeBridge.Runtime"


def _receiver_type(module: ModuleSurface) -> str:
    """The object a method or property takes: the class's reference type, or any term
    for a class whose instances convert (`Builtins.Str.split("a,b")`)."""
    return TERM if module.converted or not module.is_class else f"{module.elixir_module}.t()"

ERROR_TYPE = "SnakeBridge.error()"  # SnakeBridge.PythonError.t() | SnakeBridge.WorkerError.t()
KEYWORD = "keyword()"

_VARIABLE = re.compile(r"^[a-z][a-zA-Z0-9_]*$")
_POSITIONAL = (Parameter.POSITIONAL_ONLY, Parameter.POSITIONAL_OR_KEYWORD)
_CALLABLE = (Member.FUNCTION, Member.CLASS, Member.METHOD, Member.STATIC_METHOD,
             Member.CLASS_METHOD)


@dataclass(frozen=True)
class Clause:
    """One arity's `def`: its parameters and its body."""

    params: tuple[str, ...]  # ("ref", "x", "opts")
    body: Doc


@dataclass(frozen=True)
class Function:
    """What one member renders to: a spec and a `def` per arity, lowest first."""

    name: str
    clauses: tuple[Clause, ...]
    specs: tuple[tuple[str, ...], ...]  # argument types of each arity, lowest first
    result: str  # spec of the unwrapped value
    doc: str
    python_path: str  # for messages: "numpy.linalg.norm"

    @property
    def arity(self) -> int:
        """The lowest arity: the one whose `def` carries the doc (`Code.fetch_docs`)."""
        return self.arities[0]

    @property
    def arities(self) -> tuple[int, ...]:
        return tuple(len(types) for types in self.specs)


def _variables(names: list[str], taken: set[str]) -> list[str]:
    """Python parameter names → distinct Elixir variable names (`_x`, `end` → `arg1`...)."""
    result = []
    for n, name in enumerate(names, start=1):
        candidate = name if _VARIABLE.match(name) and name not in RESERVED_WORDS else f"arg{n}"
        while candidate in taken:
            candidate += "_"
        taken.add(candidate)
        result.append(candidate)
    return result


def qualname(module: ModuleSurface, member: Member) -> str:
    """The dotted path of `member` inside its Python module (what the runtime resolves)."""
    if module.is_class and member.kind == Member.CLASS and member.python_name in {
        "__init__", "__new__", module.qualname.rpartition(".")[2]}:
        return module.qualname
    return f"{module.qualname}.{member.python_name}" if module.qualname else member.python_name


@dataclass(frozen=True)
class _Slot:
    """One Elixir argument of a callable: its variable and the type of its value."""

    variable: str
    type: str


def _slots(params: list[Parameter], shape: Shape, top: int, taken: set[str], specs: Types,
           ) -> tuple[list[_Slot], list[_Slot]]:
    """(fixed slots: always values; trailing slots: optional, the last may be keywords)."""
    if shape.keyword_only:
        return [], [_Slot("opts", KEYWORD)]
    positional = [p for p in params if p.kind in _POSITIONAL]
    required = [p for p in positional if not p.has_default]
    optional = [p for p in positional if p.has_default]
    rest = next((p.name for p in params if p.kind == Parameter.VAR_POSITIONAL), "args")
    extra = top - shape.fixed - len(optional)
    names = [p.name for p in required + optional]
    if shape.varargs:
        names += [f"{rest}{n}" for n in range(1, extra + 1)]
    variables = _variables(names, taken)
    if not shape.varargs:
        variables.append("opts")
    types = [annotation_spec(p.annotation, specs, argument=True) for p in required + optional]
    types += [TERM] * extra if shape.varargs else [KEYWORD]
    slots = [_Slot(v, t) for v, t in zip(variables, types)]
    return slots[: len(required)], slots[len(required):]


def _spec_of(fixed: list[str], trailing: list[_Slot], given: int) -> tuple[str, ...]:
    """Argument types at one arity: the last trailing argument may be the keywords."""
    types = [s.type for s in trailing[:given]]
    if types and types[-1] not in (TERM, KEYWORD):
        types[-1] = f"{types[-1]} | {KEYWORD}"
    return (*fixed, *types)


def _callable(module: ModuleSurface, member: Member, doc: str, specs: Types) -> Function:
    """Functions, constructors, static/class methods (invoke_function) and methods
    (invoke_method, the object first, then `{__MODULE__, :elixir_name, "python_name"}`:
    the runtime checks that the object is an instance of the module's class)."""
    params = list(member.parameters)
    is_method = member.kind == Member.METHOD
    shape = Shape.of(((p.kind, p.has_default) for p in params), receiver=is_method)
    arities = shape.generated(member.arities)
    receiver = ["ref"] if is_method else []
    fixed, trailing = _slots(params, shape, arities.stop - 1, {"opts", *receiver}, specs)
    if is_method:
        method = ("__MODULE__", f":{member.elixir_name}", elixir_string(member.python_name))
        target = ["ref", layout.Group("{", method, "}")]
    else:
        target = [elixir_string(module.python_module), elixir_string(qualname(module, member))]
    function = f"{RUNTIME}.invoke_method" if is_method else f"{RUNTIME}.invoke_function"
    fixed_types = [_receiver_type(module)] * len(receiver) + [s.type for s in fixed]
    head = receiver + [s.variable for s in fixed]

    def clause(given: list[_Slot]) -> Clause:
        values = [layout.elixir_list([s.variable for s in fixed]),
                  layout.elixir_list([s.variable for s in given])]
        return Clause(tuple(head + [s.variable for s in given]),
                      layout.call(function, [*target, *values]))

    return Function(
        name=member.elixir_name,
        clauses=tuple(clause(trailing[: n - len(head)]) for n in arities),
        specs=tuple(_spec_of(fixed_types, trailing, n - len(fixed_types)) for n in arities),
        result=_result(module, member, specs),
        doc=doc,
        python_path=_python_path(module, member),
    )


def _result(module: ModuleSurface, member: Member, specs: Types) -> str:
    """The spec of the returned value; a constructor returns its class's reference."""
    if member.kind == Member.CLASS:
        path = module.qualname if module.is_class else member.python_name
        return specs.reference(path) or TERM
    return annotation_spec(member.return_annotation, specs)


def _python_path(module: ModuleSurface, member: Member) -> str:
    return f"{module.python_module}.{qualname(module, member)}"


def _accessor(module: ModuleSurface, member: Member, doc: str, specs: Types) -> Function:
    """Properties (object first) and module/class attributes (no argument)."""
    if member.kind == Member.PROPERTY:
        params: tuple[str, ...] = ("ref",)
        body = layout.call(f"{RUNTIME}.get_property", ["ref", elixir_string(member.python_name)])
    else:
        params = ()
        body = layout.call(f"{RUNTIME}.get_attribute", [
            elixir_string(module.python_module), elixir_string(qualname(module, member))])
    return Function(
        name=member.elixir_name,
        clauses=(Clause(params, body),),
        specs=(tuple(_receiver_type(module) for _ in params),),
        result=_result(module, member, specs),
        doc=doc,
        python_path=_python_path(module, member),
    )


def _doc(module: ModuleSurface, member: Member) -> str:
    """The rendered Markdown doc; the Python signature only where Python knows it."""
    signature, placed = "", {}
    if member.kind in _CALLABLE:
        placed = placements(list(member.parameters), receiver=member.kind == Member.METHOD)
        if member.signature_source != Source.SOURCE_UNSPECIFIED:
            signature = python_signature(list(member.parameters), member.return_annotation)
    annotations = {p.name: p.annotation for p in member.parameters if p.annotation}
    return render_doc(DocInput(
        python_path=_python_path(module, member), python_name=member.python_name,
        text=member.doc, signature=signature, placements=placed,
        annotations={**annotations, "return": member.return_annotation},
        attribute=member.kind not in _CALLABLE))


def function_of(module: ModuleSurface, member: Member, specs: Types = NO_TYPES) -> Function:
    """The Elixir function of one member (its `!` twin is derived when rendering)."""
    checked_function_name(member.elixir_name)
    doc = _doc(module, member)
    if member.kind in _CALLABLE:
        return _callable(module, member, doc, specs)
    return _accessor(module, member, doc, specs)


def _blocks(name: str, clauses: Iterable[Clause]) -> list[str]:
    """The `def`s, one per arity, as the formatter lays them out (a blank line between)."""
    blocks = [[*layout.def_head("def", name, list(clause.params)),
               *layout.lay_out(clause.body, 4), "  end"] for clause in clauses]
    return [line for n, block in enumerate(blocks) for line in ([""] if n else []) + block]


def _specs(name: str, function: Function, result: str | tuple[str, ...]) -> list[str]:
    return [line for types in function.specs for line in layout.spec(name, list(types), result)]


def _python_meta(python_path: str) -> list[str]:
    """`@doc python: "numpy.mean"` (the key of `__functions__/0`), broken as the
    formatter breaks it when the line is too long."""
    line = f"  @doc python: {elixir_string(python_path)}"
    return [line] if layout.fits(line) else ["  @doc python:", f"         {line[15:]}"]


def render_function(function: Function) -> list[str]:
    """`@doc`, a `@spec` per arity and the `def` of the `{:ok, value} | {:error, _}` form."""
    result = (f"{{:ok, {function.result}}}", f"{{:error, {ERROR_TYPE}}}")
    return [
        "  @doc " + "\n".join(elixir_doc(function.doc)),
        *_python_meta(function.python_path),
        *_specs(function.name, function, result),
        *_blocks(function.name, function.clauses),
    ]


def render_bang(function: Function) -> list[str]:
    """The raising twin `name!`: same arguments, returns the value or raises."""
    arities = function.arities
    shown = f"{function.name}/{arities[0]}"
    if len(arities) > 1:
        shown = f"{shown}..{arities[-1]}"
    doc = (f"Like `{shown}`, but returns the value itself and raises "
           "the error (`SnakeBridge.PythonError`) instead of returning it.")
    callee = function.name
    if kernel.needs_qualified_call(callee):
        callee = f"__MODULE__.{callee}"
    bang = f"{function.name}!"
    clauses = (Clause(c.params, layout.call(f"{RUNTIME}.unwrap!", [
        layout.call(callee, list(c.params))])) for c in function.clauses)
    return [
        f"  @doc {elixir_string(doc)}",
        *_specs(bang, function, function.result),
        *_blocks(bang, clauses),
    ]


__all__ = ["Clause", "Function", "function_of", "render_bang", "render_function"]
