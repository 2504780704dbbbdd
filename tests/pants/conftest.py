"""Fixtures: one checkout copy and one pantsd for the whole session (see pantsrepo.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# --import-mode=importlib does not put the repo root on sys.path; tests.pants needs it.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.pants.pantsrepo import BOOTSTRAP, NAMED_CACHES, REPO, PantsRepo, copy_checkout  # noqa: E402


@pytest.fixture(scope="session")
def pants_bootstrap() -> Path:
    """Create the shared bootstrap once (what ./pants does on a fresh machine)."""
    proc = subprocess.run(
        [str(REPO / "pants"), "--no-pantsd", "--version"],
        cwd=REPO, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "2.17.1"
    return BOOTSTRAP


@pytest.fixture(scope="session")
def pants_repo(pants_bootstrap: Path, tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("pants")
    repo = PantsRepo(copy_checkout(base / "checkout"), base / "state")
    NAMED_CACHES.mkdir(parents=True, exist_ok=True)
    yield repo
    repo.stop_pantsd()
