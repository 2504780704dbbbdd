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
import statistics
import subprocess
import sys
import tempfile
import time
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


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def median_ms(runs: int, action) -> float:
    return statistics.median(action() for _ in range(runs)) * 1000


def introspect_command(python: str, symbols: Path | None, out: Path) -> list[str]:
    source = ["--symbols", str(symbols)] if symbols else ["--all"]
    return [sys.executable, "-m", "snakebridge_rules.cli", "introspect", "--library", "numpy",
            "--python", python, *source, "-o", str(out)]


def probe_seconds(python: str) -> float:
    targets = sorted({tuple(k.rsplit("/", 1)[0].rsplit(".", 1)) for k in call_keys(SYMBOLS)})
    start = time.perf_counter()
    run_probe(python, {"library": "numpy", "elixir_module": "Numpy", "targets": targets,
                       "all": False}, Limits())
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write(root / "thirty.symbols", SymbolSet(calls=call_keys(SYMBOLS)))
        write(root / "one.symbols", SymbolSet(calls=call_keys(["mean"])))
        floor = median_ms(args.runs, lambda: timed([args.python, "-c", "import numpy"]))
        lazy = median_ms(args.runs, lambda: timed(
            introspect_command(args.python, root / "thirty.symbols", root / "thirty.out")))
        one = median_ms(args.runs, lambda: timed(
            introspect_command(args.python, root / "one.symbols", root / "one.out")))
        probe = median_ms(args.runs, lambda: probe_seconds(args.python))
        eager = median_ms(max(1, args.runs // 3), lambda: timed(
            introspect_command(args.python, None, root / "all.out")))
        members = sum(len(m.members) for m in read(root / "all.out", ApiSurface).modules)
        size = (root / "all.out").stat().st_size
    print(f"import numpy (floor)            {floor:8.1f} ms")
    print(f"introspect 30 symbols (CLI)     {lazy:8.1f} ms   {lazy / floor:5.2f}x floor")
    print(f"introspect 1 symbol (CLI)       {one:8.1f} ms")
    print(f"  per additional symbol         {(lazy - one) / 29:8.2f} ms")
    print(f"probe alone, 30 symbols         {probe:8.1f} ms   {probe / floor:5.2f}x floor")
    print(f"introspect --all (CLI)          {eager:8.1f} ms   {members} members, "
          f"{size / 1e6:.2f} MB surface, {eager / lazy:5.1f}x lazy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
