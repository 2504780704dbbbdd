"""Google-style docstrings."""

from __future__ import annotations

from typing import Literal, Optional


class Point:
    """A point in the plane.

    Attributes:
        x: The horizontal coordinate.
        y: The vertical coordinate.
    """

    def __init__(self, x: float, y: float = 0.0) -> None:
        self.x = x
        self.y = y

    def scaled(self, factor: float) -> Point:
        """Return this point scaled by ``factor``.

        Args:
            factor: How much to scale both coordinates by.

        Returns:
            A new point; this one is unchanged.
        """
        return Point(self.x * factor, self.y * factor)

    @property
    def norm(self) -> float:
        """The distance from the origin."""
        return (self.x**2 + self.y**2) ** 0.5


def greet(name: str, times: int = 1, *, punctuation: Literal["!", "?"] = "!") -> str:
    """Greet someone by name.

    The greeting is repeated as often as asked, see :func:`shout` for a louder one.

    Args:
        name: Who to greet.
        times: How many times to repeat the greeting.
        punctuation: What ends each greeting.

    Returns:
        The greeting, e.g. ``"Hello, Ada!"``.

    Raises:
        ValueError: If ``times`` is negative.

    Example:
        >>> greet("Ada", 2)
        'Hello, Ada! Hello, Ada!'
    """
    if times < 0:
        raise ValueError("times must be >= 0")
    return " ".join([f"Hello, {name}{punctuation}"] * times)


def shout(words: list[str], sep: Optional[str] = None) -> dict[str, int]:  # noqa: UP045
    """Shout words, counting letters.

    Args:
        words: The words to shout.
        sep: Unused separator.

    Returns:
        Each upper-cased word and its length.
    """
    return {w.upper(): len(w) for w in words}
