"""The Elixir runtime and its Python worker.

The runtime's own ExUnit suite (runtime/test) runs here with the numpy interpreter, so
the README's single test command covers it. Around it: the worker under the oldest
supported Python (3.8), the hand-written ETF codec, the ledger reader, and the loop a
dynamic call takes — ledger → `snakebridge promote` → `snakebridge generate` → a
static call.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from snakebridge_rules.engine.ledger import read_ledger
from snakebridge_rules.engine.manifest import ManifestError

REPO = Path(__file__).resolve().parents[2]
RUNTIME = REPO / "runtime"
WORKER_DIR = REPO / "snakebridge_rules" / "worker"
PY38 = Path(os.path.expanduser("~/.pyenv/versions/3.8.18/bin/python3.8"))


def _load_codec():
    path = WORKER_DIR / "snakebridge_etf.py"
    spec = importlib.util.spec_from_file_location("snakebridge_etf", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


etf = _load_codec()


def _mix(args: list[str], python: str, env: dict[str, str] | None = None, timeout: int = 300):
    if shutil.which("mix") is None:
        pytest.fail("mix is not on PATH: run ./dev setup")
    full_env = {**os.environ, "MIX_ENV": "test", "SNAKEBRIDGE_PYTHON": python, **(env or {})}
    return subprocess.run(["mix", *args], cwd=RUNTIME, env=full_env, capture_output=True,
                          text=True, timeout=timeout, check=False)


@pytest.fixture(scope="session")
def compiled_runtime(numpy_python: str) -> str:
    """`mix compile --warnings-as-errors` once for the session; returns the python."""
    result = _mix(["compile", "--warnings-as-errors"], numpy_python)
    assert result.returncode == 0, result.stdout + result.stderr
    return numpy_python


@pytest.mark.slow
def test_exunit_suite(compiled_runtime: str) -> None:
    result = _mix(["test"], compiled_runtime)
    failures = result.stdout[result.stdout.find("  1) "):] if "  1) " in result.stdout else ""
    assert result.returncode == 0, (failures or result.stdout[-6000:]) + result.stderr[-3000:]
    assert " 0 failures" in result.stdout


def test_mix_format_is_clean() -> None:
    if shutil.which("mix") is None:
        pytest.fail("mix is not on PATH: run ./dev setup")
    result = subprocess.run(["mix", "format", "--check-formatted"], cwd=RUNTIME,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


# -- the codec ----------------------------------------------------------------------

ROUND_TRIP = [
    0, 255, 256, -1, 2**31 - 1, -(2**31), 2**31, -(2**31) - 1, 2**64, -(2**2100),
    1.5, -0.0, 1e300, "", "héllo ✓", [], [1, [2.5, "x"]], (), (1, (2, "y")),
    tuple(range(300)), {"a": 1, "b": {"c": [None, True, False]}}, {1: "one", (1, 2): "pair"},
    None, True, False,
]


@pytest.mark.parametrize("value", ROUND_TRIP, ids=repr)
def test_codec_round_trip(value: object) -> None:
    decoded, special = etf.decode(etf.encode(value))
    assert decoded == value and type(decoded) is type(value)
    assert special is False


def test_codec_reads_erlang_encodings() -> None:
    # term_to_binary([1, 2, 3]) uses STRING_EXT; atoms come as SMALL_ATOM_UTF8_EXT.
    assert etf.decode(bytes([131, 107, 0, 3, 1, 2, 3])) == ([1, 2, 3], False)
    assert etf.decode(bytes([131, 119, 2]) + b"ok") == ("ok", False)
    assert etf.decode(bytes([131, 100, 0, 3]) + b"nil") == (None, False)


def test_codec_marks_structs_and_raw_bytes() -> None:
    struct_term = etf.encode(etf.Struct("SnakeBridge.Bytes", [("data", etf.Blob(b"\xff"))]))
    value, special = etf.decode(struct_term)
    assert special is True
    assert value == {"__struct__": "Elixir.SnakeBridge.Bytes", "data": b"\xff"}


def test_codec_non_finite_floats_are_atoms_both_ways() -> None:
    assert etf.encode(float("inf")) == etf.encode(etf.Atom("infinity"))
    assert etf.encode(float("-inf")) == etf.encode(etf.Atom("neg_infinity"))
    assert etf.encode(float("nan")) == etf.encode(etf.Atom("nan"))
    assert etf.decode(etf.encode(float("inf")))[0] == float("inf")
    assert etf.decode(etf.encode(float("-inf")))[0] == float("-inf")
    nan = etf.decode(etf.encode([1.0, float("nan")]))[0][1]
    assert nan != nan


def test_codec_unhashable_keys_are_frozen_for_the_worker() -> None:
    # Keys Python cannot hash, so the map is written pair by pair.
    term = bytearray(b"\x83t\x00\x00\x00\x02")
    for key, item in [((1, [2]), "a"), (etf.Struct("MapSet", [("map", {})]), "b")]:
        etf.encode_into(key, term, None)
        etf.encode_into(item, term, None)
    value, special = etf.decode(bytes(term))
    assert special is True
    assert value[(1, (2,))] == "a"
    (frozen,) = [key for key in value if isinstance(key, etf.FrozenKey)]
    assert frozen.term["__struct__"] == "Elixir.MapSet"


@pytest.mark.parametrize("frame", [b"", b"\x82a\x01", b"\x83l\x00\x00\x00\x01a\x01a\x02",
                                   b"\x83m\x00\x00\x00\x09abc", b"\x83a\x01a\x02"])
def test_codec_rejects_garbage(frame: bytes) -> None:
    with pytest.raises(etf.DecodeError):
        etf.decode(frame)


# -- the worker on the oldest supported Python -----------------------------------------

def _frame(req_id: int, header: tuple, payload: tuple) -> bytes:
    head = etf.encode(header)
    body = struct.pack(">QI", req_id, len(head)) + head + etf.encode(payload)
    return struct.pack(">I", len(body)) + body


def _answers(output: bytes) -> list[tuple[int, object]]:
    answers = []
    while output:
        (size,) = struct.unpack(">I", output[:4])
        body, output = output[4 : 4 + size], output[4 + size :]
        magic, req_id, refs = struct.unpack(">BQI", body[:13])
        assert magic == 0xAB
        answers.append((req_id, etf.decode(body[13 + 8 * refs :])[0]))
    return answers


@pytest.mark.parametrize("python", [PY38, Path(sys.executable)], ids=["py3.8", "py-current"])
def test_worker_answers_over_pipes(python: Path) -> None:
    if not python.exists():
        pytest.fail(f"{python} is missing: the worker must be tested on Python 3.8 (pyenv)")
    pid = etf.Raw(bytes([88]) + etf.atom("nonode@nohost") + bytes(12))
    call = (etf.Atom("call"), etf.Atom("ref"))
    stdin = b"".join([
        _frame(2**64 - 1, (etf.Atom("init"),), (pid,)),
        _frame(1, (*call, "math", "factorial"), ([25], [])),
        _frame(2, (*call, "builtins", "print"), (["stray output"], [])),
        _frame(3, (*call, "builtins", "object"), ([], [])),
        _frame(4, (etf.Atom("stats"),), ()),
    ])
    result = subprocess.run([str(python), str(WORKER_DIR / "snakebridge_worker.py")],
                            input=stdin, capture_output=True, timeout=60, check=True)
    answers = dict(_answers(result.stdout))
    assert answers[1] == ("ok", 15511210043330985984000000)
    assert answers[2] == ("ok", None)
    _status, ref = answers[3]
    assert ref["__struct__"] == "Elixir.SnakeBridge.Ref" and ref["type"] == "object"
    assert answers[4][1]["refs"] == 1
    assert b"stray output" in result.stderr


# -- the ledger -----------------------------------------------------------------------

def test_read_ledger_deduplicates_and_skips_comments(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger"
    ledger.write_text("# by hand\nNumpy.mean/1\n\nNumpy.Linalg.norm/2\nNumpy.mean/1\n")
    assert {str(call) for call in read_ledger(ledger)} == {"Numpy.mean/1", "Numpy.Linalg.norm/2"}


def test_read_ledger_names_the_bad_line(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger"
    ledger.write_text("Numpy.mean/1\nnot a key\n")
    with pytest.raises(ManifestError, match=r"ledger:2: "):
        read_ledger(ledger)


STATIC_CHECK = """
{:ok, 2} = SnakeBridge.call(Math, :floor, [2.5])
true = function_exported?(Math, :floor, 1)
IO.puts("static:" <> inspect(Math.floor(7.5)))
"""


@pytest.mark.slow
def test_ledger_promote_generate_makes_the_call_static(compiled_runtime: str,
                                                       tmp_path: Path) -> None:
    ledger, manifest, out = tmp_path / "ledger.txt", tmp_path / "manifest", tmp_path / "gen"
    dynamic = _mix(["run", "-e", 'IO.inspect(SnakeBridge.call("math", "floor", [2.5]))'],
                   compiled_runtime, {"SNAKEBRIDGE_LEDGER": str(ledger)})
    assert dynamic.returncode == 0, dynamic.stderr
    assert "{:ok, 2}" in dynamic.stdout
    assert ledger.read_text() == "Math.floor/1\n"

    cli = [sys.executable, "-m", "snakebridge_rules.cli"]
    promote = subprocess.run([*cli, "promote", str(ledger), "--manifest", str(manifest)],
                             capture_output=True, text=True, check=False)
    assert promote.returncode == 0, promote.stderr
    assert "Math.floor/1" in manifest.read_text().splitlines()
    generate = subprocess.run([*cli, "generate", "--library", "math", "--python",
                               compiled_runtime, "--out", str(out), "--manifest", str(manifest)],
                              capture_output=True, text=True, check=False)
    assert generate.returncode == 0, generate.stderr

    ledger.unlink()
    script = tmp_path / "static.exs"
    script.write_text(STATIC_CHECK)
    generated = [str(p) for p in sorted(out.rglob("*.ex"))]
    static = _mix(["run", *[a for f in generated for a in ("-r", f)], str(script)],
                  compiled_runtime, {"SNAKEBRIDGE_LEDGER": str(ledger)})
    assert static.returncode == 0, static.stdout + static.stderr
    assert "static:{:ok, 7}" in static.stdout
    assert not ledger.exists()  # a generated function is never recorded
