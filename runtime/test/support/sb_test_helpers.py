"""Python helpers for the runtime's ExUnit tests: faults on demand, objects to hold."""

import contextlib
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


def count_up(start=0):
    """An infinite generator."""
    n = start
    while True:
        yield n
        n += 1


def produced():
    """How many items `tracked` has produced so far (laziness checks)."""
    return _PRODUCED[0]


_PRODUCED = [0]


def tracked(limit):
    _PRODUCED[0] = 0
    for n in range(limit):
        _PRODUCED[0] += 1
        yield n


def failing_after(n):
    yield from range(n)
    raise ValueError("generator failed")


class NeedsMore(Exception):
    """An exception with public attributes (like a library's)."""

    def __init__(self, needed, have):
        super().__init__(f"needed {needed}, have {have}")
        self.needed = needed
        self.have = have
        self._private = object()
        self.handle = object()


def raise_needs_more(needed, have):
    raise NeedsMore(needed, have)


class Recorder:
    """A context manager that records how it was exited."""

    def __init__(self, suppress=False):
        self.events = []
        self.suppress = suppress

    def __enter__(self):
        self.events.append("enter")
        return self

    def __exit__(self, kind, exc, tb):
        self.events.append("exit" if kind is None else f"exit:{kind.__name__}:{exc}")
        return self.suppress


_KEPT = []


def keep(function):
    """Keeps a callable to call it later (after this call returned)."""
    _KEPT.append(function)
    return "kept"


def call_kept(*args):
    return _KEPT.pop()(*args)


def call_catching(function, *args):
    """Calls `function`; an exception it raises is caught here, in Python."""
    try:
        return ("ok", function(*args))
    except Exception as exc:  # noqa: BLE001
        return ("caught", type(exc).__name__, str(exc).splitlines()[0])


def call_in_thread(function):
    import threading

    out = []

    def run():
        try:
            function(1)
        except Exception as exc:  # noqa: BLE001
            out.append(f"{type(exc).__name__}: {exc}")

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return out[0]


def fork_and_return():
    """Forks; the child returns too (into the worker loop) and must not answer."""
    pid = os.fork()
    if pid == 0:
        return "from the child"
    os.waitpid(pid, 0)
    return "from the parent"


def fork_and_write():
    """A forked child writes to the protocol fd directly: it must be closed there."""
    fd = sys.modules["__main__"].PROTOCOL_FD
    pid = os.fork()
    if pid == 0:
        with contextlib.suppress(OSError):
            os.write(fd, b"\x00\x00\x00\x05junk!")
        os._exit(0)
    os.waitpid(pid, 0)
    return "parent done"


def unpicklable():
    return (n for n in range(3))


def call_through(function, *args, **kwargs):
    """Calls `function` from a Python frame (so tracebacks show this file)."""
    return function(*args, **kwargs)
