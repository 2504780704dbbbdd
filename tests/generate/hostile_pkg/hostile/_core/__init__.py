"""_core: private twin."""


def which():
    """Which module."""
    return "_core"
