"""Shared fixtures: the repo root and the interpreters the tests run against."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

# One BuildGrid server per session, shared by the Bazel and remote-cache tests.
from tests.support.fixtures import buildgrid  # noqa: F401

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def numpy_python() -> str:
    """An interpreter whose environment has numpy (SNAKEBRIDGE_TEST_PYTHON, else ours)."""
    python = os.environ.get("SNAKEBRIDGE_TEST_PYTHON", sys.executable)
    return python


def require_tool(name: str) -> str:
    """The path of a tool the suite needs; a missing one is a failure, not a skip."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not on PATH: run ./dev setup")
    return path
