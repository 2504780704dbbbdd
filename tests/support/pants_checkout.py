"""Temporary checkouts of this repo for tests that drive the real `./pants`.

What is shared between checkouts, and why it is fair to share it:
- the Pants bootstrap (venv + Pex CLI), which ./pants keeps outside the checkout: a
  tool install, not build state. It must also be the *same* install for cache keys to
  match, since Pants 2.17 writes its interpreter's absolute path into every PEX
  process (docs/remote-cache.md);
- the named caches (downloaded wheels, Pex's interpreter and install caches): machine
  caches that hold no process results.
The local store (`--local-store-dir`) is what holds process results; callers give every
checkout its own, so a first run is really cold.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BOOTSTRAP = Path(
    os.environ.get("SNAKEBRIDGE_PANTS_BOOTSTRAP")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    / "snakebridge" / "pants-bootstrap"
)
NAMED_CACHES = Path.home() / ".cache" / "snakebridge" / "pants-tests" / "named_caches"


def copy_checkout(dest: Path) -> Path:
    """Copy the repo's files (tracked and untracked, minus ignored) to DEST."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for rel in filter(None, listing.split("\0")):
        src = REPO / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


def ensure_bootstrap() -> str:
    """Create the shared bootstrap unless it is complete (what ./pants does on first use).

    Returns '' when the bootstrap is usable, else the tail of Pants' error output. A
    complete one is detected by the files ./pants leaves (a venv's `.complete` marker
    and the Pex CLI), which saves a whole Pants start-up (~10-40 s) per session.
    """
    NAMED_CACHES.mkdir(parents=True, exist_ok=True)
    if any(BOOTSTRAP.glob("venv-*/.complete")) and any(BOOTSTRAP.glob("pex-v*")):
        return ""
    proc = subprocess.run(
        [str(REPO / "pants"), "--no-pantsd", "--version"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return "" if proc.returncode == 0 else proc.stderr[-3000:]
