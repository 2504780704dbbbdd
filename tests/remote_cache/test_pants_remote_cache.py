"""Pants against a real REAPI cache: a second checkout gets every binding process from it.

Checkout A ("CI") builds the example's bindings with an empty local store and writes to
BuildGrid; checkout B ("a laptop"), a copy at another path with its own empty local
store, only reads from it. Every scan/introspect/render process and the introspection
environment's PEX build in B must be served by the remote cache (workunit metadata
`source == "HitRemotely"`, via Pants' own workunit_logger backend), and `export-codegen`
must write the same bytes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.buildgrid import BuildGrid
from tests.support.pants_checkout import NAMED_CACHES, REPO, copy_checkout, ensure_bootstrap
from tests.support.workunits import BindingProcess, binding_processes

EXAMPLE = "examples/numpy_stats"
TARGET_TYPE = "elixir_bindings"
REQUIRED_STEPS = {"environment", "scan", "introspect", "render"}
WORKUNIT_LOGGER = "pants.backend.experimental.tools.workunit_logger"


def _backend_missing() -> str:
    """Why the Pants side is not there yet ('' when it is)."""
    if not (REPO / "snakebridge_rules" / "pants" / "register.py").is_file():
        return "snakebridge_rules/pants/register.py (the Pants backend) does not exist yet"
    build = REPO / EXAMPLE / "BUILD"
    if not build.is_file() or TARGET_TYPE not in build.read_text():
        return f"{EXAMPLE}/BUILD declares no `{TARGET_TYPE}` target yet"
    return ""


# Checked before the BuildGrid fixture starts, so a missing backend costs nothing.
_MISSING = _backend_missing()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(_MISSING), reason=f"Pants backend not ready: {_MISSING}"),
]


def _export_codegen(
    checkout: Path, state: Path, server: BuildGrid, *, write: bool
) -> list[BindingProcess]:
    """Run `export-codegen` on the example with a fresh local store; its engine processes."""
    logdir = state / "workunits"
    logdir.mkdir(parents=True)
    args = [
        str(checkout / "pants"),
        "--no-pantsd",
        f"--local-store-dir={state / 'lmdb_store'}",
        f"--named-caches-dir={NAMED_CACHES}",
        f"--backend-packages=+['{WORKUNIT_LOGGER}']",
        "--workunit-logger-enabled",
        f"--workunit-logger-logdir={logdir}",
        # Give the uploads of the first run time to finish before Pants exits.
        "--session-end-tasks-timeout=120",
        "--stats-log",
        *server.pants_flags(read=True, write=write),
        f"--filter-target-type={TARGET_TYPE}",
        "export-codegen",
        f"{EXAMPLE}::",
    ]
    proc = subprocess.run(args, cwd=checkout, capture_output=True, text=True, timeout=1200)
    if proc.returncode != 0:
        pytest.fail(
            f"pants export-codegen in {checkout} exited {proc.returncode}:\n{proc.stderr[-4000:]}"
        )
    logs = list(logdir.glob("*.json"))
    if len(logs) != 1:
        pytest.fail(f"expected one workunit log in {logdir}, found {logs}")
    return binding_processes(json.loads(logs[0].read_text()))


def _tree(root: Path) -> dict[str, bytes]:
    """Every file under ROOT (relative path -> bytes)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_second_checkout_gets_every_binding_process_from_buildgrid(
    buildgrid: BuildGrid, tmp_path: Path
) -> None:
    failure = ensure_bootstrap()
    if failure:
        pytest.fail(f"./pants does not run:\n{failure}")
    first = copy_checkout(tmp_path / "ci" / "repo")
    second = tmp_path / "laptop" / "src" / "snakebridge"
    shutil.copytree(first, second, symlinks=True)

    cold = _export_codegen(first, tmp_path / "state-ci", buildgrid, write=True)
    steps = {p.step for p in cold}
    assert steps >= REQUIRED_STEPS, f"no {REQUIRED_STEPS - steps} process in {cold}"
    assert all(p.source == "Ran" for p in cold), f"the cache was not empty: {cold}"

    warm = _export_codegen(second, tmp_path / "state-laptop", buildgrid, write=False)
    misses = [p for p in warm if p.source != "HitRemotely"]
    assert not misses, f"not served by the remote cache at the second checkout: {misses}"
    assert [(p.step, p.description) for p in warm] == [(p.step, p.description) for p in cold]

    exported = _tree(first / "dist" / "codegen")
    assert exported, "export-codegen wrote nothing"
    assert _tree(second / "dist" / "codegen") == exported
