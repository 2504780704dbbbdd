"""Real Bazel on copies of examples/bazel_numpy, with its output root under a temp dir.

A checkout copy holds only what the rules need (the engine package, pyproject.toml,
README.md and the example workspace), so two copies at different paths show that
nothing depends on where a checkout lives. Copies come from one snapshot taken first,
so every copy holds the same engine even while the working tree is being edited.
Standard library only: the tests (conftest.py) and bench/bazel_cache.py share it.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = "examples/bazel_numpy"
MNEMONICS = ("SnakeBridgeScan", "SnakeBridgeManifest", "SnakeBridgeIntrospect",
             "SnakeBridgeCheck", "SnakeBridgeRender")
_BAZEL_TIMEOUT = 600


class BazelError(AssertionError):
    """A Bazel command that had to succeed failed; the message holds its output's tail."""


def copy_checkout(source: Path, dest: Path) -> Path:
    """A minimal SnakeBridge checkout at `dest`; returns the example workspace in it."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "bazel-*")
    shutil.copytree(source / "snakebridge_rules", dest / "snakebridge_rules", ignore=ignore)
    shutil.copytree(source / EXAMPLE, dest / EXAMPLE, ignore=ignore)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (source / name).is_file():
            shutil.copy2(source / name, dest / name)
    return dest / EXAMPLE


def read_execution_log(path: Path) -> list[dict]:
    """Bazel 4's --execution_log_json_file: concatenated JSON objects, one per spawn."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    decoder, spawns, index = json.JSONDecoder(), [], 0
    while True:
        while index < len(text) and text[index].isspace():
            index += 1
        if index >= len(text):
            return spawns
        spawn, index = decoder.raw_decode(text, index)
        spawns.append(spawn)


@dataclass
class Run:
    returncode: int
    output: str
    seconds: float
    spawns: list[dict] = field(default_factory=list)

    def mnemonics(self) -> list[str]:
        return sorted(s.get("mnemonic", "") for s in self.spawns)


@dataclass
class Workspace:
    """One workspace copy driven by its own Bazel server."""

    path: Path
    pristine: Path  # the same example in the snapshot, to restore edited files from
    user_root: Path
    disk_cache: Path
    logs: Path
    runs: int = 0

    @property
    def root(self) -> Path:
        """The checkout copy this workspace lives in."""
        return self.path.parents[len(Path(EXAMPLE).parts) - 1]

    def bazel(self, command: str, *args: str, check: bool = True) -> Run:
        self.runs += 1
        log = self.logs / f"exec-{self.runs}.json"
        extra = [] if command not in ("build", "test", "run") else [
            f"--disk_cache={self.disk_cache}", f"--execution_log_json_file={log}"]
        argv = ["bazel", f"--output_user_root={self.user_root}", "--max_idle_secs=300",
                command, *extra, *args]
        start = time.monotonic()
        done = subprocess.run(argv, cwd=self.path, capture_output=True, text=True,
                              timeout=_BAZEL_TIMEOUT, check=False)
        run = Run(done.returncode, done.stdout + done.stderr, time.monotonic() - start,
                  read_execution_log(log))
        if check and done.returncode != 0:
            raise BazelError(f"bazel {command} {' '.join(args)} failed:\n{run.output[-6000:]}")
        return run

    def restore(self, *relative: str) -> None:
        """Put files or directories of the example back as they are in the snapshot."""
        for name in relative:
            target, source = self.path / name, self.pristine / name
            if source.is_dir():
                shutil.rmtree(target, ignore_errors=True)
                shutil.copytree(source, target)
            else:
                shutil.copy2(source, target)

    def shutdown(self) -> None:
        subprocess.run(["bazel", f"--output_user_root={self.user_root}", "shutdown"],
                       cwd=self.path, capture_output=True, timeout=120, check=False)


@contextlib.contextmanager
def workspaces(root: Path) -> Iterator[Callable[[str], Workspace]]:
    """A factory of checkout copies under `root` sharing one output root and disk cache;
    every Bazel server it started is shut down on exit."""
    if shutil.which("bazel") is None:
        raise BazelError("bazel is not on PATH: run ./dev setup (Debian's bazel-bootstrap)")
    snapshot = root / "snapshot"
    copy_checkout(REPO, snapshot)
    made: list[Workspace] = []

    def make(name: str) -> Workspace:
        logs = root / "logs" / name
        logs.mkdir(parents=True)
        workspace = Workspace(copy_checkout(snapshot, root / name), snapshot / EXAMPLE,
                              root / "user_root", root / "disk_cache", logs)
        made.append(workspace)
        return workspace

    try:
        yield make
    finally:
        for workspace in made:
            workspace.shutdown()
