"""A real REAPI remote cache (BuildGrid) on loopback, for tests and benchmarks.

Both build adapters promise that a second checkout gets every binding action from a
team's remote cache. Only a real server keeps that promise honest, so this module
installs BuildGrid from PyPI into a cached venv (it needs Python >= 3.13), starts
`bgd server start CONFIG` on a free 127.0.0.1 port with CAS, ActionCache and ByteStream
backed by a temporary directory, waits until it answers GetCapabilities, and stops it.

Stdlib only, so bench scripts can use `running_buildgrid()` without pytest; the pytest
fixture lives in `tests/support/fixtures.py`.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

BUILDGRID_VERSION = "0.9.1"
DEFAULT_INSTANCE = "main"
MIN_PYTHON = (3, 13)
START_ATTEMPTS = 3

# Runs inside the BuildGrid venv (which has grpcio): one raw GetCapabilities call. The
# request is hand-encoded (field 1, instance_name; names are < 128 bytes, so the length
# is one byte) so no REAPI stubs are needed.
_PROBE = """
import sys, grpc
target, instance = sys.argv[1], sys.argv[2].encode()
channel = grpc.insecure_channel(target)
call = channel.unary_unary(
    "/build.bazel.remote.execution.v2.Capabilities/GetCapabilities",
    request_serializer=lambda b: b, response_deserializer=lambda b: b)
call(b"\\x0a" + bytes([len(instance)]) + instance, timeout=5)
"""

_CONFIG = """\
# Written by tests/support/buildgrid.py: a cache-only REAPI server (no execution).
server:
  - !channel
    address: "127.0.0.1:{port}"
    insecure-mode: true
authorization:
  method: none
storages:
  - !disk-storage &cas-storage
    path: {cas_dir}
caches:
  - !lru-action-cache &action-cache
    storage: *cas-storage
    max-cached-refs: 1000000
    allow-updates: true
    cache-failed-actions: false
instances:
  - name: {instance}
    services:
      - !action-cache
        cache: *action-cache
      - !cas
        storage: *cas-storage
      - !bytestream
        storage: *cas-storage
thread-pool-size: 16
"""


class BuildGridError(RuntimeError):
    """BuildGrid could not be installed or started; the message says why."""


@dataclass(frozen=True)
class BuildGrid:
    """A running server: what a client needs to use it as a remote cache."""

    address: str  # grpc://127.0.0.1:PORT
    instance: str
    port: int
    log: Path

    @property
    def bazel_flags(self) -> list[str]:
        """Bazel build flags that use this server as the remote cache."""
        return [f"--remote_cache={self.address}", f"--remote_instance_name={self.instance}"]

    def pants_flags(self, read: bool = True, write: bool = True) -> list[str]:
        """Pants global flags that read from and/or write to this server."""
        return [
            "--remote-cache-read" if read else "--no-remote-cache-read",
            "--remote-cache-write" if write else "--no-remote-cache-write",
            f"--remote-store-address={self.address}",
            f"--remote-instance-name={self.instance}",
        ]


def cache_root() -> Path:
    """Where the BuildGrid venv is kept: `$SNAKEBRIDGE_CACHE` or ~/.cache/snakebridge."""
    env = os.environ.get("SNAKEBRIDGE_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "snakebridge"


def find_python313() -> str:
    """A CPython >= 3.13 interpreter: $SNAKEBRIDGE_PYTHON313, pyenv's, or on PATH."""
    candidates = [os.environ.get("SNAKEBRIDGE_PYTHON313", "")]
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    versions = sorted((pyenv_root / "versions").glob("3.1[3-9]*"), reverse=True)
    candidates += [str(v / "bin" / "python3") for v in versions]
    candidates += [shutil.which(f"python3.{minor}") or "" for minor in (13, 14, 15)]
    for candidate in filter(None, candidates):
        if _python_version(candidate) >= MIN_PYTHON:
            return candidate
    raise BuildGridError(
        "BuildGrid needs Python >= 3.13: none found (set SNAKEBRIDGE_PYTHON313 or "
        "install one with `pyenv install 3.13`)"
    )


def _python_version(python: str) -> tuple[int, int]:
    """The (major, minor) of an interpreter, or (0, 0) when it does not run."""
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return (0, 0)
    return (int(out[0]), int(out[1]))


def ensure_buildgrid(version: str = BUILDGRID_VERSION) -> Path:
    """The `bgd` executable of a venv with buildgrid==VERSION, installed on first use.

    A venv cannot be moved after creation, so instead of build-then-rename it is built
    in place under a file lock, and a marker written last tells a finished venv from
    one a killed run left half-built.
    """
    venv = cache_root() / f"buildgrid-venv-{version}"
    bgd = venv / "bin" / "bgd"
    marker = venv / ".snakebridge-complete"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / f".buildgrid-venv-{version}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists() and bgd.exists():
            return bgd
        shutil.rmtree(venv, ignore_errors=True)
        _run_install([find_python313(), "-m", "venv", str(venv)])
        _run_install(
            [
                str(venv / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                f"buildgrid=={version}",
            ]
        )
        marker.write_text(f"buildgrid=={version}\n")
    return bgd


def _run_install(cmd: list[str]) -> None:
    """Run one install step; a failure raises with the tool's own output."""
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-15:]
        raise BuildGridError(f"installing BuildGrid failed: {' '.join(cmd)}\n" + "\n".join(tail))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(path: Path, port: int, cas_dir: Path, instance: str = DEFAULT_INSTANCE) -> Path:
    """Write a cache-only server config (disk CAS, LRU action cache) to PATH."""
    path.write_text(_CONFIG.format(port=port, cas_dir=cas_dir, instance=instance))
    return path


@contextlib.contextmanager
def running_buildgrid(
    workdir: Path | None = None,
    instance: str = DEFAULT_INSTANCE,
    timeout: float = 60.0,
) -> Iterator[BuildGrid]:
    """Start BuildGrid on a free loopback port, yield it, and stop it afterwards.

    Storage, config and log live in WORKDIR (a fresh temporary directory when None,
    removed afterwards), so every server starts with an empty cache.
    """
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", instance):
        raise BuildGridError(f"instance name {instance!r} is not [A-Za-z0-9_-]{{1,64}}")
    bgd = ensure_buildgrid()
    with contextlib.ExitStack() as stack:
        if workdir is None:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bgd-")))
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "cas").mkdir(exist_ok=True)
        yield _start(stack, bgd, workdir, instance, timeout)


class _Exited(BuildGridError):
    """The server process ended while starting (e.g. its port was taken meanwhile)."""


def _start(
    stack: contextlib.ExitStack, bgd: Path, workdir: Path, instance: str, timeout: float
) -> BuildGrid:
    """Start the server and register its stop; retry on a new port if it exits at once.

    free_port() cannot reserve the port, so another process may bind it first; that
    shows as bgd exiting, which is cheap to retry. A hang is not retried.
    """
    for attempt in range(1, START_ATTEMPTS + 1):
        port = free_port()
        config = write_config(workdir / "bgd.yml", port, workdir / "cas", instance)
        server = BuildGrid(f"grpc://127.0.0.1:{port}", instance, port, workdir / "bgd.log")
        proc = _spawn(bgd, config, server.log)
        try:
            _wait_until_ready(proc, server, bgd.parent / "python", timeout)
        except _Exited:
            if attempt == START_ATTEMPTS:
                raise
            continue
        except BaseException:
            _stop(proc)
            raise
        stack.callback(_stop, proc)
        return server
    raise AssertionError("unreachable")


def _spawn(bgd: Path, config: Path, log: Path) -> subprocess.Popen[bytes]:
    """Start `bgd server start CONFIG` in its own session, output to LOG."""
    with open(log, "wb") as out:
        return subprocess.Popen(
            [str(bgd), "server", "start", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=config.parent,
            start_new_session=True,
        )


def _wait_until_ready(
    proc: subprocess.Popen[bytes], server: BuildGrid, python: Path, timeout: float
) -> None:
    """Block until our server answers GetCapabilities for its instance."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise _Exited(f"bgd exited with {proc.returncode}:\n{_tail(server.log)}")
        if _port_open(server.port) and _answers(python, server):
            return
        if time.monotonic() > deadline:
            raise BuildGridError(f"bgd did not answer within {timeout:.0f}s:\n{_tail(server.log)}")
        time.sleep(0.3)


def _answers(python: Path, server: BuildGrid) -> bool:
    """Whether GetCapabilities succeeds (run by the BuildGrid venv, which has grpcio)."""
    target = f"127.0.0.1:{server.port}"
    try:
        probe = subprocess.run(
            [str(python), "-c", _PROBE, target, server.instance],
            capture_output=True,
            timeout=30,
        )
    except subprocess.TimeoutExpired:
        return False
    return probe.returncode == 0


def _port_open(port: int) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:PORT."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server we started (it shuts down cleanly), SIGKILL if it hangs."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)


def _tail(log: Path, lines: int = 30) -> str:
    """The last lines of the server log, for error messages."""
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def main(argv: list[str]) -> int:
    """`python tests/support/buildgrid.py`: run a server until Ctrl-C (for manual use)."""
    with running_buildgrid() as server:
        print(f"BuildGrid {BUILDGRID_VERSION} at {server.address} instance {server.instance}")
        print(f"  bazel: {' '.join(server.bazel_flags)}")
        print(f"  pants: {' '.join(server.pants_flags())}")
        sys.stdout.flush()
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
