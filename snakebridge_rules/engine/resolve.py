"""Resolve (lock) library constraints with uv, and build content-addressed venvs.

The lockfile must be the same on any machine: uv runs with its own and pip's
configuration files ignored and every UV_*/PIP_* variable of the caller removed, so a
site-wide pip.conf with constraints or find-links (as this machine has) cannot leak
into it; uv's header (which names temp files) and annotations are left out, and our
own header records only the target Python version and the requirements.

A venv is built once per lockfile digest, in a temporary directory renamed into place
when complete, so a crashed or concurrent build never leaves a half-made venv where
the cache expects a good one.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from snakebridge_rules.engine.files import write_atomic

HEADER = "# snakebridge lock v1"
_VERSION_LINE = re.compile(r"^# python-version: (\d+\.\d+)$", re.MULTILINE)
_INDEX_LINE = re.compile(r"^# index-url: (\S+)$", re.MULTILINE)
_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
_DROPPED_PREFIXES = ("UV_", "PIP_", "PYTHON", "VIRTUAL_ENV", "CONDA_")


class ResolveError(Exception):
    """uv failed or the lockfile is unusable; the message says what to do."""


def uv_binary() -> str:
    """The uv executable shipped by the `uv` Python package (a dependency of the engine)."""
    from uv import find_uv_bin

    return find_uv_bin()


def uv_environment() -> dict[str, str]:
    """The caller's environment minus any uv/pip/Python configuration, plus the CA bundle."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_DROPPED_PREFIXES)}
    env.update(UV_NO_CONFIG="1", PIP_CONFIG_FILE=os.devnull, UV_PYTHON_DOWNLOADS="never",
               UV_NO_PROGRESS="1", LC_ALL="C.UTF-8", TZ="UTC")
    if "SSL_CERT_FILE" not in env and os.path.isfile(_CA_BUNDLE):
        env["SSL_CERT_FILE"] = _CA_BUNDLE
    return env


def _run_uv(args: list[str], stdin: str | None = None) -> str:
    command = [uv_binary(), *args]
    try:
        done = subprocess.run(command, input=stdin, capture_output=True, text=True,
                              env=uv_environment(), check=False)
    except OSError as exc:
        raise ResolveError(f"cannot run uv ({command[0]}): {exc}") from None
    if done.returncode != 0:
        detail = done.stderr.strip() or done.stdout.strip() or f"exit status {done.returncode}"
        raise ResolveError(f"uv {args[0]} {args[1]} failed:\n{detail}")
    return done.stdout


def default_python_version() -> str:
    return f"{sys.version_info[0]}.{sys.version_info[1]}"


def lock(requirements: list[str], python_version: str, index_url: str | None = None) -> bytes:
    """The lockfile text for `requirements`: pinned versions with every hash."""
    if not re.fullmatch(r"3\.\d+", python_version):
        raise ResolveError(f"--python-version {python_version!r}: expected e.g. 3.11")
    args = ["pip", "compile", "-", "--generate-hashes", "--no-header", "--no-annotate",
            "--python-version", python_version, "--quiet"]
    if index_url:
        args += ["--index-url", index_url]
    body = _run_uv(args, stdin="".join(r.strip() + "\n" for r in requirements))
    header = [HEADER, f"# python-version: {python_version}",
              *([f"# index-url: {index_url}"] if index_url else []),
              *(f"# requirement: {r.strip()}" for r in sorted(requirements)),
              f"# regenerate with: snakebridge lock --python-version {python_version} "
              + " ".join(_shell_quote(r.strip()) for r in sorted(requirements)) + " -o FILE"]
    return ("\n".join(header) + "\n" + body).encode("utf-8")


def _shell_quote(text: str) -> str:
    return text if re.fullmatch(r"[\w.=-]+", text) else "'" + text.replace("'", "'\\''") + "'"


def write_lock(path: Path, requirements: list[str], python_version: str,
               index_url: str | None = None) -> bool:
    return write_atomic(path, lock(requirements, python_version, index_url))


def read_header(text: str, path: Path) -> tuple[str, str | None]:
    """The lock's target Python version and package index (None: PyPI)."""
    if not text.startswith(HEADER):
        raise ResolveError(f"{path}:1: not a snakebridge lockfile (run `snakebridge lock`)")
    version = _VERSION_LINE.search(text)
    if not version:
        raise ResolveError(f"{path}: the header has no '# python-version: X.Y' line")
    index = _INDEX_LINE.search(text)
    return version[1], index[1] if index else None


def default_cache_dir() -> Path:
    configured = os.environ.get("SNAKEBRIDGE_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "snakebridge"


def environment(lockfile: Path, cache_dir: Path, python: str | None = None) -> Path:
    """The interpreter of the lockfile's venv, built with hash checking if not cached."""
    data = lockfile.read_bytes()
    version, index_url = read_header(data.decode("utf-8", "replace"), lockfile)
    target = cache_dir / hashlib.sha256(data).hexdigest()
    interpreter = target / "bin" / "python"
    if interpreter.exists():
        return interpreter
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name[:16]}-", dir=target.parent))
    try:
        _build_venv(staging / "venv", lockfile, python or version, index_url)
        try:
            os.rename(staging / "venv", target)
        except OSError:
            if not interpreter.exists():  # not a concurrent build that won the race
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return interpreter


def _build_venv(path: Path, lockfile: Path, python: str, index_url: str | None) -> None:
    try:
        _run_uv(["venv", str(path), "--python", python, "--relocatable", "--quiet",
                 "--python-preference", "only-system", "--no-project"])
    except ResolveError as exc:
        raise ResolveError(f"{exc}\nno usable Python {python} was found: pass the base "
                           "interpreter with --python /path/to/python") from None
    index = ["--index-url", index_url] if index_url else []
    _run_uv(["pip", "sync", "--require-hashes", "--python", str(path / "bin" / "python"),
             "--quiet", *index, str(lockfile.resolve())])
