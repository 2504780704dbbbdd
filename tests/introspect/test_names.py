"""The Python -> Elixir name mapping (engine/names.py), as CONTRACTS.md "Names" fixes it."""

from __future__ import annotations

import pytest

from snakebridge_rules.engine.names import (
    UnsafeName,
    checked_function_name,
    checked_module_name,
    function_names,
    is_valid_function_name,
    module_segment,
    segment_names,
)


@pytest.mark.parametrize(("python", "elixir"), [
    ("linalg", "Linalg"), ("_core", "Core_"), ("core", "Core"), ("__x", "X__"),
    ("ndarray", "Ndarray"), ("Generator", "Generator"), ("fft_helper", "FftHelper"),
    ("café", "Cafu00e9"), ("2d", "M2d"),
])
def test_module_segments(python: str, elixir: str) -> None:
    assert module_segment(python) == elixir


def test_core_and_private_core_never_collide() -> None:
    assert segment_names(["core", "_core"]) == {"_core": "Core_", "core": "Core"}


def test_segment_collisions_are_numbered_in_sorted_order() -> None:
    assert segment_names(["foo_bar", "fooBar"]) == {"fooBar": "FooBar", "foo_bar": "FooBar2"}


@pytest.mark.parametrize("name", ["end", "do", "fn", "nil", "true", "not", "unquote", "__info__",
                                  "module_info", "doc", "__python__", "Foo", "café", "x²"])
def test_unsafe_names_are_invalid(name: str) -> None:
    assert not is_valid_function_name(name)


@pytest.mark.parametrize("name", ["mean", "_private", "__init__", "import", "case", "max", "x2"])
def test_safe_names_are_valid(name: str) -> None:
    assert is_valid_function_name(name)


def test_function_mapping_keeps_valid_names_and_maps_the_rest() -> None:
    mapping = function_names(["mean", "end", "end_", "HTTPError", "PI", "pi", "café",
                              "module_info", "doc", "__info__", "Upper", "upper"])
    assert mapping == {
        "mean": "mean", "end_": "end_", "end": "end__2", "HTTPError": "http_error",
        "PI": "pi_2", "pi": "pi", "café": "cafu00e9", "module_info": "module_info_",
        "doc": "doc_", "__info__": "__info___", "Upper": "upper_2", "upper": "upper",
    }
    assert len(set(mapping.values())) == len(mapping)
    assert all(is_valid_function_name(v) for v in mapping.values())


def test_scope_reserved_names_are_mapped_away() -> None:
    assert function_names(["new", "area"], reserved=["new"]) == {"new": "new_", "area": "area"}


def test_mapping_does_not_depend_on_input_order() -> None:
    names = ["b", "End", "end", "A", "a", "x²", "x"]
    assert function_names(names) == function_names(list(reversed(names)))


# ------------------------------------------------------------------ hostile names

_HOSTILE = ['x(); :os.cmd(~c"touch pwned"); def y', "has space", "a?", "b!", "x\ny",
            "end_2", "_", "__struct__", "é" * 300, "a" * 500, "", "1abc", '"quote"',
            "#{code}", "Elixir.Foo"]


def test_hostile_function_names_map_to_valid_unique_names() -> None:
    mapping = function_names(_HOSTILE + ["end", "end_"])
    assert all(is_valid_function_name(v) for v in mapping.values()), mapping
    assert len(set(mapping.values())) == len(mapping)
    assert mapping["has space"] == "has_space"


def test_unique_never_returns_raw_text() -> None:
    # Two names mapping to one candidate: the `_N` form must pass the gate too.
    mapping = function_names(["a b", "a_b", "a-b", "a.b"])
    assert sorted(mapping.values()) == ["a_b", "a_b_2", "a_b_3", "a_b_4"]


@pytest.mark.parametrize("name", _HOSTILE)
def test_hostile_segments_are_valid_aliases(name: str) -> None:
    segment = module_segment(name)
    assert checked_module_name(segment) == segment
    assert len(segment) <= 70


def test_the_gate_refuses_unmappable_text_clearly() -> None:
    with pytest.raises(UnsafeName, match=r"is not a safe Elixir function name"):
        checked_function_name("x(); :os.cmd('id')")
    with pytest.raises(UnsafeName, match=r"is not a safe Elixir module name"):
        checked_module_name("/etc/Passwd")
    with pytest.raises(UnsafeName):
        checked_module_name("A" * 300)
