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
    ended = _Ended(interpreter, library, limits, tail)
    if not data:
        where = " under bwrap" if limits.sandbox else ""
        cause = _cause(_supervisor_status(returncode), tail, limits)
        raise ProbeError(ended.message(
            f"the interpreter's process (the probe's supervisor{where}) {cause} before "
            "answering (nothing came on its result pipe)"))
    try:
        status, result = parse_answer(data, secret, request)
    except AnswerError as exc:
        raise ProbeError(ended.message(f"its answer was refused: {exc}")) from None
    if status != 0 or result is None:
        raise ProbeError(ended.message(_child_ended(status, tail, limits)))
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
            command = (sandbox.command(interpreter, argv, limits.timeout_seconds)
                       if limits.sandbox else argv)
            process = _start(command, cwd, output, fds, interpreter)
            os.close(secret_r)
            os.close(result_w)
            secret_r = result_w = -1
            data, returncode, timed_out = _collect(process, result_r, limits.timeout_seconds)
    except sandbox.SandboxUnavailable as exc:
        raise ProbeError(str(exc)) from None
    except sandbox.InterpreterUnanswered as exc:
        raise ProbeError(f"introspecting {library}: {exc}") from None
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


def _start(command: list[str], cwd: str | None, output: IO[bytes], fds: tuple[int, ...],
           interpreter: str) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(
            command, cwd=cwd, env=clean_environment(Path(cwd or sandbox.SCRATCH)),
            stdin=subprocess.DEVNULL, stdout=output, stderr=output, pass_fds=fds,
            start_new_session=True,
        )
    except OSError as exc:  # unsandboxed: an interpreter file the kernel cannot run
        raise sandbox.InterpreterUnanswered(
            f"{interpreter} cannot be run ({exc.strerror or exc})") from None


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


@dataclass(frozen=True)
class _Ended:
    """How a probe run that did not answer is worded: which process ended, how."""

    interpreter: str
    library: str
    limits: Limits
    output: str

    def message(self, what: str) -> str:
        last = self.output.splitlines()[-1] if self.output else "(no output)"
        return (f"introspecting {self.library} in {self._interpreter()} failed: {what}; "
                f"last output: {last}")

    def _interpreter(self) -> str:
        """The interpreter, and what it runs when it is a wrapper script (Pants')."""
        with contextlib.suppress(sandbox.InterpreterUnanswered, OSError):
            real = sandbox.real_executable(self.interpreter, self.limits.timeout_seconds)
            if real != self.interpreter:
                return f"{self.interpreter} (which runs {real})"
        return self.interpreter


def _child_ended(status: int, output: str, limits: Limits) -> str:
    """The supervisor answered, without the document of the library's process."""
    if status == 0:
        return ("the library's process (the probe's child) exited with status 0 without "
                "sending its answer: the library ended its own process (os._exit? a C "
                "exit()?) or closed the probe's channel while it was imported or described")
    return f"the library's process (the probe's child) {_cause(status, output, limits)}"


def _supervisor_status(returncode: int) -> int:
    """The status of the probe's first process as a waitpid status: bwrap (and a shell
    wrapper) report a child killed by signal N as 128 + N, which the supervisor never
    exits with by itself (it exits 0, or 1 on a traceback)."""
    return 128 - returncode if 128 < returncode < 128 + signal.NSIG else returncode


def _cause(returncode: int, output: str, limits: Limits) -> str:
    """How a process ended, from its exit status (a signal as minus its number)."""
    if returncode == -signal.SIGXCPU:
        return f"used up its {limits.cpu_seconds} s of CPU time (raise --timeout)"
    if returncode == -signal.SIGKILL:
        return ("was killed by SIGKILL (out of memory? the kernel's OOM killer sends it; "
                "or the library killed it)")
    if "MemoryError" in output or returncode == -signal.SIGSEGV:
        return (f"exceeded the memory limit of {limits.memory_bytes >> 20} MiB "
                "(raise --memory-mb)")
    if returncode < 0:
        return f"was killed by {_signal_name(-returncode)}"
    return f"exited with status {returncode}"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
