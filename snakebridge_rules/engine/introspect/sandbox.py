"""The probe's sandbox: bubblewrap (Debian's `bubblewrap`), the kernel's namespaces.

Importing a library runs its code. Inside the sandbox that code has no network (a
network namespace of its own: 127.0.0.1 is not the host's), sees only its own
processes (a PID namespace: no /proc/PPID/environ of the caller, no signal reaches
the engine), no capabilities, a read-only view of the filesystem in which the
caller's HOME and temp dirs are empty in-memory filesystems (with the interpreter's
own directories, and what its site dirs link to, bound back read-only), and one small
writable scratch dir. When the engine dies the sandbox dies with it
(`--die-with-parent`), and when the probe's first process ends the namespace and
everything forked in it ends too.

Where bubblewrap is missing or namespaces are refused, every probe fails with one
message naming the fix; `--no-sandbox` runs the library without isolation instead.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

#: Where the probe's scratch dir (its cwd, HOME and TMPDIR) is inside the sandbox.
SCRATCH = "/tmp/snakebridge-probe"
_SCRATCH_BYTES = 64 << 20
_SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/bin", "/bin"])
_QUERY = (
    "import json, site, sys\n"
    "print(json.dumps([sys.prefix, sys.base_prefix, sys.exec_prefix, sys.executable]"
    " + site.getsitepackages()))\n"
)


class SandboxUnavailable(Exception):
    """No namespaces here: one message saying why and what to do."""


@functools.cache
def bwrap() -> str:
    """The bubblewrap binary, checked once per process to really create namespaces."""
    found = shutil.which("bwrap", path=_SEARCH_PATH)
    if found is None:
        raise SandboxUnavailable(
            "the probe sandbox needs bubblewrap, which is not installed (Debian/Ubuntu: "
            "apt-get install bubblewrap); pass --no-sandbox to import the library "
            "without isolation")
    done = subprocess.run([found, *_isolation(), "--ro-bind", "/", "/", "true"],
                          capture_output=True, text=True, check=False, env={})
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise SandboxUnavailable(
            f"the probe sandbox cannot start here: {found} failed ({reason}); this "
            "kernel or container refuses namespaces. Allow unprivileged user namespaces "
            "(sysctl kernel.unprivileged_userns_clone=1) or pass --no-sandbox to import "
            "the library without isolation")
    return found


def _isolation() -> list[str]:
    return ["--unshare-all", "--unshare-user", "--cap-drop", "ALL", "--die-with-parent",
            "--new-session"]


def hidden_roots() -> list[str]:
    """The caller's HOME and temp dirs: replaced by empty filesystems in the sandbox."""
    roots = {str(Path.home()), tempfile.gettempdir(), "/tmp", "/var/tmp", "/root", "/home"}
    return sorted(r for r in roots if os.path.isdir(r) and r != "/")


def _pth_paths(site_dir: str) -> list[str]:
    """Directories `.pth` files of a site dir add to sys.path (read, never run)."""
    found = []
    try:
        names = sorted(n for n in os.listdir(site_dir) if n.endswith(".pth"))
    except OSError:
        return []
    for name in names:
        try:
            lines = Path(site_dir, name).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for line in lines:
            line = line.strip()
            if line and not line.startswith(("#", "import ", "import\t")):
                found.append(os.path.join(site_dir, line))
    return found


def _venv_root(executable: str) -> str | None:
    """The venv an interpreter belongs to (where site.py looks for `pyvenv.cfg`)."""
    for directory in (os.path.dirname(executable), os.path.dirname(os.path.dirname(executable))):
        if os.path.isfile(os.path.join(directory, "pyvenv.cfg")):
            return directory
    return None


class InterpreterUnanswered(Exception):
    """The interpreter (or the wrapper script given as one) did not say where it lives."""


@functools.cache
def _reported(interpreter: str, seconds: float) -> tuple[str, ...]:
    """Prefixes, executable and site dirs, asked from the interpreter itself with
    `-I -S` (no site: no code of the environment runs), so wrapper scripts (Bazel's,
    Pants' venv scripts) resolve too. Asked outside the sandbox on purpose: a wrapper
    may build what it runs first (Pants' script re-creates a pruned venv), which only
    works where its caches are writable. Cached: they change only with the interpreter.
    """
    returncode, out, err = _ask(interpreter, seconds)
    try:
        return tuple(str(p) for p in json.loads(out.strip().splitlines()[-1]))
    except (ValueError, IndexError, TypeError):
        last = (err.strip().splitlines() or ["(no output)"])[-1]
        raise InterpreterUnanswered(
            f"{interpreter} did not report its paths when asked (`-I -S -c`; exit status "
            f"{returncode}); last output: {last}") from None


def _ask(interpreter: str, seconds: float) -> tuple[int, str, str]:
    """Run the query: (exit status, stdout, stderr); all it started is killed at the
    deadline (a wrapper's children too: they would hold the pipes open)."""
    try:
        process = subprocess.Popen(
            [interpreter, "-I", "-S", "-c", _QUERY], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
            env={"PATH": os.defpath}, start_new_session=True)
    except OSError as exc:  # not a file the kernel can run (no `#!` line, wrong arch)
        raise InterpreterUnanswered(
            f"{interpreter} cannot be run ({exc.strerror or exc})") from None
    with process:
        try:
            out, err = process.communicate(timeout=seconds)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            raise InterpreterUnanswered(
                f"{interpreter} did not answer within {seconds:g} s when asked for its "
                "paths (`-I -S -c`): does it (or its wrapper script) block or build an "
                "environment first? (raise the limit with --timeout)") from None
    return process.returncode, out, err


def real_executable(interpreter: str, seconds: float) -> str:
    """What `interpreter` runs in the end (`sys.executable`, through wrapper scripts)."""
    reported = _reported(interpreter, seconds)
    return reported[3] if len(reported) > 3 else interpreter


def interpreter_paths(interpreter: str, seconds: float) -> tuple[str, ...]:
    """What the interpreter needs to see: its prefixes, venv, site dirs and the paths
    its `.pth` files add (read afresh each run, never run)."""
    reported = list(_reported(interpreter, seconds))
    paths = set(reported) | {interpreter}
    for executable in (interpreter, *reported[3:4]):
        venv = _venv_root(executable)
        if venv:
            paths.add(venv)
            paths.update(str(p) for p in Path(venv).glob("lib*/python*/site-packages"))
    for path in sorted(paths):
        paths.update(_pth_paths(path))
    for path in sorted(paths):
        paths.update(_linked_entries(path))
    return tuple(sorted(p for p in paths if os.path.isabs(p)))


def _linked_entries(directory: str) -> list[str]:
    """The symlinks directly in a directory: a site dir may link each package into a
    shared store (Pex venvs with Pants' `[pex].venv_use_symlinks`, uv's symlink link
    mode), whose targets must be visible in the sandbox too."""
    try:
        with os.scandir(directory) as entries:
            return sorted(entry.path for entry in entries if entry.is_symlink())
    except OSError:
        return []


def _link_hops(path: str) -> list[str]:
    """`path` and each symlink target on the way to the file (Bazel's sandboxes chain
    links: every hop must exist inside the sandbox, not only the last one)."""
    hops = [path]
    while os.path.islink(hops[-1]) and len(hops) < 40:
        target = os.path.join(os.path.dirname(hops[-1]), os.readlink(hops[-1]))
        hops.append(os.path.normpath(target))
    return hops


def _binds(interpreter: str, hidden: list[str], seconds: float) -> list[str]:
    """`--ro-bind` of each needed directory in a hidden root (outermost ones only)."""
    def inside(path: str, root: str) -> bool:
        return path == root or path.startswith(root.rstrip("/") + "/")

    needed = set()
    for path in interpreter_paths(interpreter, seconds):
        for candidate in (*_link_hops(path), os.path.realpath(path)):
            directory = candidate if os.path.isdir(candidate) else os.path.dirname(candidate)
            if os.path.isdir(directory) and any(inside(directory, h) for h in hidden):
                needed.add(directory)
    args: list[str] = []
    bound: list[str] = []
    for path in sorted(needed):
        if not any(inside(path, b) for b in bound):
            bound.append(path)
            args += ["--ro-bind", path, path]
    return args


def command(interpreter: str, argv: list[str], seconds: float) -> list[str]:
    """`bwrap ... -- argv`: the probe's command line inside the sandbox (`seconds`
    bounds the interpreter's answer about its paths)."""
    hidden = hidden_roots()
    args = [bwrap(), *_isolation(), "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    for root in hidden:
        args += ["--tmpfs", root]
    args += _binds(interpreter, hidden, seconds)
    args += ["--size", str(_SCRATCH_BYTES), "--tmpfs", SCRATCH, "--chdir", SCRATCH]
    return [*args, "--", *argv]
