"""All-or-nothing outputs: `kill -9` at random moments and a full disk leave the old
tree and manifest or the complete new ones, never a mix, and no leftovers."""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from snakebridge_rules.engine.generate.modules import HEADER
from snakebridge_rules.engine.generate.output import OutputError, recover, write_outputs
from snakebridge_rules.engine.tree import _explain, _SwapFailed

REPO = Path(__file__).resolve().parents[2]


def _files(count: int, version: str) -> dict[str, bytes]:
    return {f"lib/m{n:04d}.ex": f"{HEADER}\n# {version} {n}\n".encode() for n in range(count)}


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
            if p.is_file()}


_WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from snakebridge_rules.engine.generate.modules import HEADER
    from snakebridge_rules.engine.generate.output import write_outputs
    root = Path(sys.argv[1])
    files = {f"lib/m{n:04d}.ex": f"{HEADER}\\n# new {n}\\n".encode() for n in range(2000)}
    print("start", flush=True)
    write_outputs(root / "out", files, root / "bindings.manifest", b"new manifest\\n")
    print("done", flush=True)
""")


def _start_writer(root: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen([sys.executable, "-c", _WRITER, str(root)], cwd=REPO,
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline() == "start\n"
    return process


def test_kill_9_at_random_moments_leaves_old_or_new(tmp_path: Path) -> None:
    old, new = _files(1000, "old"), {k: v for k, v in _files(2000, "new").items()}
    rng = random.Random(11)
    seen = {"old": 0, "new": 0}
    duration = max(_timed_rewrite(tmp_path / f"timed{n}", old) for n in range(3))
    for run in range(80):  # at least 32 kills, and until both outcomes were seen
        if run >= 32 and seen["old"] and seen["new"]:
            break
        root = tmp_path / f"run{run}"
        root.mkdir()
        write_outputs(root / "out", old, root / "bindings.manifest", b"old manifest\n")
        process = _start_writer(root)
        time.sleep(rng.uniform(0.0, duration * 2))
        process.send_signal(signal.SIGKILL)
        process.wait()
        tree = _tree(root / "out")
        assert tree in (old, new), f"run {run}: a mixed tree of {len(tree)} files"
        recover(root / "out", root / "bindings.manifest")
        state = "old" if _tree(root / "out") == old else "new"
        manifest = (root / "bindings.manifest").read_bytes()
        assert manifest == f"{state} manifest\n".encode(), f"run {run}: {state} tree"
        assert sorted(p.name for p in root.iterdir()) == ["bindings.manifest", "out"]
        seen[state] += 1
        shutil.rmtree(root)
    assert seen["old"] and seen["new"], seen  # the kills really hit both sides


def _timed_rewrite(root: Path, old: dict[str, bytes]) -> float:
    """How long one uninterrupted 1,000 → 2,000 rewrite takes here (after `start`)."""
    root.mkdir()
    write_outputs(root / "out", old, root / "bindings.manifest", b"old manifest\n")
    process = _start_writer(root)
    began = time.monotonic()
    assert process.stdout.readline() == "done\n"
    process.wait()
    return time.monotonic() - began


def test_a_rerun_after_a_kill_cleans_up_and_completes(tmp_path: Path) -> None:
    write_outputs(tmp_path / "out", _files(3, "old"))
    (tmp_path / ".out.snakebridge-staging-dead").mkdir()  # a killed run's staging dir
    (tmp_path / ".out.snakebridge-staging-dead" / "x.ex").write_text("half")
    report = write_outputs(tmp_path / "out", _files(2, "new"))
    assert report.written and sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert _tree(tmp_path / "out") == _files(2, "new")


def test_unchanged_files_keep_their_inode_and_a_noop_touches_nothing(tmp_path: Path) -> None:
    files = _files(3, "same")
    write_outputs(tmp_path / "out", files)
    before = {p: os.stat(p) for p in (tmp_path / "out").rglob("*.ex")}
    changed = {**files, "lib/extra.ex": f"{HEADER}\n".encode()}
    write_outputs(tmp_path / "out", changed)
    for path, stat in before.items():
        assert (os.stat(path).st_ino, os.stat(path).st_mtime_ns) == (stat.st_ino,
                                                                     stat.st_mtime_ns)
    inode = os.stat(tmp_path / "out").st_ino
    assert not write_outputs(tmp_path / "out", changed).written
    assert os.stat(tmp_path / "out").st_ino == inode


_FULL_DISK = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from snakebridge_rules.engine.generate.modules import HEADER
    from snakebridge_rules.engine.generate.output import OutputError, write_outputs
    root = Path(sys.argv[1])
    def files(count, size):
        return {f"m{n:04d}.ex": (HEADER + "\\n" + "x" * size).encode() for n in range(count)}
    write_outputs(root / "out", files(20, 100), root / "m.manifest", b"old\\n")
    before = {p.name: p.read_bytes() for p in (root / "out").iterdir()}
    try:
        write_outputs(root / "out", files(2000, 4000), root / "m.manifest", b"new\\n")
        message = None
    except OutputError as exc:
        message = str(exc)
    after = {p.name: p.read_bytes() for p in (root / "out").iterdir()}
    print(json.dumps({"message": message, "same": before == after,
                      "manifest": (root / "m.manifest").read_text(),
                      "entries": sorted(p.name for p in root.iterdir())}))
""")


def _in_mount_namespace(mount: Path, size: str, command: str) -> subprocess.CompletedProcess:
    """Run `command` with a fresh tmpfs of `size` mounted on `mount`, in a private mount
    namespace (the mount vanishes with it)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.fail("unshare (util-linux) is needed for the mount-point tests")
    mount.mkdir()
    script = f"mount -t tmpfs -o size={size} tmpfs {mount} && {command}"
    done = subprocess.run([unshare, "-m", "--propagation", "private", "sh", "-c", script],
                          capture_output=True, text=True, cwd=REPO, check=False)
    assert done.returncode == 0, done.stderr
    return done


def test_a_full_disk_is_one_line_and_changes_nothing(tmp_path: Path) -> None:
    mount = tmp_path / "small"
    done = _in_mount_namespace(mount, "1m", f"{sys.executable} -c '{_FULL_DISK}' {mount}")
    result = json.loads(done.stdout)
    assert result["message"] and "\n" not in result["message"]
    assert "No space left on device" in result["message"]
    assert "free some space" in result["message"] and "swap" not in result["message"]
    assert "nothing was changed" in result["message"]
    assert result["same"] and result["manifest"] == "old\n"
    assert result["entries"] == ["m.manifest", "out"]


def test_output_error_is_raised_not_a_traceback(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(OutputError, match="nothing was changed"):
        write_outputs(blocker / "out", _files(1, "x"))


_MOUNT_POINT = textwrap.dedent("""
    import json, os, sys
    from pathlib import Path
    from snakebridge_rules.engine.generate.modules import HEADER
    from snakebridge_rules.engine.generate.output import OutputError, write_outputs
    mount = Path(sys.argv[1])
    (mount / "notes.txt").write_text("mine")
    os.chdir(mount.parent)
    try:
        write_outputs(mount, {"m.ex": (HEADER + "\\n").encode()})
        message = None
    except OutputError as exc:
        message = str(exc)
    print(json.dumps({"message": message, "entries": sorted(os.listdir(mount)),
                      "siblings": sorted(os.listdir(mount.parent))}))
""")


def test_a_mount_point_as_output_dir_says_so_and_changes_nothing(tmp_path: Path) -> None:
    """EBUSY: a mount point cannot be swapped; the message says that, not disk or fs."""
    mount = tmp_path / "mnt"
    done = _in_mount_namespace(mount, "1m", f"{sys.executable} -c '{_MOUNT_POINT}' {mount}")
    result = json.loads(done.stdout)
    message = result["message"]
    assert message and "\n" not in message
    assert "Device or resource busy" in message and "mount point" in message
    assert "subdirectory" in message and "nothing was changed" in message
    assert "space" not in message and "cannot swap" not in message
    assert result["entries"] == ["notes.txt"] and result["siblings"] == ["mnt"]


def test_out_dot_is_refused_clearly_by_the_cli(tmp_path: Path) -> None:
    """`--out .` would swap the caller's current directory away: one clear line, exit 1,
    nothing changed (the bug report: EBUSY blamed on the filesystem and the disk)."""
    (tmp_path / "t.ex").write_text("defmodule T do\n  def m(x), do: Statistics.mean(x)\nend\n")
    (tmp_path / "notes.txt").write_text("mine")
    before = sorted(os.listdir(tmp_path))
    done = subprocess.run([sys.executable, "-m", "snakebridge_rules.cli", "generate",
                           "--library", "statistics", "--python", sys.executable, "--out", ".",
                           "t.ex"], cwd=tmp_path, capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 1, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "current directory" in done.stderr and "subdirectory" in done.stderr
    assert "space" not in done.stderr and "swap" not in done.stderr
    assert sorted(os.listdir(tmp_path)) == before


def test_a_relative_or_symlinked_out_dir_is_resolved(tmp_path: Path, monkeypatch) -> None:
    """`sub/..`-style and symlinked output dirs swap the real directory, beside it."""
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    write_outputs(Path("../real"), _files(2, "old"))
    (tmp_path / "real" / "notes.txt").write_text("mine")
    (tmp_path / "link").symlink_to("real")
    write_outputs(Path("../work/../link"), _files(3, "new"))
    assert (tmp_path / "link").is_symlink()
    assert _tree(tmp_path / "real") == {**_files(3, "new"), "notes.txt": b"mine"}
    assert sorted(os.listdir(tmp_path)) == ["link", "real", "work"]


@pytest.mark.parametrize(("code", "swap", "says", "never"), [
    (errno.ENOSPC, False, "free some space", "swap"),
    (errno.EXDEV, True, "cannot swap directories", "space"),
    (errno.EINVAL, True, "cannot swap directories", "space"),
    (errno.ENOSYS, True, "cannot swap directories", "space"),
    (errno.EBUSY, True, "mount point", "space"),
    (errno.EACCES, False, "permissions", "space"),
    (errno.EINVAL, False, "Invalid argument", "swap"),  # not from renameat2: no fs blame
])
def test_each_cause_gets_its_own_advice(code: int, swap: bool, says: str, never: str) -> None:
    kind = _SwapFailed if swap else OSError
    message = str(_explain(kind(code, os.strerror(code), "/x/out"), Path("out")))
    assert message.startswith(f"writing out failed: {os.strerror(code)} (/x/out): ")
    assert says in message and never not in message and message.endswith("nothing was changed")
