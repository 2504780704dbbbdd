"""Runs the RuleRunner tests (tests/pants/in_pants) in Pants' own Python 3.9 venv."""

from __future__ import annotations

import subprocess

from tests.pants.pantsrepo import REPO


def test_rulerunner_suite(pants_bootstrap, tmp_path) -> None:
    python = next(pants_bootstrap.glob("venv-*/bin/python"))
    proc = subprocess.run(
        [
            str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider",
            "-o", "python_files=rulerunner_*.py", "-o", "addopts=", "-o", "testpaths=",
            "--rootdir", str(REPO / "tests/pants/in_pants"),
            str(REPO / "tests/pants/in_pants"),
        ],
        cwd=REPO, capture_output=True, text=True, timeout=600,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
