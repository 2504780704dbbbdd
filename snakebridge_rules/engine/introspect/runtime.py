"""Running the probe in the user's interpreter, sandboxed.

Importing a library runs arbitrary code. The probe therefore runs in a child process
with: an environment built from scratch (no PYTHONPATH/PYTHONHOME/PYTHONSTARTUP of the
caller, a fixed hash seed, C.UTF-8, UTC), an empty temporary cwd and HOME, no user
site-packages (`-s`), hard memory and CPU limits set by the probe before the import, a
wall-clock timeout that kills its whole process group, and its stdout/stderr going to
a file (read back only to word errors), so printing libraries cannot corrupt the JSON
result, which the probe writes to a file of its own.

`-I` is not used on purpose: it implies `-E`, which would ignore PYTHONHASHSEED, and
set reprs in defaults would then vary between runs. `-c` puts '' (the empty cwd)
first on sys.path, which the bootstrap removes.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROBE = Path(__file__).with_name("probe.py")
NAMES = Path(__file__).resolve().parent.parent / "names.py"
_BOOTSTRAP = (
    "import runpy, sys\n"
    "if sys.path and sys.path[0] == '': del sys.path[0]\n"
    "sys.argv = sys.argv[1:]\n"
    "runpy.run_path(sys.argv[0], run_name='__main__')\n"
)
_OUTPUT_TAIL = 1500


class ProbeError(Exception):
    """The probe could not report (not importable, timeout, limits): one clear message."""


@dataclass(frozen=True)
class Limits:
    """Sandbox limits of one probe run (defaults suit numpy-sized libraries)."""

    timeout_seconds: float = 120.0
    memory_bytes: int = 4 << 30
    cpu_seconds: int = 120


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
    """Run the probe on `request`; its JSON result, or ProbeError saying what went wrong."""
    interpreter = resolve_interpreter(python)
    request = {**request, "names_path": str(NAMES),
               "limits": {"memory_bytes": limits.memory_bytes,
                          "cpu_seconds": limits.cpu_seconds},
               "scrub_roots": sorted({str(Path.home()), os.getcwd(), tempfile.gettempdir()})}
    with tempfile.TemporaryDirectory(prefix="snakebridge-probe-") as tmp:
        root = Path(tmp)
        (root / "cwd").mkdir()
        request["scrub_roots"].append(tmp)
        (root / "request.json").write_text(json.dumps(request), encoding="utf-8")
        returncode = _spawn(interpreter, root, limits, request["library"])
        output = _tail(root / "output.txt")
        result_file = root / "result.json"
        text = result_file.read_text(encoding="utf-8") if result_file.is_file() else ""
    if returncode != 0 or not text:
        raise ProbeError(_crash_message(interpreter, request["library"], returncode,
                                        output, limits))
    result = json.loads(text)
    if "fatal" in result:
        raise ProbeError(f"importing {request['library']} in {interpreter}: {result['fatal']} "
                         f"({limits.memory_bytes >> 20} MiB)")
    return result


def _spawn(interpreter: str, root: Path, limits: Limits, library: str) -> int:
    command = [interpreter, "-s", "-c", _BOOTSTRAP, str(PROBE),
               str(root / "request.json"), str(root / "result.json")]
    with open(root / "output.txt", "wb") as output:
        process = subprocess.Popen(
            command, cwd=root / "cwd", env=clean_environment(root / "cwd"),
            stdin=subprocess.DEVNULL, stdout=output, stderr=output, start_new_session=True,
        )
        returncode, timed_out = _wait(process, limits.timeout_seconds)
    if timed_out:
        raise ProbeError(
            f"introspecting {library} in {interpreter} did not finish within "
            f"{limits.timeout_seconds:g} s (wall clock); the probe was killed. Does "
            f"importing {library} block or wait for input?"
        )
    return returncode


def _wait(process: subprocess.Popen[bytes], seconds: float) -> tuple[int, bool]:
    """Wait; past the deadline kill the whole process group. (returncode, timed out).

    A timer rather than `wait(timeout=...)`, which polls with sleeps of up to 50 ms.
    """
    killed = threading.Event()

    def kill() -> None:
        killed.set()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)

    timer = threading.Timer(seconds, kill)
    timer.start()
    try:
        returncode = process.wait()
    finally:
        timer.cancel()
    return returncode, killed.is_set()


def _tail(path: Path) -> str:
    data = path.read_bytes() if path.is_file() else b""
    return data[-_OUTPUT_TAIL:].decode("utf-8", "replace").strip()


def _crash_message(interpreter: str, library: str, returncode: int, output: str,
                   limits: Limits) -> str:
    if returncode == -signal.SIGXCPU:
        cause = f"it used up its {limits.cpu_seconds} s of CPU time (raise --timeout)"
    elif returncode == -signal.SIGKILL:
        cause = "it was killed (out of memory?)"
    elif "MemoryError" in output or returncode == -signal.SIGSEGV:
        cause = f"it exceeded the memory limit of {limits.memory_bytes >> 20} MiB"
    else:
        cause = f"it exited with status {returncode}"
    last = output.splitlines()[-1] if output else "(no output)"
    return f"introspecting {library} in {interpreter} failed: {cause}; last output: {last}"
