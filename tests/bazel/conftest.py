"""Fixtures of the Bazel tests (the harness is tests/bazel/harness.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, Iterator

import pytest

# --import-mode=importlib does not put the repo root on sys.path; tests.bazel needs it.
_REPO = str(Path(__file__).resolve().parents[2])
if _REPO not in sys.path:
    sys.path.insert(0, _REPO)

from tests.bazel.harness import Workspace, workspaces  # noqa: E402
from tests.support.fixtures import buildgrid  # noqa: E402, F401


@pytest.fixture(scope="session")
def make_workspace(tmp_path_factory: pytest.TempPathFactory
                   ) -> Iterator[Callable[[str], Workspace]]:
    """Factory of workspace copies; Bazel servers are shut down after the session."""
    with workspaces(tmp_path_factory.mktemp("bazel")) as make:
        yield make
