"""The scanner never misses calls silently: what it cannot read or represent is an error
entry with file:line, and what elixirc accepts (NUL in strings and comments) it accepts."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _unprivileged_scan(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`snakebridge scan` without capabilities (we may be root: mode 000 must bite)."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        pytest.fail("bubblewrap is needed (./dev setup installs it)")
    return subprocess.run(
        [bwrap, "--unshare-user", "--cap-drop", "ALL", "--ro-bind", "/", "/", "--bind",
         str(root), str(root), "--dev", "/dev", "--proc", "/proc", "--chdir", str(root),
         sys.executable, "-m", "snakebridge_rules.cli", "scan", *args],
        capture_output=True, text=True, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        check=False, timeout=120)


def test_unreadable_directory_and_file_are_errors(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    (lib / "secret").mkdir(parents=True)
    (lib / "secret" / "a.ex").write_text("Numpy.hidden(1)\n")
    (lib / "b.ex").write_text("defmodule B do\n  def g(x), do: Numpy.var(x)\nend\n")
    (lib / "c.ex").write_text("Numpy.locked(1)\n")
    (lib / "secret").chmod(0)
    (lib / "c.ex").chmod(0)
    try:
        done = _unprivileged_scan(tmp_path, "--library", "numpy", "lib")
    finally:
        (lib / "secret").chmod(0o755)
        (lib / "c.ex").chmod(0o644)
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["calls"] == ["Numpy.var/1"]
    assert done.stderr.splitlines() == [
        "lib/c.ex:1:1: error: cannot read file: Permission denied",
        "lib/secret:1:1: error: cannot read directory: Permission denied"]


def test_nesting_deeper_than_the_parser_can_represent_is_an_error(facts_of) -> None:
    depth = 70_000
    facts = facts_of("defmodule D do\n  def f(x), do: " + "[" * depth + "Numpy.mean(x)"
                     + "]" * depth + "\nend\n")
    [error] = facts.errors
    assert error.line == 2
    assert "deeper than the scanner's parser can represent" in error.text
    assert "split the expression" in error.text


def test_deep_but_representable_nesting_is_scanned(facts_of) -> None:
    depth = 60_000
    facts = facts_of("[" * depth + "Numpy.mean(x)" + "]" * depth + "\n")
    assert facts.errors == [] and [c.text for c in facts.calls] == ["Numpy.mean/1"]


def test_nul_bytes_in_strings_and_comments_are_accepted(facts_of, tmp_path: Path) -> None:
    source = ('defmodule N do\n  # a \x00 comment\n  def f(x), do: Numpy.std("a\x00b")\n'
              "  def g, do: ~s(\x00)\nend\n")
    facts = facts_of(source)
    assert facts.errors == [] and [c.text for c in facts.calls] == ["Numpy.std/1"]
    (tmp_path / "n.ex").write_text(source.replace("Numpy.std", "String.length"))
    done = subprocess.run(["elixirc", "-o", str(tmp_path), str(tmp_path / "n.ex")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr  # what the scanner accepts, elixirc does


@pytest.mark.parametrize("option", ["--timeout", "--memory-mb", "--no-sandbox",
                                    "--parse-timeout", "--parse-memory-mb", "--cache-dir"])
def test_every_option_an_error_hint_names_exists_on_generate(option: str) -> None:
    done = subprocess.run([sys.executable, "-m", "snakebridge_rules.cli", "generate", "--help"],
                          capture_output=True, text=True, check=True, cwd=REPO)
    assert option in done.stdout
