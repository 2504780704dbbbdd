"""Property: any text, as a generated `@doc`, compiles cleanly, runs nothing, is kept by
`mix format`, and reads back through `Code.fetch_docs/1` exactly, both as given and as
the Markdown the renderer makes of it (hypothesis drives the texts)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from snakebridge_rules.docs.markdown import DocInput, render_doc
from snakebridge_rules.engine.generate.literals import elixir_doc

HERE = Path(__file__).resolve().parent
MARKER = "PROPERTY_MARKER"
_PAYLOAD = f'#{{File.write!("{MARKER}", "x")}}'

#: Pieces that are dangerous in Elixir literals or meaningful to the renderer.
_PIECES = ['"', '"""', "'''", "\\", "#", "#{", "}", "~S", _PAYLOAD, "\n", "\r", "\t", " ",
           "\x00", "\x1b", "\u202e", "\u2028", "\ufeff", "é", "`", "``", ":func:`x`", "::",
           ".. note::", ".. math::", ">>> ", "----", "====", "Parameters\n----------\n",
           "x : int\n    ", ":param x:", "Args:\n    x: ", "*", "    ", "a", "word"]
_TEXT = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(_PIECES), max_size=30).map("".join),
)


def _module(texts: list[str]) -> str:
    lines = ["defmodule PropertyDocs do"]
    for n, text in enumerate(texts):
        lines += [f"  @doc {chr(10).join(elixir_doc(text))}", f"  def f{n}, do: {n}", ""]
    return "\n".join(lines[:-1] + ["end", ""])


@settings(max_examples=6, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(st.lists(_TEXT, min_size=20, max_size=40))
def test_any_doc_text_round_trips_through_fetch_docs(tmp_path_factory, texts) -> None:
    work = tmp_path_factory.mktemp("property")
    rendered = [render_doc(DocInput("pkg.f", "f", text, "(x)", {"x": "argument 1"}))
                for text in texts]
    wanted = texts + [t + "\n" for t in texts] + rendered
    (work / "docs.ex").write_text(_module(wanted))
    shutil.copy(HERE / "fetch_docs.exs", work)
    done = subprocess.run(["elixirc", "--warnings-as-errors", "docs.ex"], cwd=work,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    done = subprocess.run(["elixir", "-pa", ".", "fetch_docs.exs", "PropertyDocs", "docs.ex"],
                          cwd=work, capture_output=True, check=True)
    formatted, _, docs = done.stdout.partition(b"\n")
    assert formatted == b"FORMATTED"
    got = [part.decode() for part in docs.split(b"\x00\x01")[:-1]]
    assert got == wanted
    assert not (work / MARKER).exists()


def test_an_undocumented_attribute_is_read_and_a_function_called() -> None:
    assert (render_doc(DocInput("pkg.MONTHLY", "MONTHLY", "", attribute=True))
            == "Reads the Python attribute `pkg.MONTHLY`.\n")
    assert render_doc(DocInput("pkg.f", "f", "")) == "Calls the Python `pkg.f`.\n"
