"""Fixtures: one checkout copy and one pantsd for the whole session (see pantsrepo.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# --import-mode=importlib does not put the repo root on sys.path; tests.pants needs it.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.pants.pantsrepo import PantsRepo, copy_checkout  # noqa: E402
from tests.support.pants_checkout import BOOTSTRAP, ensure_bootstrap  # noqa: E402


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
