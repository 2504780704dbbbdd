"""reStructuredText and doctest markup → the Markdown that IEx and ExDoc render.

Python docstrings are RST (numpydoc, Sphinx) with `>>>` doctest blocks; shown raw,
IEx turns `>>>` into nested quotes and underlines into rules. This reduces the markup
and keeps the text: roles become code or their title, directives become labelled
paragraphs or fenced blocks, headings become `###` headings, doctest and literal
blocks become fenced code. A directive it does not know stays as its name, arguments
and body, so nothing a docstring says is ever lost.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator

_ROLE = re.compile(r"(?<![\w`]):(?:[\w.+-]+:)*[\w+-]+:`(?P<body>(?:[^`\\]|\\.)+)`")
_LITERAL = re.compile(r"``(?P<body>[^`]+?)``")
_LINK = re.compile(r"`(?P<text>[^`<]+?)\s*<(?P<url>[^`>]+)>`__?")
_REFERENCE = re.compile(r"`(?P<text>[^`]+)`__?(?!\w)")
_TILDE = re.compile(r"(?<![\w`])`~(?P<name>[\w.]+)`")
_FOOTNOTE_REF = re.compile(r"\[(?P<label>[\w#*.-]+)\]_(?!\w)")
_DIRECTIVE = re.compile(r"^(?P<indent>\s*)\.\.\s+(?P<name>[\w:.-]+)::(?:\s+(?P<args>.*))?$")
_FOOTNOTE = re.compile(r"^(?P<indent>\s*)\.\.\s+\[(?P<label>[^\]]+)\]\s*(?P<text>.*)$")
_TARGET = re.compile(r"^\s*\.\.\s+_[^:]*:.*$")
_UNDERLINE = re.compile(r"^([=\-~^\"'`*+#:.])\1{2,}\s*$")
_DOCTEST_FLAGS = re.compile(r"\s*#\s*doctest:.*$")
_ROLE_AS_CODE = {"math", "code", "samp", "file", "kbd", "envvar", "command", "option"}

_NOTES = {"note": "Note", "warning": "Warning", "tip": "Tip", "important": "Important",
          "hint": "Hint", "caution": "Caution", "danger": "Danger", "attention": "Attention",
          "error": "Error", "seealso": "See also", "todo": "To do"}
_VERSIONS = {"versionadded": "New in version", "versionchanged": "Changed in version",
             "deprecated": "Deprecated since version", "versionremoved": "Removed in version"}
_CODE = {"code-block", "code", "sourcecode", "ipython"}
_DOCTEST = {"doctest", "testcode", "testsetup", "plot"}


def _role(match: re.Match[str]) -> str:
    """`:func:`~numpy.sum`` → `sum`; `:ref:`the guide <target>`` → the guide."""
    role = match.group().split("`", 1)[0].strip(":").rsplit(":", 1)[-1]
    body = match["body"].replace("\\`", "`")
    titled = re.fullmatch(r"(?s)(?P<title>.*?)\s*<(?P<target>[^<>]+)>", body)
    if titled and titled["title"]:
        return titled["title"]
    body = (titled["target"] if titled else body).lstrip("!")
    if body.startswith("~"):
        body = body[1:].rsplit(".", 1)[-1]
    if role in {"ref", "doc", "term", "abbr", "dfn", "numref"}:
        return body
    return f"`{body}`" if role in _ROLE_AS_CODE or body else body


def inline(text: str) -> str:
    """Inline RST in one line of prose (never in code): roles, literals, links."""
    text = _ROLE.sub(_role, text)
    text = _LITERAL.sub(lambda m: f"`{m['body']}`", text)
    text = _TILDE.sub(lambda m: f"`{m['name']}`", text)
    text = _LINK.sub(lambda m: f"[{m['text']}]({m['url']})", text)
    text = _REFERENCE.sub(lambda m: m["text"], text)
    return _FOOTNOTE_REF.sub(lambda m: f"[{m['label']}]", text)


def _fence(lines: list[str], language: str = "") -> list[str]:
    body = textwrap.dedent("\n".join(lines)).strip("\n").split("\n")
    ticks = "`" * max(3, 1 + max((len(r) for r in re.findall(r"`+", "\n".join(body))),
                                 default=0))
    return [f"{ticks}{language}", *body, ticks]


def _code(lines: list[str]) -> list[str]:
    """A literal block: Python when it is a doctest session, else plain."""
    if next((x for x in lines if x.strip()), "").lstrip().startswith(">>>"):
        return _fence([_DOCTEST_FLAGS.sub("", x) for x in lines], "python")
    return _fence(lines)


def _indented_block(lines: list[str], start: int, indent: int) -> int:
    """The end of the block from `start` whose lines are blank or indented beyond `indent`."""
    end = start
    while end < len(lines) and (not lines[end].strip()
                                or len(lines[end]) - len(lines[end].lstrip()) > indent):
        end += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return end


def _directive(name: str, args: str, body: list[str]) -> list[str]:
    options = [line for line in body if re.match(r"^\s*:[\w-]+:", line)]
    content = [line for line in body if line not in options]
    key = name.lower().rsplit(":", 1)[-1]
    if key == "math":
        return _fence([args, *content] if args else content, "math")
    if key in _CODE:
        return _fence(content, args.strip().split()[0] if args.strip() else "")
    if key in _DOCTEST:
        return _fence(content, "python")
    if key in _NOTES or key == "admonition":
        label = _NOTES.get(key) or args
        first = [args] if key != "admonition" and args else []
        text = "\n".join(first + textwrap.dedent("\n".join(content)).split("\n"))
        return [f"**{label}:** " + markdown(text).lstrip()]
    if key in _VERSIONS:
        version, _, rest = args.partition(" ")
        text = textwrap.dedent("\n".join([rest, *content])).strip()
        head = f"*{_VERSIONS[key]} {version}.*"
        return [f"{head} {markdown(text)}" if text else head]
    head = f"**{name}:** {inline(args)}".rstrip()
    return [head, "", *_fence(body)] if body else [head]


def _heading(lines: list[str], i: int) -> tuple[str, int] | None:
    """A section title (underlined, or over- and underlined) at `i`: (title, lines used)."""
    line = lines[i].strip()
    after = lines[i + 1] if i + 1 < len(lines) else ""
    if line and not _UNDERLINE.match(line) and _UNDERLINE.match(after) \
            and len(after.strip()) >= len(line):
        return line, 2
    below = lines[i + 2] if i + 2 < len(lines) else ""
    if _UNDERLINE.match(line) and after.strip() and below.strip() == line:
        return after.strip(), 3
    return None


def _blocks(lines: list[str]) -> Iterator[list[str] | str]:
    """Each block (a list of lines) or prose line (a str) of `lines`, reduced."""
    i = 0
    while i < len(lines):
        line = lines[i]
        indent = len(line) - len(line.lstrip())
        if line.lstrip().startswith(">>>"):
            end = i
            while end < len(lines) and lines[end].strip():
                end += 1
            yield _fence([_DOCTEST_FLAGS.sub("", x) for x in lines[i:end]], "python")
            i = end
        elif (heading := _heading(lines, i)) is not None:
            yield [f"### {inline(heading[0])}"]
            i += heading[1]
        elif directive := _DIRECTIVE.match(line):
            end = _indented_block(lines, i + 1, indent)
            yield _directive(directive["name"], directive["args"] or "", lines[i + 1:end])
            i = end
        elif footnote := _FOOTNOTE.match(line):
            end = _indented_block(lines, i + 1, indent)
            rest = " ".join(x.strip() for x in lines[i + 1:end])
            yield [inline(f"[{footnote['label']}] {footnote['text']} {rest}".rstrip())]
            i = end
        elif _TARGET.match(line):
            i += 1  # a link target (`.. _name:`): an anchor, no text
        elif line.rstrip().endswith("::") and _literal_follows(lines, i + 1, indent):
            text = line.rstrip()[:-2].rstrip()
            end = _indented_block(lines, i + 1, indent)
            if text.strip():
                yield inline(text + ":")  # the last line of its paragraph, not a block
            yield _code(lines[i + 1:end])
            i = end
        else:
            yield inline(line)
            i += 1


def _literal_follows(lines: list[str], start: int, indent: int) -> bool:
    end = _indented_block(lines, start, indent)
    return any(line.strip() for line in lines[start:end])


def markdown(text: str) -> str:
    """The Markdown of one RST text (a docstring or one section of one)."""
    out: list[str] = []
    for block in _blocks(text.expandtabs(8).split("\n")):
        if isinstance(block, str):
            out.append(block)
            continue
        if out and out[-1].strip():
            out.append("")
        out.extend([*block, ""])
    cleaned = re.sub(r"\n{3,}", "\n\n", "\n".join(out))
    return cleaned.strip("\n")
