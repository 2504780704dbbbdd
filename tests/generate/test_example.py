"""examples/numpy_stats end to end: its `run` regenerates the numpy bindings with the
CLI and runs `mix test`, whose assertions check real numeric results from numpy."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "numpy_stats"


@pytest.mark.slow
def test_numpy_stats_example(numpy_python: str) -> None:
    manifest = (EXAMPLE / "bindings.manifest").read_bytes()
    env = {**os.environ, "NUMPY_PYTHON": numpy_python}
    done = subprocess.run([str(EXAMPLE / "run")], capture_output=True, text=True, env=env,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert " 0 failures" in done.stdout
    # the checked-in manifest already lists every call of the example: nothing new
    assert (EXAMPLE / "bindings.manifest").read_bytes() == manifest, "commit bindings.manifest"
