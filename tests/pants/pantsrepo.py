"""A temporary copy of the repo driven by the real `./pants` (tests/pants fixtures).

The Pants bootstrap (venv + Pex CLI) is shared with the checkout through symlinks (a
tool install, not build state), and so are the named caches (downloaded wheels) under
~/.cache; the local store is new for each session, so the first run is really cold.
pantsd stays up between runs, as it does for a developer, and is stopped at the end.
Every run logs its workunits (Pants' workunit_logger backend), so a test can see which
snakebridge processes really ran and which were cache hits.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.pants_checkout import NAMED_CACHES, REPO, copy_checkout

__all__ = ["REPO", "PantsRepo", "Run", "copy_checkout"]


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    processes: list[tuple[str, str]] = field(default_factory=list)  # (description, source)

    def snakebridge(self, source: str) -> list[str]:
        """Descriptions of this run's snakebridge engine processes with `source`."""
        return sorted(
            d for d, s in self.processes if d.startswith("snakebridge ") and s == source
            and not d.startswith(("snakebridge engine", "snakebridge environment"))
        )

    def steps_ran(self) -> list[str]:
        return [d.split()[1] for d in self.snakebridge("Ran")]


@dataclass
class PantsRepo:
    root: Path
    state: Path
    log_workunits: bool = True  # off for benchmarks: the JSON log costs time
    runs: int = 0

    def pants(self, *args: str, timeout: int = 900) -> Run:
        self.runs += 1
        logdir = self.state / f"workunits-{self.runs}"
        logdir.mkdir(parents=True)
        argv = self.argv(
            f"--workunit-logger-enabled={self.log_workunits}",
            f"--workunit-logger-logdir={logdir}",
            *args,
        )
        proc = subprocess.run(
            argv, cwd=self.root, capture_output=True, text=True, timeout=timeout, env=self.env
        )
        return Run(proc.returncode, proc.stdout, proc.stderr, _processes(logdir))

    def argv(self, *args: str) -> list[str]:
        """The ./pants command line with this session's store and caches."""
        return [
            str(self.root / "pants"),
            f"--local-store-dir={self.state / 'lmdb_store'}",
            f"--named-caches-dir={NAMED_CACHES}",
            *args,
        ]

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "NO_SCIE_WARNING": "1"}

    def path(self, rel: str) -> Path:
        return self.root / rel

    def stop_pantsd(self) -> None:
        for pid_file in self.root.glob(".pids/*/pantsd/pid"):
            with contextlib.suppress(ValueError, ProcessLookupError):
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)


def _processes(logdir: Path) -> list[tuple[str, str]]:
    found = []
    for log in logdir.glob("*.json"):
        for unit in json.loads(log.read_text()):
            meta = unit.get("metadata") or {}
            if unit.get("name") == "process" and "source" in meta:
                description = (unit.get("description") or "").removeprefix("Scheduling: ")
                found.append((description, meta["source"]))
    return found
