"""The one failure protocol of every engine subcommand.

A subcommand that fails on bad input exits 1, prints `{"errors": [...]}` (sorted keys)
on stdout for the adapter that runs it (not when stdout is a terminal: a person there
reads stderr), and one line per problem on stderr for the person reading the build log:
`file:line: call: message` when the problem has a place, else `snakebridge STEP: call:
message`. Usage errors exit 2 (argparse). Adapters never
parse stderr; they read the JSON, or pass stderr through.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the inputs; `file`/`line`/`call`/`column` are empty when
    unknown (a column only where the scanner knows it: an Elixir syntax error)."""

    file: str = ""
    line: int = 0
    call: str = ""
    message: str = ""
    column: int = 0

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.file and self.line else self.file
        where += f":{self.column}" if self.file and self.line and self.column else ""
        return ": ".join(part for part in (where, self.call, self.message) if part)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """The order problems are printed in: by file, line, column, then message."""
        return (self.file, self.line, self.column, self.message, self.call)

    def as_json(self) -> dict[str, Any]:
        """`call` and `message` always (introspect's contract); `file`/`line`/`column`
        when known."""
        data: dict[str, Any] = {"call": self.call, "message": self.message}
        for key in ("file", "line", "column"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Problem:
        return cls(str(data.get("file", "")), int(data.get("line", 0)),
                   str(data.get("call", "")), str(data["message"]), int(data.get("column", 0)))


def errors_json(problems: Iterable[Problem], **facts: Any) -> bytes:
    """The stdout (and `--errors-out`) form: `{"errors": [...]}`, deterministic and in
    file, line, column order; `facts` are further entries (introspect's `signatures`)."""
    listed = [p.as_json() for p in sorted(problems, key=Problem.sort_key)]
    document = {**facts, "errors": listed}
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode() + b"\n"


def read_errors(text: str) -> list[Problem]:
    """The problems of an `{"errors": [...]}` document (ValueError when it is not one)."""
    try:
        return [Problem.from_json(entry) for entry in json.loads(text)["errors"]]
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not an errors document ({exc})") from None


CRASH_LINES = 10  # of a crashed step's output: a traceback's end says what broke


def step_problems(step: str, exit_code: int, stdout: bytes, stderr: bytes) -> list[Problem]:
    """What an adapter that ran `step` (its description) reports: nothing on exit 0, the
    JSON errors on exit 1, else (a traceback, a signal, a usage error: outside the
    protocol) one problem saying it crashed, with the end of what it said."""
    if exit_code == 0:
        return []
    with contextlib.suppress(ValueError):
        if exit_code == 1 and (problems := read_errors(stdout.decode(errors="replace"))):
            return problems
    lines = (stderr or stdout).decode(errors="replace").strip().splitlines()
    tail = "".join(f"\n    {line}" for line in lines[-CRASH_LINES:]) or " (no output)"
    return [Problem(message=f"{step} crashed (exit {exit_code}); its last output:{tail}")]


def report(step: str, problems: list[Problem]) -> int:
    """Print `problems` in the protocol's two forms (the JSON only for a program), in
    file, line, column order; returns the exit status (1)."""
    problems = sorted(problems, key=Problem.sort_key)
    if not sys.stdout.isatty():
        sys.stdout.buffer.write(errors_json(problems))
        sys.stdout.flush()
    for problem in problems:
        line = str(problem)
        print(line if problem.file else f"snakebridge {step}: {line}", file=sys.stderr)
    return 1


def target_report(target: str, problems: Iterable[object]) -> str:
    """How a build tool that goes on with other targets reports one that failed."""
    return f"{target}: cannot generate bindings:\n" + "".join(f"  {p}\n" for p in problems)
