"""The end-to-end suite's environment: the locked sympy/networkx/numpy environment
(`libraries.lock`, built by `snakebridge env` as a user would) seen through a venv
whose `.pth` adds this folder's `pkg/` fixtures, so one interpreter has them all."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
_PURELIB = "import sysconfig; print(sysconfig.get_paths()['purelib'])"


def _purelib(python: str) -> str:
    return subprocess.run([python, "-c", _PURELIB], capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.fixture(scope="session")
def locked_python() -> str:
    """The interpreter of the locked environment (built once per lockfile digest)."""
    done = subprocess.run([sys.executable, "-m", "snakebridge_rules.cli", "env",
                           str(HERE / "libraries.lock")], capture_output=True, text=True,
                          check=False, timeout=900)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture(scope="session")
def e2e_python(tmp_path_factory: pytest.TempPathFactory, locked_python: str) -> str:
    """The locked environment plus the fixture package `sbforms`."""
    root = tmp_path_factory.mktemp("e2e-env")
    base = subprocess.run([locked_python, "-c", "import sys; print(sys._base_executable)"],
                          capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([base, "-m", "venv", "--without-pip", str(root)], check=True)
    python = str(root / "bin" / "python")
    Path(_purelib(python), "sbforms.pth").write_text(
        f"{HERE / 'pkg'}\n{_purelib(locked_python)}\n", encoding="utf-8")
    return python
