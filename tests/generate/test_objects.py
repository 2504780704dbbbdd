"""A module-level object's module, generated from real Python: `Docpkg.Objects.Tally`
(the object `docpkg.objects.tally`) compiles with --warnings-as-errors, is mix-format
clean, calls the module's attribute path, reads as an object's docs, and is the same
bytes whatever the hash seed, time zone or locale."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CALLS = ["Docpkg.Objects.Tally.add/1", "Docpkg.Objects.Tally.add/2",
         "Docpkg.Objects.Tally.size/0"]
MODULE = "Docpkg.Objects.Tally"


def _generate(cli, python: str, work: Path, **env: str) -> Path:
    work.mkdir(parents=True, exist_ok=True)
    (work / "manifest").write_text("".join(f"{c}\n" for c in CALLS))
    done = cli("generate", "--library", "docpkg", "--python", python, "--out", "gen",
               "--manifest", "manifest", cwd=work, env={**os.environ, **env})
    assert done.returncode == 0, done.stderr
    return work / "gen"


@pytest.fixture(scope="module")
def generated(tmp_path_factory, docs_python: str, cli, elixir):
    work = tmp_path_factory.mktemp("objects")
    out = _generate(cli, docs_python, work)
    return out, elixir([out], [MODULE], work)


def test_it_compiles_clean_and_calls_the_attribute_path(generated) -> None:
    out, check = generated
    assert check.unformatted == []
    [path] = [p for p in out.rglob("*.ex") if p.name == "tally.ex"]
    source = path.read_text()
    assert f"defmodule {MODULE} do" in source
    assert 'SnakeBridge.Runtime.invoke_function("docpkg.objects", "tally.add", [a]' in source
    assert 'SnakeBridge.Runtime.get_attribute("docpkg.objects", "tally.size")' in source
    assert "def add(a," in source and "def size do" in source  # no self argument
    assert "ref" not in source


def test_it_reads_as_an_objects_docs(generated) -> None:
    _, check = generated
    docs = check.docs[MODULE]
    assert docs[""] == "Elixir bindings for the Python object `docpkg.objects.tally`."
    assert all("Adds `a` and `b`." in text for key, text in docs.items()
               if key.startswith("add/") and text)
    assert "How many were added." in docs["size/0"]


def test_it_is_byte_identical_across_runs(generated, tmp_path: Path, docs_python: str,
                                          cli) -> None:
    out, _ = generated
    again = _generate(cli, docs_python, tmp_path / "elsewhere", PYTHONHASHSEED="123",
                      TZ="Asia/Tokyo", LC_ALL="C")
    first = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in sorted(again.rglob("*"))
              if p.is_file()}
    assert first == second
