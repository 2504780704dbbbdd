"""Shapes the end-to-end suite needs that the standard library lacks: instance
attributes of every kind, a signature wider than BEAM's 255 arguments, a
positional-only parameter whose value may be a keyword list, and module-level objects
(one whose Elixir module name a class takes)."""

from dataclasses import dataclass


@dataclass
class Point:
    """A dataclass: `y` has a class-level default that each instance overrides."""

    x: int
    y: int = 0


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self, a, b):
        self.a = a
        self.b = b


class Annotated:
    label: str

    def __init__(self, label):
        self.label = label


class Plain:
    def __init__(self, n):
        self.total = n * 2


def first(items=None, /):
    """Returns its argument: a keyword list passed positionally comes back as pairs."""
    return items


def _wide_source(count: int) -> str:
    params = ", ".join(f"p{n}" for n in range(count))
    return f"def wide({params}):\n    return sum(locals().values())\n"


exec(_wide_source(300))  # noqa: S102 - a 300-parameter function, written out


class _Meter:
    """A module-level object's class: `meter`'s methods bind as `Sbforms.Meter.*`."""

    def __init__(self):
        self.scale = 10

    def reading(self, x, offset=0):
        return x * self.scale + offset

    @property
    def unit(self):
        return "cm"


meter = _Meter()


class Gauge:
    """A class beside the object `gauge`: the class takes `Sbforms.Gauge`."""


gauge = _Meter()
