"""The Bazel repository tool without Bazel (the build steps are engine subcommands:
tests/generate/test_steps.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from snakebridge_rules.bazel import repo_tool


@pytest.mark.parametrize("volatile", ["RECORD", "direct_url.json", "mod.cpython-311.pyc"])
def test_identity_ignores_where_and_when_a_venv_was_made(tmp_path: Path, volatile: str) -> None:
    def venv(root: Path, noise: str) -> Path:
        site = root / "lib/python3.11/site-packages/pkg"
        site.mkdir(parents=True)
        (site / "mod.py").write_text("x = 1\n")
        (site / volatile).write_text(noise)
        return root

    first, second = venv(tmp_path / "a", "/a/bin/x"), venv(tmp_path / "b", "/b/bin/x")
    assert repo_tool.identity(first) == repo_tool.identity(second)
    (second / "lib/python3.11/site-packages/pkg/mod.py").write_text("x = 2\n")
    assert repo_tool.identity(first) != repo_tool.identity(second)
