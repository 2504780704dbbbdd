"""A package without annotations; its types are in the stub-only `untyped-stubs`."""


def area(width, height=1.0):
    """Width times height."""
    return width * height


def label(n):
    """The number as text."""
    return str(n)
