"""End to end: the Bazel rules on examples/bazel_numpy with a real Bazel 4.2.3.

One workspace copy (`a`) goes through the whole story in file order — cold build,
no-op, an edit that adds no call, the stale test and the update target, a bad symbol —
each test restoring what it changed; then a second copy at another path, built after
`bazel clean --expunge` of the first, must get every binding action from the disk
cache, and the same actions must round-trip through BuildGrid (a real REAPI cache).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from snakebridge_rules.engine.artifacts import SymbolSet, read
from tests.bazel.harness import MNEMONICS, Run, Workspace
from tests.support.buildgrid import BuildGrid

pytestmark = pytest.mark.slow

CALLS = ["Numpy.Linalg.norm/1", "Numpy.max/1", "Numpy.mean/1", "Numpy.std/2"]
MAX_CALL = "{:ok, max} = Numpy.max(xs)"


@dataclass
class Cold:
    workspace: Workspace
    run: Run
    outputs: dict[str, bytes]


def outputs(workspace: Workspace) -> dict[str, bytes]:
    """The bindings target's outputs: every generated file and the symbol set."""
    bin_dir = workspace.path / "bazel-bin"
    tree = bin_dir / "bindings.generated"
    files = {f"generated/{p.relative_to(tree).as_posix()}": p.read_bytes()
             for p in sorted(tree.rglob("*")) if p.is_file()}
    files["bindings.symbols.pb"] = (bin_dir / "bindings.symbols.pb").read_bytes()
    return files


@pytest.fixture(scope="module")
def cold(make_workspace) -> Cold:
    """Workspace `a`, built once from nothing (its repositories fetched too).

    linux-sandbox enforces the actions' `block-network` requirement, so this build
    also shows that no binding action needs the network.
    """
    workspace = make_workspace("a")
    run = workspace.bazel("build", "//:bindings", "--spawn_strategy=linux-sandbox")
    return Cold(workspace, run, outputs(workspace))


def test_cold_build_runs_every_action_once(cold: Cold) -> None:
    assert cold.run.mnemonics() == sorted(MNEMONICS)
    assert sorted(cold.outputs) == ["bindings.symbols.pb", "generated/numpy.ex",
                                    "generated/numpy/linalg.ex"]
    symbols = read(cold.workspace.path / "bazel-bin/bindings.symbols.pb", SymbolSet)
    assert list(symbols.calls) == CALLS
    assert b"def mean(" in cold.outputs["generated/numpy.ex"]


def test_bazel_writes_what_the_generate_command_writes(cold: Cold, tmp_path: Path) -> None:
    """Same sources, same locked environment: the one-process CLI and the five Bazel
    actions agree byte for byte (engine from the same snapshot)."""
    workspace = cold.workspace
    env_python = (workspace.path / "bazel-bazel_numpy/external/numpy_env/python").resolve()
    manifest = tmp_path / "snakebridge.manifest"
    shutil.copy2(workspace.path / "snakebridge.manifest", manifest)
    subprocess.run([sys.executable, "-m", "snakebridge_rules.cli", "generate", "--library",
                    "numpy", "--python", str(env_python), "--out", str(tmp_path / "out"),
                    "--manifest", str(manifest), "lib/report.ex", "lib/stats.ex"],
                   cwd=workspace.path, env={**os.environ, "PYTHONPATH": str(workspace.root)},
                   check=True, capture_output=True)
    generated = {f"generated/{p.relative_to(tmp_path / 'out').as_posix()}": p.read_bytes()
                 for p in sorted((tmp_path / "out").rglob("*")) if p.is_file()}
    assert generated == {k: v for k, v in cold.outputs.items() if k.startswith("generated/")}
    assert manifest.read_bytes() == (workspace.path / "bazel-bin/bindings.manifest").read_bytes()


def test_noop_rebuild_runs_nothing(cold: Cold) -> None:
    run = cold.workspace.bazel("build", "//:bindings")
    assert run.spawns == []


def test_edit_without_a_new_call_reruns_only_the_scan_and_check(cold: Cold) -> None:
    stats = cold.workspace.path / "lib/stats.ex"
    original = stats.read_text(encoding="utf-8")
    try:
        stats.write_text("# Moves every call one line down.\n" + original, encoding="utf-8")
        run = cold.workspace.bazel("build", "//:bindings")
        # the check tests the moved calls' keyword lists; introspection, render: hits
        assert run.mnemonics() == ["SnakeBridgeCheck", "SnakeBridgeScan"]
        assert outputs(cold.workspace) == cold.outputs
    finally:
        cold.workspace.restore("lib/stats.ex")


def test_checked_in_bindings_are_current(cold: Cold) -> None:
    run = cold.workspace.bazel("test", "//:bindings_test", check=False)
    assert run.returncode == 0, (
        "examples/bazel_numpy/lib/generated is stale (did the generator change?): run "
        f"`cd examples/bazel_numpy && bazel run //:bindings.update`\n{run.output[-3000:]}")


def test_stale_test_fails_until_the_update_target_runs(cold: Cold) -> None:
    workspace = cold.workspace
    report = workspace.path / "lib/report.ex"
    text = report.read_text(encoding="utf-8")
    try:
        workspace.bazel("run", "//:bindings.update")  # current, whatever was checked in
        workspace.bazel("test", "//:bindings_test")
        report.write_text(text.replace(MAX_CALL, MAX_CALL + "\n    {:ok, _} = Numpy.median(xs)"),
                          encoding="utf-8")
        stale = workspace.bazel("test", "//:bindings_test", check=False)
        assert stale.returncode != 0
        assert "lib/generated/numpy.ex: stale" in stale.output
        assert "run: bazel run //:bindings.update" in stale.output

        workspace.bazel("run", "//:bindings.update")
        manifest = (workspace.path / "snakebridge.manifest").read_text(encoding="utf-8")
        assert "Numpy.median/1\n" in manifest
        generated = (workspace.path / "lib/generated/numpy.ex").read_text(encoding="utf-8")
        assert "def median(" in generated
        workspace.bazel("test", "//:bindings_test")
    finally:
        workspace.restore("lib/report.ex", "snakebridge.manifest", "lib/generated")


def test_bad_symbol_fails_with_its_file_and_line(cold: Cold) -> None:
    report = cold.workspace.path / "lib/report.ex"
    text = report.read_text(encoding="utf-8")
    line = text[: text.index(MAX_CALL)].count("\n") + 2
    try:
        report.write_text(text.replace(MAX_CALL, MAX_CALL + "\n    {:ok, _} = Numpy.meen(xs)"),
                          encoding="utf-8")
        run = cold.workspace.bazel("build", "//:bindings", check=False)
        assert run.returncode != 0
        assert (f"lib/report.ex:{line}: Numpy.meen/1: numpy has no attribute 'meen' — did you "
                "mean 'mean'?" in run.output)
        assert "Traceback" not in run.output
    finally:
        cold.workspace.restore("lib/report.ex")


def test_library_missing_from_its_environment_gets_the_workspace_fix(cold: Cold) -> None:
    build = cold.workspace.path / "BUILD.bazel"
    report = cold.workspace.path / "lib/report.ex"
    try:
        build.write_text(build.read_text().replace('["numpy"]', '["numpy", "humanize"]'))
        report.write_text(report.read_text(encoding="utf-8").replace(
            MAX_CALL, MAX_CALL + "\n    {:ok, _} = Humanize.intword(1)"), encoding="utf-8")
        run = cold.workspace.bazel("build", "//:bindings", check=False)
        assert run.returncode != 0
        assert ("humanize is not installed in that environment; add the distribution that "
                "provides it to the lockfile of the snakebridge_python_env behind "
                "@numpy_env//:python" in run.output)
        assert "`library_envs`" in run.output and "snakebridge env FILE" not in run.output
    finally:
        cold.workspace.restore("BUILD.bazel", "lib/report.ex")


def binding_spawns(run: Run) -> list[dict]:
    return [s for s in run.spawns if s.get("mnemonic", "").startswith("SnakeBridge")]


@pytest.fixture(scope="module")
def second(cold: Cold, make_workspace) -> tuple[Workspace, Run]:
    """A second checkout at another path, built after `bazel clean --expunge` of the
    first: another output base, nothing local, only the shared disk cache."""
    cold.workspace.bazel("clean", "--expunge")
    workspace = make_workspace("b")
    assert workspace.path != cold.workspace.path
    return workspace, workspace.bazel("build", "//:bindings")


def test_second_checkout_gets_every_binding_action_from_the_cache(
        cold: Cold, second: tuple[Workspace, Run]) -> None:
    workspace, run = second
    binding = binding_spawns(run)
    assert sorted(s["mnemonic"] for s in binding) == sorted(MNEMONICS)
    misses = [s["mnemonic"] for s in binding if not s.get("remoteCacheHit")]
    assert misses == [], f"cache misses at another path: {misses}"
    assert outputs(workspace) == cold.outputs


def test_binding_actions_round_trip_through_buildgrid(
        cold: Cold, second: tuple[Workspace, Run], buildgrid: BuildGrid) -> None:
    """The same actions through a real REAPI cache on loopback: uploaded by one clean
    build (disk cache off), downloaded by the next, outputs identical."""
    workspace, flags = second[0], [*buildgrid.bazel_flags, "--disk_cache="]
    workspace.bazel("clean")
    upload = workspace.bazel("build", "//:bindings", *flags)
    assert len(binding_spawns(upload)) == len(MNEMONICS)
    assert not any(s.get("remoteCacheHit") for s in binding_spawns(upload))
    workspace.bazel("clean")
    download = workspace.bazel("build", "//:bindings", *flags)
    assert sorted(s["mnemonic"] for s in binding_spawns(download)) == sorted(MNEMONICS)
    assert all(s.get("remoteCacheHit") for s in binding_spawns(download))
    assert outputs(workspace) == cold.outputs
