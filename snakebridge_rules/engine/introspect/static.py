"""The static pass: what only the sources say, read with griffe without running them.

Run-time `inspect` reports annotations as evaluated objects (or not at all for C
code); a stub-only package (`pandas-stubs`, `types-*`), the `.pyi` stub or the `.py`
source has them as written. For each Python-defined
callable the probe located (module file + qualname), this reads just that module's
files (stub first, then source), never imports anything, and copies the annotations
and return annotation when the static parameter list matches the run-time one
exactly. Overloaded stubs are skipped: no single signature is "the" one. A docstring
missing at run time is taken from the files too. Each copied fact carries its Source.

Standard-library modules ship no stubs of their own; their annotations come from
typeshed's stdlib stubs as bundled in the pinned `typeshed_client` package (package
data, so the same bytes on every machine). A C builtin without a run-time signature
(`math.log`) still gets the stub's return annotation: the return does not depend on
how its parameters are spelled.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from snakebridge_rules._pb.snakebridge.v1.api_pb2 import Member, Source

_DROPS_FIRST = (Member.METHOD, Member.CLASS_METHOD, Member.CLASS)
_ANNOTATED = re.compile(r"\w\s*:")


class _Files:
    """Parsed modules by path (each file is visited at most once per run)."""

    def __init__(self) -> None:
        self._parsed: dict[Path, Any] = {}
        self._texts: dict[Path, str] = {}

    def text(self, path: Path) -> str:
        if path not in self._texts:
            try:
                self._texts[path] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                self._texts[path] = ""
        return self._texts[path]

    def module(self, path: Path) -> Any:
        if path not in self._parsed:
            self._parsed[path] = _visit(path, self.text(path))
        return self._parsed[path]


def _visit(path: Path, code: str) -> Any:
    import griffe

    try:
        return griffe.visit(path.stem, filepath=path, code=code)
    except (SyntaxError, ValueError):
        return None


def _stub_only(path: Path, module: str) -> Path:
    """The module's stub in a PEP 561 stub-only package (`pandas-stubs/core/frame.pyi`
    beside `pandas/`), which the lock may hold without the library shipping stubs."""
    parts = module.split(".")
    is_package = path.name.split(".", 1)[0] == "__init__"
    root = path.parents[len(parts) - (0 if is_package else 1)]
    stub = root.joinpath(f"{parts[0]}-stubs", *parts[1:])
    return stub / "__init__.pyi" if is_package else stub.with_name(stub.name + ".pyi")


@functools.lru_cache(maxsize=1)
def _typeshed_root() -> Path:
    from importlib.resources import files

    return Path(str(files("typeshed_client") / "typeshed"))


@functools.lru_cache(maxsize=1)
def _typeshed_modules(root: Path) -> frozenset[str]:
    """The modules typeshed's VERSIONS file lists (`name: 3.0-`), i.e. the stdlib."""
    try:
        lines = (root / "VERSIONS").read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset()
    return frozenset(line.split(":", 1)[0].strip() for line in lines
                     if ":" in line and not line.lstrip().startswith("#"))


def _typeshed_stub(path: Path, module: str) -> Path | None:
    """typeshed's stub of a stdlib module; None for modules installed as packages."""
    if not module or {"site-packages", "dist-packages"} & set(path.parts):
        return None
    root = _typeshed_root()
    if module.split(".", 1)[0] not in _typeshed_modules(root):
        return None
    stub = root.joinpath(*module.split("."))
    package = stub / "__init__.pyi"
    return package if package.is_file() else stub.with_name(stub.name + ".pyi")


def _candidates(module_file: str, module: str) -> list[tuple[Path, int]]:
    """The stubs and the source of a module file, in PEP 561 order: a stub-only
    package, a `.pyi` beside the module (also beside a `.so`), typeshed's stub of a
    stdlib module, the `.py` itself."""
    path = Path(module_file)
    stem = path.name.split(".", 1)[0]
    found = [(path.with_name(stem + ".pyi"), Source.STUB)]
    if module and len(path.parents) > len(module.split(".")):
        found.insert(0, (_stub_only(path, module), Source.STUB))
    typeshed = _typeshed_stub(path, module)
    if typeshed is not None:
        found.append((typeshed, Source.STUB))
    if path.suffix == ".py":
        found.append((path, Source.SOURCE))
    return [(p, s) for p, s in found if p.is_file()]


def _find(module: Any, qualname: str) -> Any:
    obj = module
    for part in qualname.split("."):
        members = getattr(obj, "members", None)
        if members is None or part not in members:
            return None
        obj = members[part]
        if obj.is_alias:  # an import: resolving it would load other modules
            return None
    if getattr(obj, "is_attribute", False) and "property" in obj.labels:
        return obj  # griffe turns a @property into an attribute annotated with its type
    if not getattr(obj, "is_function", False):
        return None
    return None if getattr(obj, "overloads", None) else obj


def _worth_visiting(text: str, name: str) -> bool:
    """A fast textual pre-check: some `def name(` is annotated and none is an overload.

    Visiting a big module with griffe costs tens of milliseconds; most of numpy's
    functions are overloaded in stubs and unannotated in sources, so this check keeps
    the static pass from parsing files that cannot contribute.
    """
    annotated = False
    needle = f"def {name}("
    start = text.find(needle)
    while start != -1:  # str.find, not a MULTILINE regex: ~10x faster on big modules
        line_start = text.rfind("\n", 0, start) + 1
        if not text[line_start:start].strip():
            before = text[max(0, line_start - 200):line_start].rstrip().rsplit("\n", 1)[-1]
            if "overload" in before:
                return False
            end = text.find(":\n", start)
            header = text[start + len(needle): end if end != -1 else start + 2000]
            annotated = annotated or "->" in header or bool(_ANNOTATED.search(header))
        start = text.find(needle, start + len(needle))
    return annotated


def _static_function(files: _Files, origin: dict[str, str]) -> tuple[Any, int] | None:
    name = origin["qualname"].rsplit(".", 1)[-1]
    for path, source in _candidates(origin["file"], origin.get("module", "")):
        if not _worth_visiting(files.text(path), name):
            continue
        module = files.module(path)
        function = _find(module, origin["qualname"]) if module is not None else None
        if function is not None:
            return function, source
    return None


def _merge(record: dict[str, Any], function: Any, source: int) -> None:
    if getattr(function, "is_attribute", False):
        _merge_property(record, function, source)
        return
    params = list(function.parameters)
    if record["kind"] in _DROPS_FIRST and "staticmethod" not in function.labels and params:
        params = params[1:]
    runtime = record["parameters"]
    if not record.get("signature_found", True):
        _merge_return(record, function, source)
        return
    if [p.name for p in params] != [p["name"] for p in runtime]:
        return
    used = False
    for fact, param in zip(runtime, params):
        if param.annotation is not None:
            fact["annotation"], used = str(param.annotation), True
    if function.returns is not None and record["kind"] != Member.CLASS:
        record["return_annotation"], used = str(function.returns), True
    if used:
        record["signature_source"] = source
    if not record.get("doc") and function.docstring is not None:
        record["doc"], record["doc_source"] = function.docstring.value, source


def _merge_return(record: dict[str, Any], function: Any, source: int) -> None:
    """Only the return annotation, for a callable whose parameters run time cannot tell."""
    if function.returns is not None and record["kind"] != Member.CLASS:
        record["return_annotation"], record["signature_source"] = str(function.returns), source


def _merge_property(record: dict[str, Any], attribute: Any, source: int) -> None:
    if attribute.annotation is not None:
        record["return_annotation"] = str(attribute.annotation)
        record["signature_source"] = source
    if not record.get("doc") and attribute.docstring is not None:
        record["doc"], record["doc_source"] = attribute.docstring.value, source


def add_static_facts(result: dict[str, Any]) -> None:
    """Enrich the probe's member records in place with annotations read from files."""
    files = _Files()
    for record in result["members"]:
        origin = record.get("origin")
        if origin:
            found = _static_function(files, origin)
            if found is not None:
                _merge(record, *found)
