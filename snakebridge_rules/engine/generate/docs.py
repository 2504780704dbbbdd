"""What the docs say about the Elixir side of a member: the Python signature as
`inspect` prints it, and where each parameter goes under the calling convention."""

from __future__ import annotations

from snakebridge_rules._pb.snakebridge.v1.api_pb2 import Parameter
from snakebridge_rules.engine.calls import Shape


def placements(params: list[Parameter], receiver: bool) -> dict[str, str]:
    """Where each Python parameter goes from Elixir under the calling convention
    (calls.py): "argument 2", "argument 3 or keyword `axis:`", "keyword `out:`"."""
    shape = Shape.of(((p.kind, p.has_default) for p in params), receiver=receiver)
    placed: dict[str, str] = {}
    position = 1 + int(receiver)
    for param in params:
        keyword = f"keyword `{param.name}:`"
        if shape.keyword_only or param.kind == Parameter.KEYWORD_ONLY:
            placed[param.name] = keyword
        elif param.kind == Parameter.VAR_KEYWORD:
            placed[param.name] = "any other keywords"
        elif param.kind == Parameter.VAR_POSITIONAL:
            placed[param.name] = f"arguments {position} and on"
        else:
            text = f"argument {position}"
            if param.has_default:
                text += (" (optional)" if param.kind == Parameter.POSITIONAL_ONLY
                         else f" or {keyword}")
            placed[param.name] = text
            position += 1
    return placed


def python_signature(params: list[Parameter], returns: str) -> str:
    """`(a, /, b=1, *args, c, **kw) -> int`, as `inspect.signature` would print it."""
    parts: list[str] = []
    for n, param in enumerate(params):
        if param.kind == Parameter.KEYWORD_ONLY and Parameter.VAR_POSITIONAL not in {
                p.kind for p in params[:n]} and "*" not in parts:
            parts.append("*")
        star = {Parameter.VAR_POSITIONAL: "*", Parameter.VAR_KEYWORD: "**"}.get(param.kind, "")
        text = star + param.name + (f": {param.annotation}" if param.annotation else "")
        if param.has_default:
            text += f" = {param.default}" if param.annotation else f"={param.default}"
        parts.append(text)
        if param.kind == Parameter.POSITIONAL_ONLY and (
                n + 1 == len(params) or params[n + 1].kind != Parameter.POSITIONAL_ONLY):
            parts.append("/")
    return f"({', '.join(parts)})" + (f" -> {returns}" if returns else "")
