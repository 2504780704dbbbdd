"""Remote-cache tests share one BuildGrid server (tests/support/fixtures.py)."""

from __future__ import annotations

import sys
from pathlib import Path

# --import-mode=importlib does not put the repo root on sys.path; tests.support needs it.
_REPO = str(Path(__file__).resolve().parents[2])
if _REPO not in sys.path:
    sys.path.insert(0, _REPO)

from tests.support.fixtures import buildgrid  # noqa: E402, F401
