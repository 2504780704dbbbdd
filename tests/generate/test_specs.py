"""Typespecs from what Python knows, end to end through `snakebridge generate`:
annotated pure Python (the docpkg fixture and `packaging`), a stub-only package
(`untyped-stubs`), the standard library from typeshed's stubs (`typeshed_client`), class
reference types and the error union."""

from __future__ import annotations

import pytest

CALLS = [
    "Docpkg.Google.Point.new/1", "Docpkg.Google.Point.norm/1", "Docpkg.Google.Point.scaled/2",
    "Docpkg.Google.greet/1", "Docpkg.Sphinx.apply/2", "Docpkg.Sphinx.scale/1",
    "Packaging.Version.Version.new/1", "Packaging.Version.Version.major/1",
    "Math.gcd/2", "Math.isclose/2", "Math.log/1", "Math.log/2", "Math.sqrt/1",
    "Packaging.Version.parse/1", "Untyped.area/1", "Untyped.label/1",
]


@pytest.fixture(scope="session")
def generated(tmp_path_factory, docs_python: str, cli, elixir) -> dict[str, str]:
    work = tmp_path_factory.mktemp("specs")
    (work / "manifest").write_text("".join(f"{c}\n" for c in CALLS))
    libraries = [arg for lib in ("docpkg", "math", "packaging", "untyped")
                 for arg in ("--library", lib)]
    done = cli("generate", *libraries, "--python", docs_python, "--out", "gen",
               "--manifest", "manifest", cwd=work)
    assert done.returncode == 0, done.stderr
    check = elixir([work / "gen"], ["Untyped"], work)
    assert check.unformatted == []
    return {p.relative_to(work / "gen").as_posix(): p.read_text()
            for p in (work / "gen").rglob("*.ex")}


def test_annotated_python(generated: dict[str, str]) -> None:
    google = generated["docpkg/google.ex"]
    assert "@spec greet(String.t()) :: {:ok, String.t()} | {:error, SnakeBridge.error()}" \
        in google
    sphinx = generated["docpkg/sphinx.ex"]
    assert "(integer() -> integer())," in sphinx  # a callable argument: an Elixir fun
    assert "SnakeBridge.Bytes.t() | nil" in sphinx
    assert "{:ok, integer() | nil}" in sphinx


def test_classes_are_reference_types(generated: dict[str, str]) -> None:
    point = generated["docpkg/google/point.ex"]
    assert "  @type t :: SnakeBridge.Ref.t()" in point
    assert "{:ok, Docpkg.Google.Point.t()}" in point  # new/1 and scaled/2 (-> Point)
    assert "@spec norm!(Docpkg.Google.Point.t()) :: float() | :nan | :infinity | :neg_infinity" \
        in point
    version = generated["packaging/version.ex"]
    assert "@spec parse(String.t()) ::" in version
    assert "{:ok, Packaging.Version.Version.t()}" in version
    assert "@spec major!(Packaging.Version.Version.t()) :: integer()" in \
        generated["packaging/version/version.ex"]


def test_stub_only_package_types(generated: dict[str, str]) -> None:
    untyped = generated["untyped.ex"]
    assert "@spec area(number()) ::" in untyped
    assert "@spec area!(number(), number() | keyword()) :: " \
        "float() | :nan | :infinity | :neg_infinity" in untyped
    assert "@spec label!(integer()) :: String.t()" in untyped


_FLOAT = "float() | :nan | :infinity | :neg_infinity"


def test_stdlib_types_from_typeshed(generated: dict[str, str]) -> None:
    """math is a C extension without stubs of its own: typeshed's math stub types it.
    `log` has no run-time signature, so only its (stub) return is typed; a parameter
    typed by a private alias (`_SupportsFloatOrIndex`) stays term(), never a guess."""
    math = generated["math.ex"]
    assert f"@spec sqrt!(term()) :: {_FLOAT}" in math
    assert f"@spec log!(term()) :: {_FLOAT}" in math
    assert f"@spec log!(term(), term()) :: {_FLOAT}" in math
    assert "@spec gcd(term(), term()) :: {:ok, integer()} | {:error, SnakeBridge.error()}" \
        in math
    assert "@spec isclose!(term(), term()) :: boolean()" in math
