"""The probe's answer, authenticated and checked against its schema before any use.

The answer comes from a process that ran the library's code, so it is untrusted data:
it must carry this run's secret (which only the probe's supervisor holds, probe.py),
and every field must have its type, a bounded length and, for Elixir names, a shape
that names.py accepts. Text that cannot be written as UTF-8 (a lone surrogate in a
docstring) makes that member an error of its own, worded in one line.
"""

from __future__ import annotations

import hmac
import json
import re
from typing import Any

from snakebridge_rules.engine.names import is_valid_function_name, is_valid_module_name

_MAX_TEXT = 1 << 22  # a docstring of 4 MiB is already absurd
_MAX_NAME = 4096
_MAX_ITEMS = 1 << 20
_SURROGATE = re.compile("[\ud800-\udfff]")
_MEMBER_KINDS = range(1, 8)  # api.proto Member.Kind
_PARAMETER_KINDS = range(1, 6)  # api.proto Parameter.Kind
_OBJECT_MEMBER_KINDS = range(1, 2), range(7, 8)  # FUNCTION, ATTRIBUTE: no receiver


class AnswerError(ValueError):
    """Not an answer of this run's probe, or one that breaks the schema."""


def parse_answer(data: bytes, secret: str, request: dict[str, Any],
                 ) -> tuple[int, dict[str, Any] | None]:
    """(the child's exit status, the checked result) from the bytes the probe sent; the
    result is None when the child sent no document (it ended first: the caller words
    why from the status)."""
    head, _, payload = data.partition(b"\n")
    try:
        header = json.loads(head.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        raise AnswerError("the probe sent no authenticated answer") from None
    if not isinstance(header, dict) or not hmac.compare_digest(
            str(header.get("secret", "")).encode(), secret.encode()):
        raise AnswerError("the probe's answer does not carry this run's secret: forged?")
    status = header.get("status")
    if not isinstance(status, int):
        raise AnswerError("the probe's answer has no exit status")
    if not payload:
        return status, None
    try:
        result = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise AnswerError("the probe's answer is not JSON (did the library write to "
                          "its channel?)") from None
    return status, check_result(result, request)


def check_result(result: Any, request: dict[str, Any]) -> dict[str, Any]:
    """The result if it has the schema; AnswerError naming the first bad field."""
    if not isinstance(result, dict):
        raise AnswerError("the probe's answer is not an object")
    if "import_error" in result:
        importable = _list(result.get("importable", []), "importable")
        return {"import_error": _text(result["import_error"], "import_error", _MAX_TEXT),
                "importable": [_text(n, f"importable[{i}]", _MAX_NAME)
                               for i, n in enumerate(importable)]}
    if "fatal" in result:
        return {"fatal": _text(result["fatal"], "fatal", _MAX_TEXT)}
    owner = request["elixir_module"]
    scopes = _dict(result.get("scopes"), "scopes")
    checked_scopes = {_module(k, f"scopes key {k!r}", owner): _scope(v, f"scopes[{k!r}]")
                      for k, v in scopes.items()}
    errors = [_error(e, f"errors[{n}]") for n, e in enumerate(_list(result.get("errors"),
                                                                      "errors"))]
    members = []
    for n, record in enumerate(_list(result.get("members"), "members")):
        member = _member(record, f"members[{n}]", owner, checked_scopes)
        problem = _unwritable(member)
        if problem:
            errors.append({"module": member["elixir_module"], "name": member["elixir_name"],
                           "message": problem})
        else:
            members.append(member)
    return {"members": members, "errors": errors, "scopes": checked_scopes}


def _unwritable(member: dict[str, Any]) -> str:
    """Why a member's text cannot become UTF-8 output ('' when it can)."""
    fields = [("docstring", member["doc"]), ("return annotation", member["return_annotation"])]
    for param in member["parameters"]:
        fields += [(f"parameter {param['name']!r}", param["name"]),
                   ("default", param["default"] or ""), ("annotation", param["annotation"])]
    for what, text in fields:
        found = _SURROGATE.search(text)
        if found:
            return (f"its {what} contains a lone surrogate (U+{ord(found.group()):04X}), "
                    "which is not valid Unicode text and cannot be written; fix the "
                    "library's text (e.g. decode it with errors='replace')")
    return ""


def _member(record: Any, where: str, owner: str, scopes: dict[str, Any]) -> dict[str, Any]:
    record = _dict(record, where)
    module = _module(record.get("elixir_module"), f"{where}.elixir_module", owner)
    if module not in scopes:
        raise AnswerError(f"the probe's answer breaks its schema: {where} is in {module!r}, "
                          "which it does not describe")
    name = record.get("elixir_name")
    if not isinstance(name, str) or not is_valid_function_name(name):
        raise AnswerError(f"the probe's answer breaks its schema: {where}.elixir_name "
                          f"{str(name)[:80]!r} is not a safe Elixir function name")
    origin = record.get("origin")
    kinds = _OBJECT_MEMBER_KINDS if scopes[module]["is_instance"] else (_MEMBER_KINDS,)
    return {
        "python_name": _text(record.get("python_name"), f"{where}.python_name", _MAX_NAME),
        "elixir_module": module,
        "elixir_name": name,
        "kind": _choice(record.get("kind"), f"{where}.kind", *kinds),
        "doc": _text(record.get("doc"), f"{where}.doc", _MAX_TEXT),
        "signature_found": _bool(record.get("signature_found"), f"{where}.signature_found"),
        "return_annotation": _text(record.get("return_annotation"),
                                   f"{where}.return_annotation", _MAX_NAME),
        "parameters": [_parameter(p, f"{where}.parameters[{n}]") for n, p in
                       enumerate(_list(record.get("parameters"), f"{where}.parameters"))],
        "origin": None if origin is None else _origin(origin, f"{where}.origin"),
    }


def _parameter(value: Any, where: str) -> dict[str, Any]:
    value = _dict(value, where)
    default = value.get("default")
    return {
        "name": _text(value.get("name"), f"{where}.name", _MAX_NAME),
        "kind": _choice(value.get("kind"), f"{where}.kind", _PARAMETER_KINDS),
        "default": None if default is None else _text(default, f"{where}.default", _MAX_TEXT),
        "annotation": _text(value.get("annotation"), f"{where}.annotation", _MAX_NAME),
    }


def _origin(value: Any, where: str) -> dict[str, str]:
    value = _dict(value, where)
    return {key: _text(value.get(key), f"{where}.{key}", _MAX_NAME)
            for key in ("module", "qualname", "file")}


def _scope(value: Any, where: str) -> dict[str, Any]:
    """A module, class or module-level object (`is_instance`: its members are functions
    and attributes read through the module, never methods of a class); `converted`: a
    class whose instances the runtime hands over as Elixir data."""
    value = _dict(value, where)
    scope = {"python_module": _text(value.get("python_module"), f"{where}.python_module",
                                    _MAX_NAME),
             "qualname": _text(value.get("qualname"), f"{where}.qualname", _MAX_NAME),
             "is_class": _bool(value.get("is_class"), f"{where}.is_class"),
             "is_instance": _bool(value.get("is_instance"), f"{where}.is_instance"),
             "converted": _bool(value.get("converted"), f"{where}.converted"),
             "doc": _text(value.get("doc"), f"{where}.doc", _MAX_TEXT)}
    if scope["is_instance"] and (scope["is_class"] or not scope["qualname"].isidentifier()):
        raise _bad(f"{where}.is_instance", "true only for an object named by one "
                   "identifier of a module")
    return scope


def _error(value: Any, where: str) -> dict[str, Any]:
    value = _dict(value, where)
    error: dict[str, Any] = {key: _text(value.get(key), f"{where}.{key}", _MAX_NAME * 4)
                             for key in ("module", "name", "message")}
    error["missing"] = _bool(value.get("missing", False), f"{where}.missing")
    return error


def _module(value: Any, where: str, owner: str) -> str:
    if not isinstance(value, str) or not is_valid_module_name(value) or not (
            value == owner or value.startswith(owner + ".")):
        raise AnswerError(f"the probe's answer breaks its schema: {where} "
                          f"{str(value)[:80]!r} is not an Elixir module under {owner}")
    return value


def _bad(where: str, what: str) -> AnswerError:
    return AnswerError(f"the probe's answer breaks its schema: {where} is not {what}")


def _text(value: Any, where: str, limit: int) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise _bad(where, f"a string of at most {limit} characters")
    return value


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise _bad(where, "a boolean")
    return value


def _choice(value: Any, where: str, *allowed: range) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not any(
            value in a for a in allowed):
        ranges = " or ".join(f"{a.start}..{a.stop - 1}" for a in allowed)
        raise _bad(where, f"an integer in {ranges}")
    return value


def _dict(value: Any, where: str) -> dict:
    if not isinstance(value, dict) or len(value) > _MAX_ITEMS:
        raise _bad(where, "an object")
    return value


def _list(value: Any, where: str) -> list:
    if not isinstance(value, list) or len(value) > _MAX_ITEMS:
        raise _bad(where, "a list")
    return value
