"""Python helpers for the runtime's ExUnit tests: faults on demand, objects to hold."""

import os
import sys
import time


class CustomError(Exception):
    """An exception type defined outside builtins."""


class Counter:
    """An object with no Elixir form: comes back as a SnakeBridge.Ref."""

    def __init__(self, start=0):
        self.value = start

    def add(self, amount=1):
        self.value += amount
        return self.value

    @property
    def doubled(self):
        return self.value * 2


def positional_only(a, b=2, c=3, /, *, d=4):
    return [a, b, c, d]


def raise_custom(message):
    raise CustomError(message)


def sleep(seconds):
    time.sleep(seconds)
    return "slept"


def junk_stdout():
    """Stray output of every kind a library might produce: none may corrupt a frame."""
    print("junk from print")
    sys.stdout.write("junk from sys.stdout\n")
    sys.stdout.flush()
    os.write(1, b"\x00\x00\x00\x05junk!")
    return "still fine"


def garbage_frame():
    """A well-framed packet that is not an answer (no magic byte)."""
    fd = sys.modules["__main__"].PROTOCOL_FD
    os.write(fd, b"\x00\x00\x00\x04oops")
    return "sent"


def garbage_raw():
    """Bytes with no framing at all: the length prefix they imply never completes."""
    fd = sys.modules["__main__"].PROTOCOL_FD
    os.write(fd, b"garbage!")
    return "sent"


def exit_now(code):
    os._exit(code)
