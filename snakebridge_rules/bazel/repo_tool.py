"""Repository-time helper of the Bazel rules: builds the engine and library environments.

Bazel repository rules run this script (standard library only, on the host's Python
3.11) while fetching `@snakebridge_engine` and each `snakebridge_python_env`. It is the
only place that touches the network (pip for the engine's dependencies, `snakebridge
env` for a lockfile); build actions never do.

A venv embeds its absolute path, so actions must not take one as an input: they run a
small wrapper script instead, and the wrapper's *text* carries the environment's
identity — a digest of the installed files, which is the same at any checkout path or
output base. Changing what is installed changes the wrapper and so every action key;
moving the checkout changes nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterator, List

# Files whose bytes depend on where or when the venv was made, not on what it holds:
# bytecode (embeds mtimes), pip's RECORD (hashes of scripts with absolute shebangs) and
# direct_url.json (the absolute path the engine was installed from).
_VOLATILE_SUFFIXES = (".pyc",)
_VOLATILE_NAMES = ("RECORD", "direct_url.json")

_WRAPPER = """\
#!/bin/sh
# {title}, written by the SnakeBridge Bazel repository rules.
# identity: {identity}
# interpreter: {version}
# Actions run this file, never the venv by its absolute path, so their cache keys hold
# the identity above and stay the same at any checkout path.
here=$(dirname "$(readlink -f "$0")")
exec "$here/{target}" "$@"
"""


class ToolError(Exception):
    """A step failed; the message says which and how to fix it."""


def _site_files(root: Path) -> Iterator[Path]:
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(_VOLATILE_SUFFIXES) or name in _VOLATILE_NAMES:
                continue
            yield Path(directory, name)


def identity(venv: Path) -> str:
    """Digest of what a venv has installed (paths relative to site-packages + bytes)."""
    digest = hashlib.sha256()
    for site in sorted(venv.glob("lib/python*/site-packages")):
        for path in _site_files(site):
            relative = path.relative_to(site).as_posix()
            data = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
            digest.update(f"{relative}\0{hashlib.sha256(data).hexdigest()}\n".encode())
    return "sha256:" + digest.hexdigest()


def _run(command: List[str], what: str, env: dict | None = None) -> str:
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        detail = (done.stderr.strip() or done.stdout.strip())[-4000:]
        raise ToolError(f"{what} failed (exit {done.returncode}): {' '.join(command)}\n{detail}")
    return done.stdout


def _version(python: str) -> str:
    return _run([python, "-c", "import sys; print(sys.version.split()[0], sys.platform)"],
                f"running {python}").strip()


def write_wrapper(repo: Path, title: str, target: str, venv: Path, python: str) -> None:
    """The `python` wrapper actions execute (mode 0755, replaced atomically)."""
    text = _WRAPPER.format(title=title, identity=identity(venv), version=_version(python),
                           target=target)
    staging = repo / ".python.tmp"
    staging.write_text(text, encoding="utf-8")
    staging.chmod(0o755)
    os.replace(staging, repo / "python")


def _copy_engine_source(checkout: Path, staging: Path) -> None:
    """Copy only what `pip install` needs, so the build never writes into the checkout."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "BUILD", "BUILD.*")
    shutil.copytree(checkout / "snakebridge_rules", staging / "snakebridge_rules", ignore=ignore)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (checkout / name).is_file():
            shutil.copy2(checkout / name, staging / name)


def build_engine(repo: Path, checkout: Path, python: str, pip_args: List[str]) -> None:
    """A venv with the engine (this checkout's package) and its pinned dependencies."""
    if not (checkout / "pyproject.toml").is_file():
        raise ToolError(f"{checkout}: not a SnakeBridge checkout (no pyproject.toml)")
    staging, venv = repo / ".engine-src", repo / "venv"
    for stale in (staging, venv):
        shutil.rmtree(stale, ignore_errors=True)
    _copy_engine_source(checkout, staging)
    _run([python, "-m", "venv", str(venv)], f"creating the engine venv with {python}")
    venv_python = str(venv / "bin" / "python")
    _run([venv_python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
          *pip_args, str(staging)], "installing the SnakeBridge engine (pip)")
    shutil.rmtree(staging)
    write_wrapper(repo, "SnakeBridge engine", "venv/bin/python", venv, venv_python)


def build_library_env(repo: Path, engine: Path, lockfile: Path, python: str | None) -> None:
    """The locked library environment, built by the engine's own `snakebridge env`."""
    command = [str(engine), "-m", "snakebridge_rules.cli", "env", str(lockfile),
               "--cache-dir", str(repo / "cache")]
    if python:
        command += ["--python", python]
    interpreter = Path(_run(command, f"snakebridge env {lockfile}").strip().splitlines()[-1])
    venv = interpreter.parent.parent
    target = interpreter.relative_to(repo).as_posix()
    write_wrapper(repo, f"SnakeBridge library environment of {lockfile.name}", target, venv,
                  str(interpreter))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="repo_tool.py", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    engine = sub.add_parser("engine", help="build @snakebridge_engine")
    engine.add_argument("--repo", type=Path, required=True)
    engine.add_argument("--python", required=True)
    engine.add_argument("--pip-arg", action="append", default=[])
    env = sub.add_parser("env", help="build a library environment from a lockfile")
    env.add_argument("--repo", type=Path, required=True)
    env.add_argument("--engine", type=Path, required=True)
    env.add_argument("--lockfile", type=Path, required=True)
    env.add_argument("--python")
    return parser


def main(argv: List[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "engine":
            checkout = Path(__file__).resolve().parent.parent.parent
            build_engine(args.repo, checkout, args.python, args.pip_arg)
        else:
            build_library_env(args.repo, args.engine, args.lockfile.resolve(), args.python)
    except (ToolError, OSError) as exc:
        print(f"snakebridge (bazel repository rule): {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
