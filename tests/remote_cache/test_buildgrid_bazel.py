"""Bazel against the BuildGrid fixture: a second checkout is served from the remote cache.

This proves the fixture is a working REAPI cache (CAS + ActionCache + ByteStream) with the
client that is strictest about the protocol, independent of the Pants backend.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.buildgrid import BuildGrid

pytestmark = pytest.mark.slow

_FILES = {
    "WORKSPACE": "",
    "BUILD": (
        "genrule(\n"
        '    name = "upper",\n'
        '    srcs = ["input.txt"],\n'
        '    outs = ["upper.txt"],\n'
        '    cmd = "tr a-z A-Z < $< > $@",\n'
        ")\n"
    ),
    "input.txt": "served from the remote cache\n",
    # Strict action env keeps the client's PATH out of the action key (path-independent).
    ".bazelrc": (
        "startup --max_idle_secs=60\n"
        "build --incompatible_strict_action_env\n"
        "build --experimental_repository_disable_download\n"
    ),
}


def _bazel(workspace: Path, user_root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run bazel in WORKSPACE with its own output root; a failure fails the test."""
    bazel = shutil.which("bazel")
    if bazel is None:
        pytest.fail("bazel is not on PATH (Debian: apt-get install bazel-bootstrap)")
    proc = subprocess.run(
        [bazel, f"--output_user_root={user_root}", *args],
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode != 0:
        pytest.fail(f"bazel {' '.join(args)} exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    return proc


def _spawns(log: Path) -> list[dict]:
    """The spawns of an --execution_log_json_file (a stream of JSON objects, no array)."""
    text, decoder, spawns, pos = log.read_text(), json.JSONDecoder(), [], 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        spawn, pos = decoder.raw_decode(text, pos)
        spawns.append(spawn)
    return spawns


def _build(workspace: Path, user_root: Path, server: BuildGrid, log: Path) -> list[dict]:
    """Build //:upper with the remote cache and return its remotable spawns."""
    _bazel(
        workspace,
        user_root,
        "build",
        "//:upper",
        *server.bazel_flags,
        f"--execution_log_json_file={log}",
    )
    spawns = [s for s in _spawns(log) if s.get("remotable")]
    assert spawns, f"no remotable spawns in {log}"
    return spawns


def test_second_checkout_is_served_from_buildgrid(buildgrid: BuildGrid, tmp_path: Path) -> None:
    first, second = tmp_path / "one" / "ws", tmp_path / "elsewhere" / "checkout"
    for workspace in (first, second):
        workspace.mkdir(parents=True)
        for name, text in _FILES.items():
            (workspace / name).write_text(text)
    user_root = tmp_path / "bazel-root"
    try:
        cold = _build(first, user_root, buildgrid, tmp_path / "cold.json")
        assert not any(s["remoteCacheHit"] for s in cold), "the cache was not empty"
        expected = (first / "bazel-bin" / "upper.txt").read_bytes()
        _bazel(first, user_root, "clean", "--expunge")

        warm = _build(second, user_root, buildgrid, tmp_path / "warm.json")
        misses = [s["mnemonic"] for s in warm if not s["remoteCacheHit"]]
        assert not misses, f"remote cache misses at the second checkout: {misses}"
        assert (second / "bazel-bin" / "upper.txt").read_bytes() == expected
    finally:
        for workspace in (first, second):
            subprocess.run(
                ["bazel", f"--output_user_root={user_root}", "shutdown"],
                cwd=workspace,
                capture_output=True,
                timeout=120,
                check=False,
            )
