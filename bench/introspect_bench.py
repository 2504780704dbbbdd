"""Introspection speed on numpy, against the floor of one `import numpy` (issue 3, Speed).

Every figure is the median of fresh processes, nothing cached between runs:

- floor:      `python -c "import numpy"` in the target interpreter;
- lazy:       `snakebridge introspect` (a fresh engine process: CLI, sandboxed probe,
              static pass, proto write) for the issue's 30 numpy symbols;
- one:        the same for one symbol, so (lazy - one) / 29 is the cost per extra symbol;
- probe:      the sandboxed probe alone for the 30 symbols (engine start-up excluded);
- eager:      `--all` (every public numpy symbol), with the number of members.

Usage: python bench/introspect_bench.py [--python PY] [--runs N]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from snakebridge_rules.engine.artifacts import ApiSurface, SymbolSet, read, write
from snakebridge_rules.engine.introspect.runtime import Limits, run_probe

SYMBOLS = [
    "mean", "std", "var", "median", "sum", "cumsum", "diff", "sqrt", "exp", "log", "abs",
    "round", "clip", "where", "array", "arange", "linspace", "zeros", "ones", "dot", "matmul",
    "transpose", "concatenate", "argmax", "sort", "unique", "polyfit", "Linalg.norm",
    "Linalg.inv", "Random.default_rng",
]
ARITY = {"dot": 2, "matmul": 2, "linspace": 2, "polyfit": 3}


def call_keys(symbols: list[str]) -> list[str]:
    return sorted(f"Numpy.{s}/{ARITY.get(s, 1)}" for s in symbols)


def cpu_seconds() -> float:
    """CPU time of this process and of its waited-for children (the probe included)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(action: Callable[[], object]) -> tuple[float, float]:
    """(wall, CPU) seconds of one action. CPU time barely moves when other jobs load
    this shared 2-core machine; wall time does."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    action()
    return time.perf_counter() - wall, cpu_seconds() - cpu


def run(command: list[str]) -> Callable[[], object]:
    return lambda: subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def interleaved_ms(runs: int, actions: dict[str, Callable[[], object]],
                   ) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) ms per action over `runs` rounds; each round runs every action
    once, so a load spike hits all of them alike."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in actions}
    for _ in range(runs):
        for name, action in actions.items():
            samples[name].append(measure(action))
    return {name: (statistics.median(w for w, _ in values) * 1000,
                   statistics.median(c for _, c in values) * 1000)
            for name, values in samples.items()}


def introspect_command(python: str, symbols: Path | None, out: Path) -> list[str]:
    source = ["--symbols", str(symbols)] if symbols else ["--all"]
    return [sys.executable, "-m", "snakebridge_rules.cli", "introspect", "--library", "numpy",
            "--python", python, *source, "-o", str(out)]


def probe(python: str) -> Callable[[], object]:
    targets = sorted({tuple(k.rsplit("/", 1)[0].rsplit(".", 1)) for k in call_keys(SYMBOLS)})
    request = {"library": "numpy", "elixir_module": "Numpy", "targets": targets, "all": False}
    return lambda: run_probe(python, request, Limits())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write(root / "thirty.symbols", SymbolSet(calls=call_keys(SYMBOLS)))
        write(root / "one.symbols", SymbolSet(calls=call_keys(["mean"])))
        ms = interleaved_ms(args.runs, {
            "floor": run([args.python, "-c", "import numpy"]),
            "lazy": run(introspect_command(args.python, root / "thirty.symbols",
                                           root / "thirty.out")),
            "one": run(introspect_command(args.python, root / "one.symbols", root / "one.out")),
            "probe": probe(args.python),
        })
        ms |= interleaved_ms(max(1, args.runs // 3), {
            "eager": run(introspect_command(args.python, None, root / "all.out"))})
        members = sum(len(m.members) for m in read(root / "all.out", ApiSurface).modules)
        size = (root / "all.out").stat().st_size
    (floor, floor_cpu), (lazy, lazy_cpu), (one, one_cpu) = ms["floor"], ms["lazy"], ms["one"]
    print(f"{'':32}{'wall ms':>10}{'cpu ms':>10}")
    for label, key in (("import numpy (floor)", "floor"), ("introspect 30 symbols (CLI)", "lazy"),
                       ("introspect 1 symbol (CLI)", "one"), ("probe alone, 30 symbols", "probe"),
                       ("introspect --all (CLI)", "eager")):
        print(f"{label:32}{ms[key][0]:10.1f}{ms[key][1]:10.1f}")
    print(f"30 symbols / floor: {lazy / floor:.2f}x wall, {lazy_cpu / floor_cpu:.2f}x cpu")
    print(f"per additional symbol: {(lazy - one) / 29:.2f} ms wall, "
          f"{(lazy_cpu - one_cpu) / 29:.2f} ms cpu")
    print(f"--all: {members} members, {size / 1e6:.2f} MB surface, "
          f"{ms['eager'][0] / lazy:.1f}x the lazy wall time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
