"""The renderer on hand-built surfaces: compiles with the runtime under
`--warnings-as-errors`, is `mix format`-clean, runs nothing at compile time, and
carries every docstring exactly (read back through `Code.fetch_docs`)."""

from __future__ import annotations

import re
from pathlib import Path

from snakebridge_rules.engine.generate import render_surfaces, write_outputs
from snakebridge_rules.engine.generate.members import function_of
from snakebridge_rules.engine.generate.modules import moduledoc


def test_output_is_mix_format_clean(rendered) -> None:
    assert rendered.check.unformatted == []


def test_long_forms_are_exercised(rendered) -> None:
    """The fuzz surfaces must reach every broken layout, or the check above is weak."""
    text = "\n".join(p.read_text() for p in rendered.out.rglob("*.ex"))
    assert "  import Kernel,\n    except: [\n" in text
    assert "\n        ) :: {:ok," in text  # broken @spec head
    assert "\n      ) do\n" in text  # broken def head
    assert " ::\n          {:ok, " in text  # @spec broken after ::
    assert "    SnakeBridge.Runtime.invoke_function(\n" in text


def test_docstrings_cannot_run_code_at_compile_time(rendered) -> None:
    assert not rendered.marker.exists()
    source = (rendered.out / "hostile.ex").read_text()
    for line in source.splitlines():  # heredoc delimiters only where the generator puts them
        if '"""' in line:
            assert re.fullmatch(r'  (@doc|@moduledoc) """|  """', line), line
    assert "~S" not in source.replace('~S\\"', "")
    assert "#{" not in source.replace("\\#{", "")


def test_docs_round_trip_exactly(rendered) -> None:
    for surface in rendered.surfaces:
        for module in surface.modules:
            docs = rendered.check.docs[module.elixir_module]
            assert docs[""] == moduledoc(module)
            for member in module.members:
                function = function_of(module, member)
                key = f"{function.name}/{function.arity}"
                assert docs[key] == function.doc, (module.elixir_module, key)


def test_unsafe_names_are_mapped_and_python_names_kept(rendered) -> None:
    source = (rendered.out / "hostile.ex").read_text()
    for elixir, python in [("end_", "end"), ("uppercase", "Uppercase"), ("cafu00e9", "café"),
                           ("module_info_", "module_info"), ("do_", "do")]:
        assert f"  def {elixir}(" in source
        assert f'SnakeBridge.Runtime.invoke_function("hostile", "{python}"' in source
    assert "  import Kernel,\n    except: [if: 2, max: 2, round: 1," in source
    assert "__MODULE__.case(" in source and "__MODULE__.def(" in source
    assert (rendered.out / "hostile" / "core.ex").exists()
    assert (rendered.out / "hostile" / "core_.ex").exists()


def test_calling_convention(rendered) -> None:
    source = (rendered.out / "hostile.ex").read_text()
    # optional positionals and `*args` are positional arguments, one arity each
    rest = ", ".join(f"rest{n}" for n in range(1, 10))
    assert f'  "round",\n      [x],\n      [ndigits, {rest}]\n    )' in source
    assert "  def round(x) do\n" in source  # one def per arity, no default arguments
    assert f"  def round(x, ndigits, {rest}) do\n" in source
    assert "@spec round(number()) ::" in source
    assert "@spec round(number(), integer() | nil | keyword()) ::" in source
    assert "@spec round(number(), integer() | nil, term(), term()) ::" in source
    thing = (rendered.out / "hostile" / "thing.ex").read_text()
    assert 'invoke_function("hostile", "Thing", [size], [opts])' in thing
    assert 'invoke_function("hostile", "Thing", [size], [])' in thing
    assert "def grow(ref, by, ref_, opts) do" in thing
    assert 'invoke_method(ref, {__MODULE__, :grow, "grow"}, [by, ref_], [opts])' in thing
    assert 'get_property(ref, "size")' in thing
    assert 'invoke_function("hostile", "Thing.make", [n], [opts])' in thing
    assert "@spec new(integer()) ::" in thing
    assert "@spec new(integer(), keyword()) ::" in thing  # only what a caller may pass
    for text in (source, thing):
        assert "unset" not in text


def test_rendering_is_deterministic_and_idempotent(rendered, tmp_path: Path) -> None:
    files = render_surfaces(list(reversed(rendered.surfaces)))
    assert files == render_surfaces(rendered.surfaces)
    out = tmp_path / "out"
    first = write_outputs(out, files)
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*.ex")}
    second = write_outputs(out, files)
    assert first.written and not second.written and second.unchanged == first.written
    assert mtimes == {p: p.stat().st_mtime_ns for p in out.rglob("*.ex")}


def test_stale_generated_files_are_removed_and_others_kept(rendered, tmp_path: Path) -> None:
    files = render_surfaces(rendered.surfaces)
    write_outputs(tmp_path, files)
    (tmp_path / "mine.ex").write_text("defmodule Mine do\nend\n")
    smaller = {k: v for k, v in files.items() if not k.startswith("hostile")}
    report = write_outputs(tmp_path, smaller)
    assert "hostile.ex" in report.removed and not (tmp_path / "hostile.ex").exists()
    assert not (tmp_path / "hostile").exists()  # emptied directories go too
    assert (tmp_path / "mine.ex").exists()
