"""The `--library` list is checked once, as a whole (engine/libraries.py: parse_all):
a Python module bound twice or inside another bound library, and Elixir modules that
are the same or nested, are usage errors before anything runs — in the CLI, and in
the scan process that Pants and Bazel run."""

from __future__ import annotations

import subprocess
import sys

import pytest

from snakebridge_rules.engine.libraries import Library, LibrarySpecError

_REFUSED = [
    (["scipy", "scipy.stats"],
     "--library scipy.stats: scipy.stats is part of --library scipy: remove one (or bind "
     "it outside Scipy, e.g. --library scipy.stats=ScipyStats)"),
    (["scipy.stats", "scipy"],
     "--library scipy.stats: scipy.stats is part of --library scipy: remove one (or bind "
     "it outside Scipy, e.g. --library scipy.stats=ScipyStats)"),
    (["scipy", "scipy=Sci"],
     "--library scipy is given twice (scipy=Scipy and scipy=Sci): remove one"),
    (["numpy=Scipy.Stats", "scipy"],
     "--library numpy=Scipy.Stats: Scipy.Stats is inside Scipy, the Elixir module of "
     "--library scipy=Scipy; bind numpy outside it"),
    (["numpy=NP", "scipy=NP"],
     "--library numpy=NP and --library scipy=NP: both are bound to the Elixir module NP; "
     "give each library its own, e.g. --library scipy=NPScipy"),
]


@pytest.mark.parametrize(("specs", "message"), _REFUSED)
def test_overlapping_libraries_are_refused(specs: list[str], message: str) -> None:
    with pytest.raises(LibrarySpecError) as refused:
        Library.parse_all(specs)
    assert str(refused.value) == message


def test_distinct_libraries_pass_in_order() -> None:
    specs = ["scipy", "numpy=NP", "scipy_extra", "NPExtra=NPX", "numpy.linalg=LA"]
    assert [str(x) for x in Library.parse_all(specs)] == [  # a submodule under its own name
        "scipy=Scipy", "numpy=NP", "scipy_extra=ScipyExtra", "NPExtra=NPX", "numpy.linalg=LA"]


@pytest.mark.parametrize("command", [
    ["generate", "--python", sys.executable, "--out", "gen", "lib"],
    ["scan", "lib"],  # what the Pants scan process and the Bazel scan action run
    ["merge", "--symbols", "s", "-o", "m", "--calls-out", "a", "--calls-out", "b"],
])
def test_every_command_refuses_them_at_argument_parsing(tmp_path, command) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "a.ex").write_text("defmodule A do\n  def f, do: Scipy.f()\nend\n")
    libraries = ["--library", "scipy", "--library", "scipy.stats"]
    done = subprocess.run([sys.executable, "-m", "snakebridge_rules.cli", command[0],
                           *libraries, *command[1:]], capture_output=True, text=True,
                          cwd=tmp_path, check=False)
    usage = 1 if command[0] == "merge" else 2  # merge reports in the JSON protocol
    assert done.returncode == usage, done.stderr
    [line] = done.stderr.splitlines()
    assert line.endswith("scipy.stats is part of --library scipy: remove one (or bind it "
                         "outside Scipy, e.g. --library scipy.stats=ScipyStats)"), line
    assert not (tmp_path / "gen").exists() and not (tmp_path / "m").exists()


@pytest.mark.parametrize(("spec", "elixir", "release"), [
    ("json=JSON", "JSON", "1.18"),
    ("duration", "Duration", "1.17"),
    ("mismatched_delimiter_error", "MismatchedDelimiterError", "1.16"),
    ("mypkg=JSON.Encoder", "JSON.Encoder", "1.18"),
])
def test_modules_of_newer_elixir_releases_are_refused(spec: str, elixir: str,
                                                      release: str) -> None:
    """Bindings compiled with a newer Elixir must not replace its own modules either."""
    python_module = spec.partition("=")[0]
    with pytest.raises(LibrarySpecError) as refused:
        Library.parse(spec)
    assert str(refused.value) == (
        f"--library {spec!r}: {elixir} is one of Elixir's own modules (since Elixir {release}) "
        f"(or the runtime's) and cannot be generated; bind the library under another name, "
        f"e.g. --library {python_module}=Py{elixir}")


def test_the_newer_releases_list_holds_only_names_newer_than_the_generated_one() -> None:
    from snakebridge_rules.engine import elixir_modules
    from snakebridge_rules.engine.elixir_releases import ADDED_IN

    generated = elixir_modules.__doc__.split()[4]  # "Module names of Elixir 1.14.0 ..."
    base = tuple(int(part) for part in generated.split(".")[:2])
    assert all(tuple(map(int, release.split("."))) > base for release in ADDED_IN.values())
    assert not set(ADDED_IN) & elixir_modules.ELIXIR_MODULES
    assert all(Library.parse(f"x={name}") for name in ("Json", "PyJSON", "Durations"))
