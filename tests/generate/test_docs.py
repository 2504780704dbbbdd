"""Rendered docs, end to end: numpy (numpydoc), a Google- and a Sphinx-style package
and a C builtin (`math.log`) go through `snakebridge generate`, compile, and are read
back with IEx's own `h` (IEx.Introspection), compared with golden files.

Set SNAKEBRIDGE_UPDATE_GOLDEN=1 to rewrite the goldens (then review the diff).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
CALLS = [
    "Docpkg.Google.Point.new/1", "Docpkg.Google.Point.norm/1", "Docpkg.Google.Point.scaled/2",
    "Docpkg.Google.greet/1", "Docpkg.Google.shout/1", "Docpkg.Sphinx.apply/2",
    "Docpkg.Sphinx.scale/2", "Math.log/1", "Numpy.mean/1",
]
TARGETS = ["Numpy.mean", "Math.log", "Docpkg.Google.greet", "Docpkg.Google.shout",
           "Docpkg.Google.Point", "Docpkg.Google.Point.scaled", "Docpkg.Sphinx.scale",
           "Docpkg.Sphinx.apply"]


@pytest.fixture(scope="session")
def h_output(tmp_path_factory, docs_python: str, cli, elixir) -> dict[str, str]:
    work = tmp_path_factory.mktemp("docs")
    (work / "manifest").write_text("".join(f"{c}\n" for c in CALLS))
    done = cli("generate", "--library", "numpy", "--library", "math", "--library", "docpkg",
               "--python", docs_python, "--out", "gen", "--manifest", "manifest", cwd=work)
    assert done.returncode == 0, done.stderr
    check = elixir([work / "gen"], ["Numpy", "Math", "Docpkg.Google"], work)
    assert check.unformatted == []
    (work / "h").mkdir()
    subprocess.run(["elixir", "-pa", str(check.ebin), str(HERE / "h_docs.exs"),
                    str(work / "h"), *TARGETS], check=True, cwd=work, timeout=120)
    found = {t: (work / "h" / f"{t}.txt").read_text() for t in TARGETS}
    script = ('IO.inspect(Docpkg.Sphinx.__functions__(), limit: :infinity); '
              'IO.inspect(SnakeBridge.search(Docpkg, "someone"))')
    found["index"] = subprocess.run(["elixir", "-pa", str(check.ebin), "-e", script],
                                    capture_output=True, text=True, check=True, cwd=work,
                                    timeout=120).stdout
    return found


@pytest.mark.parametrize("target", TARGETS)
def test_h_matches_golden(h_output: dict[str, str], target: str) -> None:
    golden = GOLDEN / f"{target}.txt"
    if os.environ.get("SNAKEBRIDGE_UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(h_output[target])
    assert h_output[target] == golden.read_text()


@pytest.mark.parametrize("target", TARGETS)
def test_h_shows_no_raw_markup(h_output: dict[str, str], target: str) -> None:
    text = h_output[target]
    assert "> >>" not in text and "-------" not in text and "=======" not in text
    assert ":func:" not in text and ":class:" not in text and ".. " not in text
    assert ":param" not in text and ":returns:" not in text


def test_numpy_mean_reads_like_a_library(h_output: dict[str, str]) -> None:
    text = h_output["Numpy.mean"]
    assert "numpy.mean(a, axis=None, dtype=None, out=None" in text
    assert "## Parameters" in text and "## Returns" in text and "## Examples" in text
    assert "  * `a` (argument 1, *array_like*) - Array containing numbers" in text
    assert "  * `axis` (argument 2 or keyword `axis:`," in text
    assert "    >>> np.mean(a)\n    2.5" in text  # a code block, not a nested quote


def test_c_builtin_shows_its_signature(h_output: dict[str, str]) -> None:
    assert "math.log(x, [base=math.e])" in h_output["Math.log"]
    assert "Return the logarithm of x to the given base." in h_output["Math.log"]


def test_google_and_sphinx_sections(h_output: dict[str, str]) -> None:
    greet = h_output["Docpkg.Google.greet"]
    assert "  * `name` (argument 1, *str*) - Who to greet." in greet
    assert "  * `punctuation` (keyword `punctuation:`," in greet
    assert "## Raises" in greet and "`ValueError` - If `times` is negative." in greet
    scale = h_output["Docpkg.Sphinx.scale"]
    assert "  * `values` (argument 1" in scale and "## Returns" in scale
    assert "see `Fraction` for exact ones" in scale
    assert "New in version 1.1." in scale and "Note:** Scaling by zero is allowed." in scale


def test_functions_index_and_search(h_output: dict[str, str]) -> None:
    index, search = h_output["index"].strip().split("\n[{", 1)
    assert '{:apply, 2, "docpkg.sphinx.apply", "Apply a callback."}' in index
    assert '{:apply, 3, "docpkg.sphinx.apply", "Apply a callback."}' in index
    assert '{:scale, 1, "docpkg.sphinx.scale", "Multiply every value by a factor."}' in index
    assert "apply!" not in index  # raising twins are not separate bindings
    assert search.startswith('Docpkg.Google, :greet, 1, "docpkg.google.greet", "Greet someone')
