"""Fixtures: one checkout copy and one pantsd for the whole session (see pantsrepo.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pants.pantsrepo import PantsRepo, copy_checkout
from tests.support.pants_checkout import BOOTSTRAP, ensure_bootstrap


@pytest.fixture(scope="session")
def pants_bootstrap() -> Path:
    """Create the shared bootstrap once (what ./pants does on a fresh machine)."""
    error = ensure_bootstrap()
    assert not error, error
    return BOOTSTRAP


@pytest.fixture(scope="session")
def pants_repo(pants_bootstrap: Path, tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("pants")
    repo = PantsRepo(copy_checkout(base / "checkout"), base / "state")
    yield repo
    repo.stop_pantsd()
