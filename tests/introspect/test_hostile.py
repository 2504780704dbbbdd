"""Hostile libraries against the real sandboxed probe: each attack fails, clearly.

Every library here is written into a fresh source dir for the test (with the test's
own markers, ports and secrets filled in) and made importable through a venv `.pth`,
as a user's library would be. The probe runs them in bubblewrap (sandbox.py).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from snakebridge_rules.engine.calls import CallKey
from snakebridge_rules.engine.introspect import Limits, ProbeError, introspect
from snakebridge_rules.engine.libraries import Library

REPO = Path(__file__).resolve().parents[2]


def hostile_env(root: Path, modules: dict[str, str]) -> str:
    """A venv whose `.pth` points at `root/src`, holding `modules` (name -> source)."""
    src = root / "src"
    src.mkdir(parents=True)
    for name, text in modules.items():
        (src / f"{name}.py").write_text(textwrap.dedent(text), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")],
                   check=True)
    python = root / "venv" / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig."
                              "get_paths()['purelib'])"], check=True, capture_output=True,
                             text=True).stdout.strip()
    Path(purelib, "hostile.pth").write_text(f"{src}\n", encoding="utf-8")
    return str(python)


def loot_of(python: str, library: str, timeout: float = 60) -> str:
    """The docstring of `library.loot`: what the library managed to read or do."""
    surface, errors = introspect(Library.parse(library), python,
                                 [CallKey.parse(f"{library.capitalize()}.loot/0")],
                                 limits=Limits(timeout_seconds=timeout))
    assert errors == []
    return surface.modules[0].members[0].doc


# ------------------------------------------------------------------ reading secrets

SNOOP = """
    import glob, os
    found = []
    def grab(path):
        try:
            with open(path, "rb") as handle:
                found.append(path + "=" + handle.read(4096).decode("latin-1"))
        except OSError as exc:
            found.append(path + ": " + type(exc).__name__)
    for path in sorted(glob.glob("/proc/*/environ")) + sorted(glob.glob("/proc/*/cmdline")):
        grab(path)
    for fd in glob.glob(f"/proc/{os.getppid()}/fd/*") + glob.glob("/proc/1/fd/*"):
        grab(fd)
    grab(f"/proc/{os.getppid()}/mem")
    grab("SECRET_FILE")
    found.append("environ=" + repr(dict(os.environ)))
    def loot():
        pass
    loot.__doc__ = "\\n".join(found)
"""


def test_the_callers_environment_home_and_run_secret_are_out_of_reach(tmp_path: Path) -> None:
    token = secrets.token_hex(16)
    secret_file = Path.home() / f".snakebridge-test-secret-{secrets.token_hex(4)}"
    secret_file.write_text(f"home-secret-{token}")
    python = hostile_env(tmp_path, {"sbsnoop": SNOOP.replace("SECRET_FILE", str(secret_file))})
    os.environ["SNAKEBRIDGE_TEST_SECRET"] = f"env-secret-{token}"
    try:
        loot = loot_of(python, "sbsnoop")
    finally:
        del os.environ["SNAKEBRIDGE_TEST_SECRET"]
        secret_file.unlink()
    assert token not in loot  # neither /proc/PPID/environ nor the file in HOME
    assert f"{secret_file}: FileNotFoundError" in loot  # HOME is an empty tmpfs
    assert "SNAKEBRIDGE_TEST_SECRET" not in loot
    # The supervisor that holds the run's secret is undumpable: no fds, no memory.
    assert "mem=" not in loot and "/mem: PermissionError" in loot
    import re
    assert not re.search(r"\b[0-9a-f]{64}\b", loot), "a 64-hex secret leaked"


# ------------------------------------------------------------------ writing outside

WRITES = """
    import os
    found = []
    for path in ["HOME_TARGET", "CWD_TARGET", "TMP_TARGET", "/tmp/sb-MARK",
                 f"/proc/{os.getppid()}/cwd/sb-MARK", os.path.expanduser("~/sb-MARK"),
                 "sb-MARK"]:
        try:
            with open(path, "w") as handle:
                handle.write("pwned")
            found.append(path + ": written")
        except OSError as exc:
            found.append(path + ": " + type(exc).__name__)
    def loot():
        pass
    loot.__doc__ = "\\n".join(found)
"""


def test_writes_outside_the_scratch_dir_do_not_reach_the_host(tmp_path: Path) -> None:
    mark = secrets.token_hex(8)
    targets = {"HOME_TARGET": Path.home() / f"sb-{mark}", "CWD_TARGET": Path.cwd() / f"sb-{mark}",
               "TMP_TARGET": tmp_path / f"sb-{mark}"}
    source = WRITES.replace("MARK", mark)
    for key, path in targets.items():
        source = source.replace(key, str(path))
    python = hostile_env(tmp_path / "env", {"sbwrites": source})
    loot = loot_of(python, "sbwrites")
    for path in [*targets.values(), Path("/tmp") / f"sb-{mark}"]:
        assert not path.exists(), f"the library wrote {path}: {loot}"
    assert f"{targets['HOME_TARGET']}: " in loot


# ------------------------------------------------------------------ network

NETWORK = """
    import socket
    try:
        socket.create_connection(("127.0.0.1", PORT), timeout=3).sendall(b"pwned")
        result = "connected"
    except OSError as exc:
        result = type(exc).__name__
    def loot():
        pass
    loot.__doc__ = result
"""


def test_no_network_not_even_the_hosts_loopback(tmp_path: Path) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    port = server.getsockname()[1]
    python = hostile_env(tmp_path, {"sbnet": NETWORK.replace("PORT", str(port))})
    try:
        loot = loot_of(python, "sbnet")
        with pytest.raises(BlockingIOError):
            server.accept()
    finally:
        server.close()
    assert loot in ("ConnectionRefusedError", "OSError"), loot


# ------------------------------------------------------------------ processes

FORKS = """
    import ctypes, os
    ctypes.CDLL(None).prctl(15, b"TOKEN", 0, 0, 0)  # PR_SET_NAME: findable in /proc
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv("/bin/sleep", ["sleep", "SLEEP"])
        os._exit(0)
    if "BLOCK" == "yes":
        import time
        time.sleep(600)
    def loot():
        pass
    loot.__doc__ = "forked"
"""


def _alive(token: str, sleep: str) -> list[str]:
    """Host processes named `token` or running `sleep SLEEP` (zombies do not count)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
            cmdline = (status.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "State:\tZ" in text:
            continue
        if f"Name:\t{token}" in text or f"sleep {sleep}" in cmdline:
            found.append(f"{status.parent.name}: {cmdline}")
    return found


def _forker(tmp_path: Path, block: bool) -> tuple[str, str, str]:
    token, sleep = f"sb{secrets.token_hex(5)}", f"{4000 + secrets.randbelow(999)}.5"
    source = FORKS.replace("TOKEN", token).replace("SLEEP", sleep)
    python = hostile_env(tmp_path, {"sbforks": source.replace("BLOCK", "yes" if block else "no")})
    return python, token, sleep


def test_forked_children_do_not_outlive_the_probe(tmp_path: Path) -> None:
    python, token, sleep = _forker(tmp_path, block=False)
    assert loot_of(python, "sbforks") == "forked"
    time.sleep(0.5)
    assert _alive(token, sleep) == []


def test_a_probe_orphaned_by_kill_9_dies_with_its_parent(tmp_path: Path) -> None:
    python, token, sleep = _forker(tmp_path / "env", block=True)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    engine = subprocess.Popen(
        [sys.executable, "-m", "snakebridge_rules.cli", "introspect", "--library", "sbforks",
         "--python", python, "--all", "-o", str(tmp_path / "out")],
        env={**os.environ, "TMPDIR": str(scratch)}, cwd=REPO,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not _alive(token, sleep) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _alive(token, sleep), "the hostile library never started"
    engine.send_signal(signal.SIGKILL)
    engine.wait()
    deadline = time.monotonic() + 10
    while _alive(token, sleep) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _alive(token, sleep) == []
    assert list(scratch.iterdir()) == []  # no temp dir left behind
    assert not (tmp_path / "out").exists()


STOPS = """
    import os, signal
    for pid in {os.getppid(), 1}:
        try:
            os.kill(pid, signal.SIGSTOP)
        except OSError:
            pass
    def loot():
        pass
    loot.__doc__ = "stopped?"
"""


def test_sigstop_of_the_parent_cannot_hang_the_build(tmp_path: Path) -> None:
    python = hostile_env(tmp_path, {"sbstops": STOPS})
    began = time.monotonic()
    with pytest.raises(ProbeError, match=r"did not finish within 3 s \(wall clock\); the "
                                         r"probe was killed"):
        loot_of(python, "sbstops", timeout=3)
    assert time.monotonic() - began < 20


# ------------------------------------------------------------------ forged answers

FORGES = """
    import json, os, struct
    scopes = {"Sbforges": {"python_module": "sbforges", "qualname": "", "is_class": False,
                           "is_instance": False, "converted": False, "doc": ""}}
    member = {"python_name": "x", "elixir_module": "/tmp/Evil", "kind": 1, "doc": "",
              "elixir_name": 'x(); :os.cmd(~c"touch pwned"); def y', "origin": None,
              "signature_found": True, "return_annotation": "", "parameters": []}
    forged = json.dumps({"members": [member], "errors": [], "scopes": scopes}).encode()
    header = json.dumps({"secret": "0" * 64, "status": 0}).encode() + b"\\n"
    for fd in range(3, 64):
        for data in (header + forged, struct.pack(">Q", len(forged)) + forged):
            try:
                os.write(fd, data)
            except OSError:
                pass
    os._exit(0)
"""


def test_a_forged_answer_is_refused(tmp_path: Path) -> None:
    python = hostile_env(tmp_path, {"sbforges": FORGES})
    with pytest.raises(ProbeError) as caught:
        introspect(Library.parse("sbforges"), python, [], eager=True)
    message = str(caught.value)
    assert "\n" not in message and "breaks its schema" in message or "not JSON" in message


# ------------------------------------------------------------------ one member fails

FRAGILE = """
    import os

    class _Exits:
        def __repr__(self):
            raise SystemExit(3)

    def good(x):
        "Good."

    def default_exits(x=_Exits()):
        "A default whose repr exits."

    def surrogate():
        pass
    surrogate.__doc__ = "bad \\udc80 text"

    class _Forks:
        "Inspecting its signature forks the probe."

        @property
        def __signature__(self):
            os.fork()
            return None

        def __call__(self, x):
            return x

    forks = _Forks()

    def __getattr__(name):
        if name == "interrupts":
            raise KeyboardInterrupt
        raise AttributeError(name)

    def __dir__():
        return sorted(list(globals()) + ["interrupts"])

    __all__ = ["good", "default_exits", "interrupts", "forks", "surrogate"]
"""


def test_one_members_failure_is_an_error_for_that_member_only(tmp_path: Path) -> None:
    python = hostile_env(tmp_path, {"sbfragile": FRAGILE})
    keys = ["Sbfragile.good/1", "Sbfragile.default_exits/0", "Sbfragile.interrupts/0",
            "Sbfragile.forks/1", "Sbfragile.surrogate/0"]
    surface, errors = introspect(Library.parse("sbfragile"), python,
                                 [CallKey.parse(k) for k in keys])
    described = {m.python_name: m for m in surface.modules[0].members}
    assert set(described) == {"good", "default_exits", "forks"}
    assert described["default_exits"].parameters[0].default == "<_Exits>"
    messages = {e.call: e.message for e in errors}
    assert set(messages) == {"Sbfragile.interrupts/0", "Sbfragile.surrogate/0"}
    assert messages["Sbfragile.interrupts/0"] == (
        "introspecting it failed: KeyboardInterrupt: ")
    assert "lone surrogate (U+DC80)" in messages["Sbfragile.surrogate/0"]


def test_generate_words_a_lone_surrogate_in_one_line(tmp_path: Path) -> None:
    python = hostile_env(tmp_path / "env", {"sbfragile": FRAGILE})
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "a.ex").write_text(
        "defmodule A do\n  def f, do: Sbfragile.surrogate()\nend\n")
    done = subprocess.run([sys.executable, "-m", "snakebridge_rules.cli", "generate",
                           "--library", "sbfragile", "--python", python, "--out", "gen",
                           "lib"], capture_output=True, text=True, cwd=tmp_path, check=False,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "lib/a.ex:2: Sbfragile.surrogate/0: its docstring contains a lone surrogate" in (
        done.stderr)
    assert not (tmp_path / "gen").exists()


def test_no_sandbox_is_explicit_and_still_works(tmp_path: Path) -> None:
    python = hostile_env(tmp_path, {"sbplain": "def loot():\n    'plain'\n"})
    surface, errors = introspect(Library.parse("sbplain"), python,
                                 [CallKey.parse("Sbplain.loot/0")],
                                 limits=Limits(sandbox=False))
    assert errors == [] and surface.modules[0].members[0].doc == "plain"


def test_the_report_of_an_attack_is_json(tmp_path: Path) -> None:
    """The CLI's failure form stays JSON + one stderr line for a hostile import."""
    python = hostile_env(tmp_path, {"sbforges": FORGES})
    done = subprocess.run([sys.executable, "-m", "snakebridge_rules.cli", "introspect",
                           "--library", "sbforges", "--python", python, "--all", "-o",
                           str(tmp_path / "out")], capture_output=True, text=True, cwd=REPO,
                          check=False)
    assert done.returncode == 1
    [error] = json.loads(done.stdout)["errors"]
    assert error["call"] == "" and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


# ------------------------------------------------------------------ docstrings as written

DOCS = '''
    """Paths and numbers are documentation: /tmp/foo, /root/x, ~/y and 0xdeadbeefcafe."""

    def loot(path="/tmp/default"):
        """Writes to /tmp/foo or $HOME/x; the mask is 0xdeadbeefcafe; see /usr/lib/z."""
'''


def test_docstrings_are_kept_exactly_whatever_tmpdir_and_home(tmp_path: Path) -> None:
    python = hostile_env(tmp_path / "env", {"sbdocs": DOCS})
    outputs = []
    for n in range(2):
        work, home, tmp = (tmp_path / f"{name}{n}" for name in ("work", "home", "tmp"))
        for path in (work, home, tmp):
            path.mkdir()
        env = {**os.environ, "HOME": str(home), "TMPDIR": str(tmp),
               "PYTHONPATH": str(REPO)}
        done = subprocess.run([sys.executable, "-m", "snakebridge_rules.cli", "generate",
                               "--library", "sbdocs", "--python", python, "--all", "--out",
                               "gen"], capture_output=True, text=True, cwd=work, env=env,
                              check=False)
        assert done.returncode == 0, done.stderr
        outputs.append((work / "gen" / "sbdocs.ex").read_bytes())
    assert outputs[0] == outputs[1]
    text = outputs[0].decode()
    for kept in ("/tmp/foo", "/root/x", "$HOME/x", "0xdeadbeefcafe", "/usr/lib/z",
                 "/tmp/default"):
        assert kept in text, kept
    assert "<path>" not in text and "0x..." not in text


def _jail(tmp_path: Path, writable_tmp: bool = True) -> list[str]:
    """A machine that refuses namespaces: a bwrap that forbids user namespaces, with a
    read-only filesystem except `tmp_path`."""
    tmpdir = ["--setenv", "TMPDIR", str(tmp_path)] if writable_tmp else []
    return ["/usr/bin/bwrap", "--unshare-user", "--disable-userns", "--cap-drop", "ALL",
            "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--bind",
            str(tmp_path), str(tmp_path), *tmpdir, "--chdir", str(REPO)]


def _introspect_json(out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "snakebridge_rules.cli", "introspect", "--library", "json",
            "--python", sys.executable, "--all", "-o", str(out), *extra]


def test_without_namespaces_the_probe_says_so_once_and_no_sandbox_runs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = subprocess.run([*_jail(tmp_path), *_introspect_json(out)], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert "the probe sandbox cannot start here" in line and "--no-sandbox" in line
    assert not out.exists()
    done = subprocess.run([*_jail(tmp_path), *_introspect_json(out, "--no-sandbox")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 0


def test_no_writable_temp_dir_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    done = subprocess.run([*_jail(tmp_path, writable_tmp=False),
                           *_introspect_json(tmp_path / "out", "--no-sandbox")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "set TMPDIR to a writable directory" in done.stderr


# ------------------------------------------------------------------ what the sandbox shows

def test_packages_a_site_dir_links_into_a_hidden_store_are_visible(tmp_path: Path) -> None:
    """Pex venvs built with Pants' `[pex].venv_use_symlinks` (and uv's symlink link mode)
    link each package into a store under HOME: the sandbox shows the link targets too."""
    store = tmp_path / "store" / "installed_wheels" / "abc" / "sblinked-1.0.whl"
    (store / "sblinked").mkdir(parents=True)
    (store / "sblinked" / "__init__.py").write_text("def loot():\n    'linked'\n")
    (store / "sblinkmod.py").write_text("def loot():\n    'linked module'\n")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "venv")],
                   check=True)
    [site] = (tmp_path / "venv").glob("lib/python*/site-packages")
    for name in ("sblinked", "sblinkmod.py"):
        (site / name).symlink_to(os.path.relpath(store / name, site))
    python = str(tmp_path / "venv" / "bin" / "python")
    assert loot_of(python, "sblinked") == "linked"
    assert loot_of(python, "sblinkmod") == "linked module"
