"""Pytest fixtures around tests/support/buildgrid.py (import them in a conftest)."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.support.buildgrid import BuildGrid, BuildGridError, running_buildgrid


@pytest.fixture(scope="session")
def buildgrid(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuildGrid]:
    """One BuildGrid server per session, with an empty cache; a failed start fails."""
    try:
        with running_buildgrid(tmp_path_factory.mktemp("buildgrid")) as server:
            yield server
    except BuildGridError as err:
        pytest.fail(f"BuildGrid: {err}", pytrace=False)
