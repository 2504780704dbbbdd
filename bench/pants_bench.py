"""Pants backend speed with pantsd warm (issue 4): generate-bindings vs Pants' own floor.

On a temporary copy of the repo (the workspace is never touched) this times, with the
same warm pantsd:

- `./pants list TARGET`                       Pants' floor for any goal on the target
- `./pants generate-bindings TARGET`          a no-op (bindings up to date)
- the same after an edit that adds no Python call (only the scan re-runs)

and prints medians and the ratios to the floor (target: each within 2x).

`--bulk N` first adds N generated modules to the target (bench/scan_corpus.py shapes;
5% of them call numpy functions the example already binds), the large target of issue
14: the scan of an edit then re-parses the edited file only, the other parsed files'
results coming from the scan's named cache.

    .venv/bin/python bench/pants_bench.py [--reps N] [--target ADDR] [--source FILE]
        [--bulk N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "bench"))

from scan_corpus import OTHER_NAMES, module_source  # noqa: E402

from tests.pants.pantsrepo import PantsRepo, copy_checkout  # noqa: E402

CALLER = """defmodule Bulk.Caller{index} do
  @moduledoc "Calls numpy through the bindings the example already has."
  def norm(rows), do: rows |> Numpy.array() |> Numpy.Linalg.norm()
  def inverse(matrix), do: Numpy.Linalg.inv(matrix)
end
"""


def write_bulk(directory: Path, count: int, share: float = 0.05) -> None:
    """`count` modules under `directory`; `share` of them call numpy."""
    import random

    rng = random.Random(14)
    directory.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        text = CALLER.format(index=index) if rng.random() < share else module_source(
            rng, index, rng.randint(2, 8), OTHER_NAMES)
        (directory / f"bulk_{index:05d}.ex").write_text(text)


def timed(repo: PantsRepo, *args: str) -> float:
    start = time.perf_counter()
    run = repo.pants(*args)
    elapsed = time.perf_counter() - start
    if run.returncode != 0:
        sys.exit(f"./pants {' '.join(args)} failed:\n{run.stderr[-3000:]}")
    return elapsed


def median_of(reps: int, before: Callable[[int], None], measure: Callable[[], float]) -> float:
    samples = []
    for i in range(reps):
        before(i)
        samples.append(measure())
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--target", default="examples/numpy_stats:bindings")
    parser.add_argument("--source", default="examples/numpy_stats/lib/numpy_stats.ex")
    parser.add_argument("--bulk", type=int, default=0, metavar="N",
                        help="add N generated modules to the target's lib/bulk/ first")
    args = parser.parse_args()

    subprocess.run([str(ROOT / "pants"), "--no-pantsd", "--version"], cwd=ROOT, check=True,
                   capture_output=True)
    with tempfile.TemporaryDirectory(prefix="pants-bench-") as tmp:
        checkout = copy_checkout(Path(tmp) / "checkout")
        if args.bulk:
            write_bulk(checkout / Path(args.source).parent / "bulk", args.bulk)
        repo = PantsRepo(checkout, Path(tmp) / "state", log_workunits=False)
        try:
            cold = timed(repo, "generate-bindings", args.target)
            timed(repo, "list", args.target)
            source = repo.path(args.source)
            original = source.read_text()

            def no_new_call_edit(i: int) -> None:
                source.write_text(f"# edit {i}: no new Python call\n{original}")
                time.sleep(1.0)  # let pantsd's watcher see it, outside the timing

            def nothing(_: int) -> None:
                pass

            floor = median_of(args.reps, nothing, lambda: timed(repo, "list", args.target))
            noop = median_of(
                args.reps, nothing, lambda: timed(repo, "generate-bindings", args.target)
            )
            edited = median_of(
                args.reps, no_new_call_edit, lambda: timed(repo, "generate-bindings", args.target)
            )
        finally:
            repo.stop_pantsd()
    print(f"cold generate-bindings (fresh local store): {cold:7.2f} s")
    print(f"./pants list (floor), median of {args.reps}:     {floor:7.2f} s")
    print(f"no-op generate-bindings:                    {noop:7.2f} s  {noop / floor:5.2f}x floor")
    print(f"after a no-new-call edit:                   {edited:7.2f} s  "
          f"{edited / floor:5.2f}x floor")
    return 0 if max(noop, edited) <= 2 * floor else 1


if __name__ == "__main__":
    sys.exit(main())
