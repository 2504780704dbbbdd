"""A module-level object whose class has no docstring: `Docpkg.Objects.Tally`."""


class _Tally:
    def add(self, a: int, b: int = 1) -> int:
        """Adds `a` and `b`."""
        return a + b

    @property
    def size(self) -> int:
        """How many were added."""
        return 0


tally = _Tally()
