"""The Pants backend end to end: the real ./pants on a copy of examples/numpy_stats.

The tests run in file order against one checkout and one pantsd (see conftest.py):
cold check, generate, warm no-op, edits with and without new Python calls (counting
the snakebridge processes that really ran), prune, a bad symbol, a broken file,
export-codegen, the worker PEX and `mix test` under `./pants test`.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from snakebridge_rules.engine.tree import recover
from tests.pants.pantsrepo import REPO, PantsRepo

pytestmark = pytest.mark.slow

EXAMPLE = "examples/numpy_stats"
TARGET = f"{EXAMPLE}:bindings"
SOURCE = f"{EXAMPLE}/lib/numpy_stats.ex"
MANIFEST = f"{EXAMPLE}/bindings.manifest"
NUMPY_EX = f"{EXAMPLE}/generated/numpy.ex"
FIX = f"run: ./pants generate-bindings {TARGET}"


def edit(path: Path, text: str) -> None:
    """Write, then give pantsd's file watcher a moment to see it."""
    path.write_text(text)
    time.sleep(1.0)


def add_function(repo: PantsRepo, body: str) -> str:
    """Add `def extra...` to the example module; returns the original text."""
    path = repo.path(SOURCE)
    original = path.read_text()
    head, tail = original.rsplit("end", 1)
    edit(path, f"{head}\n  def extra(xs) do\n    {body}\n  end\nend{tail}")
    return original


def line_of(repo: PantsRepo, needle: str) -> int:
    lines = repo.path(SOURCE).read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def test_pants_runs_from_the_offline_bootstrap(pants_repo: PantsRepo) -> None:
    version = pants_repo.pants("--version")
    assert (version.returncode, version.stdout.strip()) == (0, "2.17.1"), version.stderr
    listed = pants_repo.pants("list", "::")
    assert listed.returncode == 0, listed.stderr
    assert TARGET in listed.stdout.splitlines()
    assert "//:snakebridge" in listed.stdout.splitlines()


def test_cold_check_reports_missing_bindings(pants_repo: PantsRepo) -> None:
    run = pants_repo.pants("generate-bindings", "--check", TARGET)
    assert run.returncode == 1, run.stderr
    assert f"{NUMPY_EX}: missing" in run.stderr
    assert FIX in run.stderr
    assert not pants_repo.path(f"{EXAMPLE}/generated").exists()
    # Cold: every action ran, each as its own process.
    assert sorted(set(run.steps_ran())) == ["check", "introspect", "merge", "render", "scan"]


def test_generate_writes_what_the_cli_writes(pants_repo: PantsRepo, tmp_path: Path) -> None:
    manifest_before = pants_repo.path(MANIFEST).read_text()
    run = pants_repo.pants("generate-bindings", TARGET)
    assert run.returncode == 0, run.stderr
    assert pants_repo.path(MANIFEST).read_text() == manifest_before  # nothing new scanned

    # The engine's one-process CLI, on the same sources elsewhere, writes the same bytes.
    work = tmp_path / "cli"
    for rel in ("lib", "test"):
        shutil.copytree(pants_repo.path(f"{EXAMPLE}/{rel}"), work / rel)
    (work / "m.manifest").write_text(manifest_before)
    cli = [sys.executable, "-m", "snakebridge_rules.cli", "generate", "--library", "numpy",
           "--python", sys.executable, "--out", "out", "--manifest", "m.manifest", "lib", "test"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(cli, cwd=work, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    generated = pants_repo.path(f"{EXAMPLE}/generated")
    ours = {p.relative_to(generated): p.read_bytes() for p in generated.rglob("*.ex")}
    theirs = {p.relative_to(work / "out"): p.read_bytes() for p in (work / "out").rglob("*.ex")}
    assert ours == theirs
    assert (work / "m.manifest").read_text() == manifest_before


def test_warm_noop_runs_no_process(pants_repo: PantsRepo) -> None:
    run = pants_repo.pants("generate-bindings", "--check", TARGET)
    assert run.returncode == 0, run.stderr
    assert "up to date" in run.stdout
    assert run.steps_ran() == []


def test_edit_without_new_call_reruns_the_scan_and_check_only(pants_repo: PantsRepo) -> None:
    path = pants_repo.path(SOURCE)
    original = path.read_text()
    edit(path, original.replace("defmodule", "# an edit that adds no Python call\ndefmodule", 1))
    run = pants_repo.pants("generate-bindings", "--check", TARGET)
    assert run.returncode == 0, run.stderr
    # merge, introspect, render: cache hits; check tests the (moved) keyword lists
    assert sorted(run.steps_ran()) == ["check", "scan"]


def test_new_call_makes_check_fail_then_generate_adds_it(pants_repo: PantsRepo) -> None:
    add_function(pants_repo, "Numpy.cumsum(xs)")
    run = pants_repo.pants("generate-bindings", "--check", TARGET)
    assert run.returncode == 1
    assert f"{MANIFEST}: not manifest ∪ the calls the sources make" in run.stderr
    assert f"{NUMPY_EX}: stale" in run.stderr
    assert FIX in run.stderr
    assert sorted(run.steps_ran()) == ["check", "introspect", "merge", "render", "scan"]

    run = pants_repo.pants("generate-bindings", TARGET)
    assert run.returncode == 0, run.stderr
    assert "Numpy.cumsum/1\n" in pants_repo.path(MANIFEST).read_text()
    assert "def cumsum(" in pants_repo.path(NUMPY_EX).read_text()


def test_manifest_only_shrinks_with_prune(pants_repo: PantsRepo) -> None:
    path = pants_repo.path(SOURCE)
    text = path.read_text()
    start = text.index("\n  def extra(xs) do")
    edit(path, text[:start] + text[text.index("  end\n", start) + len("  end"):])
    run = pants_repo.pants("generate-bindings", "--check", TARGET)
    assert run.returncode == 0, run.stderr  # the manifest keeps the binding

    run = pants_repo.pants("generate-bindings", "--check", "--prune", TARGET)
    assert run.returncode == 1
    assert f"run: ./pants generate-bindings --prune {TARGET}" in run.stderr

    run = pants_repo.pants("generate-bindings", "--prune", TARGET)
    assert run.returncode == 0, run.stderr
    assert "Numpy.cumsum/1" not in pants_repo.path(MANIFEST).read_text()
    assert "def cumsum(" not in pants_repo.path(NUMPY_EX).read_text()
    assert pants_repo.pants("generate-bindings", "--check", TARGET).returncode == 0


def _state(repo: PantsRepo) -> tuple[dict[str, bytes], bytes]:
    """The generated tree and the manifest, as bytes."""
    generated = repo.path(f"{EXAMPLE}/generated")
    tree = {p.relative_to(generated).as_posix(): p.read_bytes()
            for p in sorted(generated.rglob("*")) if p.is_file()}
    return tree, repo.path(MANIFEST).read_bytes()


def _restore(repo: PantsRepo, state: tuple[dict[str, bytes], bytes]) -> None:
    generated = repo.path(f"{EXAMPLE}/generated")
    shutil.rmtree(generated)
    for rel, data in state[0].items():
        (generated / rel).parent.mkdir(parents=True, exist_ok=True)
        (generated / rel).write_bytes(data)
    repo.path(MANIFEST).write_bytes(state[1])


def _kill_in_write_window(repo: PantsRepo, rng: random.Random) -> bool:
    """Run the goal without pantsd (a kill then stops the writer itself); SIGKILL it a
    random 0-5 ms after its staging dir appears. True if the kill came before the end."""
    parent = repo.path(EXAMPLE)
    process = subprocess.Popen(repo.argv("--no-pantsd", "generate-bindings", TARGET),
                               cwd=repo.root, env=repo.env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    while process.poll() is None:
        if any(".snakebridge-" in name for name in os.listdir(parent)):
            time.sleep(rng.uniform(0.0, 0.005))
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.001)
    return False


def test_kill_9_of_the_goal_leaves_old_or_new(pants_repo: PantsRepo) -> None:
    """All or nothing: the goal killed at random moments of its write leaves the old
    bindings or the new ones (after the recovery every run starts with), never a mix."""
    old = _state(pants_repo)
    original = add_function(pants_repo, "Numpy.cumsum(xs)")
    try:
        run = pants_repo.pants("--no-pantsd", "generate-bindings", TARGET)
        assert run.returncode == 0, run.stderr
        new = _state(pants_repo)
        assert new != old
        rng, outcomes = random.Random(11), []
        for _ in range(6):
            _restore(pants_repo, old)
            killed = _kill_in_write_window(pants_repo, rng)
            tree = _state(pants_repo)[0]
            assert tree in (old[0], new[0]), "a mixed generated tree"
            recover(pants_repo.path(f"{EXAMPLE}/generated"), pants_repo.path(MANIFEST))
            state = _state(pants_repo)
            assert state in (old, new), "tree and manifest disagree after recovery"
            assert not [n for n in os.listdir(pants_repo.path(EXAMPLE)) if "snakebridge" in n]
            outcomes.append((killed, "new" if state == new else "old"))
        print("kill outcomes", outcomes)
    finally:
        edit(pants_repo.path(SOURCE), original)
    # Back to the old state through pantsd, which must see every file the kills left.
    run = pants_repo.pants("generate-bindings", "--prune", TARGET)
    assert run.returncode == 0, run.stderr
    assert _state(pants_repo) == old
    assert pants_repo.pants("generate-bindings", "--check", TARGET).returncode == 0


def test_unknown_symbol_is_reported_at_its_line(pants_repo: PantsRepo) -> None:
    before = pants_repo.path(NUMPY_EX).read_bytes()
    original = add_function(pants_repo, "Numpy.meen(xs)")
    line = line_of(pants_repo, "Numpy.meen(xs)")
    try:
        run = pants_repo.pants("generate-bindings", TARGET)
    finally:
        edit(pants_repo.path(SOURCE), original)
    assert run.returncode == 1
    assert f"{SOURCE}:{line}: Numpy.meen/1: numpy has no attribute 'meen'" in run.stderr
    assert "did you mean 'mean'" in run.stderr
    assert "Traceback" not in run.stderr and "Engine traceback" not in run.stderr
    assert pants_repo.path(NUMPY_EX).read_bytes() == before


def test_unparsable_file_is_reported_at_its_line(pants_repo: PantsRepo) -> None:
    broken = pants_repo.path(f"{EXAMPLE}/lib/broken.ex")
    edit(broken, "defmodule Broken do\n  def f(x) do\n    Numpy.mean(x\n  end\nend\n")
    try:
        run = pants_repo.pants("generate-bindings", TARGET)
    finally:
        broken.unlink()
        time.sleep(1.0)
    assert run.returncode == 1
    assert f"{EXAMPLE}/lib/broken.ex:" in run.stderr
    assert "Traceback" not in run.stderr and "Engine traceback" not in run.stderr


def test_export_codegen_writes_the_same_files(pants_repo: PantsRepo) -> None:
    run = pants_repo.pants("export-codegen", TARGET)
    assert run.returncode == 0, run.stderr
    exported = pants_repo.path(f"dist/codegen/{NUMPY_EX}")
    assert exported.read_bytes() == pants_repo.path(NUMPY_EX).read_bytes()


def test_worker_pex_has_the_locked_numpy(pants_repo: PantsRepo) -> None:
    run = pants_repo.pants("package", f"{EXAMPLE}:worker")
    assert run.returncode == 0, run.stderr
    pex = pants_repo.path("dist/examples.numpy_stats/worker.pex")
    probe = "import numpy, snakebridge_rules.worker.snakebridge_worker; print(numpy.__version__)"
    proc = subprocess.run(
        [sys.executable, str(pex), "-c", probe], capture_output=True, text=True,
        env={"PEX_INTERPRETER": "1", "PEX_ROOT": str(pants_repo.state / "pex_root"),
             "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    locked = REPO.joinpath("3rdparty/python/default.lock").read_text()
    assert f'"version": "{proc.stdout.strip()}"' in locked


def test_mix_test_runs_under_pants_test(pants_repo: PantsRepo) -> None:
    run = pants_repo.pants("test", f"{EXAMPLE}:mix-test")
    assert run.returncode == 0, run.stderr[-4000:]
    assert not pants_repo.path(f"{EXAMPLE}/_build").exists()  # it ran in a sandbox


OTHER_BUILD = """\
elixir_bindings(
    name="bindings",
    sources=["lib/*.ex"],
    libraries=["numpy"],
    python_requirements=["3rdparty/python:numpy"],
    output_dir="generated",
)
"""


def test_one_failing_target_does_not_block_the_others(pants_repo: PantsRepo) -> None:
    """Each target's problems are reported; every good target is still written."""
    other = pants_repo.path("other")
    (other / "lib").mkdir(parents=True)
    (other / "BUILD").write_text(OTHER_BUILD)
    edit(other / "lib/other.ex", "defmodule Other do\n  def f(xs), do: Numpy.meen!(xs)\nend\n")
    before = pants_repo.path(NUMPY_EX).read_bytes()
    pants_repo.path(NUMPY_EX).unlink()
    try:
        run = pants_repo.pants("generate-bindings", TARGET, "other:bindings")
    finally:
        shutil.rmtree(other)
        time.sleep(1.0)
    assert run.returncode == 1
    assert "other:bindings: cannot generate bindings:" in run.stderr
    assert "other/lib/other.ex:2: Numpy.meen/1: numpy has no attribute 'meen'" in run.stderr
    assert pants_repo.path(NUMPY_EX).read_bytes() == before  # the good target was written


# Four targets, each with a BUILD mistake (lines 1, 3, 5, 7); a field's value is checked
# per target, so none of them stops the others or an unrelated goal.
BAD_FIELDS_BUILD = "".join(
    f'elixir_bindings(name="{name}", libraries={libraries}, sources=["lib/*.ex"],\n'
    f'    python_requirements=["3rdparty/python:numpy"], output_dir="{name}")\n'
    for name, libraries in [("empty", "[]"), ("lower", '["numpy=lower"]'),
                            ("typo", '["nunpy"]'), ("unprovided", '["humanize"]')])


def test_a_bad_field_fails_its_target_only(pants_repo: PantsRepo) -> None:
    """Every good target is written, each bad one reported at its BUILD file:line."""
    bad = pants_repo.path("bad")
    (bad / "lib").mkdir(parents=True)
    (bad / "BUILD").write_text(BAD_FIELDS_BUILD)
    edit(bad / "lib/bad.ex", "defmodule Bad do\n  def f(xs), do: Numpy.mean(xs)\nend\n")
    pants_repo.path(NUMPY_EX).unlink(missing_ok=True)
    try:
        run = pants_repo.pants("generate-bindings", TARGET, "bad::")
        unrelated = pants_repo.pants("dependencies", "snakebridge_rules/cli.py")
        codegen = pants_repo.pants("export-codegen", "bad:typo")
    finally:
        shutil.rmtree(bad)
        time.sleep(1.0)
    assert run.returncode == 1, run.stderr
    assert pants_repo.path(NUMPY_EX).is_file()  # the good target was written
    for name, line, message in [
        ("empty", 1, "`libraries` names no Python module; name the ones to bind, e.g. "
                     '`libraries=["numpy"]`'),
        ("lower", 3, "`libraries`: --library 'numpy=lower': 'lower' is not an Elixir "
                     "module name"),
        ("typo", 5, "library 'nunpy' is not importable from `python_requirements` "
                    "[3rdparty/python:numpy] — did you mean 'numpy'?"),
        ("unprovided", 7, "library 'humanize' is not importable from `python_requirements` "
                          "[3rdparty/python:numpy] (add the `python_requirement` that "
                          "provides it)")]:
        assert f"bad:{name}: cannot generate bindings:\n  bad/BUILD:{line}: {message}" in (
            run.stderr), run.stderr
    assert "InvalidTargetException" not in run.stderr + unrelated.stderr
    assert unrelated.returncode == 0, unrelated.stderr
    assert "snakebridge_rules/__init__.py:engine" in unrelated.stdout
    # export-codegen words a failure as generate-bindings does, from the same place.
    assert codegen.returncode != 0
    assert "bad:typo: cannot generate bindings:\n  bad/BUILD:5: library 'nunpy'" in (
        codegen.stderr), codegen.stderr


# Passes the BUILD-level check (the requirement claims the modules) yet cannot import.
MISMAPPED_BUILD = """\
python_requirement(
    name="mismapped",
    requirements=["numpy>=2.0,<3"],
    modules=["zzmissing", "aamissing"],
    resolve="python-default",
)
elixir_bindings(
    name="bindings",
    sources=["lib/*.ex"],
    libraries=["zzmissing", "aamissing"],
    python_requirements=[":mismapped"],
    output_dir="generated",
)
"""


def test_import_failure_past_the_build_check_gets_the_build_fix(
        pants_repo: PantsRepo) -> None:
    """The engine's advice is Pants' (BUILD + generate-lockfiles), problems in order."""
    other = pants_repo.path("other")
    (other / "lib").mkdir(parents=True)
    (other / "BUILD").write_text(MISMAPPED_BUILD)
    edit(other / "lib/other.ex",
         "defmodule Other do\n  def f(x), do: {Zzmissing.f(x), Aamissing.g(x)}\nend\n")
    try:
        run = pants_repo.pants("generate-bindings", "other:bindings")
    finally:
        shutil.rmtree(other)
        time.sleep(1.0)
    assert run.returncode == 1, run.stderr
    lines = [line.strip() for line in run.stderr.splitlines()
             if "is not importable by" in line]
    assert [line.split(": ")[1].split()[0] for line in lines] == ["aamissing", "zzmissing"]
    for line in lines:
        assert line.startswith("other:bindings: ")
        assert "to the `python_requirements` of other:bindings, then run `" in line
        assert "generate-lockfiles`" in line
        assert "snakebridge lock" not in line and "pip install" not in line
    assert "Traceback" not in run.stderr and "Engine traceback" not in run.stderr


# At the build root, a `manifest` and a source file whose names look like options.
DASHED_BUILD = """\
elixir_bindings(
    name="dashed",
    sources=["-d.ex"],
    libraries=["numpy"],
    python_requirements=["3rdparty/python:numpy"],
    manifest="--x",
    output_dir="dashed_generated",
)
"""


def test_user_values_never_reach_the_engine_as_options(pants_repo: PantsRepo) -> None:
    """`--manifest=--x`, and source paths after `--`: argparse never reads them as flags."""
    build = pants_repo.path("BUILD")
    root_build = build.read_text()
    build.write_text(root_build + DASHED_BUILD)
    edit(pants_repo.path("-d.ex"), "defmodule D do\n  def f(x), do: Numpy.mean(x)\nend\n")
    try:
        run = pants_repo.pants("generate-bindings", "//:dashed")
        assert run.returncode == 0, run.stderr
        assert "Numpy.mean/1\n" in pants_repo.path("--x").read_text()
        assert "def mean(" in pants_repo.path("dashed_generated/numpy.ex").read_text()
    finally:
        build.write_text(root_build)
        for rel in ("-d.ex", "--x"):
            pants_repo.path(rel).unlink(missing_ok=True)
        shutil.rmtree(pants_repo.path("dashed_generated"), ignore_errors=True)
        time.sleep(1.0)


CRASHING_BUILD = """\
elixir_bindings(
    name="crash",
    sources=["crash/*.ex"],
    libraries=["numpy"],
    python_requirements=["3rdparty/python:numpy"],
    output_dir="crash/generated",
)
"""


def _kill_scan_of(path: str, done: threading.Event) -> bool:
    """SIGKILL (as the OOM killer would) the scan process whose argv names `path`."""
    while not done.is_set():
        for proc in Path("/proc").iterdir():
            try:
                argv = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"scan" in argv and path.encode() in argv:
                os.kill(int(proc.name), signal.SIGKILL)
                return True
        time.sleep(0.002)
    return False


def test_a_crashed_step_fails_its_target_only(pants_repo: PantsRepo) -> None:
    """A step that dies outside the engine's protocol is one problem of its target."""
    build = pants_repo.path("BUILD")
    root_build = build.read_text()
    (pants_repo.path("crash")).mkdir()
    build.write_text(root_build + CRASHING_BUILD)
    calls = "".join(f"  def f{i}(x), do: Numpy.mean(x) + {i}\n" for i in range(100_000))
    # Unique bytes: the scan cache must not make the scan too quick to catch.
    edit(pants_repo.path("crash/big.ex"), f"# {time.time_ns()}\ndefmodule C do\n{calls}end\n")
    pants_repo.path(NUMPY_EX).unlink(missing_ok=True)
    try:
        with ThreadPoolExecutor(1) as pool:
            done = threading.Event()
            killed = pool.submit(_kill_scan_of, "crash/big.ex", done)
            run = pants_repo.pants("generate-bindings", TARGET, "//:crash")
            done.set()
            assert killed.result(), "the scan of //:crash was never seen"
    finally:
        build.write_text(root_build)
        shutil.rmtree(pants_repo.path("crash"))
        time.sleep(1.0)
    assert run.returncode == 1, run.stderr
    assert "//:crash: cannot generate bindings:" in run.stderr, run.stderr
    assert "snakebridge scan for //:crash (1 files) crashed (exit -9); its last output:" in (
        run.stderr)
    assert pants_repo.path(NUMPY_EX).is_file()  # the good target was written
    assert "Engine traceback" not in run.stderr


def test_export_codegen_reports_problems_without_a_trace(pants_repo: PantsRepo) -> None:
    original = add_function(pants_repo, "Numpy.meen(xs)")
    line = line_of(pants_repo, "Numpy.meen(xs)")
    try:
        run = pants_repo.pants("export-codegen", TARGET)
    finally:
        edit(pants_repo.path(SOURCE), original)
    assert run.returncode != 0
    assert f"{SOURCE}:{line}: Numpy.meen/1: numpy has no attribute 'meen'" in run.stderr
    assert "Traceback (most recent call last)" not in run.stderr
    assert "Generate Elixir bindings" not in run.stderr  # no engine frames of ours


def test_lint_reports_stale_bindings_until_generated(pants_repo: PantsRepo) -> None:
    original = add_function(pants_repo, "Numpy.cumprod(xs)")
    try:
        run = pants_repo.pants("lint", TARGET)
        assert run.returncode == 1
        assert f"{NUMPY_EX}: stale" in run.stderr + run.stdout
        assert FIX in run.stderr + run.stdout
    finally:
        edit(pants_repo.path(SOURCE), original)
    run = pants_repo.pants("lint", TARGET)
    assert run.returncode == 0, run.stderr
