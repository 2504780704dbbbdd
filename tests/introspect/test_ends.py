"""A probe that ends without answering: the message says which process ended and how.

Real interpreters, real wrapper scripts and real bubblewrap: each case is made by a
library (or a wrapper in front of the interpreter) that really does it.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from snakebridge_rules.engine.introspect import Limits, ProbeError, introspect
from snakebridge_rules.engine.libraries import Library
from tests.introspect.test_hostile import hostile_env

SANDBOXED = pytest.mark.parametrize("sandbox", [True, False], ids=["bwrap", "no-sandbox"])


def failure(python: str, library: str, **limits: object) -> str:
    with pytest.raises(ProbeError) as caught:
        introspect(Library.parse(library), python, [], eager=True, limits=Limits(**limits))
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def wrapper(tmp_path: Path, python: str, before: str) -> str:
    """A shell script given as the interpreter (as Pants and Bazel give theirs)."""
    script = tmp_path / "python-wrapper"
    script.write_text(f'#!/bin/sh\n{before}\nexec {python} "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    return str(script)


KILLS = {  # what the library kills -> which process the message names
    "os.killpg(os.getpgrp(), signal.SIGKILL)": "the interpreter's process (the probe's "
                                               "supervisor",
    "os.kill(os.getpid(), signal.SIGKILL)": "the library's process (the probe's child)",
}


@SANDBOXED
@pytest.mark.parametrize("kill", sorted(KILLS), ids=["whole-probe", "itself"])
def test_a_library_killed_by_sigkill_is_reported_killed(tmp_path: Path, sandbox: bool,
                                                        kill: str) -> None:
    """bwrap reports its killed child as status 137; that is a kill, not an exit."""
    python = hostile_env(tmp_path, {"sbkills": f"import os, signal\n{kill}\n"})
    message = failure(python, "sbkills", sandbox=sandbox)
    assert KILLS[kill] in message and "137" not in message
    assert "was killed by SIGKILL (out of memory?" in message


@SANDBOXED
def test_a_library_that_exits_0_while_imported_says_so(tmp_path: Path, sandbox: bool) -> None:
    python = hostile_env(tmp_path, {"sbexits0": "import os\nos._exit(0)\n"})
    message = failure(python, "sbexits0", sandbox=sandbox)
    assert ("the library's process (the probe's child) exited with status 0 without "
            "sending its answer") in message
    assert f"in {python} failed" in message


def test_a_wrapper_interpreter_is_named_with_what_it_runs(tmp_path: Path) -> None:
    python = hostile_env(tmp_path / "env", {"sbexits0": "import os\nos._exit(0)\n"})
    launcher = wrapper(tmp_path, python, ": a launcher, as Pants gives its venvs")
    message = failure(python=launcher, library="sbexits0")
    assert f"in {launcher} (which runs {python}) failed" in message


def test_a_wrapper_that_blocks_before_answering_stops_at_the_timeout(
        tmp_path: Path, fixture_python: str) -> None:
    launcher = wrapper(tmp_path, fixture_python, "sleep 30")
    began = time.monotonic()
    message = failure(launcher, "sbfixture", timeout_seconds=2)
    assert time.monotonic() - began < 15
    assert f"{launcher} did not answer within 2 s when asked for its paths" in message


def test_a_wrapper_that_fails_says_its_status_and_last_words(tmp_path: Path,
                                                             fixture_python: str) -> None:
    launcher = wrapper(tmp_path, fixture_python, "echo 'venv script: no venv' >&2; exit 3")
    message = failure(launcher, "sbfixture")
    assert message.endswith(f"{launcher} did not report its paths when asked (`-I -S -c`; "
                            "exit status 3); last output: venv script: no venv")


@SANDBOXED
def test_an_interpreter_the_kernel_cannot_run_is_not_a_temp_dir_problem(
        tmp_path: Path, sandbox: bool) -> None:
    binary = tmp_path / "python"
    binary.write_bytes(b"\x7fELF garbage")
    binary.chmod(0o755)
    message = failure(str(binary), "json", sandbox=sandbox)
    assert message == f"introspecting json: {binary} cannot be run (Exec format error)"
