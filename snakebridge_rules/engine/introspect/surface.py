"""From the probe's facts to an ApiSurface: arity checks and deterministic ordering."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from snakebridge_rules._pb.snakebridge.v1.api_pb2 import (
    ApiSurface,
    Member,
    ModuleSurface,
    Parameter,
    Source,
)
from snakebridge_rules.engine.calls import MAX_ARITY, CallKey, Shape, describe_arities
from snakebridge_rules.engine.libraries import Library


@dataclass(frozen=True, order=True)
class CallError:
    """One call the environment cannot serve; `call` is "" for library-wide problems."""

    call: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"call": self.call, "message": self.message}


def shape_of(record: dict[str, Any]) -> Shape:
    """The calling-convention shape of a callable's probe record (calls.py)."""
    params = ((p["kind"], p["default"] is not None) for p in record["parameters"])
    return Shape.of(params, receiver=record["kind"] == Member.METHOD)


def arities_of(record: dict[str, Any]) -> range:
    """The Elixir arities a member accepts under the calling convention (calls.py)."""
    kind = record["kind"]
    if kind == Member.ATTRIBUTE:
        return range(0, 1)
    if kind == Member.PROPERTY:
        return range(1, 2)
    return shape_of(record).accepted()


def arity_errors(record: dict[str, Any], label: str, wanted: list[CallKey]) -> list[CallError]:
    """An error for each requested arity the Python signature cannot accept."""
    accepted = arities_of(record)
    module = wanted[0].module if wanted else ""
    first = f"{module}.{record['elixir_name']}/{accepted.start}"
    shown = first if len(accepted) == 1 else f"{first} to /{accepted.stop - 1}"
    callable_ = record["kind"] not in (Member.ATTRIBUTE, Member.PROPERTY)
    if callable_ and shape_of(record).keyword_only:
        shown += (f"; it has more than {MAX_ARITY} required positional parameters, so they "
                  "are all passed by name in one keyword list")
    errors = []
    for call in wanted:
        if call.arity not in accepted:
            errors.append(CallError(str(call), (
                f"{label} cannot be called with {call.arity} argument"
                f"{'' if call.arity == 1 else 's'} from Elixir: it accepts "
                f"{describe_arities(accepted)} ({shown})")))
    return errors


def _parameter(fact: dict[str, Any]) -> Parameter:
    return Parameter(name=fact["name"], kind=fact["kind"], has_default=fact["default"] is not None,
                     default=fact["default"] or "", annotation=fact["annotation"])


def member_message(record: dict[str, Any], arities: tuple[int, ...]) -> Member:
    """One Member proto; the facts come from run time unless `record` says otherwise."""
    signature_source = record.get("signature_source", Source.RUNTIME)
    if not record.get("signature_found", True):
        signature_source = Source.SOURCE_UNSPECIFIED
    doc = record.get("doc", "")
    return Member(
        python_name=record["python_name"],
        elixir_name=record["elixir_name"],
        kind=record["kind"],
        parameters=[_parameter(p) for p in record["parameters"]],
        return_annotation=record.get("return_annotation", ""),
        signature_source=signature_source,
        doc=doc,
        doc_source=record.get("doc_source", Source.RUNTIME) if doc else Source.SOURCE_UNSPECIFIED,
        arities=sorted(set(arities)),
    )


def build_surface(library: Library, result: dict[str, Any],
                  requested: dict[tuple[str, str], list[CallKey]], eager: bool,
                  ) -> tuple[ApiSurface, list[CallError]]:
    """The surface of every resolved member, and the errors of the unresolvable calls."""
    errors = [CallError(str(call), e["message"]) for e in result["errors"]
              for call in requested.get((e["module"], e["name"]), [])]
    members: dict[str, list[Member]] = defaultdict(list)
    for record in result["members"]:
        key = (record["elixir_module"], record["elixir_name"])
        scope = result["scopes"][record["elixir_module"]]
        label = ".".join(filter(None, (scope["python_module"], scope["qualname"],
                                       record["python_name"])))
        wanted = requested.get(key, [])
        errors += arity_errors(record, label, wanted)
        arities = tuple(c.arity for c in wanted) if wanted else ()
        if eager:
            arities += (arities_of(record).start,)
        members[record["elixir_module"]].append(member_message(record, arities))
    surface = ApiSurface(library=library.python_module, elixir_module=library.elixir_module)
    for module in sorted(members):
        scope = result["scopes"][module]
        surface.modules.append(ModuleSurface(
            elixir_module=module, python_module=scope["python_module"],
            qualname=scope["qualname"], is_class=scope["is_class"], doc=scope["doc"],
            converted=scope.get("converted", False), is_instance=scope["is_instance"],
            doc_source=Source.RUNTIME if scope["doc"] else Source.SOURCE_UNSPECIFIED,
            members=sorted(members[module], key=lambda m: m.python_name),
        ))
    return surface, sorted(set(errors))
