"""Shared helpers of the generator tests: hand-built API surfaces (hostile names and
docstrings; seeded random layouts), the hostile Python package's environment, and one
Elixir session that compiles generated files with the runtime and reads their docs."""

from __future__ import annotations

import base64
import os
import random
import shutil
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

import pytest

from snakebridge_rules._pb.snakebridge.v1.api_pb2 import (
    ApiSurface,
    Member,
    ModuleSurface,
    Parameter,
)
from snakebridge_rules.engine.generate.kernel import KERNEL
from snakebridge_rules.engine.names import function_names, segment_names

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
RUNTIME_LIB = REPO / "runtime" / "lib"

P = Parameter


def marker_doc(marker: str) -> str:
    """A docstring that creates `marker` if any of its payloads is ever evaluated."""
    touch = f'File.write!("{marker}", "ran")'
    return (
        f"Interpolation #{{{touch}}}\n"
        '"""\n'
        f"#{{{touch}}}\n"
        '~S"""\n'
        f'"""\n{touch}\n'
        "Control chars: \x00 \x07 \x1b \r\t end\u202e bidi, caf\u00e9, \\ backslash \\#{x}\n"
        "'''\n"
        "  trailing spaces   "
    )


def param(name: str, kind: int = P.POSITIONAL_OR_KEYWORD, default: str | None = None,
          annotation: str = "") -> Parameter:
    return Parameter(name=name, kind=kind, has_default=default is not None,
                     default=default or "", annotation=annotation)


def function(python_name: str, elixir_name: str, params: list[Parameter], doc: str = "",
             kind: int = Member.FUNCTION, returns: str = "") -> Member:
    return Member(python_name=python_name, elixir_name=elixir_name, kind=kind,
                  parameters=params, doc=doc, return_annotation=returns)


def _module_members(marker: str) -> list[Member]:
    python = ["max", "end", "Uppercase", "café", "module_info", "__info__", "do", "case",
              "def", "struct", "_private", "new", "doc", "if", "self", "round"]
    names = function_names(python)
    doc = marker_doc(marker)
    two = [param("a"), param("b")]
    return [
        function("max", names["max"], two, doc, returns="int"),
        function("end", names["end"], [param("x", annotation="float")], doc),
        function("Uppercase", names["Uppercase"], [], "Uppercase doc"),
        function("café", names["café"], [param("café")], "Non-ASCII \u00e9\u00e8"),
        function("module_info", names["module_info"], [param("x")]),
        function("__info__", names["__info__"], []),
        function("do", names["do"], [param("end"), param("fn"), param("_x")]),
        function("case", names["case"], [param("x")], returns="list[str]"),
        function("def", names["def"], [param("x")]),
        function("struct", names["struct"], [param("x", default="None")]),
        function("if", names["if"], [param("cond"), param("opts")]),
        function("self", names["self"], []),
        function("round", names["round"], [
            param("x", P.POSITIONAL_ONLY, annotation="float"),
            param("ndigits", P.POSITIONAL_ONLY, "None", "Optional[int]"),
            param("rest", P.VAR_POSITIONAL),
            param("key", P.KEYWORD_ONLY, annotation="str"),
            param("kw", P.VAR_KEYWORD)]),
        function("_private", names["_private"], [param("x")]),
        function("doc", names["doc"], [param("x")]),
        function("new", names["new"], [], "a function called new"),
        Member(python_name="PI", elixir_name="pi", kind=Member.ATTRIBUTE, doc="π ≈ 3.14",
               return_annotation="float"),
    ]


def _class_members() -> list[Member]:
    return [
        function("Thing", "new", [param("size", annotation="int")], "Build a Thing.",
                 kind=Member.CLASS),
        function("grow", "grow", [param("by"), param("ref")], "Grow it.", kind=Member.METHOD),
        function("make", "make", [param("n")], kind=Member.CLASS_METHOD),
        Member(python_name="size", elixir_name="size", kind=Member.PROPERTY,
               return_annotation="int", doc="The size."),
    ]


def hostile_surface(marker: str) -> ApiSurface:
    """`hostile` (→ `Hostile`), its class `Thing`, and `_core`/`core` submodules."""
    segments = segment_names(["_core", "core"])
    return ApiSurface(library="hostile", elixir_module="Hostile", modules=[
        ModuleSurface(elixir_module="Hostile", python_module="hostile",
                      doc=marker_doc(marker), members=_module_members(marker)),
        ModuleSurface(elixir_module="Hostile.Thing", python_module="hostile",
                      qualname="Thing", is_class=True, doc="A class.",
                      members=_class_members()),
        *[ModuleSurface(elixir_module=f"Hostile.{segments[name]}",
                        python_module=f"hostile.{name}",
                        members=[function("f", "f", [param("x")], f"{name}.f")])
          for name in ("_core", "core")],
    ])


# ---------------------------------------------------------------- fuzz

_ANNOTATIONS = ["", "int", "float", "str", "list[int]", "dict[str, list[float]]",
                "Optional[dict[str, list[int | None]]]", "int | str | None", "np.ndarray"]
_KINDS = [Member.FUNCTION, Member.FUNCTION, Member.METHOD, Member.CLASS_METHOD,
          Member.PROPERTY, Member.ATTRIBUTE, Member.STATIC_METHOD]


def _word(rng: random.Random, low: int, high: int) -> str:
    letters = (rng.choice("abcdefghij_") for _ in range(rng.randint(low, high)))
    return "".join(letters).strip("_") or "w"


def _params(rng: random.Random) -> list:
    params = [param(f"{_word(rng, 1, 22)}{n}", annotation=rng.choice(_ANNOTATIONS))
              for n in range(rng.randint(0, 9))]
    params += [param(f"po{n}_{_word(rng, 1, 15)}", P.POSITIONAL_ONLY, "None")
               for n in range(rng.choice([0, 0, 1, 4]))]
    if rng.random() < 0.3:
        params.append(param(f"rest_{_word(rng, 1, 20)}", P.VAR_POSITIONAL))
    return params


def _members(rng: random.Random, count: int) -> list[Member]:
    kernel_names = sorted({name for name, _ in KERNEL if name.isidentifier()})
    python = sorted({_word(rng, 1, 60) for _ in range(count)} | set(rng.sample(kernel_names, 25)))
    names = function_names(python)
    members = []
    for name in python:
        kind = rng.choice(_KINDS)
        params = _params(rng) if kind not in (Member.PROPERTY, Member.ATTRIBUTE) else []
        members.append(function(name, names[name], params, _word(rng, 0, 200), kind,
                                rng.choice(_ANNOTATIONS)))
    return members


def fuzz_surface(seed: int, count: int = 120) -> ApiSurface:
    rng = random.Random(seed)
    long_module = "fuzz." + ".".join(_word(rng, 20, 30) for _ in range(3))
    modules = [
        ModuleSurface(elixir_module="Fuzz", python_module="fuzz", members=_members(rng, count)),
        ModuleSurface(elixir_module="Fuzz.LongModulePathForLayout", python_module=long_module,
                      qualname="Some.VeryLongNestedClassNameForTheLayoutTests", is_class=True,
                      members=_members(rng, count)),
    ]
    return ApiSurface(library="fuzz", elixir_module="Fuzz", modules=modules)

# ---------------------------------------------------------------- Elixir checks


@dataclass
class ElixirCheck:
    """What one compile + inspect session found."""

    ebin: Path  # the compiled runtime and generated modules
    unformatted: list[str]  # generated files that `mix format` would change
    docs: dict[str, dict[str, str | None]]  # module -> {"" (moduledoc) | "name/arity": doc}


def _decode(text: str) -> str | None:
    return None if text == "-" else base64.b64decode(text).decode()


def elixir_check(dirs: list[Path], modules: list[str], work: Path) -> ElixirCheck:
    """Compile `dirs` with the runtime (`elixirc --warnings-as-errors`), then check
    formatting and read the docs of `modules` through `Code.fetch_docs`."""
    elixirc, elixir = _tool("elixirc"), _tool("elixir")
    ebin = work / "ebin"
    ebin.mkdir(parents=True, exist_ok=True)
    sources = sorted(str(p) for p in RUNTIME_LIB.rglob("*.ex"))
    sources += sorted(str(p) for d in dirs for p in d.rglob("*.ex"))
    done = subprocess.run([elixirc, "--warnings-as-errors", "-o", str(ebin), *sources],
                          capture_output=True, text=True, cwd=work, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    done = subprocess.run([elixir, "-pa", str(ebin), str(HERE / "check.exs"),
                           *map(str, dirs), "--", *modules],
                          capture_output=True, text=True, cwd=work, check=True)
    unformatted, docs = [], {}
    for line in done.stdout.splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "UNFORMATTED":
            unformatted.append(rest)
        elif kind == "DOC":
            module, key, text = rest.split(" ")
            docs.setdefault(module, {})["" if key == "@moduledoc" else key] = _decode(text)
    return ElixirCheck(ebin, unformatted, docs)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not on PATH: run ./dev setup")
    return path


# ---------------------------------------------------------------- environments


#: What the hostile package's docstrings try to create, relative to the compiler's cwd
#: (relative, because introspection scrubs absolute paths out of docstrings).
HOSTILE_MARKER = "HOSTILE_MARKER"


@pytest.fixture(scope="session")
def docs_python(tmp_path_factory, numpy_python: str) -> str:
    """An interpreter with numpy, packaging and the docpkg fixture packages (`untyped`
    with its stub-only `untyped-stubs`), through a `.pth`."""
    root = tmp_path_factory.mktemp("docs-env")
    venv.EnvBuilder(with_pip=False).create(root / "venv")
    python = root / "venv" / "bin" / "python"
    query = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site, numpy_site = (subprocess.run([p, "-c", query], capture_output=True, text=True,
                                       check=True).stdout.strip()
                        for p in (str(python), numpy_python))
    Path(site, "docpkg.pth").write_text(f"{HERE / 'docpkg'}\n{numpy_site}\n")
    return str(python)


@pytest.fixture(scope="session")
def hostile_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    """An interpreter whose environment has the hostile package (a venv whose `.pth`
    points at a copy in which MARKER_PATH is HOSTILE_MARKER)."""
    root = tmp_path_factory.mktemp("hostile-env")
    package = root / "src" / "hostile"
    shutil.copytree(HERE / "hostile_pkg" / "hostile", package)
    for path in package.rglob("*.py"):
        path.write_text(path.read_text().replace("MARKER_PATH", HOSTILE_MARKER))
    venv.EnvBuilder(with_pip=False).create(root / "venv")
    python = root / "venv" / "bin" / "python"
    query = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = subprocess.run([str(python), "-c", query], capture_output=True, text=True,
                          check=True).stdout.strip()
    Path(site, "hostile.pth").write_text(str(root / "src") + "\n")
    return str(python)


def snakebridge(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
                ) -> subprocess.CompletedProcess:
    """Run the real CLI in a fresh process."""
    return subprocess.run([sys.executable, "-m", "snakebridge_rules.cli", *args],
                          capture_output=True, text=True, env=env or dict(os.environ),
                          cwd=cwd, check=False)


# ---------------------------------------------------------------- shared sessions


@dataclass
class Rendered:
    """Hand-built surfaces rendered into `out`, compiled and inspected once."""

    surfaces: list[ApiSurface]
    out: Path
    marker: Path
    check: ElixirCheck


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    from snakebridge_rules.engine.generate import render_surfaces, write_outputs

    work = tmp_path_factory.mktemp("rendered")
    marker = work / "MARKER"
    fuzz = [fuzz_surface(seed, count=70) for seed in range(2)]
    surfaces = [hostile_surface(str(marker)), *fuzz]
    # Fuzz seeds would collide on module names: give each its own root module.
    for seed, surface in enumerate(surfaces[1:]):
        for module in surface.modules:
            module.elixir_module = module.elixir_module.replace("Fuzz", f"Fuzz{seed}", 1)
    out = work / "out"
    write_outputs(out, render_surfaces(surfaces))
    modules = [m.elixir_module for s in surfaces for m in s.modules]
    return Rendered(surfaces, out, marker, elixir_check([out], modules, work))


@pytest.fixture(scope="session")
def cli():
    """`cli(*args, env=..., cwd=...)`: the real `snakebridge` CLI in a fresh process."""
    return snakebridge


@pytest.fixture(scope="session")
def elixir():
    """`elixir(dirs, modules, work)`: compile with the runtime, check format, read docs."""
    return elixir_check
