"""Benchmark of `snakebridge scan` against an extractor on Elixir's own parser (issue 14).

    .venv/bin/python bench/scan_bench.py [--size-mb 50] [--library-share 0.05]
        [--edits 5] [--compare OLD_CHECKOUT] [--library SPEC]... [DIR...]

1. A seeded, realistic generated monorepo (bench/scan_corpus.py; `--library-share` of its
   modules call numpy or pandas): cold `snakebridge scan` with 1 and with 2 parse
   workers (effective MB/s: all bytes over the whole command's wall time, and per
   CPU-second), peak RSS of the scanner and its workers together; the Elixir extractor
   (bench/scan_elixir_extractor.exs: `Code.string_to_quoted` + an AST walk, one
   scheduler, its parse loop only) on the same files; tree-sitter's parse of every file
   (what a scanner that parses everything cannot beat); then `--cache-dir` scans after
   editing one file (`--edits` times, median): what the scan action costs on an edit.
2. Every DIR of real Elixir code (e.g. elixir-lang/elixir's lib/), with modules bound so
   that every file naming any module is a candidate (default: modules A, C, E, K, M, S,
   T, whose needles are those capital letters): per-core MB/s beside the Elixir extractor.
With `--compare`, the scanner of another checkout (a directory holding an older
`snakebridge_rules`, e.g. from `git worktree add`) runs on the same files too.
Speeds per CPU-second are robust on a shared machine; wall figures are what a user waits.
The scanner's time is the whole command (interpreter start, worker spawn, output); the
Elixir time is its parse loop only (VM boot and script compile excluded), so the ratio
is conservative. `--pin CPU` runs both under `taskset`.
Targets (issue 14, generated monorepo): cold >= 30 MB/s effective, a one-file edit
<= 0.3 s, peak RSS < 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scan_corpus import LIBRARIES, write_corpus  # noqa: E402

from snakebridge_rules.engine.libraries import Library  # noqa: E402
from snakebridge_rules.engine.scan import collect_files  # noqa: E402
from snakebridge_rules.engine.scan.source import Needles  # noqa: E402

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


def run_scanner(root: Path, libraries: list[str], checkout: Path | None = None,
                jobs: int = 1, cache: Path | None = None) -> Measure:
    """`snakebridge scan --jobs N root`, from this checkout or from `checkout`.

    `-P` and PYTHONPATH make the checkout win over the current directory and the venv.
    """
    command = [*_pin(), sys.executable, "-P", "-m", "snakebridge_rules.cli", "scan",
               "--jobs", str(jobs), *(["--cache-dir", str(cache)] if cache else [])]
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
    return sorted({Library.parse(spec).elixir_module for spec in libraries})


def _candidates(files: list[str], libraries: list[str]) -> list[str]:
    """The files the scan parses: those naming a bound module (engine/scan/source.py)."""
    needles = Needles(_elixir_roots(libraries))
    return [f for f in files if needles.may_call(Path(f).read_bytes())]


def _print_scan(label: str, scan: Measure, size: int) -> float:
    """Print one scan's figures; return its effective wall MB/s."""
    rate, cpu_rate = size / MB / scan.seconds, size / MB / scan.cpu_seconds
    print(f"{label}: {scan.seconds:6.2f} s wall, {scan.cpu_seconds:6.2f} s CPU"
          f" -> {rate:6.2f} MB/s wall, {cpu_rate:6.2f} MB/s per CPU-second; peak RSS "
          f"{scan.peak_rss / MB:.0f} MB (scanner + workers); {len(scan.calls)} calls, "
          f"{scan.errors} error entries")
    return rate


def small_file_cost(path: str, libraries: list[str], checkout: Path | None) -> float:
    """CPU seconds of scanning one file, the median of five runs."""
    runs = sorted(run_scanner(Path(path), libraries, checkout).cpu_seconds for _ in range(5))
    return runs[2]


def _baseline(files: list[str], libraries: list[str], scan: Measure, size: int) -> None:
    """The Elixir extractor on the same files, and the per-CPU-second ratio to `scan`."""
    elixir = run_elixir(files, _elixir_roots(libraries))
    if elixir is None:
        return
    e_rate, e_cpu_rate = size / MB / elixir.seconds, size / MB / elixir.cpu_seconds
    same = set(scan.calls) & set(elixir.calls)
    print(f"Elixir Code.string_to_quoted extractor (parse loop only, every file): "
          f"{elixir.seconds:6.2f} s wall, {elixir.cpu_seconds:6.2f} s CPU -> {e_rate:6.2f} "
          f"MB/s wall, {e_cpu_rate:6.2f} MB/s per CPU-second; peak RSS "
          f"{elixir.peak_rss / MB:.0f} MB; {len(elixir.calls)} calls, {elixir.errors} files "
          "it could not parse")
    print(f"ratio scan --jobs 1 / elixir: {size / MB / scan.cpu_seconds / e_cpu_rate:.2f}x "
          f"per CPU-second; calls in both: {len(same)}, only scan: "
          f"{len(set(scan.calls) - same)}, only elixir: {len(set(elixir.calls) - same)}")


def _compare(root: Path, libraries: list[str], compare: Path | None, scan: Measure,
             size: int) -> None:
    if compare is None:
        return
    old = run_scanner(root, libraries, compare)
    _print_scan(f"the same from {compare}", old, size)
    print(f"speed-up: {old.cpu_seconds / scan.cpu_seconds:.2f}x per CPU-second, "
          f"{old.seconds / scan.seconds:.2f}x wall; same calls: {old.calls == scan.calls}")


def edit_costs(root: Path, libraries: list[str], edited: str, edits: int,
               cache: Path) -> list[Measure]:
    """Scans with a warm cache, each after appending a comment to `edited`."""
    run_scanner(root, libraries, jobs=2, cache=cache)  # fills the cache
    measures = []
    for i in range(edits):
        with open(edited, "a") as handle:
            handle.write(f"# edit {i}\n")
        measures.append(run_scanner(root, libraries, jobs=2, cache=cache))
    return measures


def report_monorepo(root: Path, libraries: list[str], args: argparse.Namespace,
                    cache: Path) -> None:
    files = collect_files([str(root)])
    size = sum(os.path.getsize(f) for f in files)
    parsed = _candidates(files, libraries)
    print(f"\n== generated monorepo: {len(files)} files, {size / MB:.1f} MB; {len(parsed)} "
          f"files ({sum(map(os.path.getsize, parsed)) / MB:.1f} MB) name numpy/pandas and "
          "are parsed ==")
    one = run_scanner(root, libraries, jobs=1)
    rate1 = _print_scan("cold snakebridge scan --jobs 1", one, size)
    two = run_scanner(root, libraries, jobs=2)
    rate2 = _print_scan("cold snakebridge scan --jobs 2", two, size)
    _compare(root, libraries, args.compare, one, size)
    if not args.no_elixir:
        _baseline(files, libraries, one, size)
    floor = parse_floor(files)
    print(f"tree-sitter parse of every file (in process, no extraction): {floor:6.2f} s CPU "
          f"-> {size / MB / floor:5.2f} MB/s per CPU-second (a scanner parsing everything)")
    edits = edit_costs(root, libraries, parsed[len(parsed) // 2], args.edits, cache)
    wall = statistics.median(m.seconds for m in edits)
    cpu = statistics.median(m.cpu_seconds for m in edits)
    peak = max([one.peak_rss, two.peak_rss, *(m.peak_rss for m in edits)])
    print(f"scan --cache-dir after a one-file edit (median of {len(edits)}): {wall:5.3f} s "
          f"wall, {cpu:5.3f} s CPU; peak RSS {max(m.peak_rss for m in edits) / MB:.0f} MB; "
          f"same calls as cold: {all(m.calls == one.calls for m in edits)}")
    print(f"targets: cold >= 30 MB/s effective {_met(min(rate1, rate2) >= 30)} "
          f"({rate1:.1f} with 1 worker, {rate2:.1f} with 2); one-file edit <= 0.3 s "
          f"{_met(wall <= 0.3)}; RSS < 300 MB {_met(peak < 300 * MB)} ({peak / MB:.0f} MB)")


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def report_tree(root: Path, libraries: list[str], args: argparse.Namespace) -> None:
    files = collect_files([str(root)])
    size = sum(os.path.getsize(f) for f in files)
    parsed = _candidates(files, libraries)
    print(f"\n== {root}: {len(files)} files, {size / MB:.1f} MB; {len(parsed)} candidates "
          f"({sum(map(os.path.getsize, parsed)) / MB:.1f} MB) ==")
    one = run_scanner(root, libraries, jobs=1)
    _print_scan("snakebridge scan --jobs 1", one, size)
    _print_scan("snakebridge scan --jobs 2", run_scanner(root, libraries, jobs=2), size)
    _compare(root, libraries, args.compare, one, size)
    small = min(files, key=os.path.getsize)
    print(f"one small file ({os.path.getsize(small)} bytes): "
          f"{small_file_cost(small, libraries, None) * 1000:.0f} ms CPU")
    if not args.no_elixir:
        _baseline(files, libraries, one, size)


# Elixir's own module names cannot be bound (engine/names.py), so DIRs get modules named
# by capital letters: a file is a candidate when it contains any of them, which is every
# file that names a module at all (557 of elixir-lang/elixir's 566 lib/ files).
TREE_LIBRARIES = [f"{c.lower()}={c}" for c in "ACEKMST"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="*", type=Path, help="directories of real Elixir code")
    parser.add_argument("--size-mb", type=float, default=50.0,
                        help="size of the generated monorepo (default 50)")
    parser.add_argument("--library-share", type=float, default=0.05,
                        help="share of generated modules that call a library (default 0.05)")
    parser.add_argument("--library", action="append", default=None,
                        help="--library for the scan of DIRs (default: "
                             f"{' '.join(TREE_LIBRARIES)})")
    parser.add_argument("--edits", type=int, default=5, help="one-file edits (default 5)")
    parser.add_argument("--no-elixir", action="store_true", help="skip the Elixir baseline")
    parser.add_argument("--no-corpus", action="store_true", help="only the DIRs")
    parser.add_argument("--pin", metavar="CPU", help="run both extractors under taskset -c CPU")
    parser.add_argument("--compare", type=Path, metavar="CHECKOUT",
                        help="also run the scanner of CHECKOUT (a directory holding an older "
                             "snakebridge_rules) on the same files")
    args = parser.parse_args()
    if args.pin is not None:
        PIN[:] = ["taskset", "-c", args.pin]
    with tempfile.TemporaryDirectory(prefix="scan-bench-") as tmp:
        if not args.no_corpus:
            corpus = Path(tmp) / "corpus"
            write_corpus(corpus, args.size_mb, args.library_share)
            report_monorepo(corpus, LIBRARIES, args, Path(tmp) / "cache")
    for directory in args.dirs:
        report_tree(directory, args.library or TREE_LIBRARIES, args)


if __name__ == "__main__":
    main()
