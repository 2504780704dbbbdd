"""The engine's steps as subcommands (merge, introspect --errors-out, check, sync): the
contract every adapter runs, through the real CLI, the real engine and numpy."""

from __future__ import annotations

import json
from pathlib import Path

from snakebridge_rules.engine import artifacts
from snakebridge_rules.engine.artifacts import SymbolLocations, SymbolSet
from snakebridge_rules.engine.manifest import HEADER


def symbol_set(path: Path, *calls: str) -> Path:
    artifacts.write(path, SymbolSet(calls=sorted(calls)))
    return path


def locations(path: Path, *entries: tuple[str, str, int]) -> Path:
    message = SymbolLocations()
    for call, file, line in entries:
        message.locations.add(call=call, file=file, line=line, column=5)
    artifacts.write(path, message)
    return path


def errors_file(path: Path, *errors: tuple[str, str]) -> Path:
    path.write_text(json.dumps({"errors": [{"call": c, "message": m} for c, m in errors]}))
    return path


def test_merge_normalizes_accumulates_and_splits_per_library(cli, tmp_path: Path) -> None:
    (tmp_path / "m").write_text(HEADER + "Numpy.zeros/1\nSympy.symbols/1\n")
    symbol_set(tmp_path / "s.pb", "Numpy.mean!/1", "Numpy.doc/1", "Numpy.zeros/1",
               "Numpy.median/1")
    done = cli("merge", "--symbols", "s.pb", "--manifest", "m", "-o", "out",
               "--library", "numpy", "--calls-out", "numpy.pb",
               "--library", "sympy", "--calls-out", "sympy.pb",
               "--library", "scipy", "--calls-out", "scipy.pb", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out").read_text() == HEADER + (
        "Numpy.mean/1\nNumpy.median/1\nNumpy.zeros/1\nSympy.symbols/1\n")
    per_library = {name: list(artifacts.read(tmp_path / f"{name}.pb", SymbolSet).calls)
                   for name in ("numpy", "sympy", "scipy")}
    assert per_library == {"numpy": ["Numpy.mean/1", "Numpy.median/1", "Numpy.zeros/1"],
                           "sympy": ["Sympy.symbols/1"], "scipy": []}


def test_merge_prune_keeps_only_the_scan(cli, tmp_path: Path) -> None:
    (tmp_path / "m").write_text(HEADER + "Numpy.zeros/1\n")
    symbol_set(tmp_path / "s.pb", "Numpy.mean/1")
    done = cli("merge", "--symbols", "s.pb", "--manifest", "m", "--prune", "-o", "out",
               cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out").read_text() == HEADER + "Numpy.mean/1\n"


def test_merge_reports_a_bad_manifest_line_in_the_protocol(cli, tmp_path: Path) -> None:
    (tmp_path / "m").write_text(HEADER + "not a key\n")
    symbol_set(tmp_path / "s.pb")
    done = cli("merge", "--symbols", "s.pb", "--manifest", "m", "-o", "out", cwd=tmp_path)
    assert done.returncode == 1
    [error] = json.loads(done.stdout)["errors"]
    assert error["message"].startswith("m:4: not a call key")
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_check_words_each_error_at_every_call_site(cli, tmp_path: Path) -> None:
    (tmp_path / "m").write_text(HEADER + "Numpy.gone/0\n")
    locations(tmp_path / "l.pb", ("Numpy.meen!/1", "lib/a.ex", 10), ("Numpy.meen/1", "lib/a.ex", 7),
              ("Numpy.meen/1", "lib/b.ex", 3), ("Numpy.mean/1", "lib/a.ex", 2))
    errors_file(tmp_path / "e.json", ("Numpy.meen/1", "no 'meen'"), ("Numpy.gone/0", "no 'gone'"),
                ("", "numpy is not importable"))
    done = cli("check", "--locations", "l.pb", "--manifest", "m", "--target", "//:b",
               "--stamp", "stamp", "e.json", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "//:b: numpy is not importable",
        "lib/a.ex:7: Numpy.meen/1: no 'meen'",
        "lib/a.ex:10: Numpy.meen/1: no 'meen'",
        "lib/b.ex:3: Numpy.meen/1: no 'meen'",
        "m:4: Numpy.gone/0: no 'gone'",
    ]
    assert len(json.loads(done.stdout)["errors"]) == 5
    assert not (tmp_path / "stamp").exists()


def test_check_passes_and_declares_the_wording_inputs_unused(cli, tmp_path: Path) -> None:
    locations(tmp_path / "l.pb")
    (tmp_path / "m").write_text(HEADER)
    errors_file(tmp_path / "e.json")
    done = cli("check", "--locations", "l.pb", "--manifest", "m", "--stamp", "stamp",
               "--unused-out", "unused", "e.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "stamp").read_bytes() == b"ok\n"
    assert (tmp_path / "unused").read_text().split() == ["l.pb", "m"]


def test_introspect_errors_out_makes_symbol_errors_cacheable(cli, tmp_path: Path,
                                                             numpy_python: str) -> None:
    symbol_set(tmp_path / "s.pb", "Numpy.meen/1", "Numpy.mean/1")
    argv = ["introspect", "--library", "numpy", "--python", numpy_python, "--symbols", "s.pb",
            "-o", "surface.pb", "--errors-out", "errors.json"]
    done = cli(*argv, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "surface.pb").read_bytes() == b""
    written = json.loads((tmp_path / "errors.json").read_text())
    [error] = written["errors"]
    assert error["call"] == "Numpy.meen/1"
    assert "did you mean 'mean'" in error["message"]
    assert list(written["signatures"]) == ["Numpy.mean"]  # the calls that did resolve

    symbol_set(tmp_path / "s.pb", "Numpy.mean/1")
    assert cli(*argv, cwd=tmp_path).returncode == 0
    written = json.loads((tmp_path / "errors.json").read_text())
    assert written["errors"] == []
    assert written["signatures"]["Numpy.mean"] == {
        "python_name": "mean", "positional": ["a", "axis", "dtype", "out", "keepdims"],
        "positional_only": 0, "required": 1, "keyword_only": ["where"], "receiver": False,
        "var_keyword": False}
    assert (tmp_path / "surface.pb").stat().st_size > 0


KEYWORDS_SOURCE = """\
defmodule K do
  def f(xs, opts) do
    Numpy.mean(xs, axs: 0)
    Numpy.mean!(xs, 0, axis: 1)
    Numpy.mean(xs, [axis: 0, keepdims: true])
    Numpy.mean(xs, opts)
    Numpy.mean(xs, axis: 0, __runtime__: [timeout: 5])
    xs |> Numpy.mean(keepdim: true)
    Numpy.Ndarray.tolist(xs, order: 1)
    Numpy.mean(xs, [axis: 0] ++ opts)
  end
end
"""


def test_check_refuses_the_keyword_names_the_signature_lacks(cli, tmp_path: Path,
                                                             numpy_python: str) -> None:
    """scan → introspect --errors-out → check, as the build adapters run them."""
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib/k.ex").write_text(KEYWORDS_SOURCE)
    (tmp_path / "m").write_text(HEADER)
    assert cli("scan", "--library", "numpy", "--symbols-out", "s.pb", "--locations-out",
               "l.pb", "lib", cwd=tmp_path).returncode == 0
    assert cli("introspect", "--library", "numpy", "--python", numpy_python, "--symbols",
               "s.pb", "-o", "surface.pb", "--errors-out", "e.json",
               cwd=tmp_path).returncode == 0
    done = cli("check", "--locations", "l.pb", "--manifest", "m", "--stamp", "stamp",
               "e.json", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "lib/k.ex:3: Numpy.mean/2: mean() has no keyword 'axs' — did you mean 'axis'?",
        "lib/k.ex:4: Numpy.mean/3: mean() got 'axis' as argument 2 and again as keyword "
        "`axis:`; pass it once",
        "lib/k.ex:8: Numpy.mean/2: mean() has no keyword 'keepdim' — did you mean "
        "'keepdims'?",
        "lib/k.ex:9: Numpy.Ndarray.tolist/2: ndarray.tolist() has no keyword 'order'; "
        "it takes no keywords",
    ]
    assert not (tmp_path / "stamp").exists()

    (tmp_path / "lib/k.ex").write_text(KEYWORDS_SOURCE.replace("axs", "axis").replace(
        "0, axis: 1", "axis: 1").replace("keepdim:", "keepdims:").replace("order: 1", "[]"))
    assert cli("scan", "--library", "numpy", "--symbols-out", "s.pb", "--locations-out",
               "l.pb", "lib", cwd=tmp_path).returncode == 0
    done = cli("check", "--locations", "l.pb", "--manifest", "m", "--stamp", "stamp",
               "--unused-out", "unused", "e.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "unused").read_text().split() == ["m"]  # the locations now matter


def test_introspect_without_calls_runs_no_probe(cli, tmp_path: Path) -> None:
    """A library with no calls gets an empty surface, even from a missing interpreter."""
    symbol_set(tmp_path / "s.pb")
    done = cli("introspect", "--library", "numpy", "--python", str(tmp_path / "no/python"),
               "--symbols", "s.pb", "-o", "surface.pb", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "surface.pb").read_bytes() == b""


def test_introspect_fails_when_the_environment_is_broken(cli, tmp_path: Path) -> None:
    symbol_set(tmp_path / "s.pb", "Numpy.mean/1")
    done = cli("introspect", "--library", "numpy", "--python", str(tmp_path / "missing/python"),
               "--symbols", "s.pb", "-o", "o.pb", "--errors-out", "e.json", cwd=tmp_path)
    assert done.returncode == 1
    assert "missing/python" in json.loads(done.stdout)["errors"][0]["message"]
    assert not (tmp_path / "e.json").exists()  # a failure, never a cached errors file


def test_introspect_fails_on_input_that_is_not_a_symbol_set(cli, tmp_path: Path,
                                                            numpy_python: str) -> None:
    (tmp_path / "s.pb").write_bytes(b"\xff\xff not a proto")
    done = cli("introspect", "--library", "numpy", "--python", numpy_python, "--symbols",
               "s.pb", "-o", "o.pb", "--errors-out", "e.json", cwd=tmp_path)
    assert done.returncode == 1
    assert "not a readable SymbolSet" in done.stderr
    assert not (tmp_path / "e.json").exists()


def test_sync_check_names_the_fix_until_sync_makes_the_tree_current(cli, tmp_path: Path
                                                                    ) -> None:
    tree, dest = tmp_path / "tree", tmp_path / "src"
    (tree / "numpy").mkdir(parents=True)
    (tree / "numpy.ex").write_text("new\n")
    (tree / "numpy/linalg.ex").write_text("linalg\n")
    (dest / "old").mkdir(parents=True)
    (dest / "numpy.ex").write_text("old\n")
    (dest / "old/gone.ex").write_text("gone\n")
    (tmp_path / "merged").write_text(HEADER + "Numpy.mean/1\n")
    (tmp_path / "snakebridge.manifest").write_text(HEADER)
    argv = ["sync", "--tree", "tree", "--dest", "src", "--manifest", "merged",
            "--manifest-dest", "snakebridge.manifest"]

    stale = cli(*argv, "--check", "--fix", "bazel run //:b.update", cwd=tmp_path)
    assert stale.returncode == 1
    for line in ("src/numpy.ex: stale", "src/numpy/linalg.ex: missing",
                 "src/old/gone.ex: extra", "snakebridge.manifest: not manifest",
                 "run: bazel run //:b.update"):
        assert line in stale.stdout
    assert cli(*argv, cwd=tmp_path).returncode == 0
    assert cli(*argv, "--check", cwd=tmp_path).returncode == 0
    assert (tmp_path / "snakebridge.manifest").read_text() == HEADER + "Numpy.mean/1\n"
    assert not (dest / "old/gone.ex").exists()


def test_step_problems_reads_the_protocol_or_reports_a_crash(cli, tmp_path: Path) -> None:
    """What an adapter reports for a step it ran (engine/problems.py `step_problems`)."""
    from snakebridge_rules.engine.problems import Problem, step_problems

    def problems(done) -> list[Problem]:
        return step_problems("snakebridge merge for t", done.returncode,
                             done.stdout.encode(), done.stderr.encode())

    (tmp_path / "m").write_text("not a call key\n")
    symbol_set(tmp_path / "s.pb", "Numpy.mean/1")
    bad_input = cli("merge", "--symbols=s.pb", "--manifest=m", "--output=o", cwd=tmp_path)
    assert [(p.file, p.line) for p in problems(bad_input)] == [("", 0)]
    assert problems(bad_input)[0].message.startswith("m:1: ")
    usage = cli("merge", "--manifest", "--x", cwd=tmp_path)  # exit 2: outside the protocol
    [crash] = problems(usage)
    assert crash.message.startswith("snakebridge merge for t crashed (exit 2); its last "
                                    "output:\n    usage: snakebridge merge")
    assert "argument --manifest: expected one argument" in crash.message
    assert step_problems("s", -9, b"", b"") == [
        Problem(message="s crashed (exit -9); its last output: (no output)")]
    assert step_problems("s", 0, b"", b"") == []
