"""The three adapters agree: the CLI (`snakebridge generate`), Pants and Bazel, on the same
sources (`!` calls, `doc/1`, two libraries, a manifest-only call, then a typo in a name
and one in a keyword), write
byte-identical manifests and generated trees and report the same file:line messages;
and a new call into one library re-runs only that library's introspection in Pants and
in Bazel (counted from Pants' workunits and Bazel's execution log).

The locked numpy is the same in all three environments (3rdparty/python/default.lock,
examples/bazel_numpy/requirements.lock and the dev venv: numpy 2.4.6).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from snakebridge_rules.engine.manifest import HEADER
from tests.bazel.harness import Workspace, workspaces
from tests.pants.pantsrepo import REPO, PantsRepo

pytestmark = pytest.mark.slow

LIBRARIES = ["numpy", "numpy.linalg=LA"]
SOURCE = """\
defmodule Agree do
  @moduledoc "Calls through both libraries, raising twins and docs included."
  def run(xs) do
    m = Numpy.mean!(xs)
    {:ok, _} = Numpy.median(xs)
    LA.norm!(xs)
    Numpy.doc(:mean)
    m
  end
end
"""
MANIFEST = HEADER + "Numpy.std/1\n"
TYPO = ("    m = Numpy.mean!(xs)\n",
        "    m = Numpy.mean!(xs)\n    Numpy.meen!(xs)\n    Numpy.median(xs, axs: 0)\n")
NEW_CALL = ("    m = Numpy.mean!(xs)\n", "    m = Numpy.mean!(xs)\n    Numpy.cumsum(xs)\n")
PANTS_BUILD = f"""\
elixir_bindings(
    name="bindings",
    sources=["lib/*.ex"],
    libraries={LIBRARIES!r},
    python_requirements=["3rdparty/python:numpy"],
    manifest="bindings.manifest",
    output_dir="generated",
)
"""
BAZEL_BUILD = f"""\
load("@snakebridge_rules//:defs.bzl", "snakebridge_bindings")

snakebridge_bindings(
    name = "bindings",
    srcs = ["lib/agree.ex"],
    libraries = {LIBRARIES!r},
    manifest = "bindings.manifest",
    out_dir = "generated",
    python_env = "@numpy_env//:python",
    library_envs = {{"@numpy_env//:python": "numpy.linalg=LA"}},  # one env per library
)
"""
MESSAGE = re.compile(r"(?:agree/)?(lib/agree\.ex:\d+: .*)$", re.MULTILINE)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def messages(output: str) -> list[str]:
    return sorted(set(MESSAGE.findall(output)))


@dataclass
class Outcome:
    manifest: bytes
    generated: dict[str, bytes]
    typo_messages: list[str]


def write_sources(root: Path, source: str = SOURCE) -> None:
    (root / "lib").mkdir(parents=True, exist_ok=True)
    (root / "lib/agree.ex").write_text(source)


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    work = tmp_path_factory.mktemp("cli")
    write_sources(work)
    (work / "bindings.manifest").write_text(MANIFEST)
    argv = [sys.executable, "-m", "snakebridge_rules.cli", "generate", "--python",
            sys.executable, "--out", "generated", "--manifest", "bindings.manifest", "lib"]
    for library in LIBRARIES:
        argv[4:4] = ["--library", library]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(argv, cwd=work, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    outcome = Outcome((work / "bindings.manifest").read_bytes(), tree(work / "generated"), [])
    write_sources(work, SOURCE.replace(*TYPO))
    typo = subprocess.run(argv, cwd=work, capture_output=True, text=True, env=env)
    assert typo.returncode == 1
    outcome.typo_messages = messages(typo.stderr)
    return outcome


@pytest.fixture(scope="module")
def pants(pants_repo: PantsRepo) -> Iterator[tuple[PantsRepo, Outcome]]:
    root = pants_repo.path("agree")
    write_sources(root)
    (root / "BUILD").write_text(PANTS_BUILD)
    (root / "bindings.manifest").write_text(MANIFEST)
    time.sleep(1.0)
    run = pants_repo.pants("generate-bindings", "agree:bindings")
    assert run.returncode == 0, run.stderr
    outcome = Outcome((root / "bindings.manifest").read_bytes(), tree(root / "generated"), [])
    write_sources(root, SOURCE.replace(*TYPO))
    time.sleep(1.0)
    typo = pants_repo.pants("generate-bindings", "agree:bindings")
    assert typo.returncode == 1
    assert "Traceback" not in typo.stderr
    outcome.typo_messages = messages(typo.stderr)
    write_sources(root)
    time.sleep(1.0)
    yield pants_repo, outcome


@pytest.fixture(scope="module")
def bazel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, Outcome]]:
    with workspaces(tmp_path_factory.mktemp("bazel")) as make:
        workspace = make("agree")
        write_sources(workspace.path)
        (workspace.path / "BUILD.bazel").write_text(BAZEL_BUILD)
        (workspace.path / "bindings.manifest").write_text(MANIFEST)
        workspace.bazel("build", "//:bindings")
        bin_dir = workspace.path / "bazel-bin"
        outcome = Outcome((bin_dir / "bindings.manifest").read_bytes(),
                          tree(bin_dir / "bindings.generated"), [])
        write_sources(workspace.path, SOURCE.replace(*TYPO))
        typo = workspace.bazel("build", "//:bindings", check=False)
        assert typo.returncode != 0
        assert "Traceback" not in typo.output
        outcome.typo_messages = messages(typo.output)
        write_sources(workspace.path)
        yield workspace, outcome


def test_cli_pants_and_bazel_write_the_same_bytes(cli: Outcome, pants, bazel) -> None:
    assert cli.manifest == HEADER.encode() + (
        b"LA.norm/1\nNumpy.mean/1\nNumpy.median/1\nNumpy.std/1\n")
    assert sorted(cli.generated) == ["la.ex", "numpy.ex"]
    assert pants[1].manifest == cli.manifest
    assert bazel[1].manifest == cli.manifest
    assert pants[1].generated == cli.generated
    assert bazel[1].generated == cli.generated


def test_cli_pants_and_bazel_report_the_same_file_and_line(cli: Outcome, pants, bazel
                                                           ) -> None:
    line = SOURCE.replace(*TYPO).splitlines().index("    Numpy.meen!(xs)") + 1
    assert cli.typo_messages == [
        f"lib/agree.ex:{line}: Numpy.meen/1: numpy has no attribute 'meen' — did you mean "
        "'mean'?",
        f"lib/agree.ex:{line + 1}: Numpy.median/2: median() has no keyword 'axs' — did you "
        "mean 'axis'?"]
    assert pants[1].typo_messages == cli.typo_messages
    assert bazel[1].typo_messages == cli.typo_messages


def test_a_new_numpy_call_reintrospects_only_numpy_in_pants(pants) -> None:
    repo, _ = pants
    write_sources(repo.path("agree"), SOURCE.replace(*NEW_CALL))
    time.sleep(1.0)
    run = repo.pants("generate-bindings", "--check", "agree:bindings")
    assert run.returncode == 1  # stale: the new binding is not written yet
    ran = [d for d in run.snakebridge("Ran") if d.startswith("snakebridge introspect")]
    assert ran == ["snakebridge introspect numpy for agree:bindings"]


def test_a_new_numpy_call_reintrospects_only_numpy_in_bazel(bazel) -> None:
    workspace, _ = bazel
    write_sources(workspace.path, SOURCE.replace(*NEW_CALL))
    run = workspace.bazel("build", "//:bindings")
    introspections = [s for s in run.spawns if s.get("mnemonic") == "SnakeBridgeIntrospect"]
    assert len(introspections) == 1
    assert any("--library numpy " in " ".join(s.get("commandArgs", [])) + " "
               for s in introspections)
