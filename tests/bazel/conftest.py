"""Fixtures of the Bazel tests (the harness is tests/bazel/harness.py)."""

from __future__ import annotations

from typing import Callable, Iterator

import pytest

from tests.bazel.harness import Workspace, workspaces


@pytest.fixture(scope="session")
def make_workspace(tmp_path_factory: pytest.TempPathFactory
                   ) -> Iterator[Callable[[str], Workspace]]:
    """Factory of workspace copies; Bazel servers are shut down after the session."""
    with workspaces(tmp_path_factory.mktemp("bazel")) as make:
        yield make
