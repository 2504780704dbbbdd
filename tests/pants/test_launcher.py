"""`./pants` copied into another repository: missing pins are one clear line.

docs/pants.md tells another repository to reuse this launcher on machines where
scie-pants cannot be downloaded. Without `pants_version` the script used to call pip with
`pantsbuild.pants==` (a wall of versions) and leave a `venv-` directory behind.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("toml", [
    '[GLOBAL]\nplugins = ["snakebridge-pants==0.1.0"]\n',
    '[GLOBAL]\npants_version = "2.17.1"\n',  # no [pex-cli]
])
def test_missing_pins_are_named_before_anything_is_installed(tmp_path: Path, toml: str) -> None:
    shutil.copy(REPO / "pants", tmp_path / "pants")
    (tmp_path / "pants.toml").write_text(toml)
    boot = tmp_path / "boot"
    run = subprocess.run([str(tmp_path / "pants"), "--version"], cwd=tmp_path, text=True,
                         capture_output=True, timeout=60,
                         env={"PATH": "/usr/bin:/bin", "SNAKEBRIDGE_PANTS_BOOTSTRAP": str(boot)})
    assert run.returncode == 1
    assert run.stderr.count("\n") == 1, run.stderr
    assert "must set [GLOBAL] pants_version" in run.stderr and "[pex-cli]" in run.stderr
    assert not boot.exists()
