"""Dialyzer for generated bindings: a PLT of erts, kernel, stdlib, elixir and logger,
built once and cached by OTP and Elixir version (building takes minutes), and a run
over compiled `.beam` files that returns Dialyzer's warnings."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

import pytest

CACHE = Path(os.environ.get("SNAKEBRIDGE_CACHE", Path.home() / ".cache" / "snakebridge"))
_VERSIONS = ('IO.puts(:erlang.system_info(:otp_release) ++ \'-\' ++ '
             'String.to_charlist(System.version()))')
_LIBS = 'IO.puts(Enum.map_join([:elixir, :logger], " ", &:code.lib_dir(&1, :ebin)))'


def _elixir(expression: str) -> str:
    return subprocess.run(["elixir", "-e", expression], capture_output=True, text=True,
                          check=True).stdout.strip()


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not on PATH: run ./dev setup (Debian's erlang-dialyzer)")
    return path


def elixir_ebin() -> str:
    """Elixir's own ebin: Dialyzer needs `elixir_erl` to read Elixir's debug info."""
    return _elixir(_LIBS).split()[0]


def plt() -> Path:
    """The cached PLT for this OTP/Elixir, built (under a lock, atomically) if missing."""
    path = CACHE / "dialyzer" / f"otp{_elixir(_VERSIONS)}.plt"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            done = subprocess.run(
                [_tool("dialyzer"), "-pa", elixir_ebin(), "--build_plt", "--output_plt",
                 str(partial), "--apps", "erts", "kernel", "stdlib", "-r",
                 *_elixir(_LIBS).split()], capture_output=True, text=True, check=False)
            assert done.returncode in (0, 2) and partial.exists(), done.stdout + done.stderr
            partial.replace(path)
    return path


def warnings(ebin: Path) -> str:
    """Dialyzer's warnings for every `.beam` in `ebin` ("" when it has none)."""
    beams = sorted(str(p) for p in ebin.glob("*.beam"))
    assert beams, f"no .beam files in {ebin}"
    done = subprocess.run([_tool("dialyzer"), "-pa", elixir_ebin(), "--plts", str(plt()),
                           "--no_check_plt", "--quiet", *beams],
                          capture_output=True, text=True, check=False)
    assert done.returncode in (0, 2), done.stdout + done.stderr  # 2: warnings
    return done.stdout.strip() if done.returncode == 2 else ""
