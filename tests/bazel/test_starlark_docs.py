"""Every public rule and attribute of the Bazel rules says what it is for (`doc`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

BAZEL = Path(__file__).resolve().parents[2] / "snakebridge_rules" / "bazel"
FILES = sorted(BAZEL.rglob("*.bzl"))
CALL = re.compile(r"\b(?:attr\.[a-z_]+|rule|repository_rule|provider)\(")


def calls(text: str) -> list[tuple[int, str]]:
    """(line, text) of every attr/rule/provider call, up to its closing parenthesis."""
    found = []
    for match in CALL.finditer(text):
        depth, end = 0, match.end() - 1
        for end in range(match.end() - 1, len(text)):
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            if depth == 0:
                break
        found.append((text.count("\n", 0, match.start()) + 1, text[match.start():end + 1]))
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(BAZEL).as_posix())
def test_every_rule_and_attribute_has_a_doc(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    missing = [f"{path.name}:{line}: {call.splitlines()[0]}" for line, call in calls(text)
               if not re.search(r"\bdoc\s*=", call)]
    assert missing == []
