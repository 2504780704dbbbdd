"""Reading one source file, and the textual test that decides whether it must be parsed.

Every way Elixir code reaches a module of a bound library names that library's root in
the text, and the root's last segment is in every such name: `Numpy.mean(x)`,
`alias Numpy, as: NP`, `alias Google.{Protobuf}`, `import Numpy, only: [...]`,
`defdelegate f(x), to: Numpy`, `apply(Numpy, :f, [x])`. A file that contains none of
those segments cannot contain a call to find, so the scan does not parse it: parsing is
where the time goes, and in a monorepo most files never name a Python library. Such a
file is still read and counted (and reported if it cannot be read or is not UTF-8),
but its syntax errors are not reported: that is the compiler's job, and the scan only
reports what stands between it and the calls.

Standard library only: this runs in the scan's main process, before any parser loads.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """A call, warning or error at a 1-based line and column (columns in characters)."""

    line: int
    column: int
    text: str
    keywords: tuple[str, ...] = ()  # a call's literal trailing keyword names (extract.py)


class UnreadableSource(Exception):
    """The file cannot be scanned at all (the message is the error entry's text)."""


def read_source(path: str) -> bytes:
    """The bytes of a regular file; UnreadableSource for anything else."""
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):  # one the walk could not list (paths.py)
            os.listdir(path)
            raise UnreadableSource("cannot read directory: its sources were not scanned")
        if not stat.S_ISREG(mode):  # a FIFO would block the scan
            raise UnreadableSource("cannot read file: not a regular file")
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        what = "directory" if os.path.isdir(path) else "file"
        raise UnreadableSource(f"cannot read {what}: {exc.strerror or exc}") from None


def decode_errors(source: bytes) -> list[Finding]:
    """The first byte that is not UTF-8, as an error (Elixir source must be UTF-8)."""
    try:
        source.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = source[: exc.start]
        line_start = before.rfind(b"\n") + 1
        column = len(before[line_start:].decode("utf-8", "replace")) + 1
        return [Finding(before.count(b"\n") + 1, column,
                        f"not valid UTF-8: unexpected byte 0x{source[exc.start]:02x} "
                        "(Elixir source must be UTF-8)")]
    return []


class Needles:
    """The texts one of which every file that can call a bound library contains."""

    def __init__(self, library_modules: list[str]) -> None:
        words = sorted({module.rpartition(".")[2].encode() for module in library_modules})
        # one pass over the bytes for all of them (a regex alternation runs in C)
        self.pattern = re.compile(b"|".join(map(re.escape, words))) if words else None

    def may_call(self, source: bytes) -> bool:
        """False only when `source` cannot contain a call into a bound library."""
        return self.pattern is not None and self.pattern.search(source) is not None
