"""The Python side of the SnakeBridge runtime: one process serving one Elixir worker.

Run as a script by an Erlang Port (`{:packet, 4}`): frames on fd 0 are requests
`<<id::64, size::32, header_etf::size, payload_etf>>`; answers go out on a private
duplicate of fd 1 as
`<<0xAB, id::64, n::32, new_ref_ids::n*64, etf>>` so the Elixir worker can route the
answer and record who owns the new references without decoding the payload. Then fd 1
and `sys.stdout` point at stderr, so a stray `print` (or C code writing to fd 1) never
corrupts a frame. Standard library only, Python >= 3.8: it runs in the user's own
environment, where nothing may be installed.
"""

import importlib
import inspect
import os
import signal
import struct
import sys
import traceback

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)
import snakebridge_etf as etf  # noqa: E402

# The script's own directory must not shadow the user's modules.
sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) != _HERE]

_HEADER = struct.Struct(">BQI")
_REQUEST = struct.Struct(">QI")
_LENGTH = struct.Struct(">I")
_MAGIC = 0xAB
#: The private fd frames go out on (set by `main`; fault-injection tests write to it).
PROTOCOL_FD = None
_ERROR = etf.Atom("error")
_OK_PREFIX = b"\x83h\x02" + etf.atom("ok")  # `{:ok, ` opening an answer frame
_BUILTIN_MODULES = ("builtins", "exceptions")


class Worker:
    """Holds the object registry and answers requests, one at a time."""

    def __init__(self):
        self.registry = {}
        self.next_id = 1
        self.owner = None  # the Elixir worker's pid, as raw ETF bytes
        self.new_ids = []
        self.ndarray = "ref"
        self.functions = {}  # (module, qualname) -> callable, to skip imports and getattr
        self.headers = {}  # encoded request header -> (operation, static arguments)
        self.ops = {
            "init": self.op_init,
            "call": self.op_call,
            "method": self.op_method,
            "getattr": self.op_getattr,
            "getref": self.op_getref,
            "doc": self.op_doc,
            "value": self.op_value,
            "release": self.op_release,
            "stats": self.op_stats,
        }

    # -- requests ------------------------------------------------------------------

    def handle(self, frame):
        """Answer one frame `<<id::64, size::32, header::size, payload>>`; None when the
        request wants no answer (id 0).

        The header (`{op, static arguments...}`: what to call, how to convert) repeats
        from call to call, so it is decoded once and cached by its bytes; only the
        payload (the call's own arguments) is decoded each time.
        """
        req_id, size = _REQUEST.unpack_from(frame)
        end = _REQUEST.size + size
        try:
            header = frame[_REQUEST.size : end]
            function, static = self.headers.get(header) or self.prepare(header)
            payload, special = etf.decode(frame[end:])
            if special:
                payload = self.resolve(payload)
            result = function(*static, *payload)
        except BaseException as exc:  # noqa: B036 - SystemExit/KeyboardInterrupt too
            return self.reply(req_id, (_ERROR, python_error(exc)), b"\x83")
        return self.reply(req_id, result, _OK_PREFIX)

    def prepare(self, header):
        term, _special = etf.decode(header)
        prepared = (self.ops[term[0]], term[1:])
        if len(self.headers) < 4096:
            self.headers[header] = prepared
        return prepared

    def reply(self, req_id, term, prefix):
        """Encode an answer (`prefix` + `term`); a value that cannot be encoded becomes
        an error answer."""
        new_ids, self.new_ids = self.new_ids, []
        if not req_id:
            self.drop(new_ids)
            return None
        try:
            payload = etf.encode(term, self.convert, prefix)
        except BaseException as exc:  # noqa: B036
            self.drop(new_ids + self.new_ids)
            new_ids, self.new_ids = [], []
            payload = etf.encode((_ERROR, python_error(exc)))
        else:
            new_ids += self.new_ids
            self.new_ids = []
        header = _HEADER.pack(_MAGIC, req_id, len(new_ids))
        if new_ids:
            header += struct.pack(f">{len(new_ids)}Q", *new_ids)
        return header + payload

    def drop(self, ids):
        for ref_id in ids:
            self.registry.pop(ref_id, None)

    # -- operations ----------------------------------------------------------------

    def op_init(self, owner):
        self.owner = owner
        return {"pid": os.getpid(), "python": sys.version.split()[0]}

    # Each operation takes its header's static arguments, then the payload's.

    def op_call(self, mode, module, qualname, args, kwargs):
        self.ndarray = mode
        key = (module, qualname)
        target = self.functions.get(key)
        if target is None:
            target = lookup(module, qualname)
            if callable(target) and len(self.functions) < 4096:
                self.functions[key] = target  # functions do not change; constants might
        if args or kwargs:
            return invoke(target, args, kwargs)
        # A constant may be named in a dynamic call (SnakeBridge.call/4).
        return target() if callable(target) else target

    def op_method(self, mode, name, obj, args, kwargs):
        self.ndarray = mode
        return invoke(getattr(obj, name), args, kwargs)

    def op_getattr(self, mode, module, qualname):
        self.ndarray = mode
        return lookup(module, qualname)

    def op_getref(self, mode, name, obj):
        self.ndarray = mode
        return getattr(obj, name)

    def op_value(self, mode, obj):
        self.ndarray = mode
        return obj

    def op_doc(self, module, qualname):
        target = lookup(module, qualname)
        return {"signature": signature_text(target), "doc": inspect.getdoc(target)}

    def op_release(self, ids):
        self.drop(ids)
        return None

    def op_stats(self):
        return {"refs": len(self.registry), "pid": os.getpid()}

    # -- conversions ---------------------------------------------------------------

    def resolve(self, value):
        """Elixir structs in a request → Python objects; bare non-UTF-8 binaries → error."""
        kind = type(value)
        if kind is list:
            return [self.resolve(item) for item in value]
        if kind is tuple:
            return tuple(self.resolve(item) for item in value)
        if kind is dict:
            if "__struct__" in value:
                return self.from_struct(value)
            return {self.resolve(k): self.resolve(v) for k, v in value.items()}
        if kind is bytes:
            raise TypeError(
                "a binary argument is not valid UTF-8 text; pass raw bytes as "
                "%SnakeBridge.Bytes{data: binary}"
            )
        return value

    def from_struct(self, value):
        name = value["__struct__"]
        if name == "Elixir.SnakeBridge.Ref":
            return self.deref(value)
        if name == "Elixir.SnakeBridge.Bytes":
            data = value.get("data", b"")
            return data.encode("utf-8") if isinstance(data, str) else bytes(data)
        if name == "Elixir.SnakeBridge.Array":
            return array_from_struct(value)
        raise TypeError(f"cannot pass a {name[len('Elixir.') :]} struct to Python")

    def deref(self, ref):
        if ref.get("worker") != self.owner:
            raise ValueError("this SnakeBridge.Ref belongs to another worker")
        try:
            return self.registry[ref["id"]]
        except KeyError:
            raise ValueError(
                f"SnakeBridge.Ref {ref.get('id')} was released (or its owner exited)"
            ) from None

    def convert(self, value):
        """The encoder's fallback: what a Python value with no direct term becomes."""
        numpy = sys.modules.get("numpy")
        if numpy is not None:
            if isinstance(value, numpy.ndarray) and self.ndarray != "ref":
                return value.tolist() if self.ndarray == "list" else array_struct(value)
            if isinstance(value, numpy.generic):
                return value.item()
        if isinstance(value, (bytes, bytearray, memoryview)):
            return etf.Struct("SnakeBridge.Bytes", [("data", etf.Blob(bytes(value)))])
        if not _is_enum(value):
            for plain in (int, float, str):  # subclasses (np.float64 is a float)
                if isinstance(value, plain):
                    return plain(value)
        return self.make_ref(value)

    def make_ref(self, value):
        ref_id = self.next_id
        self.next_id += 1
        self.registry[ref_id] = value
        self.new_ids.append(ref_id)
        fields = [("id", ref_id), ("worker", self.owner), ("type", type_name(type(value)))]
        return etf.Struct("SnakeBridge.Ref", fields)


def _is_enum(value):
    enum = sys.modules.get("enum")
    return enum is not None and isinstance(value, enum.Enum)


def type_name(kind):
    """`ValueError` for builtins, else `module.Qualname` (`numpy.ndarray`)."""
    module = kind.__module__
    return kind.__qualname__ if module in _BUILTIN_MODULES else f"{module}.{kind.__qualname__}"


def lookup(module, qualname):
    """`module` imported, then each segment of the dotted `qualname` (may be empty)."""
    target = importlib.import_module(module)
    for part in (qualname or "").split(".") if qualname else ():
        target = getattr(target, part)
    return target


def invoke(target, args, kwargs):
    """Call with Elixir's arguments: the positional list and the keyword list (pairs)."""
    return target(*args, **dict(kwargs)) if kwargs else target(*args)


def signature_text(target):
    try:
        return str(inspect.signature(target))
    except (TypeError, ValueError):
        return None


def array_struct(value):
    """An ndarray as `%SnakeBridge.Array{dtype, shape, data}` (C order, little-endian)."""
    numpy = sys.modules["numpy"]
    data = numpy.ascontiguousarray(value)
    if data.dtype.byteorder == ">":
        data = data.astype(data.dtype.newbyteorder("<"))
    if data.dtype.hasobject:
        raise TypeError("an object ndarray has no binary form; use ndarray: :ref or :list")
    return etf.Struct(
        "SnakeBridge.Array",
        [
            ("dtype", data.dtype.name),
            ("shape", list(data.shape)),
            ("data", etf.Blob(data.tobytes())),
        ],
    )


def array_from_struct(value):
    numpy = importlib.import_module("numpy")
    data = value.get("data", b"")
    if isinstance(data, str):
        data = data.encode("utf-8")
    dtype = numpy.dtype(value["dtype"]).newbyteorder("<")
    return numpy.frombuffer(data, dtype=dtype).reshape(value["shape"])


def python_error(exc):
    """An exception as `%SnakeBridge.PythonError{type, message, traceback}`."""
    kind = type(exc)
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next  # the worker's own frames say nothing about the user's call
    frames = traceback.format_exception(kind, exc, tb)
    return etf.Struct(
        "SnakeBridge.PythonError",
        [
            ("__exception__", True),
            ("type", type_name(kind)),
            ("message", str(exc)),
            ("traceback", "".join(frames)),
        ],
    )


def claim_stdio():
    """Keep private duplicates of fds 0/1 for frames; point fd 0 at /dev/null and fd 1
    (and `sys.stdout`) at stderr so user code can neither read nor corrupt frames."""
    proto_in = os.dup(0)
    proto_out = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    sys.stdin = open(os.devnull)  # noqa: SIM115 - lives as long as the process
    return os.fdopen(proto_in, "rb", buffering=1 << 16), proto_out


def write_frame(fd, payload):
    data = _LENGTH.pack(len(payload)) + payload
    written = os.write(fd, data)
    while written < len(data):  # a pipe may take a large frame in pieces
        written += os.write(fd, memoryview(data)[written:])


def main():
    global PROTOCOL_FD
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in IEx must not kill workers
    reader, out = claim_stdio()
    PROTOCOL_FD = out
    worker = Worker()
    while True:
        head = reader.read(4)
        if len(head) < 4:
            return 0
        (size,) = _LENGTH.unpack(head)
        frame = reader.read(size)
        if len(frame) < size:
            return 0
        try:
            answer = worker.handle(frame)
        except struct.error:
            sys.stderr.write("snakebridge worker: a request frame without its header\n")
            return 3  # the Elixir side is broken: let it replace this worker
        if answer is not None:
            try:
                write_frame(out, answer)
            except BrokenPipeError:
                return 0  # the Elixir side is gone: nobody is waiting


if __name__ == "__main__":
    sys.exit(main())
