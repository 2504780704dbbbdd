"""One Python member → its Elixir functions: the `{:ok, _}` form and the `!` twin.

The calling convention is `engine/calls.py`'s: required positional parameters become
arguments, a `*args` parameter one list argument, everything else the trailing
keyword list `opts \\\\ []`; methods and properties take the object first. Python is
always called by `python_name`; `elixir_name` exists only on the Elixir side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from snakebridge_rules._pb.snakebridge.v1.api_pb2 import Member, ModuleSurface, Parameter, Source
from snakebridge_rules.engine.generate import kernel, layout
from snakebridge_rules.engine.generate.docs import DocInput, python_signature, render_doc
from snakebridge_rules.engine.generate.layout import Doc
from snakebridge_rules.engine.generate.literals import elixir_doc, elixir_string
from snakebridge_rules.engine.generate.specs import annotation_spec
from snakebridge_rules.engine.names import RESERVED_WORDS

RUNTIME = "SnakeBridge.Runtime"
REF_TYPE = "SnakeBridge.Ref.t()"
ERROR_TYPE = "Exception.t()"
OPTS = "opts \\\\ []"

_VARIABLE = re.compile(r"^[a-z][a-zA-Z0-9_]*$")
_POSITIONAL = (Parameter.POSITIONAL_ONLY, Parameter.POSITIONAL_OR_KEYWORD)
_CALLABLE = (Member.FUNCTION, Member.CLASS, Member.METHOD, Member.STATIC_METHOD,
             Member.CLASS_METHOD)


@dataclass(frozen=True)
class Function:
    """What one member renders to: a head (variables), its spec types and a body call."""

    name: str
    params: tuple[str, ...]  # head parameters, e.g. ("ref", "x", "opts \\\\ []")
    arg_types: tuple[str, ...]
    result: str  # spec of the unwrapped value
    body: Doc
    doc: str
    python_path: str  # for messages: "numpy.linalg.norm"

    @property
    def arity(self) -> int:
        return len(self.params)

    @property
    def arities(self) -> tuple[int, ...]:
        """Both arities when the keyword list has a default, else the one."""
        has_opts = bool(self.params) and self.params[-1] == OPTS
        return (self.arity - 1, self.arity) if has_opts else (self.arity,)


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


def _qualname(module: ModuleSurface, member: Member) -> str:
    """The dotted path of `member` inside its Python module (what the runtime resolves)."""
    if module.is_class and member.kind == Member.CLASS and member.python_name in {
        "__init__", "__new__", module.qualname.rpartition(".")[2]}:
        return module.qualname
    return f"{module.qualname}.{member.python_name}" if module.qualname else member.python_name


@dataclass(frozen=True)
class _Arguments:
    """How the Python parameters of one callable travel from Elixir."""

    variables: list[str]  # Elixir argument variables (required positionals, then *args)
    types: list[str]  # their specs
    args: Doc  # the positional-argument list passed to the runtime
    positional_opts: list[str]  # optional positional-only names (moved by the runtime)
    placements: dict[str, str]  # Python parameter → where it goes, for the docs


def _placements(params: list[Parameter], positional: list[Parameter], first: int,
                ) -> dict[str, str]:
    """"argument 2", "argument 3 (a list)", "keyword `axis:`" per Python parameter."""
    placed = {p.name: f"argument {n}" for n, p in enumerate(positional, start=first)}
    for p in params:
        if p.kind == Parameter.VAR_POSITIONAL and p.name in placed:
            placed[p.name] += ", a list"
        elif p.kind == Parameter.VAR_KEYWORD:
            placed[p.name] = "any other keywords"
        else:
            placed.setdefault(p.name, f"keyword `{p.name}:`")
    return placed


def _arguments(params: list[Parameter], taken: set[str], first: int = 1) -> _Arguments:
    required = [p for p in params if p.kind in _POSITIONAL and not p.has_default]
    varargs = [p for p in params if p.kind == Parameter.VAR_POSITIONAL][:1]
    variables = _variables([p.name for p in required + varargs], taken)
    plain, tail = variables[: len(required)], (variables[-1] if varargs else None)
    return _Arguments(
        placements=_placements(params, required + varargs, first),
        variables=variables,
        types=[annotation_spec(p.annotation) for p in required] + ["list()"] * len(varargs),
        args=layout.elixir_list(plain, tail) if variables else "[]",
        positional_opts=[p.name for p in params
                         if p.kind == Parameter.POSITIONAL_ONLY and p.has_default],
    )


def _callable(module: ModuleSurface, member: Member) -> Function:
    """Functions, constructors, static/class methods (call_function) and methods
    (call_method, the object first)."""
    is_method = member.kind == Member.METHOD
    arguments = _arguments(list(member.parameters), {"opts", "ref"} if is_method else {"opts"},
                           first=2 if is_method else 1)
    if is_method:
        function = f"{RUNTIME}.call_method"
        target = ["ref", elixir_string(member.python_name)]
    else:
        function = f"{RUNTIME}.call_function"
        target = [elixir_string(module.python_module), elixir_string(_qualname(module, member))]
    extra: list[Doc] = []
    if arguments.positional_opts:
        names = tuple(elixir_string(n) for n in arguments.positional_opts)
        extra.append(layout.Group("[", names, "]"))
    receiver = ["ref"] if is_method else []
    return Function(
        name=member.elixir_name,
        params=tuple(receiver + arguments.variables + [OPTS]),
        arg_types=tuple([REF_TYPE] * len(receiver) + arguments.types + ["keyword()"]),
        result=annotation_spec(member.return_annotation),
        body=layout.call(function, [*target, arguments.args, "opts", *extra]),
        doc=_doc(module, member, arguments.placements),
        python_path=_python_path(module, member),
    )


def _python_path(module: ModuleSurface, member: Member) -> str:
    return f"{module.python_module}.{_qualname(module, member)}"


def _doc(module: ModuleSurface, member: Member, placements: dict[str, str]) -> str:
    """The rendered Markdown doc; the signature only where Python knows it."""
    signature = ""
    if member.kind not in (Member.PROPERTY, Member.ATTRIBUTE) and \
            member.signature_source != Source.SOURCE_UNSPECIFIED:
        signature = python_signature(list(member.parameters), member.return_annotation)
    return render_doc(DocInput(
        python_path=_python_path(module, member), python_name=member.python_name,
        text=member.doc, signature=signature, placements=placements,
        annotations={**{p.name: p.annotation for p in member.parameters if p.annotation},
                     "return": member.return_annotation}))


def _accessor(module: ModuleSurface, member: Member) -> Function:
    """Properties (object first) and module/class attributes (no argument)."""
    if member.kind == Member.PROPERTY:
        params: tuple[str, ...] = ("ref",)
        body = layout.call(f"{RUNTIME}.get_property", ["ref", elixir_string(member.python_name)])
    else:
        params = ()
        body = layout.call(f"{RUNTIME}.get_attribute", [
            elixir_string(module.python_module), elixir_string(_qualname(module, member))])
    return Function(
        name=member.elixir_name,
        params=params,
        arg_types=tuple(REF_TYPE for _ in params),
        result=annotation_spec(member.return_annotation),
        body=body,
        doc=_doc(module, member, {}),
        python_path=_python_path(module, member),
    )


def function_of(module: ModuleSurface, member: Member) -> Function:
    """The Elixir function of one member (its `!` twin is derived when rendering)."""
    if member.kind in _CALLABLE:
        return _callable(module, member)
    return _accessor(module, member)


def _head_variables(function: Function) -> list[Doc]:
    return [p.removesuffix(" \\\\ []") for p in function.params]


def _block(keyword: str, name: str, params: list[str], body: Doc) -> list[str]:
    return [*layout.def_head(keyword, name, params), *layout.lay_out(body, 4), "  end"]


def render_function(function: Function) -> list[str]:
    """`@doc`, `@spec` and `def` of the `{:ok, value} | {:error, exception}` form."""
    result = f"{{:ok, {function.result}}} | {{:error, {ERROR_TYPE}}}"
    return [
        "  @doc " + "\n".join(elixir_doc(function.doc)),
        *layout.spec(function.name, list(function.arg_types), result),
        *_block("def", function.name, list(function.params), function.body),
    ]


def render_bang(function: Function) -> list[str]:
    """The raising twin `name!`: same arguments, returns the value or raises."""
    arity = function.arity
    doc = (f"Like `{function.name}/{arity}`, but returns the value itself and raises "
           "the error (`SnakeBridge.PythonError`) instead of returning it.")
    callee = function.name
    if kernel.needs_qualified_call(callee):
        callee = f"__MODULE__.{callee}"
    inner = layout.call(callee, _head_variables(function))
    bang = f"{function.name}!"
    return [
        f"  @doc {elixir_string(doc)}",
        *layout.spec(bang, list(function.arg_types), function.result),
        *_block("def", bang, list(function.params), layout.call(f"{RUNTIME}.unwrap!", [inner])),
    ]


__all__ = ["Function", "function_of", "render_bang", "render_function"]
