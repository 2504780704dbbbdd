"""core: public twin."""


def which():
    """Which module."""
    return "core"
