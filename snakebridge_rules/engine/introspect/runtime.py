"""Running the probe in the user's interpreter, sandboxed (sandbox.py).

Importing a library runs arbitrary code. The probe therefore runs in a bubblewrap
sandbox, with: an environment built from scratch (no PYTHONPATH/PYTHONHOME/
PYTHONSTARTUP of the caller, a fixed hash seed, C.UTF-8, UTC), an in-memory scratch
dir as cwd and HOME, no user site-packages (`-s`), hard memory and CPU limits set by
the probe before the import, and a wall-clock limit enforced from here, which kills
the sandbox (and all it forked). Its stdout/stderr go to an unlinked file (read back
only to word errors). Nothing is written to disk that could outlive a `kill -9`.

The probe's code and request travel on an inherited fd, its answer on a pipe, headed
by a per-run secret sent on another pipe (probe.py explains why the library can read
neither); answer.py checks the secret and the answer's shape before anything trusts it.

`-I` is not used on purpose: it implies `-E`, which would ignore PYTHONHASHSEED, and
set reprs in defaults would then vary between runs. `-c` puts '' (the cwd) first on
sys.path, which the bootstrap removes. `-S` keeps the environment's `.pth` code from
running before the probe has split into its two processes.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from snakebridge_rules.engine.introspect import sandbox
from snakebridge_rules.engine.introspect.answer import AnswerError, parse_answer

PROBE = Path(__file__).with_name("probe.py")
NAMES = Path(__file__).resolve().parent.parent / "names.py"
_BOOTSTRAP = (
    "import json, os, sys\n"
    "if sys.path and sys.path[0] == '': del sys.path[0]\n"
    "bundle_fd, secret_fd, result_fd = [int(a) for a in sys.argv[1:4]]\n"
    "with os.fdopen(bundle_fd, 'rb') as f: bundle = json.loads(f.read().decode('utf-8'))\n"
    "probe = {'__name__': '_snakebridge_probe'}\n"
    "exec(compile(bundle['probe'], 'snakebridge/probe.py', 'exec'), probe)\n"
    "sys.exit(probe['main'](bundle, secret_fd, result_fd))\n"
)
_OUTPUT_TAIL = 1500


class ProbeError(Exception):
    """The probe could not report (not importable, timeout, limits): one clear message."""


@dataclass(frozen=True)
class Limits:
    """Sandbox limits of one probe run (defaults suit numpy-sized libraries).

    `sandbox=False` (`--no-sandbox`) runs the library without namespaces: only the
    clean environment, the limits and the process-group kill remain.
    """

    timeout_seconds: float = 120.0
    memory_bytes: int = 4 << 30
    cpu_seconds: int = 120
    sandbox: bool = True


def resolve_interpreter(python: str) -> str:
    """The interpreter as an absolute path (a bare name is looked up on PATH)."""
    found = python if os.sep in python else shutil.which(python)
    if not found or not os.access(found, os.X_OK) or os.path.isdir(found):
        raise ProbeError(f"--python {python}: no such executable interpreter")
    return os.path.abspath(found)


def clean_environment(home: Path) -> dict[str, str]:
    """The probe's whole environment: nothing of the caller's leaks in."""
    return {
        "PATH": os.defpath,
        "HOME": str(home),
        "TMPDIR": str(home),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
        "PYTHONHASHSEED": "0",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


def run_probe(python: str, request: dict[str, Any], limits: Limits) -> dict[str, Any]:
    """Run the probe on `request`; its checked answer, or ProbeError saying what went wrong."""
    interpreter = resolve_interpreter(python)
    library = request["library"]
    request = {**request, "limits": {"memory_bytes": limits.memory_bytes,
                                     "cpu_seconds": limits.cpu_seconds}}
    bundle = json.dumps({"probe": PROBE.read_text(encoding="utf-8"),
                         "names": NAMES.read_text(encoding="utf-8"), "request": request})
    secret = secrets.token_hex(32)
    try:
        with tempfile.TemporaryFile() as bundle_file, tempfile.TemporaryFile() as output:
            bundle_file.write(bundle.encode("utf-8"))
            bundle_file.flush()
            bundle_file.seek(0)
            data, returncode = _spawn(interpreter, limits, library, bundle_file, secret,
                                      output)
            output.seek(0)
            tail = output.read()[-_OUTPUT_TAIL:].decode("utf-8", "replace").strip()
    except OSError as exc:  # no writable temp dir, a full disk, no fds left
        raise ProbeError(f"introspecting {library}: the probe's temporary files cannot be "
                         f"created ({exc.strerror or exc}); set TMPDIR to a writable "
                         "directory with free space") from None
    try:
        status, result = parse_answer(data, secret, request)
    except AnswerError as exc:
        detail = _crash_message(interpreter, library, returncode, tail, limits)
        raise ProbeError(f"{detail} ({exc})") from None
    if status != 0:
        raise ProbeError(_crash_message(interpreter, library, status, tail, limits))
    if "fatal" in result:
        raise ProbeError(f"importing {library} in {interpreter}: {result['fatal']} "
                         f"({limits.memory_bytes >> 20} MiB)")
    return result


def _spawn(interpreter: str, limits: Limits, library: str, bundle: IO[bytes], secret: str,
           output: IO[bytes]) -> tuple[bytes, int]:
    """Start the probe, send the secret, read its answer; (answer bytes, exit status)."""
    secret_r, secret_w = os.pipe()
    os.write(secret_w, secret.encode("ascii"))
    os.close(secret_w)
    result_r, result_w = os.pipe()
    fds = (bundle.fileno(), secret_r, result_w)
    argv = [interpreter, "-S", "-s", "-c", _BOOTSTRAP, *map(str, fds)]
    try:
        with _scratch(limits) as cwd:
            command = sandbox.command(interpreter, argv) if limits.sandbox else argv
            process = subprocess.Popen(
                command, cwd=cwd, env=clean_environment(Path(cwd or sandbox.SCRATCH)),
                stdin=subprocess.DEVNULL, stdout=output, stderr=output, pass_fds=fds,
                start_new_session=True,
            )
            os.close(secret_r)
            os.close(result_w)
            secret_r = result_w = -1
            data, returncode, timed_out = _collect(process, result_r, limits.timeout_seconds)
    except sandbox.SandboxUnavailable as exc:
        raise ProbeError(str(exc)) from None
    finally:
        for fd in (secret_r, result_w, result_r):
            if fd >= 0:
                os.close(fd)
    if timed_out:
        raise ProbeError(
            f"introspecting {library} in {interpreter} did not finish within "
            f"{limits.timeout_seconds:g} s (wall clock); the probe was killed. Does "
            f"importing {library} block or wait for input? (raise the limit with --timeout)"
        )
    return data, returncode


@contextlib.contextmanager
def _scratch(limits: Limits):
    """The cwd/HOME of an unsandboxed probe (the sandbox brings an in-memory one)."""
    if limits.sandbox:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="snakebridge-probe-") as tmp:
        yield tmp


def _collect(process: subprocess.Popen[bytes], result_fd: int, seconds: float,
             ) -> tuple[bytes, int, bool]:
    """Read the answer until EOF, wait; past the deadline kill the whole process group.

    The group is killed at the end in any case: nothing the library forked outlives
    the probe (in the sandbox, the PID namespace ends with it as well).
    """
    killed = threading.Event()

    def kill() -> None:
        killed.set()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)

    timer = threading.Timer(seconds, kill)
    timer.start()
    chunks = []
    try:
        while chunk := os.read(result_fd, 1 << 20):
            chunks.append(chunk)
        returncode = process.wait()
    finally:
        timer.cancel()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    return b"".join(chunks), returncode, killed.is_set()


def _crash_message(interpreter: str, library: str, returncode: int, output: str,
                   limits: Limits) -> str:
    if returncode == -signal.SIGXCPU:
        cause = f"it used up its {limits.cpu_seconds} s of CPU time (raise --timeout)"
    elif returncode == -signal.SIGKILL:
        cause = "it was killed (out of memory?)"
    elif "MemoryError" in output or returncode == -signal.SIGSEGV:
        cause = (f"it exceeded the memory limit of {limits.memory_bytes >> 20} MiB "
                 "(raise --memory-mb)")
    else:
        cause = f"it exited with status {returncode}"
    last = output.splitlines()[-1] if output else "(no output)"
    return f"introspecting {library} in {interpreter} failed: {cause}; last output: {last}"
