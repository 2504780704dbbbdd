"""The engine side of the Bazel rules: thin steps around the `snakebridge` CLI.

Bazel actions call `python -m snakebridge_rules.bazel.actions STEP ...` through the
engine wrapper. Each step is pure (declared inputs → declared outputs):

- `quiet CLI-ARGS...`   run an engine command, dropping its stdout JSON (Bazel would
  print it on every build); stderr — the file:line messages — passes through.
- `introspect`          run `snakebridge introspect`; unknown symbols and bad arities are
  not a failure *here* but an errors file (facts about the inputs, fine to cache), so
  that the `check` step can word them with file:line; any other failure fails here.
  Only `check` reads the scan's locations: keeping them out of introspect keeps its
  cache key the symbol set alone (an edit that moves a call re-runs no introspection).
- `check`               fail with `file:line: message` for every introspection error.
- `merge`               the accumulated manifest: manifest ∪ symbol set, sorted.
- `sync` / `diff`       for `bazel run :X.update` and `bazel test :X_test`.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from snakebridge_rules.engine.files import write_atomic

_NO_ERRORS = b'{"errors": []}\n'


def _engine(argv: list[str], capture_stderr: bool = False) -> tuple[int, str, str]:
    """Run the engine CLI in this process; (exit status, stdout, captured stderr)."""
    from snakebridge_rules import cli

    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")  # commands may write bytes
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8") if capture_stderr else sys.stderr
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = cli.main(argv)
        except SystemExit as exc:  # argparse usage errors
            status = exc.code if isinstance(exc.code, int) else 2
    return status, _text(out), _text(err) if capture_stderr else ""


def _text(stream: io.TextIOWrapper) -> str:
    stream.flush()
    return stream.buffer.getvalue().decode("utf-8", "replace")


def quiet(argv: list[str]) -> int:
    return _engine(argv)[0]


def introspect(surface: Path, errors_out: Path, argv: list[str]) -> int:
    """`snakebridge introspect ... -o SURFACE`; symbol errors go to `errors_out`."""
    status, out, err = _engine(["introspect", *_absolute_python(argv), "-o", str(surface)],
                               capture_stderr=True)
    if status == 0:
        write_atomic(errors_out, _NO_ERRORS)
        return 0
    errors = _errors_json(out) if status == 1 else None
    if errors is None or any(not e["call"] for e in errors):
        # Not about a call (bad input, an environment that cannot import the library, a
        # probe timeout): a real failure, which Bazel does not cache.
        sys.stderr.write(err)
        return status or 1
    write_atomic(surface, b"")  # never rendered: `check` fails first
    text = json.dumps({"errors": errors}, ensure_ascii=False, sort_keys=True, indent=1)
    write_atomic(errors_out, text.encode("utf-8") + b"\n")
    return 0


def _absolute_python(argv: list[str]) -> list[str]:
    """`--python` made absolute here, at run time: relative in the key, usable anywhere."""
    return [str(Path(arg).absolute()) if index and argv[index - 1] == "--python" else arg
            for index, arg in enumerate(argv)]


def _errors_json(stdout: str) -> list[dict[str, str]] | None:
    try:
        errors = json.loads(stdout)["errors"]
    except (ValueError, KeyError, TypeError):
        return None
    if not errors or not all(isinstance(e, dict) and "message" in e for e in errors):
        return None
    return [{"call": str(e.get("call", "")), "message": str(e["message"])} for e in errors]


def _manifest_lines(path: Path) -> dict[str, int]:
    """Call key → its line in a manifest file."""
    from snakebridge_rules.engine.manifest import read_manifest

    return {str(entry.call): entry.line for entry in reversed(read_manifest(path))}


def _where(call: str, locations: dict[str, list[tuple[str, int]]], manifest: Path,
           in_manifest: dict[str, int], target: str) -> list[tuple[str, int]]:
    """Where a call is written: the scan's file:line, else the manifest's line, else the
    target itself (errors about the environment name no call)."""
    if call in locations:
        return locations[call]
    if call in in_manifest:
        return [(str(manifest), in_manifest[call])]
    return [(target, 0)]


def check(locations_file: Path, manifest: Path, errors_files: list[Path], stamp: Path,
          unused_out: Path, target: str) -> int:
    """Word every introspection error as `file:line: message`; exit 1 if there is one.

    On success the locations and the manifest did not matter, and `unused_out` says so
    (Bazel's unused_inputs_list), so moving a call does not re-run this step.
    """
    from snakebridge_rules.engine.artifacts import SymbolLocations, read

    errors = [e for path in errors_files for e in json.loads(path.read_text("utf-8"))["errors"]]
    if not errors:
        write_atomic(unused_out, f"{locations_file}\n{manifest}\n".encode())
        write_atomic(stamp, b"ok\n")
        return 0
    locations: dict[str, list[tuple[str, int]]] = {}
    for loc in read(locations_file, SymbolLocations).locations:
        locations.setdefault(loc.call, []).append((loc.file, loc.line))
    in_manifest = _manifest_lines(manifest)
    found = sorted({(file, line, e["message"])
                    for e in errors
                    for file, line in _where(e["call"], locations, manifest, in_manifest, target)})
    for file, line, message in found:
        print(f"{file}:{line}: {message}" if line else f"{file}: {message}", file=sys.stderr)
    return 1


def merge(manifest: Path, symbols: Path, out: Path) -> int:
    """The accumulated manifest: manifest ∪ symbol set, in the engine's manifest format."""
    from snakebridge_rules.engine.artifacts import SymbolSet, read
    from snakebridge_rules.engine.calls import CallKey
    from snakebridge_rules.engine.manifest import read_manifest, render_manifest

    calls = [entry.call for entry in read_manifest(manifest)]
    calls += [CallKey.parse(key) for key in read(symbols, SymbolSet).calls]
    write_atomic(out, render_manifest(calls))
    return 0


def _tree(root: Path) -> dict[str, Path]:
    """Relative path → file under `root` (following the symlinks of a runfiles tree)."""
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


def _differences(tree: Path, dest: Path) -> Iterator[tuple[str, str]]:
    """(relative path, 'missing' | 'stale' | 'extra') for every file that differs."""
    want, have = _tree(tree), _tree(dest)
    for name in sorted(want.keys() | have.keys()):
        if name not in have:
            yield name, "missing"
        elif name not in want:
            yield name, "extra"
        elif want[name].read_bytes() != have[name].read_bytes():
            yield name, "stale"


def sync(tree: Path, dest: Path, manifest: Path, manifest_dest: Path) -> int:
    """Make `dest` hold exactly the generated files, and write the accumulated manifest,
    all at once through the engine's writer (a kill leaves the old or the new pair)."""
    from snakebridge_rules.engine.generate.output import OutputError, write_outputs

    files = {name: path.read_bytes() for name, path in _tree(tree).items()}
    try:
        report = write_outputs(dest, files, manifest_dest, manifest.read_bytes(),
                               keep_foreign=False)
    except OutputError as exc:
        print(f"snakebridge: {exc}", file=sys.stderr)
        return 1
    for name in sorted(report.written + report.removed):
        print(f"snakebridge: {'removed' if name in report.removed else 'wrote'} {dest / name}")
    if report.manifest_changed:
        print(f"snakebridge: wrote {manifest_dest}")
    elif not (report.written or report.removed):
        print("snakebridge: the bindings are already up to date")
    return 0


def diff(tree: Path, dest: Path, manifest: Path, manifest_src: Path, fix: str) -> int:
    """Exit 1, naming the fix, when the checked-in bindings differ from a fresh build."""
    problems = [f"{dest / name}: {state}" for name, state in _differences(tree, dest)]
    if manifest.read_bytes() != (manifest_src.read_bytes() if manifest_src.is_file() else b""):
        problems.append(f"{manifest_src}: not manifest ∪ the calls the sources make")
    if not problems:
        print("snakebridge: generated bindings and manifest are up to date")
        return 0
    print("snakebridge: the checked-in bindings are stale:")
    print("".join(f"  {p}\n" for p in problems), end="")
    print(f"run: {fix}")
    return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="snakebridge-bazel", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    sub.add_parser("quiet").add_argument("argv", nargs=argparse.REMAINDER)
    step = sub.add_parser("introspect")
    step.add_argument("--surface", type=Path, required=True)
    step.add_argument("--errors-out", type=Path, required=True)
    step.add_argument("argv", nargs=argparse.REMAINDER)
    step = sub.add_parser("check")
    step.add_argument("--locations", type=Path, required=True)
    step.add_argument("--manifest", type=Path, required=True)
    step.add_argument("--stamp", type=Path, required=True)
    step.add_argument("--unused-out", type=Path, required=True)
    step.add_argument("--target", required=True)
    step.add_argument("errors", type=Path, nargs="*")
    step = sub.add_parser("merge")
    step.add_argument("--manifest", type=Path, required=True)
    step.add_argument("--symbols", type=Path, required=True)
    step.add_argument("-o", "--output", type=Path, required=True)
    for name in ("sync", "diff"):
        step = sub.add_parser(name)
        step.add_argument("--tree", type=Path, required=True)
        step.add_argument("--dest", type=Path, required=True)
        step.add_argument("--manifest", type=Path, required=True)
        step.add_argument("--manifest-dest", type=Path, required=True)
        step.add_argument("--fix", default="")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    rest = list(getattr(args, "argv", []))
    rest = rest[1:] if rest[:1] == ["--"] else rest
    if args.step == "quiet":
        return quiet(rest)
    if args.step == "introspect":
        return introspect(args.surface, args.errors_out, rest)
    if args.step == "check":
        return check(args.locations, args.manifest, args.errors, args.stamp, args.unused_out,
                     args.target)
    if args.step == "merge":
        return merge(args.manifest, args.symbols, args.output)
    if args.step == "sync":
        return sync(args.tree, args.dest, args.manifest, args.manifest_dest)
    return diff(args.tree, args.dest, args.manifest, args.manifest_dest, args.fix)


if __name__ == "__main__":
    sys.exit(main())
