"""Dialyzer finds nothing in the runtime and the bindings generated for the examples
and the test libraries (hostile names, fuzzed layouts, numpy, math, annotated and
stub-typed packages), nor in the examples' own code that calls them."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.generate import dialyzer

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
RUNTIME_LIB = REPO / "runtime" / "lib"
CALLS = [
    "Docpkg.Google.Point.new/1", "Docpkg.Google.Point.norm/1", "Docpkg.Google.Point.scaled/2",
    "Docpkg.Google.greet/1", "Docpkg.Google.shout/2", "Docpkg.Sphinx.apply/3",
    "Docpkg.Sphinx.scale/3", "Math.log/2", "Math.sqrt/1", "Numpy.mean/1",
    "Numpy.Random.default_rng/1", "Packaging.Version.Version.new/1",
    "Packaging.Version.Version.major/1", "Packaging.Version.parse/1", "Untyped.area/2",
    "Untyped.label/1",
]


def _compile(sources: list[Path], work: Path) -> Path:
    ebin = work / "ebin"
    ebin.mkdir(parents=True, exist_ok=True)
    files = sorted({str(p) for s in [RUNTIME_LIB, *sources]
                    for p in ([s] if s.is_file() else s.rglob("*.ex"))})
    done = subprocess.run(["elixirc", "--warnings-as-errors", "-o", str(ebin), *files],
                          capture_output=True, text=True, cwd=work, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return ebin


def test_runtime_and_hand_built_surfaces(rendered) -> None:
    """The runtime, the hostile names and the fuzzed surfaces (compiled by `rendered`)."""
    assert dialyzer.warnings(rendered.check.ebin) == ""


def test_test_libraries(tmp_path: Path, cli, docs_python: str) -> None:
    (tmp_path / "manifest").write_text("".join(f"{c}\n" for c in CALLS))
    libraries = [a for lib in ("docpkg", "math", "numpy", "packaging", "untyped")
                 for a in ("--library", lib)]
    done = cli("generate", *libraries, "--python", docs_python, "--out", "gen",
               "--manifest", "manifest", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert dialyzer.warnings(_compile([tmp_path / "gen"], tmp_path)) == ""


def test_bazel_example_with_its_code(tmp_path: Path) -> None:
    example = REPO / "examples" / "bazel_numpy" / "lib"  # checked-in bindings + its code
    assert dialyzer.warnings(_compile([example], tmp_path)) == ""


def test_numpy_stats_example_with_its_code(tmp_path: Path, cli, numpy_python: str) -> None:
    example = REPO / "examples" / "numpy_stats"
    manifest = tmp_path / "bindings.manifest"
    manifest.write_bytes((example / "bindings.manifest").read_bytes())
    done = cli("generate", "--library", "numpy", "--python", numpy_python, "--out",
               str(tmp_path / "gen"), "--manifest", str(manifest), str(example / "lib"))
    assert done.returncode == 0, done.stderr
    ebin = _compile([tmp_path / "gen", example / "lib"], tmp_path)
    assert dialyzer.warnings(ebin) == ""
