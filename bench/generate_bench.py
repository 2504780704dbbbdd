"""`snakebridge generate` speed on numpy, lazy vs eager (issues 3 and 14, Speed).

Every figure is the median of fresh processes (after one untimed warm-up each), nothing
cached between runs:

- floor:   `python -c "import numpy"` in the target interpreter;
- lazy:    `snakebridge generate` (fresh engine process: scan of one Elixir file,
           sandboxed probe, static pass, render, write) for the issue's 30 symbols;
- one:     the same for a file that calls one symbol: (lazy - one) / 29 is the cost
           per additional symbol;
- scan:    lazy with its scan answered by a warm `--cache-dir`: the difference is what
           the scan (parser load, query compile, parse) costs lazy (eager scans nothing);
- eager:   `generate --all` (every public numpy symbol): time, output size;
- compile: each output compiled two ways: `elixirc` as a whole process (the runtime
           precompiled on the code path) beside `elixirc` of an empty module (the VM and
           compiler start-up), and inside a running compiler (bench/compile_in_vm.exs,
           warmed up), which is what `mix compile` pays for the bindings: its VM and
           compiler start once per build, whatever it compiles.
Ratio: eager vs lazy, generate + compile, both ways.

The engine runs from compiled bytecode, as an installed package does (a private
PYTHONPYCACHEPREFIX: this machine sets PYTHONDONTWRITEBYTECODE, which would otherwise
recompile the engine's modules on every run).

Usage: python bench/generate_bench.py [--python PY] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parent.parent
SYMBOLS = [
    "mean", "std", "var", "median", "sum", "cumsum", "diff", "sqrt", "exp", "log", "abs",
    "round", "clip", "where", "array", "arange", "linspace", "zeros", "ones", "dot", "matmul",
    "transpose", "concatenate", "argmax", "sort", "unique", "polyfit", "Linalg.norm",
    "Linalg.inv", "Random.default_rng",
]
ARITY = {"dot": 2, "matmul": 2, "linspace": 2, "polyfit": 3, "Random.default_rng": 0}


def elixir_source(symbols: list[str]) -> str:
    """One Elixir module that calls each symbol once (what the scan finds)."""
    calls = []
    for n, symbol in enumerate(symbols):
        args = ", ".join("x" for _ in range(ARITY.get(symbol, 1)))
        calls.append(f"  def f{n}(x), do: {{x, Numpy.{symbol}({args})}}")
    return "defmodule Bench do\n" + "\n".join(calls) + "\nend\n"


class Timing(NamedTuple):
    wall: float  # ms
    cpu: float  # ms of user + system time of the child processes (load-insensitive)

    def __str__(self) -> str:
        return f"{self.wall:8.1f} ms wall {self.cpu:8.1f} ms cpu"

    def __add__(self, other: tuple) -> Timing:  # type: ignore[override]
        return Timing(self.wall + other[0], self.cpu + other[1])

    def ratio(self, other: Timing) -> str:
        return f"{self.wall / other.wall:5.2f}x wall {self.cpu / other.cpu:5.2f}x cpu"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


ENGINE_ENV: dict[str, str] = {}  # set in main: bytecode in a private cache prefix


def timed(command: list[str], cwd: Path | None = None,
          env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh process (and its children)."""
    cpu, start = _children_cpu(), time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=cwd, check=False,
                          env=env)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return time.perf_counter() - start, _children_cpu() - cpu


def interleaved_ms(runs: int, actions: dict[str, Callable[[], tuple[float, float]]],
                   ) -> dict[str, Timing]:
    """Median per action over `runs` rounds after one warm-up; each round runs every
    action once, so a load spike on this shared machine hits all of them alike."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in actions}
    for action in actions.values():
        action()
    for _ in range(runs):
        for action_name, action in actions.items():
            samples[action_name].append(action())
    return {name: Timing(statistics.median(w for w, _ in values) * 1000,
                         statistics.median(c for _, c in values) * 1000)
            for name, values in samples.items()}


def generate(python: str, out: Path, sources: list[Path], eager: bool = False,
             cache: Path | None = None) -> Callable:
    def run() -> tuple[float, float]:
        shutil.rmtree(out, ignore_errors=True)  # every file written
        return timed([sys.executable, "-m", "snakebridge_rules.cli", "generate", "--library",
                      "numpy", "--python", python, "--out", str(out),
                      *(["--all"] if eager else []),
                      *(["--cache-dir", str(cache)] if cache else []),
                      *map(str, sources)], env=ENGINE_ENV)
    return run


def compile_runtime(ebin: Path) -> None:
    ebin.mkdir()
    sources = sorted(str(p) for p in (REPO / "runtime" / "lib").rglob("*.ex"))
    subprocess.run(["elixirc", "-o", str(ebin), *sources], check=True,
                   stdout=subprocess.DEVNULL)


def _sources(generated: Path) -> list[str]:
    return sorted(str(p) for p in generated.rglob("*.ex"))


def compiler(runtime: Path, generated: Path, ebin: Path) -> Callable:
    """`elixirc` as a whole process: VM and compiler start-up included."""
    def run() -> tuple[float, float]:
        shutil.rmtree(ebin, ignore_errors=True)
        ebin.mkdir()
        return timed(["elixirc", "--warnings-as-errors", "-pa", str(runtime), "-o", str(ebin),
                      *_sources(generated)])
    return run


def in_vm_compiler(runtime: Path, generated: Path, ebin: Path) -> Callable:
    """The compile alone, in a running and warmed-up compiler (what `mix compile` pays)."""
    def run() -> tuple[float, float]:
        shutil.rmtree(ebin, ignore_errors=True)
        done = subprocess.run(["elixir", str(REPO / "bench" / "compile_in_vm.exs"),
                               str(runtime), str(ebin), *_sources(generated)],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"compile_in_vm.exs failed:\n{done.stderr[-3000:]}")
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        return figures["wall_ms"] / 1000, figures["cpu_ms"] / 1000
    return run


def size(directory: Path) -> tuple[int, int, int]:
    """Bytes, files and `def`s (both forms of each binding) of a generated directory."""
    files = list(directory.rglob("*.ex"))
    texts = [p.read_text() for p in files]
    return (sum(len(t.encode()) for t in texts), len(files),
            sum(t.count("\n  def ") for t in texts))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ENGINE_ENV.update({k: v for k, v in os.environ.items()
                           if k != "PYTHONDONTWRITEBYTECODE"},
                          PYTHONPYCACHEPREFIX=str(root / "pycache"))
        (root / "thirty.ex").write_text(elixir_source(SYMBOLS))
        (root / "one.ex").write_text(elixir_source(["mean"]))
        compile_runtime(root / "runtime")
        gen = interleaved_ms(args.runs, {
            "floor": lambda: timed([args.python, "-c", "import numpy"]),
            "lazy": generate(args.python, root / "lazy", [root / "thirty.ex"]),
            "one": generate(args.python, root / "one", [root / "one.ex"]),
            "cached scan": generate(args.python, root / "cached", [root / "thirty.ex"],
                                    cache=root / "scan-cache"),
        })
        eager_runs = max(1, args.runs // 2)
        gen["eager"] = interleaved_ms(eager_runs, {
            "eager": generate(args.python, root / "eager", [], eager=True)})["eager"]
        (root / "empty" / "e.ex").parent.mkdir()
        (root / "empty" / "e.ex").write_text("defmodule Empty do\nend\n")
        compiled = interleaved_ms(eager_runs, {
            "floor": compiler(root / "runtime", root / "empty", root / "empty.ebin"),
            "lazy": compiler(root / "runtime", root / "lazy", root / "lazy.ebin"),
            "eager": compiler(root / "runtime", root / "eager", root / "eager.ebin"),
        })
        in_vm = interleaved_ms(eager_runs, {
            "lazy": in_vm_compiler(root / "runtime", root / "lazy", root / "lazy.vm"),
            "eager": in_vm_compiler(root / "runtime", root / "eager", root / "eager.vm"),
        })
        vm_start = interleaved_ms(eager_runs, {"elixir": lambda: timed(["elixir", "-e", ":ok"])})
        lazy_size, eager_size = size(root / "lazy"), size(root / "eager")
    report(gen, compiled, in_vm, vm_start["elixir"], lazy_size, eager_size)
    return 0


def report(gen: dict[str, Timing], compiled: dict[str, Timing], in_vm: dict[str, Timing],
           vm_start: Timing, lazy_size: tuple[int, int, int],
           eager_size: tuple[int, int, int]) -> None:
    floor, lazy, one, eager = gen["floor"], gen["lazy"], gen["one"], gen["eager"]
    extra = Timing((lazy.wall - one.wall) / 29, (lazy.cpu - one.cpu) / 29)
    scan = lazy + Timing(-gen["cached scan"].wall, -gen["cached scan"].cpu)
    print(f"import numpy (floor)               {floor}")
    print(f"generate 30 symbols (lazy, CLI)    {lazy}   {lazy.ratio(floor)} floor (<= 5x)")
    print(f"  of which the scan                {scan}   (lazy minus lazy with a warm "
          "--cache-dir)")
    print(f"generate 1 symbol (CLI)            {one}")
    print(f"  per additional symbol            {extra}   (target < 5 ms)")
    print(f"  lazy output                      {lazy_size[0] / 1e3:.1f} kB, {lazy_size[1]} "
          f"files, {lazy_size[2]} defs")
    print(f"generate --all (eager, CLI)        {eager}   {eager.ratio(lazy)} lazy")
    print(f"  eager output                     {eager_size[0] / 1e6:.2f} MB, {eager_size[1]} "
          f"files, {eager_size[2]} defs")
    print(f"elixir -e :ok                      {vm_start}   (VM start-up)")
    print(f"elixirc of an empty module         {compiled['floor']}   (VM + compiler start-up)")
    print(f"elixirc lazy output                {compiled['lazy']}")
    print(f"elixirc eager output               {compiled['eager']}")
    print(f"compile in a running compiler:     lazy {in_vm['lazy']}, eager {in_vm['eager']}")
    for label, lazy_compile, eager_compile in (
            ("with elixirc (VM start per compile)", compiled["lazy"], compiled["eager"]),
            ("compiled as mix does (VM started once per build)", in_vm["lazy"],
             in_vm["eager"])):
        lazy_total, eager_total = lazy + lazy_compile, eager + eager_compile
        print(f"{label}:")
        print(f"  lazy generate + compile          {lazy_total}")
        print(f"  eager generate + compile         {eager_total}   "
              f"{eager_total.ratio(lazy_total)} lazy (>= 10x)")


if __name__ == "__main__":
    sys.exit(main())
