"""Fixtures of the introspection tests: user environments that hold the fixture packages.

The probe scrubs PYTHONPATH (on purpose), so a test library is made importable the way
a user's would be: a venv whose site-packages has a `.pth` line for the fixtures.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
OLDEST_PYTHON = Path("/root/.pyenv/versions/3.8.18/bin/python")


def make_env(base_python: str, root: Path) -> str:
    """A venv (no pip) whose path includes the fixture packages; returns its python."""
    subprocess.run([base_python, "-m", "venv", "--without-pip", str(root)], check=True)
    python = root / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip()
    Path(purelib, "sbfixtures.pth").write_text(
        f"{FIXTURES}\n{FIXTURES / 'hostile'}\n", encoding="utf-8")
    return str(python)


@pytest.fixture(scope="session")
def fixture_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Python 3.11 (the engine's base interpreter) with the fixture packages."""
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    base = Path(sysconfig.get_config_var("BINDIR")) / f"python{version}"
    return make_env(str(base), tmp_path_factory.mktemp("env311"))


@pytest.fixture(scope="session")
def oldest_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Python 3.8, the oldest the probe supports, with the fixture packages."""
    if not OLDEST_PYTHON.exists():
        pytest.fail(f"{OLDEST_PYTHON} is missing: the probe must be tested on Python 3.8")
    return make_env(str(OLDEST_PYTHON), tmp_path_factory.mktemp("env38"))


@pytest.fixture(scope="session")
def cli():
    """`cli(command, *argv)`: a snakebridge subcommand run in a fresh engine process."""
    return run_command


def run_command(name: str, *argv: str, env: dict[str, str] | None = None,
                cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run one `snakebridge` subcommand in a fresh engine process."""
    return subprocess.run([sys.executable, "-m", "snakebridge_rules.cli", name, *argv],
                          capture_output=True, text=True, env=env, cwd=cwd, check=False)
