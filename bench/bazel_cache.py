"""Bazel rules: cold build vs. no-op vs. a second checkout served from the disk cache.

Run: .venv/bin/python bench/bazel_cache.py   (about 2 minutes; real Bazel)

Fetching (the engine venv and the numpy environment) is timed apart from building, so
the ratio compares the binding actions alone: run cold in checkout A, then fetched from
`--disk_cache` in checkout B at another path after `bazel clean --expunge` in A.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.bazel.harness import Run, workspaces  # noqa: E402

TARGET = "//:bindings"


def critical_path(run: Run) -> float:
    """Bazel's own "Critical Path" (the actions), apart from loading and analysis."""
    match = re.search(r"Critical Path: ([0-9.]+)s", run.output)
    return float(match[1]) if match else float("nan")


def line(label: str, run: Run) -> str:
    hits = sum(1 for s in run.spawns if s.get("remoteCacheHit"))
    path = critical_path(run)
    actions = "" if path != path else (  # NaN: a fetch runs no actions
        f"  critical path {path:5.2f} s  spawns={len(run.spawns)} cache_hits={hits}")
    return f"{label:<34} {run.seconds:6.2f} s{actions}"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-bazel-") as tmp, \
            workspaces(Path(tmp)) as make:
        first = make("a")
        runs = {"A: fetch (engine + numpy env)": first.bazel("fetch", TARGET),
                "A: cold build": first.bazel("build", TARGET),
                "A: no-op rebuild": first.bazel("build", TARGET)}
        first.bazel("clean", "--expunge")
        second = make("b")
        runs["B: fetch (engine + numpy env)"] = second.bazel("fetch", TARGET)
        runs["B: build from the disk cache"] = second.bazel("build", TARGET)
        for label, run in runs.items():
            print(line(label, run))
        cold, cached = runs["A: cold build"], runs["B: build from the disk cache"]
        print(f"cached/cold build: wall {cached.seconds / cold.seconds:.2f}, "
              f"critical path {critical_path(cached) / critical_path(cold):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
