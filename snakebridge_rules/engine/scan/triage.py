"""Which files of a scan are parsed: skipped ones, cached ones, and the rest.

The main process reads every file once. A file that names no bound module (source.py)
is answered without parsing; a file whose reply is in the cache (cache.py) is answered
from it; only the others go to the bounded parse workers (pool.py), and their replies
are stored in the cache for the next scan.
"""

from __future__ import annotations

import hashlib
from contextlib import ExitStack
from dataclasses import dataclass

from snakebridge_rules.engine.scan.cache import Reply, ScanCache
from snakebridge_rules.engine.scan.pool import Limits, ParsePool
from snakebridge_rules.engine.scan.source import (
    Needles,
    UnreadableSource,
    decode_errors,
    read_source,
)


@dataclass(frozen=True)
class Counts:
    """How the files of a scan were answered (never part of its output)."""

    skipped: int = 0  # named no bound module (or could not be read): not parsed
    cached: int = 0  # the reply came from the cache
    parsed: int = 0  # sent to a parse worker


def _without_parse(path: str, needles: Needles,
                   cache: ScanCache | None) -> tuple[str, Reply | None]:
    """("skipped"|"cached", reply) when `path` needs no parse, else ("parse", None)."""
    try:
        source = read_source(path)
    except UnreadableSource as exc:
        return "skipped", {"errors": [[1, 1, str(exc)]]}
    if not needles.may_call(source):
        return "skipped", {"errors": [[f.line, f.column, f.text]
                                      for f in decode_errors(source)]}
    reply = cache.get(hashlib.sha256(source).hexdigest()) if cache is not None else None
    return ("cached", reply) if reply is not None else ("parse", None)


def scan_files(files: list[str], library_modules: list[str], jobs: int, limits: Limits,
               cache: ScanCache | None = None) -> tuple[dict[str, Reply], Counts]:
    """Each file's reply (calls, warnings, errors as rows), and how it was obtained.

    The pool starts at the first file that needs a parse, so its first worker gets
    ready while the rest are read.
    """
    needles = Needles(library_modules)
    replies: dict[str, Reply] = {}
    tally = {"skipped": 0, "cached": 0}
    to_parse: list[str] = []
    with ExitStack() as stack:
        pool: ParsePool | None = None
        for path in files:
            how, reply = _without_parse(path, needles, cache)
            if reply is not None:
                replies[path] = reply
                tally[how] += 1
                continue
            if pool is None:
                pool = stack.enter_context(ParsePool(library_modules, jobs, limits))
            to_parse.append(path)
        parsed = pool.scan(to_parse) if pool is not None else {}
    for path, reply in parsed.items():
        digest = reply.pop("digest", None)
        if cache is not None and digest is not None:
            cache.put(digest, reply)
        replies[path] = reply
    return replies, Counts(tally["skipped"], tally["cached"], len(to_parse))
