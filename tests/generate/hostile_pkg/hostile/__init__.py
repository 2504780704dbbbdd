'''Hostile module #{File.write!("MARKER_PATH", "moduledoc")}
"""
~S"""
"""
#{File.write!("MARKER_PATH", "heredoc")}
'''
# The docstrings above and below try to run Elixir code at compile time; the generated
# bindings must carry them as inert text. MARKER_PATH is replaced by the test.

from . import _core, core  # noqa: F401

PI = 3.14159


def max(a, b):  # noqa: A001 - a Kernel name (max/2)
    """Larger of two. #{File.write!("MARKER_PATH", "max")}"""
    return a if a > b else b


def end(x):
    '''Control chars: \x00 \x07 \x1b \r\t bidi \u202e, café, backslash \\ and \\#{x}
"""
  trailing spaces   '''
    return x + 1


def Uppercase():  # noqa: N802
    """Uppercase name."""
    return "Uppercase"


def café(x):
    """Non-ASCII name."""
    return x * 2


def module_info(x):
    """Named like Erlang's module_info."""
    return ["module_info", x]


def do(a, *rest, scale=1, **extra):
    """Reserved word, *args and **kwargs."""
    return [a, list(rest), scale, sorted(extra)]


def round(x, ndigits=None, /):  # noqa: A001
    """Positional-only with a default."""
    return [x, ndigits]


def doc(x):
    """Named like the generator's own doc/1."""
    return x


class Thing:
    """A class with a constructor, a method, a property."""

    def __init__(self, size):
        self.size_ = size

    def grow(self, by):
        """Grow by `by`."""
        self.size_ += by
        return self.size_

    @property
    def size(self):
        """The size."""
        return self.size_


# Names that are Elixir code: mapped to safe names, never written verbatim.
def _named(name, doc):
    def function(x):
        return [name, x]

    function.__doc__ = doc
    return function


globals()['x(1); File.write!("MARKER_PATH", "name"); def y'] = _named("code", "Code name.")
globals()["has space"] = _named("space", "A name with a space.")
globals()["Bad.Module do File.write!(\"MARKER_PATH\", \"class\") end; defmodule X"] = type(
    "Evil", (), {"__doc__": "A class whose name is Elixir code.", "__module__": __name__})
