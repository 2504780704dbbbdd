"""Replacing a directory of generated files (and a manifest): all or nothing.

Standard library only and Python 3.8 compatible: the Pants goal (inside Pants) and the
Bazel update step use this writer as `generate` and `render` do (generate/output.py).

The new tree is built complete in a sibling staging dir (unchanged and foreign files
hard-linked, so their inodes and mtimes stay), then swapped in with one atomic
`renameat2(RENAME_EXCHANGE)`: under `kill -9` at any moment, or a full disk, the
output dir is the old tree or the new one, never a mix. The manifest travels with
it: a journal written before the swap lets the next run finish (or undo) a commit
that was interrupted between the swap and the manifest's rename, and staging leftovers
of killed runs are removed then. A run that would change nothing touches nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Dict, Optional, Tuple

_PATH_PART = re.compile(r"^[a-z0-9_]+(\.ex)?$")
_STAGING = ".snakebridge-staging-"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class OutputError(Exception):
    """Writing failed (full disk, permissions); nothing was changed. One line."""


class _SwapFailed(OSError):
    """renameat2(RENAME_EXCHANGE) refused: its EINVAL/EXDEV/ENOSYS mean "cannot swap"."""


_NO_SWAP = ("this filesystem (or kernel) cannot swap directories atomically "
            "(renameat2 RENAME_EXCHANGE); put the output directory on a local filesystem "
            "such as ext4, xfs, btrfs or tmpfs")
_PERMISSION = ("check the permissions of the output directory and of its parent (the new "
               "tree is built beside it)")
_ADVICE = {
    errno.ENOSPC: "free some space and run again",
    errno.EDQUOT: "free some space (disk quota exceeded) and run again",
    errno.EBUSY: ("it is a mount point (or otherwise in use), which cannot be replaced as "
                  "a whole; use a subdirectory of it as the output directory"),
    errno.EACCES: _PERMISSION,
    errno.EPERM: _PERMISSION,
    errno.EROFS: "the filesystem is read-only; choose an output directory on a writable one",
}


def _explain(exc: OSError, shown: Path) -> OutputError:
    """One line: what failed, the errno's meaning, advice for that cause (and no other)."""
    code = exc.errno
    if isinstance(exc, _SwapFailed) and code in (errno.EINVAL, errno.EXDEV, errno.ENOSYS):
        advice = _NO_SWAP
    else:
        advice = _ADVICE.get(code, "fix the cause and run again")
    where = f" ({exc.filename})" if exc.filename else ""
    return OutputError(f"writing {shown} failed: {exc.strerror or exc}{where}: {advice}; "
                       "nothing was changed")


def _resolved(path: Path) -> Path:
    """Absolute, symlinks resolved: `.`, `..` or a symlinked directory name the real
    directory, so the staging dir is its true sibling and the swap replaces it."""
    return Path(os.path.realpath(path))


def _refuse_current_dir(out_dir: Path, shown: Path) -> None:
    """The swap replaces the directory as a whole: a shell inside it would be left in a
    deleted directory, so the current directory (or one holding it) is refused."""
    with contextlib.suppress(OSError):
        cwd = _resolved(Path(os.getcwd()))
        if cwd == out_dir or out_dir in cwd.parents:
            raise OutputError(
                f"writing {shown} failed: it is the current directory or contains it "
                f"({out_dir}); the output directory is replaced as a whole, which would "
                "leave this shell in a deleted directory; use a subdirectory of it (such as "
                "lib/bindings) as the output directory; nothing was changed")


class UnsafePath(ValueError):
    """An output path that could land outside the output directory."""


def checked_path(out_dir: Path, relative: str) -> Path:
    """`out_dir / relative`, refusing anything that is not a plain relative path inside.

    Module paths come from validated module names, so this never fires for our own
    output; it is the last gate before a byte is written.
    """
    parts = PurePosixPath(relative).parts
    if (not parts or relative.startswith("/")
            or not all(_PATH_PART.match(p) for p in parts) or not relative.endswith(".ex")):
        raise UnsafePath(f"{relative!r} is not a relative module path inside {out_dir}")
    return out_dir / Path(*parts)


#: Decides whether an existing file that is no longer produced stays (None: none do).
Keep = Optional[Callable[[str, Path], bool]]


@dataclass
class WriteReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    manifest_changed: bool = False


def _existing(out_dir: Path) -> dict[str, Path]:
    if not out_dir.is_dir():
        return {}
    return {p.relative_to(out_dir).as_posix(): p for p in sorted(out_dir.rglob("*"))
            if p.is_file() or p.is_symlink()}


def _plan(out_dir: Path, files: Dict[str, bytes], keep: Keep) -> Tuple[
        WriteReport, Dict[str, Path]]:
    """What changes, and the old files the new tree keeps (unchanged or foreign)."""
    report, kept = WriteReport(), {}
    existing = _existing(out_dir)
    for relative in sorted(files):
        checked_path(out_dir, relative)
        old = existing.get(relative)
        if old is not None and not old.is_symlink() and old.read_bytes() == files[relative]:
            report.unchanged.append(relative)
            kept[relative] = old
        else:
            report.written.append(relative)
    for relative, path in existing.items():
        if relative in files:
            continue
        if keep is not None and keep(relative, path):
            kept[relative] = path
        else:
            report.removed.append(relative)
    return report, kept


def write_tree(out_dir: Path, files: Dict[str, bytes], manifest: Path | None = None,
               manifest_data: bytes = b"", keep: Keep = None) -> WriteReport:
    """Make `out_dir` hold `files` (and `manifest` hold `manifest_data`) atomically.

    Existing files that are not in `files` go, unless `keep` says they stay. Raises
    OutputError when the disk refuses, UnsafePath for a path outside `out_dir`.
    """
    shown, out_dir = out_dir, _resolved(out_dir)
    manifest = _resolved(manifest) if manifest is not None else None
    _refuse_current_dir(out_dir, shown)
    recover(out_dir, manifest)
    try:
        report, kept = _plan(out_dir, files, keep)
        manifest_stale = manifest is not None and _differs(manifest, manifest_data)
        tree_stale = bool(report.written or report.removed) or not out_dir.is_dir()
        if not (tree_stale or manifest_stale):
            return report
        staged = _stage(out_dir, files, report.written, kept) if tree_stale else None
        staged_manifest = _stage_file(manifest, manifest_data) if manifest_stale else None
        _commit(out_dir, staged, manifest, staged_manifest)
    except OSError as exc:
        recover(out_dir, manifest)
        raise _explain(exc, shown) from None
    report.manifest_changed = manifest_stale
    return report


def _differs(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() != data
    except FileNotFoundError:
        return True


def _staging_prefix(target: Path) -> str:
    return f".{target.name}{_STAGING}"


def _stage(out_dir: Path, files: dict[str, bytes], written: list[str],
           kept: dict[str, Path]) -> Path:
    """The complete new tree in a sibling dir (same filesystem: rename works)."""
    if out_dir.is_dir() and os.path.ismount(out_dir):  # the swap would refuse it, later
        raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(out_dir))
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=_staging_prefix(out_dir), dir=out_dir.parent))
    os.chmod(staged, 0o755)
    for relative in sorted(set(written) | set(kept)):
        target = staged / relative
        _mkdirs(target.parent, staged)
        if relative in kept and kept[relative].is_symlink():
            os.symlink(os.readlink(kept[relative]), target)
        elif relative in kept:
            os.link(kept[relative], target)
        else:
            _write_new(target, files[relative])
    return staged


def _mkdirs(directory: Path, root: Path) -> None:
    """Parents of a staged file, mode 0755 whatever the umask (deterministic trees)."""
    missing = []
    while directory != root and not directory.is_dir():
        missing.append(directory)
        directory = directory.parent
    for path in reversed(missing):
        path.mkdir()
        os.chmod(path, 0o755)


def _write_new(path: Path, data: bytes) -> None:
    with open(path, "xb") as handle:
        handle.write(data)
    os.chmod(path, 0o644)


def _stage_file(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=_staging_prefix(path), dir=path.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(name, 0o644)
    return Path(name)


def _journal(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.snakebridge-commit"


def _commit(out_dir: Path, staged: Path | None, manifest: Path | None,
            staged_manifest: Path | None) -> None:
    """Swap the tree, then rename the manifest; the journal makes the pair atomic."""
    if staged is None:
        os.replace(staged_manifest, manifest)
        return
    journal = _journal(out_dir)
    record = {"tree": os.stat(staged).st_ino, "staged": staged.name,
              "manifest": str(manifest) if staged_manifest else None,
              "staged_manifest": str(staged_manifest) if staged_manifest else None}
    _write_journal(journal, record)
    _swap(staged, out_dir)
    _finish(journal, record, out_dir)


def _write_journal(journal: Path, record: dict) -> None:
    staging = journal.with_name(journal.name + ".tmp")
    staging.write_text(json.dumps(record), encoding="utf-8")
    os.replace(staging, journal)


def _swap(staged: Path, out_dir: Path) -> None:
    """`out_dir` becomes the staged tree in one step; the old tree is left at `staged`."""
    if not out_dir.exists():
        os.rename(staged, out_dir)
        return
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:  # a C library older than glibc 2.28
        raise _SwapFailed(errno.ENOSYS, os.strerror(errno.ENOSYS), str(out_dir))
    if renameat2(_AT_FDCWD, os.fsencode(staged), _AT_FDCWD, os.fsencode(out_dir),
                 _RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise _SwapFailed(code, os.strerror(code), str(out_dir))


def _finish(journal: Path, record: dict, out_dir: Path) -> None:
    """Complete a swapped commit: the manifest, then the old tree and the journal go."""
    if record["staged_manifest"] and os.path.exists(record["staged_manifest"]):
        os.replace(record["staged_manifest"], record["manifest"])
    shutil.rmtree(out_dir.parent / record["staged"], ignore_errors=True)
    journal.unlink(missing_ok=True)


def recover(out_dir: Path, manifest: Path | None = None) -> None:
    """Finish an interrupted commit whose swap happened; undo one whose swap did not;
    remove staging leftovers of killed runs."""
    out_dir = _resolved(out_dir)
    manifest = _resolved(manifest) if manifest is not None else None
    journal = _journal(out_dir)
    record = None
    with contextlib.suppress(OSError, ValueError):
        record = json.loads(journal.read_text(encoding="utf-8"))
    if isinstance(record, dict):
        with contextlib.suppress(OSError):
            if os.stat(out_dir).st_ino == record.get("tree"):
                _finish(journal, record, out_dir)
    for target in (out_dir, manifest):
        if target is None or not target.parent.is_dir():
            continue
        for leftover in target.parent.glob(_staging_prefix(target) + "*"):
            _remove(leftover)
    for stale in (journal, journal.with_name(journal.name + ".tmp")):
        _remove(stale)


def _remove(path: Path) -> None:
    """Delete a leftover, whatever it is; one that is already gone is fine."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()
