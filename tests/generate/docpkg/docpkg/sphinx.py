"""Sphinx-style docstrings (reST field lists)."""

from __future__ import annotations

from collections.abc import Callable


def scale(values: list[float], factor: float | int = 2, *rest: float) -> tuple[float, ...]:
    """Multiply every value by a factor.

    .. versionadded:: 1.1

    :param values: The numbers to scale.
    :param factor: The factor, see :class:`~fractions.Fraction` for exact ones.
    :param rest: More values.
    :returns: The scaled values, in order.
    :rtype: tuple
    :raises TypeError: When a value is not a number.

    .. note:: Scaling by zero is allowed.

    Example::

        scale([1.0, 2.0], 3)
    """
    return tuple(v * factor for v in [*values, *rest])


def apply(fn: Callable[[int], int], value: int, label: bytes | None = None) -> int | None:
    """Apply a callback.

    :param fn: The callback.
    :param value: Its argument.
    :param label: Ignored.
    :return: What ``fn`` returns.
    """
    return fn(value)
