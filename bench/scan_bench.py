"""Benchmark of `snakebridge scan` against an extractor on Elixir's own parser.

    .venv/bin/python bench/scan_bench.py [--size-mb 50] [--library-share 0.25]
        [--compare OLD_CHECKOUT] [DIR...]

Generates a seeded, realistic corpus (bench/scan_corpus.py), then on it and on every
DIR of real Elixir code passed:
  * runs `snakebridge scan --jobs 1` (one parse worker), sampling the peak RSS of the
    scanner and its worker subprocesses together;
  * runs bench/scan_elixir_extractor.exs (`Code.string_to_quoted` + an AST walk, one
    scheduler) on the same files;
  * prints MB/s, peak RSS, the ratio, and whether the two agree on the calls;
  * with --compare, runs the scanner of another checkout (a directory holding an older
    `snakebridge_rules`, e.g. from `git worktree add`) on the same files, for before/after
    figures from one run;
  * measures the CPU cost of scanning one small file (what `snakebridge generate` pays
    on a small project: interpreter, imports, worker start, output).
Speeds are given per CPU-second (robust on a shared machine) and per wall second. The
scanner's time is the whole command (interpreter start, worker spawn, output); the
Elixir time is its parse loop only (VM boot and script compile excluded), so the ratio
is conservative. `--pin CPU` runs both under `taskset`.
Targets (issue 2): >= 8 MB/s, >= 1.5x Elixir, < 300 MB RSS on 50 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scan_corpus import write_corpus  # noqa: E402

from snakebridge_rules.engine.scan import collect_files  # noqa: E402

MB = 1024 * 1024


@dataclass
class Measure:
    seconds: float
    cpu_seconds: float
    peak_rss: int
    calls: list[str]
    errors: int


PIN: list[str] = []  # `taskset -c N` with --pin N


def _pin() -> list[str]:
    return PIN


def _tree_rss(root: int) -> int:
    """Resident bytes of `root` and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rpartition(")")[2].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return total


def _run_sampled(command: list[str]) -> tuple[subprocess.CompletedProcess[bytes], float,
                                               float, int]:
    """Run `command`; return its result, wall and CPU seconds, and peak tree RSS."""
    before = os.times()
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system)
    return subprocess.CompletedProcess(command, proc.returncode, stdout, stderr), seconds, cpu, peak


def run_scanner(root: Path, libraries: list[str], checkout: Path | None = None) -> Measure:
    """`snakebridge scan --jobs 1 root`, from this checkout or from `checkout`.

    `-P` and PYTHONPATH make the checkout win over the current directory and the venv.
    """
    command = [*_pin(), sys.executable, "-P", "-m", "snakebridge_rules.cli", "scan",
               "--jobs", "1"]
    for library in libraries:
        command += ["--library", library]
    os.environ["PYTHONPATH"] = str(checkout or HERE.parent)
    try:
        result, seconds, cpu, peak = _run_sampled([*command, str(root)])
    finally:
        os.environ.pop("PYTHONPATH", None)
    cpu = max(cpu, 1e-9)
    if result.returncode not in (0, 1):
        sys.exit(f"scan failed ({result.returncode}):\n{result.stderr.decode()}")
    document = json.loads(result.stdout)
    return Measure(seconds, cpu, peak, document["calls"], len(document["errors"]))


def run_elixir(files: list[str], roots: list[str]) -> Measure | None:
    elixir = shutil.which("elixir")
    if elixir is None:
        print("elixir not on PATH: no baseline")
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".list", delete=False) as handle:
        handle.write("\n".join(files) + "\n")
    try:
        command = [*_pin(), elixir, "--erl", "+S 1:1", str(HERE / "scan_elixir_extractor.exs"),
                   handle.name, ",".join(roots)]
        result, _wall, cpu, peak = _run_sampled(command)
    finally:
        os.unlink(handle.name)
    if result.returncode != 0:
        sys.exit(f"elixir extractor failed:\n{result.stderr.decode()[-2000:]}")
    summary = json.loads(result.stdout.decode().strip().splitlines()[-1])
    return Measure(summary["seconds"], summary["cpu_seconds"], peak, summary["calls"],
                   summary["errors"])


def parse_floor(files: list[str]) -> float:
    """CPU seconds of tree-sitter's parse alone over `files`: the scanner's lower bound."""
    import tree_sitter_elixir
    from tree_sitter import Language, Parser

    parser = Parser(Language(tree_sitter_elixir.language()))
    start = time.process_time()
    for path in files:
        with open(path, "rb") as handle:
            parser.parse(handle.read())
    return max(time.process_time() - start, 1e-9)


def _elixir_roots(libraries: list[str]) -> list[str]:
    from snakebridge_rules.engine.libraries import Library

    return sorted({Library.parse(spec).elixir_module for spec in libraries})


def _print_scan(label: str, scan: Measure, size: int) -> None:
    rate, cpu_rate = size / MB / scan.seconds, size / MB / scan.cpu_seconds
    print(f"{label}: {scan.seconds:6.2f} s wall, {scan.cpu_seconds:6.2f} s CPU"
          f" -> {cpu_rate:5.2f} MB/s per CPU-second ({rate:5.2f} MB/s wall); peak RSS "
          f"{scan.peak_rss / MB:.0f} MB (scanner + workers); {len(scan.calls)} calls, "
          f"{scan.errors} error entries")


def small_file_cost(path: str, libraries: list[str], checkout: Path | None) -> float:
    """CPU seconds of scanning one file, the median of five runs."""
    runs = sorted(run_scanner(Path(path), libraries, checkout).cpu_seconds for _ in range(5))
    return runs[2]


def report(title: str, root: Path, libraries: list[str], baseline: bool,
           compare: Path | None) -> None:
    files = collect_files([str(root)])
    size = sum(os.path.getsize(f) for f in files)
    print(f"\n== {title}: {len(files)} files, {size / MB:.1f} MB ==")
    scan = run_scanner(root, libraries)
    rate, cpu_rate = size / MB / scan.seconds, size / MB / scan.cpu_seconds
    _print_scan("snakebridge scan --jobs 1", scan, size)
    if compare is not None:
        old = run_scanner(root, libraries, compare)
        _print_scan(f"the same from {compare}", old, size)
        print(f"speed-up: {old.cpu_seconds / scan.cpu_seconds:.2f}x per CPU-second; same "
              f"calls: {old.calls == scan.calls}")
    small = min(files, key=os.path.getsize)
    costs = [(label, small_file_cost(small, libraries, checkout))
             for label, checkout in (("this", None), ("compared", compare))
             if label == "this" or checkout is not None]
    print(f"one small file ({os.path.getsize(small)} bytes): " + ", ".join(
        f"{label} {cost * 1000:.0f} ms CPU" for label, cost in costs))
    floor = parse_floor(files)
    print(f"tree-sitter parse alone (in process, no extraction): {floor:6.2f} s CPU -> "
          f"{size / MB / floor:5.2f} MB/s per CPU-second (the floor of any tree-sitter scan)")
    if baseline and (elixir := run_elixir(files, _elixir_roots(libraries))) is not None:
        e_rate, e_cpu_rate = size / MB / elixir.seconds, size / MB / elixir.cpu_seconds
        same = set(scan.calls) & set(elixir.calls)
        print(f"Elixir Code.string_to_quoted extractor (parse loop only): {elixir.seconds:6.2f}"
              f" s wall, {elixir.cpu_seconds:6.2f} s CPU -> {e_cpu_rate:5.2f} MB/s per "
              f"CPU-second ({e_rate:5.2f} MB/s wall); peak RSS {elixir.peak_rss / MB:.0f} MB;"
              f" {len(elixir.calls)} calls, {elixir.errors} files it could not parse")
        print(f"ratio scan/elixir: {cpu_rate / e_cpu_rate:.2f}x per CPU-second, "
              f"{rate / e_rate:.2f}x wall; calls in both: {len(same)}, only scan: "
              f"{len(set(scan.calls) - same)}, only elixir: {len(set(elixir.calls) - same)}")
    verdict = "met" if cpu_rate >= 8 else "NOT met"
    rss = ""
    if size >= 45 * MB:
        rss = f"; RSS < 300 MB {'met' if scan.peak_rss < 300 * MB else 'NOT met'}"
    print(f"targets: >= 8 MB/s per core {verdict}{rss}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="*", type=Path, help="directories of real Elixir code")
    parser.add_argument("--size-mb", type=float, default=50.0,
                        help="size of the generated corpus (default 50)")
    parser.add_argument("--library-share", type=float, default=0.25,
                        help="share of generated modules that call the library (default 0.25)")
    parser.add_argument("--library", action="append", default=None,
                        help="--library for the scan (default: numpy and numpy=NP); for "
                             "real code bind modules it uses, e.g. enum, string")
    parser.add_argument("--no-elixir", action="store_true", help="skip the Elixir baseline")
    parser.add_argument("--pin", metavar="CPU", help="run both extractors under taskset -c CPU")
    parser.add_argument("--compare", type=Path, metavar="CHECKOUT",
                        help="also run the scanner of CHECKOUT (a directory holding an older "
                             "snakebridge_rules) on the same files")
    args = parser.parse_args()
    if args.pin is not None:
        PIN[:] = ["taskset", "-c", args.pin]
    libraries = args.library or ["numpy", "numpy=NP"]
    with tempfile.TemporaryDirectory(prefix="scan-bench-") as tmp:
        corpus = Path(tmp) / "corpus"
        write_corpus(corpus, args.size_mb, args.library_share)
        report(f"generated corpus (library share {args.library_share:g})", corpus,
               libraries, not args.no_elixir, args.compare)
    for directory in args.dirs:
        report(str(directory), directory, libraries, not args.no_elixir, args.compare)


if __name__ == "__main__":
    main()
