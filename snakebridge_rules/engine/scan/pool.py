"""A pool of forked parse workers with a wall-clock limit per file and a memory cap per worker.

The pool loads tree-sitter once, then forks its workers: a worker is ready in about a
millisecond instead of the ~0.3 s a fresh interpreter needs to import tree-sitter, which
used to dominate the scan of a small project. Each worker compiles its queries (~60 ms)
as it starts, so the first one does it while the caller still reads files. Files go to a
worker in chunks (one request line per chunk, one reply line per file), so a worker never
waits for the pool between files; the limit applies to each file all the same.

A file that makes its worker exceed either limit costs only that worker: the pool kills
it, records an error for the file, hands the rest of the chunk back and forks a fresh
worker. The pool forks, so it must run in a process without other threads (the CLI).
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import sys
import tempfile
import time
from collections import deque
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from snakebridge_rules.engine.scan.extract import Extractor

_CHUNK_MAX = 64  # files per request: large enough to amortise a wake-up, small enough to share


@dataclass(frozen=True)
class Limits:
    """Per-file wall-clock seconds and per-worker parse memory (MB above start-up)."""

    timeout: float = 60.0
    memory_mb: int = 1024


DEFAULT_LIMITS = Limits()


class WorkerStartError(RuntimeError):
    """The parse worker could not start (a broken installation, not a bad file)."""


def load_extractor(libraries: list[str]) -> Extractor:
    """The parser and queries every worker inherits; a broken install is WorkerStartError."""
    try:
        import tree_sitter_elixir
        from tree_sitter import Language

        from snakebridge_rules.engine.scan.extract import Extractor

        return Extractor(Language(tree_sitter_elixir.language()), libraries)
    except Exception as exc:  # ImportError, or a grammar the binding cannot load
        raise WorkerStartError(f"the parse worker did not start: {exc}") from None


@dataclass
class _Worker:
    pid: int
    requests: int  # write end of its request pipe
    replies: int  # read end of its reply pipe
    stderr: IO[bytes]  # what the worker printed: the crash note
    queue: deque[str] = field(default_factory=deque)  # sent, unanswered; head is parsing
    buffer: bytes = b""
    deadline: float = 0.0

    def send(self, paths: list[str], timeout: float) -> None:
        self.queue.extend(paths)
        self.deadline = time.monotonic() + timeout
        request = memoryview(json.dumps(paths).encode() + b"\n")
        try:
            while request:
                request = request[os.write(self.requests, request):]
        except BrokenPipeError:  # died already: its reply pipe reports EOF, the pool handles it
            pass

    def receive(self, timeout: float) -> list[dict[str, Any]] | None:
        """The replies that arrived (None at EOF); each resets the deadline of the next file."""
        data = os.read(self.replies, 1 << 16)
        if not data:
            return None
        lines = (self.buffer + data).split(b"\n")
        self.buffer = lines.pop()
        if lines:
            self.deadline = time.monotonic() + timeout
        return [json.loads(line) for line in lines]

    def stop(self, kill: bool) -> tuple[int, str]:
        """Kill the worker, or let an idle one exit at EOF; its exit status and last output."""
        if kill:
            os.kill(self.pid, signal.SIGKILL)  # never reaped before: a zombie takes it too
        os.close(self.requests)
        _, status = os.waitpid(self.pid, 0)
        os.close(self.replies)
        with self.stderr:
            self.stderr.seek(0)
            note = self.stderr.read()[-2000:].decode("utf-8", "replace")
        return os.waitstatus_to_exitcode(status), note


def _fork(extractor: Extractor, limits: Limits, inherited: list[int]) -> _Worker:
    """Fork a worker; `inherited` are the pool's other pipe ends, which the child closes."""
    from snakebridge_rules.engine.scan.worker import run_forked

    requests_r, requests_w = os.pipe()
    replies_r, replies_w = os.pipe()
    stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the worker
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        pid = os.fork()
    except OSError as exc:
        for fd in (requests_r, requests_w, replies_r, replies_w):
            os.close(fd)
        stderr.close()
        raise WorkerStartError(f"the parse worker did not start: {exc}") from None
    if pid == 0:  # pragma: no cover - the child; run_forked never returns
        run_forked(extractor, limits.memory_mb, requests_r, replies_w, stderr.fileno(),
                   [requests_w, replies_r, *inherited])
    os.close(requests_r)
    os.close(replies_w)
    return _Worker(pid, requests_w, replies_r, stderr)


def _failure(limits: Limits, status: int | None, note: str) -> dict[str, Any]:
    """The error entry of a file whose worker timed out (`status` None) or died."""
    if status is None:
        message = (f"parsing took longer than {limits.timeout:g} s and was stopped "
                   "(the Elixir grammar goes quadratic on some inputs); raise --parse-timeout"
                   " if the file is legitimately that large")
    elif "alloc" in note or "MemoryError" in note or status < 0:
        message = (f"the parser crashed (exit status {status}), most likely by exceeding "
                   f"the memory limit of {limits.memory_mb} MB (the Elixir grammar goes "
                   "quadratic on some inputs); raise --parse-memory-mb if the file is "
                   "legitimately that large")
    else:
        last = note.strip().splitlines()[-1:] or [""]
        message = f"parser process failed (exit status {status}) {last[0]}".strip()
    return {"errors": [[1, 1, message]]}


class ParsePool:
    """Hands chunks of files to workers; replaces a worker that timed out or died.

    Creating it loads the parser and forks the first worker, which compiles its queries
    at once: the caller creates it as soon as it knows one file needs a parse and goes
    on reading the others meanwhile. Use it as a context manager: leaving it stops
    every worker.
    """

    def __init__(self, libraries: list[str], jobs: int, limits: Limits) -> None:
        self.extractor, self.limits, self.jobs = load_extractor(libraries), limits, jobs
        self.pending: deque[str] = deque()
        self.selector = selectors.DefaultSelector()
        self.replies: dict[str, dict[str, Any]] = {}
        self._fork()

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def scan(self, paths: list[str]) -> dict[str, dict[str, Any]]:
        """Parse `paths` on up to `jobs` workers; map each path to its worker reply."""
        self.jobs = max(1, min(self.jobs, len(paths)))
        self.pending.extend(paths)
        self.run()
        return self.replies

    def workers(self) -> list[_Worker]:
        return [key.data for key in self.selector.get_map().values()]

    def run(self) -> None:
        while self.pending or any(w.queue for w in self.workers()):
            self._feed()
            self._wait()

    def _fork(self) -> None:
        fds = [fd for w in self.workers() for fd in (w.requests, w.replies)]
        worker = _fork(self.extractor, self.limits, fds)
        self.selector.register(worker.replies, selectors.EVENT_READ, worker)

    def _feed(self) -> None:
        """Give a chunk to each idle worker, forking workers up to `jobs`."""
        while self.pending and len(self.workers()) < self.jobs:
            self._fork()
        for worker in [w for w in self.workers() if not w.queue]:
            size = max(1, min(_CHUNK_MAX, len(self.pending) // (2 * self.jobs)))
            chunk = [self.pending.popleft() for _ in range(min(size, len(self.pending)))]
            if chunk:
                worker.send(chunk, self.limits.timeout)

    def _wait(self) -> None:
        """Wait for replies or the nearest deadline; settle the workers concerned."""
        timeout = min(w.deadline for w in self.workers() if w.queue) - time.monotonic()
        ready = {key.data.pid for key, _ in self.selector.select(max(0.0, timeout))}
        for worker in self.workers():
            if worker.pid in ready:
                self._read(worker)
            elif worker.queue and time.monotonic() >= worker.deadline:
                self._drop(worker, timed_out=True)

    def _read(self, worker: _Worker) -> None:
        replies = worker.receive(self.limits.timeout)
        if replies is None:  # the worker died (memory cap, crash)
            self._drop(worker, timed_out=False)
            return
        for reply in replies:
            self.replies[worker.queue.popleft()] = reply

    def _drop(self, worker: _Worker, timed_out: bool) -> None:
        """Kill a worker; blame the file it was parsing and queue the rest of its chunk."""
        self.selector.unregister(worker.replies)
        status, note = worker.stop(kill=True)
        if worker.queue:  # else it died idle, killed from outside: nothing to blame
            path = worker.queue.popleft()
            self.replies[path] = _failure(self.limits, None if timed_out else status, note)
            self.pending.extendleft(reversed(worker.queue))

    def close(self) -> None:
        for worker in self.workers():
            self.selector.unregister(worker.replies)
            worker.stop(kill=bool(worker.queue))
        self.selector.close()
