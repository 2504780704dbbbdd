"""What a scan parses: only files naming a bound module, and only those the cache lacks.

Counts come from the scan itself (`ScanResult.counts`), and every cached result is
compared with a scan that parses everything: the cache must never change an answer.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from snakebridge_rules.engine.libraries import Library
from snakebridge_rules.engine.scan import ScanResult, cache, scan_paths, worker

NUMPY = [Library.parse("numpy")]


def _tree(root: Path, count: int = 30) -> Path:
    """`count` files calling numpy, each a little different, and two that never name it."""
    root.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (root / f"m{i:02d}.ex").write_text(
            f"defmodule M{i} do\n  alias Numpy.Linalg\n  def f(x), do: Linalg.norm(x, {i})\n"
            f"  def g(x), do: x |> Numpy.f{i}()\nend\n")
    (root / "plain.ex").write_text("defmodule Plain do\n  def f(x), do: Enum.sum(x)\nend\n")
    (root / "broken_plain.ex").write_text("defmodule Broken do\n  def g( do\nend\n")
    return root


def _scan(root: Path, cache_dir: Path | None, jobs: int = 2) -> ScanResult:
    return scan_paths([str(root)], NUMPY, jobs=jobs, cache_dir=cache_dir)


def _same(a: ScanResult, b: ScanResult) -> bool:
    return a.to_json() == b.to_json() and a.locations == b.locations


def test_files_naming_no_bound_module_are_counted_not_parsed(tmp_path: Path) -> None:
    root = _tree(tmp_path, count=1)
    (root / "latin1.ex").write_bytes(b'x = "caf\xe9"\n')
    (root / "comment_only.ex").write_text("# uses Numpy later\ndef g( do\n")
    result = _scan(root, None)
    assert result.files == 5
    assert (result.counts.skipped, result.counts.parsed) == (3, 2)
    # a skipped file's syntax errors are the compiler's business; bad UTF-8 is still ours
    assert [(d.file.rpartition("/")[2], d.message.split(":")[0]) for d in result.errors] == [
        ("comment_only.ex", "syntax error"), ("latin1.ex", "not valid UTF-8")]
    assert result.calls == ("Numpy.Linalg.norm/2", "Numpy.f0/1")


def test_warm_scan_parses_nothing_and_answers_the_same(tmp_path: Path) -> None:
    root, store = _tree(tmp_path / "src"), tmp_path / "cache"
    root_copy = tmp_path / "elsewhere"
    cold = _scan(root, store)
    assert (cold.counts.parsed, cold.counts.cached) == (30, 0)
    warm = _scan(root, store, jobs=1)
    assert (warm.counts.parsed, warm.counts.cached, warm.counts.skipped) == (0, 30, 2)
    assert _same(cold, warm) and _same(cold, _scan(root, None))
    os.rename(root, root_copy)  # the key is the content, not the path
    assert _scan(root_copy, store).counts.parsed == 0


def test_one_edited_file_is_the_only_one_parsed(tmp_path: Path) -> None:
    root, store = _tree(tmp_path / "src", count=200), tmp_path / "cache"
    _scan(root, store)
    edited = root / "m07.ex"
    edited.write_text(edited.read_text().replace("Numpy.f7()", "Numpy.changed()"))
    result = _scan(root, store)
    assert (result.counts.parsed, result.counts.cached) == (1, 199)
    assert "Numpy.changed/1" in result.calls and "Numpy.f7/1" not in result.calls
    assert _same(result, _scan(root, None))


def _entries(store: Path) -> list[Path]:
    return sorted(p for p in store.rglob("*") if p.is_file())


@pytest.mark.parametrize("damage", ["truncate", "flip", "swap", "garbage"])
def test_a_damaged_entry_is_a_miss(tmp_path: Path, damage: str) -> None:
    root, store = _tree(tmp_path / "src", count=3), tmp_path / "cache"
    cold = _scan(root, store)
    first, second = _entries(store)[:2]
    data = first.read_bytes()
    if damage == "truncate":
        first.write_bytes(data[: len(data) // 2])
    elif damage == "flip":  # still valid JSON, checksum no longer matches
        first.write_bytes(data.replace(b"norm", b"nurm"))
    elif damage == "swap":  # a whole, valid entry of another file under this name
        first.write_bytes(second.read_bytes())
    else:
        first.write_bytes(b"\x00" * 100)
    again = _scan(root, store)
    assert again.counts.parsed == 1 and _same(cold, again)
    assert _scan(root, store).counts.parsed == 0  # the miss rewrote the entry


def test_another_scanner_version_or_library_map_misses(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    root, store = _tree(tmp_path / "src", count=3), tmp_path / "cache"
    _scan(root, store)
    other_map = scan_paths([str(root)], [*NUMPY, Library.parse("pandas")], cache_dir=store)
    assert other_map.counts.parsed == 3
    monkeypatch.setattr(cache, "scanner_version", lambda: "another version")
    assert _scan(root, store).counts.parsed == 3
    monkeypatch.setattr(cache, "scanner_version", lambda: None)  # unknown: no caching
    assert _scan(root, store).counts.parsed == 3
    assert _scan(root, store).counts.parsed == 3


def test_replies_that_depend_on_more_than_the_bytes_are_not_stored(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, store = _tree(tmp_path / "src", count=4), tmp_path / "cache"
    real = worker.scan_file

    def dies_on_m02(extractor, path: str):
        if path.endswith("m02.ex"):
            os._exit(3)
        return real(extractor, path)

    monkeypatch.setattr(worker, "scan_file", dies_on_m02)
    crashed = _scan(root, store, jobs=1)
    assert [d.file.rpartition("/")[2] for d in crashed.errors] == ["m02.ex"]
    monkeypatch.setattr(worker, "scan_file", real)
    healed = _scan(root, store)
    assert healed.counts.parsed == 1 and healed.ok


def test_an_unwritable_cache_only_costs_speed(tmp_path: Path) -> None:
    root, blocker = _tree(tmp_path / "src", count=3), tmp_path / "blocker"
    blocker.write_text("a file where the cache directory should be")
    result = _scan(root, blocker)
    assert result.counts.parsed == 3 and _same(result, _scan(root, None))


def test_cli_cache_dir_gives_byte_identical_output(tmp_path: Path, scan_cli) -> None:
    store = tmp_path / "cache"
    _tree(tmp_path / "src", count=5)
    runs = [scan_cli("--library", "numpy", "--cache-dir", str(store), "src", cwd=tmp_path)
            for _ in range(2)]
    plain = scan_cli("--library", "numpy", "src", cwd=tmp_path)
    assert runs[0].code == runs[1].code == plain.code == 0
    assert runs[0].stdout == runs[1].stdout == plain.stdout
    assert len(_entries(store)) == 5
