"""Docstrings → the Markdown `@doc` of a hand-written Elixir library.

This package imports only the standard library (griffe when it is there): the worker
loads it in the library's own environment, so docs of names never generated read the
same as generated ones. Without griffe, sections stay as RST-reduced text.

The layout: the Python signature as a fenced block, the prose, then `## Parameters`
(each saying where it goes from Elixir: which argument, or which keyword of the
trailing keyword list), `## Returns`, `## Raises`, the other sections, examples as
```` ```python ```` blocks. The sections come from griffe's own docstring parsers
(numpy, Google, Sphinx; the style is detected per docstring); prose goes through
rst.py. Whatever griffe's parse would drop (a word of the reduced docstring missing
from the structured rendering) makes the renderer fall back to the reduced docstring
as a whole: layout is optional, the text is not.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from snakebridge_rules.docs.rst import inline, markdown

_NO_WARNINGS = {style: {"warnings": False} for style in ("google", "numpy", "sphinx")}

#: Words that only mark up sections or fields; griffe consumes them by design.
_MARKUP_TEXT = """
Args Arguments Parameters Params Parameter Param Returns Return Raises Raise Yields Yield
Receives Receive Warns Warn Examples Example Attributes Other Keyword Methods Functions
Classes Modules Type Types param type rtype returns return raises raise except exception
yields ytype ivar var cvar vartype keyword kwarg kwparam kwtype arg argument key optional
"""
_MARKUP_WORDS = frozenset(_MARKUP_TEXT.split())
_WORD = re.compile(r"[^\W_]{2,}")


@dataclass(frozen=True)
class DocInput:
    """What the renderer needs of one member (or of one module when `python_name` is "")."""

    python_path: str  # "numpy.mean": shown in the signature
    python_name: str  # "mean": a docstring line `mean(...)` is taken as the signature
    text: str  # the docstring as Python has it
    signature: str = ""  # "(a, axis=None)"; "" when Python cannot tell
    placements: Mapping[str, str] = field(default_factory=dict)  # "a" → "argument 1"
    annotations: Mapping[str, str] = field(default_factory=dict)  # "a" → "int"; "return"
    attribute: bool = False  # read, not called: worded so when there is no docstring


def _split_signature(item: DocInput) -> tuple[str, str]:
    """(signature, docstring without it): a C function's docstring often starts with
    its signature (`log(x, [base=math.e])`), which Python's inspect cannot parse."""
    first, _, rest = item.text.lstrip("\n").partition("\n")
    name = re.escape(item.python_name)
    if item.python_name and re.fullmatch(rf"{name}\(.*\)(\s*->\s*\S.*)?", first.strip()):
        return (item.signature or first.strip()[len(item.python_name):]), rest.strip("\n")
    return item.signature, item.text


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text)) - _MARKUP_WORDS


def _bullet(head: str, description: str) -> list[str]:
    """`  * head - description`, with the description's further lines indented under it."""
    body = markdown(description).split("\n") if description.strip() else []
    first = " - ".join(x for x in (head, body[0] if body else "") if x)
    first = f"  * {first}"
    return [first, *(f"    {line}" if line.strip() else "" for line in body[1:])]


def _annotation(element: Any, fallback: str = "") -> str:
    annotation = getattr(element, "annotation", None) or fallback
    return inline(str(annotation)) if annotation else ""


def _named(element: Any, placement: str = "", fallback: str = "") -> str:
    """`` `name` (placement, *type*) ``, `*type*` for unnamed values, "" for neither."""
    name, annotation = getattr(element, "name", ""), _annotation(element, fallback)
    typed = f"*{annotation}*" if annotation else ""
    notes = ", ".join(x for x in (placement, typed) if x)
    if not name:
        return typed
    return f"`{name}` ({notes})" if notes else f"`{name}`"


def _items(title: str, elements: list[Any], head: Callable[[Any], str]) -> list[str]:
    lines = [f"## {title}", ""]
    for element in elements:
        lines += _bullet(head(element), element.description)
    return lines


def _parameters(title: str, item: DocInput) -> Callable[[Any], list[str]]:
    def head(parameter: Any) -> str:
        name = parameter.name.lstrip("*")
        return _named(parameter, item.placements.get(name, ""), item.annotations.get(name, ""))

    return lambda section: _items(title, section.value, head)


def _returns(title: str, item: DocInput) -> Callable[[Any], list[str]]:
    def render(section: Any) -> list[str]:
        only = len(section.value) == 1 and title == "Returns"
        fallback = item.annotations.get("return", "") if only else ""
        return _items(title, section.value, lambda r: _named(r, fallback=fallback))

    return render


def _examples(section: Any) -> list[str]:
    lines = ["## Examples", ""]
    for kind, text in section.value:
        block = markdown(text if kind.value == "text" else _as_doctest(text))
        lines += [block, ""]
    return lines[:-1]


def _as_doctest(text: str) -> str:
    """Example code is a doctest session; rst.py fences it as Python."""
    return text if text.lstrip().startswith(">>>") else f".. code-block:: python\n\n{text}"


def _admonition(section: Any) -> list[str]:
    title = section.title or str(section.value.annotation or "Note").title()
    text = section.value.description
    if title.lower() == "see also":
        text = "\n".join(f"* {line}" if line.strip() and not line.startswith(" ") else line
                         for line in text.split("\n"))
    return [f"## {title}", "", markdown(text)]


def _deprecated(section: Any) -> list[str]:
    version = section.value.annotation
    head = f"## Deprecated since {version}" if version else "## Deprecated"
    return [head, "", markdown(section.value.description)]


def _renderers(item: DocInput) -> dict[str, Callable[[Any], list[str]]]:
    return {
        "text": lambda s: [markdown(s.value)],
        "parameters": _parameters("Parameters", item),
        "other parameters": _parameters("Other parameters", item),
        "type parameters": _parameters("Type parameters", item),
        "attributes": lambda s: _items("Attributes", s.value, _named),
        "returns": _returns("Returns", item),
        "yields": _returns("Yields", item),
        "receives": _returns("Receives", item),
        "raises": lambda s: _items("Raises", s.value, lambda e: f"`{_annotation(e)}`"),
        "warns": lambda s: _items("Warns", s.value, lambda e: f"`{_annotation(e)}`"),
        "examples": _examples,
        "admonition": _admonition,
        "deprecated": _deprecated,
        "functions": lambda s: _items("Functions", s.value, _named),
        "classes": lambda s: _items("Classes", s.value, _named),
        "modules": lambda s: _items("Modules", s.value, _named),
        "type aliases": lambda s: _items("Type aliases", s.value, _named),
    }


def _sections(text: str) -> list[Any] | None:
    """griffe's sections of `text` in its detected style; None for plain text (or
    where griffe is not installed: the worker's environment)."""
    try:
        import griffe
    except ImportError:
        return None

    docstring = griffe.Docstring(text)
    logging.getLogger("griffe").disabled = True  # a malformed section is not our error
    parser, _ = griffe.infer_docstring_style(docstring, per_style_options=_NO_WARNINGS)
    if parser is None:
        return None
    if parser.value != "sphinx":
        return griffe.parse(docstring, parser, **_NO_WARNINGS[parser.value])
    fields, tail = _split_field_list(text)
    sections = griffe.parse_sphinx(griffe.Docstring(fields), warnings=False)
    return sections + [griffe.DocstringSectionText(tail)] if tail else sections


def documented_attributes(text: str) -> dict[str, str]:
    """Name → description of each entry of the docstring's Attributes sections, as
    griffe parses them (numpy, Google, Sphinx `:ivar:`); `jac, hess : ndarray` names two."""
    found: dict[str, str] = {}
    for section in _sections(text) or []:
        if section.kind.value == "attributes":
            for attribute in section.value:
                for name in attribute.name.split(","):
                    found.setdefault(name.strip(), attribute.description)
    return found


def _split_field_list(text: str) -> tuple[str, str]:
    """(text up to the end of its field list, the text after it): griffe's Sphinx parser
    would read a paragraph after the `:param:` fields as part of the last field."""
    lines = text.split("\n")
    in_fields = False
    for n, line in enumerate(lines):
        if re.match(r"^:[^:\s][^:]*:", line):
            in_fields = True
        elif in_fields and line.strip() and not line[0].isspace() and not lines[n - 1].strip():
            return "\n".join(lines[:n]), "\n".join(lines[n:])
    return text, ""


def _structured(item: DocInput, text: str) -> str | None:
    sections = _sections(text)
    if sections is None:
        return None
    renderers = _renderers(item)
    chunks = []
    for section in sections:
        render = renderers.get(section.kind.value)
        if render is None:
            return None  # a section kind this renderer does not know: keep the text whole
        chunks.append("\n".join(render(section)).strip("\n"))
    return "\n\n".join(chunk for chunk in chunks if chunk)


def render_doc(item: DocInput) -> str:
    """The Markdown of one docstring (ends with a newline; never empty)."""
    signature, text = _split_signature(item)
    plain = markdown(text)
    body = _structured(item, text) if text.strip() else ""
    if body is None or not _words(plain) <= _words(body):
        body = plain
    head = [f"```python\n{item.python_path}{signature}\n```"] if signature else []
    if not body.strip():
        body = (f"Reads the Python attribute `{item.python_path}`." if item.attribute
                else f"Calls the Python `{item.python_path}`.")
    return "\n\n".join([*head, body.strip("\n")]) + "\n"


def summary(doc: str) -> str:
    """The first prose paragraph of a rendered doc, on one line (for indexes)."""
    for paragraph in re.split(r"\n\s*\n", doc):
        if paragraph.strip() and not paragraph.lstrip().startswith(("```", "#")):
            return " ".join(paragraph.split())
    return ""
