"""A pool of parse workers with a wall-clock limit per file and a memory cap per worker.

A file that makes its worker exceed either limit costs only that worker: the pool kills
it, records an error for the file and starts a fresh worker for the remaining files.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import IO, Any

READY = b"ready\n"
_BOOT = ("import json, sys; c = json.loads(sys.argv[1]); sys.path[:0] = c['path']; "
         "from snakebridge_rules.engine.scan.worker import main; main(c)")


@dataclass(frozen=True)
class Limits:
    """Per-file wall-clock seconds and per-worker parse memory (MB above start-up)."""

    timeout: float = 60.0
    memory_mb: int = 1024


DEFAULT_LIMITS = Limits()


@dataclass
class _Worker:
    proc: subprocess.Popen[bytes]
    stderr: IO[bytes]
    path: str | None = None
    deadline: float = 0.0

    def send(self, path: str, timeout: float) -> None:
        assert self.proc.stdin is not None
        self.path, self.deadline = path, time.monotonic() + timeout
        try:
            self.proc.stdin.write(json.dumps({"path": path}).encode() + b"\n")
            self.proc.stdin.flush()
        except BrokenPipeError:  # died already: its stdout reports EOF, the pool handles it
            pass

    def stop(self, kill: bool) -> None:
        if kill:
            self.proc.kill()
        else:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
        self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stdin):
            if stream is not None and not stream.closed:
                stream.close()
        self.stderr.close()

    def crash_note(self) -> str:
        self.stderr.seek(0)
        tail = self.stderr.read()[-2000:].decode("utf-8", "replace")
        return tail


class WorkerStartError(RuntimeError):
    """The parse worker could not start (a broken installation, not a bad file)."""


def _spawn(config: str) -> _Worker:
    """Start a worker and wait until it is ready, so start-up never counts as parse time."""
    stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the worker
    proc = subprocess.Popen([sys.executable, "-I", "-c", _BOOT, config],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
                            env=_worker_env())
    worker = _Worker(proc, stderr)
    assert proc.stdout is not None
    if proc.stdout.readline() != READY:
        proc.wait()
        note = worker.crash_note().strip().splitlines()[-1:] or ["no output"]
        worker.stop(kill=True)
        raise WorkerStartError(f"the parse worker did not start: {note[0]}")
    return worker


def _worker_env() -> dict[str, str]:
    """The worker's output must not depend on the caller's locale or hash seed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHON"))}
    env.update(LC_ALL="C.UTF-8", PYTHONHASHSEED="0", PYTHONUTF8="1")
    return env


def _failure(worker: _Worker, limits: Limits, timed_out: bool) -> dict[str, Any]:
    if timed_out:
        message = (f"parsing took longer than {limits.timeout:g} s and was stopped "
                   "(the Elixir grammar goes quadratic on some inputs); raise --parse-timeout"
                   " if the file is legitimately that large")
    else:
        note = worker.crash_note()
        status = worker.proc.returncode
        if "alloc" in note or "MemoryError" in note or status < 0:
            message = (f"the parser crashed (exit status {status}), most likely by exceeding "
                       f"the memory limit of {limits.memory_mb} MB (the Elixir grammar goes "
                       "quadratic on some inputs); raise --parse-memory-mb if the file is "
                       "legitimately that large")
        else:
            last = note.strip().splitlines()[-1:] or [""]
            message = f"parser process failed (exit status {status}) {last[0]}".strip()
    return {"errors": [[1, 1, message]]}


class _Pool:
    """Hands files to idle workers; replaces a worker that timed out or died."""

    def __init__(self, config: str, limits: Limits) -> None:
        self.config, self.limits = config, limits
        self.selector = selectors.DefaultSelector()
        self.idle: list[_Worker] = []
        self.replies: dict[str, dict[str, Any]] = {}

    def busy(self) -> list[_Worker]:
        return [key.data for key in self.selector.get_map().values()]

    def start(self, worker: _Worker, path: str) -> None:
        worker.send(path, self.limits.timeout)
        self.selector.register(worker.proc.stdout, selectors.EVENT_READ, worker)

    def wait(self) -> None:
        """Wait for replies or the nearest deadline; settle the workers concerned."""
        busy = self.busy()
        timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
        ready = {key.data.path for key, _ in self.selector.select(timeout)}
        for worker in busy:
            if worker.path in ready:
                self._read(worker)
            elif time.monotonic() >= worker.deadline:
                self._fail(worker)

    def _read(self, worker: _Worker) -> None:
        assert worker.proc.stdout is not None and worker.path is not None
        line = worker.proc.stdout.readline()
        if not line:  # the worker died (memory cap, crash)
            worker.proc.wait()
            self._fail(worker)
            return
        self.replies[worker.path] = json.loads(line)
        self.selector.unregister(worker.proc.stdout)
        worker.path = None
        self.idle.append(worker)

    def _fail(self, worker: _Worker) -> None:
        assert worker.path is not None
        self.selector.unregister(worker.proc.stdout)
        self.replies[worker.path] = _failure(worker, self.limits, worker.proc.poll() is None)
        worker.stop(kill=True)

    def close(self) -> None:
        for worker in self.busy():
            worker.stop(kill=True)
        for worker in self.idle:
            worker.stop(kill=False)
        self.selector.close()


def run_pool(paths: list[str], libraries: list[str], jobs: int,
             limits: Limits) -> dict[str, dict[str, Any]]:
    """Scan `paths` on up to `jobs` workers; map each path to its worker reply."""
    config = json.dumps({"libraries": libraries, "memory_mb": limits.memory_mb,
                         "path": [p for p in sys.path if p]})
    pending = list(reversed(paths))
    pool = _Pool(config, limits)
    workers = max(1, min(jobs, len(paths)))
    try:
        while pending or pool.busy():
            while pending and (pool.idle or len(pool.busy()) < workers):
                worker = pool.idle.pop() if pool.idle else _spawn(config)
                pool.start(worker, pending.pop())
            pool.wait()
    finally:
        pool.close()
    return pool.replies
