"""`snakebridge generate` for real: scan + introspect (in the library's own interpreter)
+ render, in a fresh process; bad input named by Elixir file:line with nothing written;
byte-identical output across checkouts and environments."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from snakebridge_rules.docs.markdown import DocInput, render_doc

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent

STATS = """defmodule Stats do
  alias Numpy.Linalg

  def mean(xs), do: Numpy.mean(xs)
  def spread(xs), do: xs |> Numpy.std(ddof: 1)
  def norm(m), do: Linalg.norm(m)
  def gen, do: Numpy.Random.default_rng(42)
end
"""


def _project(root: Path, extra: str = "") -> Path:
    (root / "lib").mkdir(parents=True)
    (root / "lib" / "stats.ex").write_text(STATS)
    if extra:
        (root / "lib" / "bad.ex").write_text(extra)
    return root


def _generate(cli, root: Path, python: str, *extra: str, env=None):
    return cli("generate", "--library", "numpy", "--python", python, "--out", "gen",
               "--manifest", "bindings.manifest", *extra, "lib", cwd=root, env=env)


def _tree(root: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file under `root`: bytes, mode and mtime."""
    return {p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mode,
                                             p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------ hostile package


@pytest.fixture(scope="session")
def hostile_generated(tmp_path_factory, hostile_python, cli, elixir):
    python = hostile_python
    work = tmp_path_factory.mktemp("hostile-generated")
    (work / "manifest").write_text("Hostile.Core_.which/0\n")  # private: not in --all
    done = cli("generate", "--library", "hostile", "--python", python, "--out", "gen", "--all",
               "--manifest", "manifest", cwd=work)
    assert done.returncode == 0, done.stderr
    modules = ["Hostile", "Hostile.Core", "Hostile.Core_", "Hostile.Thing"]
    return python, work / "HOSTILE_MARKER", work, elixir([work / "gen"], modules, work)


def test_hostile_package_compiles_clean_and_runs_nothing(hostile_generated) -> None:
    _, marker, work, check = hostile_generated
    assert check.unformatted == []
    assert not marker.exists()
    assert {p.name for p in (work / "gen" / "hostile").iterdir()} == {
        "core.ex", "core_.ex", "thing.ex",
        "bad_module_do_file_write_hostilemarker_class_end_defmodule_x.ex"}
    # Names that are Elixir code or not identifiers become safe names (names.py).
    assert {"has_space/2", "x_1_file_write_hostile_marker_name_def_y/2"} <= set(
        check.docs["Hostile"])


def test_hostile_docs_round_trip_exactly(hostile_generated) -> None:
    python, _, _, check = hostile_generated
    script = ("import hostile, inspect, json; print(json.dumps({n: inspect.getdoc("
              "getattr(hostile, n) if n else hostile) for n in ['', 'end', 'max']}))")
    want = json.loads(subprocess.run([python, "-c", script], capture_output=True,
                                     text=True, check=True).stdout)
    docs = check.docs["Hostile"]
    assert docs[""] == render_doc(DocInput("hostile", "", want[""]))
    end = DocInput("hostile.end", "end", want["end"], "(x)", {"x": "argument 1"})
    assert docs["end_/1"] == render_doc(end) and "\x1b" in docs["end_/1"]
    assert docs["max/2"] == render_doc(DocInput("hostile.max", "max", want["max"], "(a, b)"))
    for name, key in [("", ""), ("end", "end_/1")]:  # markup reduced, no text lost
        assert set(re.findall(r"\S+", want[name])) - set(re.findall(r"\S+", docs[key])) <= {
            '~S"""', '"""'}


def test_hostile_bindings_call_python_by_original_names(hostile_generated) -> None:
    python, _, work, check = hostile_generated
    env = {**os.environ, "SNAKEBRIDGE_PYTHON": python, "SNAKEBRIDGE_POOL_SIZE": "1"}
    done = subprocess.run(["elixir", "-pa", str(check.ebin), str(HERE / "hostile_calls.exs")],
                          capture_output=True, text=True, env=env, cwd=work, timeout=120,
                          check=False)
    assert done.stdout.strip().splitlines()[-1:] == ["ok"], done.stdout + done.stderr


# ------------------------------------------------------------------ numpy, lazily


def test_lazy_numpy_bindings_compile(tmp_path, cli, elixir, numpy_python) -> None:
    root = _project(tmp_path / "p")
    done = _generate(cli, root, numpy_python)
    assert done.returncode == 0, done.stderr
    files = sorted(p.relative_to(root / "gen").as_posix() for p in (root / "gen").rglob("*.ex"))
    assert files == ["numpy.ex", "numpy/linalg.ex", "numpy/random.ex"]
    check = elixir([root / "gen"], ["Numpy", "Numpy.Linalg", "Numpy.Random"], tmp_path)
    assert check.unformatted == []
    # one def per function, its doc filed under the highest arity (mean(a, axis, dtype,
    # out, keepdims) + the keyword list)
    assert set(check.docs["Numpy"]) >= {"mean/6", "mean!/6", "std/7", "std!/7"}
    manifest = (root / "bindings.manifest").read_text().splitlines()
    assert [line for line in manifest if not line.startswith("#")] == [
        "Numpy.Linalg.norm/1", "Numpy.Random.default_rng/1", "Numpy.mean/1", "Numpy.std/2"]


@pytest.mark.parametrize(("source", "expected"), [
    ("defmodule Bad do\n  def f(xs),\n    do: Numpy.meen(xs)\nend\n",
     "lib/bad.ex:3: Numpy.meen/1: numpy has no attribute 'meen' — did you mean 'mean'?"),
    ("defmodule Bad do\n  def f(xs), do: Numpy.mean(xs, 1, 2, 3, 4, 5, 6)\nend\n",
     "lib/bad.ex:2: Numpy.mean/7: numpy.mean cannot be called with 7 arguments from Elixir: "
     "it accepts arity 1 to 6 (Numpy.mean/1 to /6)"),
])
def test_bad_calls_name_file_and_line_and_write_nothing(tmp_path, cli, numpy_python,
                                                        source, expected) -> None:
    root = _project(tmp_path / "p")
    assert _generate(cli, root, numpy_python).returncode == 0
    before = _tree(root)
    (root / "lib" / "bad.ex").write_text(source)
    done = _generate(cli, root, numpy_python)
    assert done.returncode == 1
    assert expected in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert {k: v for k, v in _tree(root).items() if k != "lib/bad.ex"} == before


def test_arity_error_says_which_arities_work(tmp_path, cli, numpy_python) -> None:
    root = _project(tmp_path / "p", "defmodule Bad do\n  def f, do: Numpy.mean()\nend\n")
    done = _generate(cli, root, numpy_python)
    assert done.returncode == 1 and "lib/bad.ex:2: Numpy.mean/0: " in done.stderr, done.stderr
    assert "it accepts arity 1 to 6 (Numpy.mean/1 to /6)" in done.stderr, done.stderr
    assert not (root / "gen").exists() and not (root / "bindings.manifest").exists()


def _on_a_terminal(argv: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run `argv` with stdout on a pseudo-terminal (stderr piped): exit, stdout, stderr."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=follower, stderr=subprocess.PIPE)
    os.close(follower)
    out = b""
    with contextlib.suppress(OSError):  # EIO: the terminal closed with the process
        while chunk := os.read(leader, 4096):
            out += chunk
    os.close(leader)
    return proc.wait(), out.decode(), proc.stderr.read().decode()


def test_at_a_terminal_problems_are_lines_without_the_json(tmp_path, cli,
                                                          numpy_python) -> None:
    """The JSON is for the adapter that runs a step; a person at a terminal gets lines."""
    root = _project(tmp_path / "p", "defmodule Bad do\n  def f, do: Numpy.meen([1])\nend\n")
    piped = _generate(cli, root, numpy_python)
    assert piped.returncode == 1 and json.loads(piped.stdout)["errors"], piped.stdout
    argv = [sys.executable, "-m", "snakebridge_rules.cli", "generate", "--library", "numpy",
            "--python", numpy_python, "--out", "gen", "lib"]
    code, out, err = _on_a_terminal(argv, root)
    assert code == 1
    assert "lib/bad.ex:2: Numpy.meen/1: numpy has no attribute 'meen'" in err, err
    assert out == "", out


def test_bad_manifest_entry_points_into_the_manifest(tmp_path, cli, numpy_python) -> None:
    root = _project(tmp_path / "p")
    (root / "bindings.manifest").write_text("# comment\nNumpy.mean/1\nNumpy.meen/1\n")
    done = _generate(cli, root, numpy_python)
    assert done.returncode == 1
    assert "bindings.manifest:3: Numpy.meen/1: numpy has no attribute 'meen'" in done.stderr
    (root / "bindings.manifest").write_text("Numpy.mean/1\nnot a key\n")
    done = _generate(cli, root, numpy_python)
    assert done.returncode == 1 and "bindings.manifest:2: " in done.stderr, done.stderr


def test_library_not_importable(tmp_path, cli, numpy_python) -> None:
    root = _project(tmp_path / "p", "defmodule Bad do\n  def f, do: Nosuchlib.f()\nend\n")
    done = cli("generate", "--library", "nosuchlib", "--python", numpy_python, "--out", "gen",
               "lib", cwd=root)
    assert done.returncode == 1
    assert "nosuchlib is not importable" in done.stderr and numpy_python in done.stderr
    assert "nosuchlib is not installed in that environment" in done.stderr
    assert not (root / "gen").exists()


def test_a_mistyped_library_gets_the_importable_name_never_an_install_command(
        tmp_path, cli, numpy_python) -> None:
    root = _project(tmp_path / "p", "defmodule Bad do\n  def f, do: Nump.mean([1])\nend\n")
    done = cli("generate", "--library", "nump", "--python", numpy_python, "--out", "gen",
               "lib", cwd=root)
    assert done.returncode == 1
    [line] = [ln for ln in done.stderr.splitlines() if "nump is not importable" in ln]
    assert line.endswith("(ModuleNotFoundError: No module named 'nump') — did you mean "
                         "'numpy'?"), line
    assert "install" not in line
    assert not (root / "gen").exists()


def _checkout(root: Path) -> dict[str, str]:
    """A copy of the engine at `root` (another checkout path); the env that runs it."""
    shutil.copytree(REPO / "snakebridge_rules", root / "engine" / "snakebridge_rules",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return {**os.environ, "PYTHONPATH": str(root / "engine")}


def _made(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


def test_generation_is_byte_identical_across_checkouts_and_environments(
        tmp_path, cli, numpy_python) -> None:
    trees = []
    settings = [("0", "UTC", "C", 0o022), ("4242", "Asia/Kolkata", "C.UTF-8", 0o077)]
    for n, (seed, tz, locale, umask) in enumerate(settings):
        checkout = tmp_path / f"checkout-{n}" / ("deeper/" * n)
        env = {**_checkout(checkout), "PYTHONHASHSEED": seed, "TZ": tz, "LC_ALL": locale,
               "TMPDIR": str(_made(tmp_path / f"tmp-{n}")),
               "HOME": str(_made(tmp_path / f"home-{n}"))}
        where = subprocess.run([numpy_python, "-c", "import snakebridge_rules as s; "
                                "print(s.__file__)"], env=env, cwd=checkout, capture_output=True,
                               text=True, check=True).stdout
        assert where.startswith(str(checkout))
        root = _project(checkout / "p")
        old = os.umask(umask)
        try:
            done = _generate(cli, root, numpy_python, env=env)
        finally:
            os.umask(old)
        assert done.returncode == 0, done.stderr
        trees.append({k: v[:2] for k, v in _tree(root).items()})
    assert trees[0] == trees[1]


def test_rerun_rewrites_nothing(tmp_path, cli, numpy_python) -> None:
    root = _project(tmp_path / "p")
    assert _generate(cli, root, numpy_python).returncode == 0
    before = _tree(root)
    assert _generate(cli, root, numpy_python).returncode == 0
    assert _tree(root) == before


def test_scan_cache_is_filled_and_changes_nothing(tmp_path, cli, numpy_python) -> None:
    store, cached, plain = tmp_path / "cache", _project(tmp_path / "c"), _project(tmp_path / "p")
    for _ in range(2):
        done = _generate(cli, cached, numpy_python, "--cache-dir", str(store))
        assert done.returncode == 0, done.stderr
    assert len([p for p in store.rglob("*") if p.is_file()]) == 1  # lib/stats.ex
    assert _generate(cli, plain, numpy_python).returncode == 0
    assert {k: v[0] for k, v in _tree(cached).items()} == {
        k: v[0] for k, v in _tree(plain).items()}


def test_render_of_an_introspected_surface_matches_generate(tmp_path, cli,
                                                            numpy_python) -> None:
    root = _project(tmp_path / "p")
    assert _generate(cli, root, numpy_python).returncode == 0
    (root / "empty.symbols").write_bytes(b"")  # an empty SymbolSet: the manifest says all
    done = cli("introspect", "--library", "numpy", "--python", numpy_python, "--manifest",
               "bindings.manifest", "--symbols", "empty.symbols",
               "-o", "numpy.surface", cwd=root)
    assert done.returncode == 0, done.stderr
    done = cli("render", "--out", "rendered", "numpy.surface", cwd=root)
    assert done.returncode == 0, done.stderr
    generated = {k: v[0] for k, v in _tree(root / "gen").items()}
    assert {k: v[0] for k, v in _tree(root / "rendered").items()} == generated


def test_render_rejects_a_file_that_is_not_a_surface(tmp_path, cli) -> None:
    (tmp_path / "x.surface").write_bytes(b"\xff\xff\xff")
    done = cli("render", "--out", "out", "x.surface", cwd=tmp_path)
    assert done.returncode == 1 and "x.surface" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_promote_merges_ledger_into_manifest(tmp_path, cli) -> None:
    (tmp_path / "m").write_text("Numpy.mean/1\n")
    (tmp_path / "ledger").write_text("Numpy.var/1\nNumpy.mean/1\nNumpy.var/1\n")
    done = cli("promote", "ledger", "--manifest", "m", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = (tmp_path / "m").read_text().splitlines()
    assert [line for line in lines if not line.startswith("#")] == ["Numpy.mean/1", "Numpy.var/1"]
    (tmp_path / "ledger").write_text("Numpy.var/1\n???\n")
    done = cli("promote", "ledger", "--manifest", "m", cwd=tmp_path)
    assert done.returncode == 1 and "ledger:2: " in done.stderr


def test_manifest_symbols_are_generated_without_sources(tmp_path, cli, numpy_python) -> None:
    (tmp_path / "m").write_text("Numpy.Linalg.inv/1\n")
    done = cli("generate", "--library", "numpy", "--python", numpy_python, "--out", "gen",
               "--manifest", "m", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "def inv(a, opts" in (tmp_path / "gen" / "numpy" / "linalg.ex").read_text()


def test_unparsable_source_is_named_and_nothing_written(tmp_path, cli, numpy_python) -> None:
    root = _project(tmp_path / "p", "defmodule Bad do\n  def f(x do\n    Numpy.mean(x)\nend\n")
    done = _generate(cli, root, numpy_python)
    assert done.returncode == 1 and "lib/bad.ex:" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert not (root / "gen").exists() and not (root / "bindings.manifest").exists()


def test_bang_and_doc_calls_bind_their_python_function(tmp_path, cli, numpy_python) -> None:
    source = "defmodule B do\n  def f(x), do: {Numpy.var!(x), Numpy.doc(:var)}\nend\n"
    root = _project(tmp_path / "p", source)
    done = _generate(cli, root, numpy_python)
    assert done.returncode == 0, done.stderr
    manifest = (root / "bindings.manifest").read_text()
    assert "Numpy.var/1\n" in manifest and "!" not in manifest and "doc" not in manifest
    assert "SnakeBridge.Runtime.unwrap!(var(a, axis, dtype, out, ddof, keepdims, opts))" in (
        root / "gen" / "numpy.ex").read_text()


def test_several_libraries_and_a_custom_module_name(tmp_path, cli, numpy_python) -> None:
    source = "defmodule Two do\n  def f(x), do: {NP.mean(x), Json.dumps(x, indent: 2)}\nend\n"
    root = _project(tmp_path / "p", source)
    done = cli("generate", "--library", "numpy=NP", "--library", "json", "--python",
               numpy_python, "--out", "gen", "lib/bad.ex", cwd=root)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (root / "gen").iterdir()) == ["json.ex", "np.ex"]
    assert "defmodule NP do" in (root / "gen" / "np.ex").read_text()
    json_ex = (root / "gen" / "json.ex").read_text()
    assert 'invoke_function("json", "dumps", [obj], [opts])' in json_ex
