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

import contextlib
import importlib
import inspect
import itertools
import os
import pickle
import signal
import struct
import sys
import threading
import traceback

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)
import snakebridge_etf as etf  # noqa: E402
import snakebridge_values as values  # noqa: E402

# The script's own directory must not shadow the user's modules.
sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) != _HERE]

_HEADER = struct.Struct(">BQI")
_CALLBACK_HEADER = struct.Struct(">BQQII")  # magic, call id, function's call id, index, n
_FUNCTION_KEY = struct.Struct(">QI")
_REQUEST = struct.Struct(">QI")
_LENGTH = struct.Struct(">I")
_MAGIC = 0xAB
_CALLBACK_MAGIC = 0xAC
_KEEP_MAGIC = 0xAD  # `<<0xAD, call_id::64, n::32, indices::n*32>>`: functions Python kept
_DROP_MAGIC = 0xAE  # `<<0xAE, n::32, (call_id::64, index::32)*n>>`: kept functions freed
#: The private fd frames go out on (set by `main`; fault-injection tests write to it).
PROTOCOL_FD = None
_ERROR = etf.Atom("error")
_OK_PREFIX = b"\x83h\x02" + etf.atom("ok")  # `{:ok, ` opening an answer frame
_BUILTIN_MODULES = ("builtins", "exceptions")


class ElixirError(Exception):
    """An Elixir function called back from Python raised: `str()` is Elixir's message
    and stacktrace; `elixir_type` the exception module (`RuntimeError`)."""

    def __init__(self, elixir_type, message, stacktrace):
        super().__init__(f"** ({elixir_type}) {message}\n{stacktrace}".rstrip())
        self.elixir_type = elixir_type
        self.elixir_message = message


ElixirError.__module__ = "snakebridge"


class ElixirFunction:
    """An Elixir function from a call's arguments (function `index` of request
    `req_id`): calling it runs the function in the Elixir process making the call in
    progress (see `Worker.call_elixir`). The Elixir side keeps the function as long as
    this proxy lives: freeing it tells the Elixir side to drop the function."""

    __slots__ = ("worker", "req_id", "index", "arity", "name")

    def __init__(self, worker, req_id, index, arity, name):
        self.worker = worker
        self.req_id = req_id
        self.index = index
        self.arity = arity
        self.name = name

    def __call__(self, *args, **kwargs):
        return self.worker.call_elixir(self, args, kwargs)

    def __repr__(self):
        return f"<Elixir function {self.name}>"

    def __del__(self):
        # Only noted here (a finalizer may run in the middle of writing a frame, or in
        # another thread); the worker tells the Elixir side at its next safe point.
        self.worker.dropped.append((self.req_id, self.index))


class Consumed:
    """What the registry holds for an iterator an Elixir stream used up."""

    __slots__ = ("type",)

    def __init__(self, type_name):
        self.type = type_name


class Worker:
    """Holds the object registry and answers requests, one at a time (a request that
    calls back into Elixir serves the requests that arrive meanwhile, nested)."""

    def __init__(self, reader=None, out=None):
        self.reader = reader
        self.out = out
        self.thread = threading.get_ident()
        self.calls = []  # ids of the requests running (nested by callbacks), innermost last
        self.replies = {}  # callback id -> (status, value), possibly out of order
        self.next_callback = 1
        self.made = {}  # request id -> indices of its functions with a live proxy
        self.kept = set()  # (request id, index) of proxies the Elixir side keeps
        self.dropped = []  # (request id, index) of freed proxies, not yet handled
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
            "method_of": self.op_method_of,
            "getattr": self.op_getattr,
            "getref": self.op_getref,
            "doc": self.op_doc,
            "value": self.op_value,
            "release": self.op_release,
            "consumed": self.op_consumed,
            "stats": self.op_stats,
            "iter": self.op_iter,
            "next": self.op_next,
            "export": self.op_export,
            "import": self.op_import,
            "exit_context": self.op_exit_context,
            "cb_reply": self.op_cb_reply,
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
        outer = (self.ndarray, self.new_ids)  # a nested request must not disturb them
        self.new_ids = []
        self.calls.append(req_id)
        try:
            try:
                header = frame[_REQUEST.size : end]
                function, static = self.headers.get(header) or self.prepare(header)
                payload, special = etf.decode(frame[end:])
                if function == self.op_cb_reply:
                    return self.op_cb_reply(*payload, special)
                if special:
                    payload = self.resolve(payload)
                result = function(*static, *payload)
            except BaseException as exc:  # noqa: B036 - SystemExit/KeyboardInterrupt too
                payload = None
                return self.reply(req_id, (_ERROR, python_error(exc)), b"\x83")
            payload = None  # frees the proxies of functions the call did not keep
            return self.reply(req_id, result, _OK_PREFIX)
        finally:
            self.calls.pop()
            self.ndarray, self.new_ids = outer

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
        self.keep_functions(req_id)
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

    def serve(self):
        """Answer frames until the Elixir side closes the pipe."""
        while True:
            frame = read_frame(self.reader)
            if frame is None:
                return 0
            answer = self.handle(frame)
            if answer is not None:
                write_frame(self.out, answer)
            self.flush_dropped()

    # -- callbacks into Elixir -----------------------------------------------------

    def call_elixir(self, function, args, kwargs):
        """Run an Elixir function: a callback frame `<<0xAC, req_id::64,
        fun_req_id::64, index::32, n::32, new_ref_ids::n*64, etf({cb_id, args})>>` goes
        to the Elixir process that made request `req_id`, the innermost call in
        progress (not necessarily the call that passed the function: a lazy object
        keeps it); requests arriving before its reply (the callback calling Python
        again) are served meanwhile."""
        req_id = next((call for call in reversed(self.calls) if call), None)
        if req_id is None or threading.get_ident() != self.thread:
            where = "another thread" if threading.get_ident() != self.thread else "no call"
            raise RuntimeError(
                f"the Elixir function {function.name} was called from {where} while no "
                "SnakeBridge call was in progress on this worker's main thread; an Elixir "
                "function runs in the Elixir process making the current call, so Python "
                "may call it only during a call (never from its own threads)"
            )
        if kwargs:
            args = (*args, kwargs)
        if len(args) != function.arity:
            raise TypeError(
                f"the Elixir function takes {function.arity} arguments, got {len(args)}"
            )
        cb_id = self.next_callback
        self.next_callback += 1
        outer, self.new_ids = self.new_ids, []
        try:
            payload = etf.encode((cb_id, list(args)), self.convert)
            ids = self.new_ids
        finally:
            self.new_ids = outer
        head = _CALLBACK_HEADER.pack(
            _CALLBACK_MAGIC, req_id, function.req_id, function.index, len(ids)
        )
        write_frame(self.out, head + struct.pack(f">{len(ids)}Q", *ids) + payload)
        status, value, special = self.await_reply(cb_id)
        if status != "ok":
            raise ElixirError(*value)
        return self.resolve(value) if special else value

    def await_reply(self, cb_id):
        while cb_id not in self.replies:
            frame = read_frame(self.reader)
            if frame is None:
                os._exit(0)  # the Elixir side is gone: nobody will answer
            answer = self.handle(frame)
            if answer is not None:
                write_frame(self.out, answer)
            self.flush_dropped()
        return self.replies.pop(cb_id)

    def keep_functions(self, req_id):
        """Before request `req_id` answers: tell the Elixir side which of its functions
        Python still holds (so it keeps them past the call); frees noted so far first."""
        self.flush_dropped()
        indices = self.made.pop(req_id, None)
        if indices:
            self.kept.update((req_id, index) for index in indices)
            body = struct.pack(f">{len(indices)}I", *sorted(indices))
            write_frame(self.out, _HEADER.pack(_KEEP_MAGIC, req_id, len(indices)) + body)

    def flush_dropped(self):
        """Tell the Elixir side which kept functions Python has freed."""
        gone = []
        while self.dropped:
            key = self.dropped.pop()
            if key in self.kept:
                self.kept.discard(key)
                gone.append(key)
            elif key[0] in self.made:
                self.made[key[0]].discard(key[1])
        if gone:
            body = b"".join(_FUNCTION_KEY.pack(*key) for key in gone)
            write_frame(self.out, bytes([_DROP_MAGIC]) + _LENGTH.pack(len(gone)) + body)

    def op_cb_reply(self, cb_id, status, value, special):
        """A callback's result, resolved by the waiting callback (where a bad reference
        in it raises)."""
        self.replies[cb_id] = (status, value, special)

    # -- operations ----------------------------------------------------------------

    def op_init(self, owner):
        self.owner = owner
        return {"pid": os.getpid(), "python": sys.version.split()[0]}

    # Each operation takes its header's static arguments, then the payload's.

    def target(self, module, qualname):
        """`module.qualname`, cached when callable (functions and classes do not
        change; constants might)."""
        key = (module, qualname)
        target = self.functions.get(key)
        if target is None:
            target = lookup(module, qualname)
            if callable(target) and len(self.functions) < 4096:
                self.functions[key] = target
        return target

    def op_call(self, mode, module, qualname, args, kwargs):
        self.ndarray = mode
        target = self.target(module, qualname)
        if args or kwargs:
            return invoke(target, args, kwargs)
        # A constant may be named in a dynamic call (SnakeBridge.call/4).
        return target() if callable(target) else target

    def op_method(self, mode, name, obj, args, kwargs):
        self.ndarray = mode
        return invoke(getattr(obj, name), args, kwargs)

    def op_method_of(self, mode, module, qualname, name, label, obj, args, kwargs):
        """A generated method call: `obj` must be an instance of `module.qualname` (the
        generated module's class); the method is `obj`'s own (polymorphic)."""
        self.ndarray = mode
        cls = self.target(module, qualname)
        if isinstance(cls, type) and not isinstance(obj, cls):
            raise TypeError(
                f"{label} expects a {module}.{qualname} as its first argument, "
                f"got {type_name(type(obj))}"
            )
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
        signature, doc = signature_text(target), inspect.getdoc(target)
        return {"signature": signature, "doc": doc,
                "markdown": markdown_doc(f"{module}.{qualname}", qualname, signature, doc)}

    def op_release(self, ids):
        self.drop(ids)
        return None

    def op_consumed(self, ids):
        """Iterators an Elixir stream used up: the objects go, their ids stay as marks
        (still owned, released as usual) so a second enumeration says what happened."""
        for ref_id in ids:
            value = self.registry.get(ref_id)
            if value is not None and type(value) is not Consumed:
                self.registry[ref_id] = Consumed(type_name(type(value)))
        return None

    def op_stats(self):
        """Objects held (a consumed iterator's mark is not one), kept Elixir functions."""
        consumed = sum(1 for value in self.registry.values() if type(value) is Consumed)
        refs = len(self.registry) - consumed
        return {"refs": refs, "pid": os.getpid(), "functions": len(self.kept)}

    def op_iter(self, mode, size, obj):
        """The first `size` items of `iter(obj)`, the iterator when there may be more,
        and whether `obj` was its own iterator (consumed by the stream)."""
        self.ndarray = mode
        iterator = iter(obj)
        items = list(itertools.islice(iterator, size))
        more = len(items) == size
        return (items, iterator if more else None, iterator is obj)

    def op_next(self, mode, size, iterator):
        self.ndarray = mode
        items = list(itertools.islice(iterator, size))
        return (items, len(items) < size)

    def op_export(self, obj):
        """The object pickled, to move it to another worker (`op_import`)."""
        return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)

    def op_import(self, mode, data):
        self.ndarray = mode
        return pickle.loads(data)  # noqa: S301 - bytes another worker of this pool wrote

    def op_exit_context(self, obj, error):
        """`obj.__exit__` with no exception, or with an ElixirError for `error`
        (`{type, message, stacktrace}`); whether it suppresses the exception."""
        if error is None:
            return bool(obj.__exit__(None, None, None))
        exc = ElixirError(*error)
        return bool(obj.__exit__(ElixirError, exc, None))

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
        if kind is etf.FrozenKey:
            return values.as_key(self.resolve(value.term))
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
        if name == "Elixir.SnakeBridge.Callback":
            req_id, index = self.calls[-1], value["index"]
            self.made.setdefault(req_id, set()).add(index)
            return ElixirFunction(self, req_id, index, value["arity"], value["name"])
        converted = values.to_python(name, value, self.resolve)
        if converted is not None:
            return converted
        raise TypeError(f"cannot pass a {name[len('Elixir.') :]} struct to Python")

    def deref(self, ref):
        if ref.get("worker") != self.owner:
            raise ValueError("this SnakeBridge.Ref belongs to another worker")
        try:
            value = self.registry[ref["id"]]
        except KeyError:
            raise ValueError(
                f"SnakeBridge.Ref {ref.get('id')} was released (or its owner exited)"
            ) from None
        if type(value) is Consumed:
            raise RuntimeError(
                f"SnakeBridge.Ref {ref['id']} ({value.type}) is an iterator that an earlier "
                "enumeration consumed and released; to use its items more than once, "
                "collect them once (Enum.to_list/1) and reuse the list, or enumerate an "
                "iterable (a list, range or dict view: SnakeBridge.stream/1 on it makes a "
                "fresh iterator each time) instead of an iterator"
            )
        return value

    def convert(self, value):
        """The encoder's fallback: what a Python value with no direct term becomes."""
        twin = values.to_elixir(value)
        if twin is not None:
            return twin
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


def markdown_doc(path, qualname, signature, doc):
    """The doc as the generator renders `@doc` (snakebridge_rules/docs, loaded from the
    checkout beside this script), or None where the renderer is not there."""
    root = os.path.dirname(os.path.dirname(_HERE))
    sys.path.insert(0, root)
    try:
        from snakebridge_rules.docs.markdown import DocInput, render_doc
    except ImportError:
        return None
    finally:
        sys.path.remove(root)
    name = qualname.rsplit(".", 1)[-1]
    return render_doc(DocInput(path, name, doc or "", signature or ""))


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
    """An exception as `%SnakeBridge.PythonError{}`: type, message, traceback, its
    `args` (repr for those that do not convert), public attributes that convert, and
    the qualified names of its class hierarchy."""
    kind = type(exc)
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next  # the worker's own frames say nothing about the user's call
    frames = traceback.format_exception(kind, exc, tb)
    args = exc.args if isinstance(exc.args, tuple) else ()
    return etf.Struct(
        "SnakeBridge.PythonError",
        [
            ("__exception__", True),
            ("type", type_name(kind)),
            ("message", str(exc) + _interpreter_hint(exc)),
            ("traceback", "".join(frames)),
            ("args", [arg if _plain(arg) else repr(arg) for arg in args]),
            ("attributes", public_attributes(exc)),
            ("mro", [type_name(base) for base in kind.__mro__ if base is not object]),
        ],
    )


def _interpreter_hint(exc):
    """A missing module most often means the wrong Python (the runtime defaults to
    `python3` on PATH): say which one ran and how to point the runtime elsewhere."""
    if not isinstance(exc, ModuleNotFoundError):
        return ""
    return (
        f" (the SnakeBridge worker runs {sys.executable}, Python {sys.version.split()[0]}; "
        "to use the locked environment, set SNAKEBRIDGE_PYTHON or config :snakebridge, "
        "python: ... to the interpreter `snakebridge env LOCK` prints, or with Pants "
        "dist/export/python/virtualenvs/RESOLVE/*/bin/python "
        "after `pants export --resolve=RESOLVE`)"
    )


def public_attributes(exc):
    """Attributes not starting with `_` (besides `args`) whose values are plain data."""
    found = {}
    for name in dir(exc):
        if name.startswith("_") or name == "args":
            continue
        try:
            value = getattr(exc, name)
        except Exception:  # noqa: BLE001, S112 - a property that fails is not an attribute
            continue
        if not callable(value) and _plain(value):
            found[name] = value
    return found


def _plain(value):
    """Whether `value` converts to Elixir data with no reference."""
    try:
        etf.encode(value)
    except Exception:  # noqa: BLE001
        return False
    return True


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


_MAIN_PID = os.getpid()


def read_frame(reader):
    """The next request frame, or None at the end of input (or in a forked child)."""
    try:
        head = reader.read(4)
        if len(head) < 4:
            return None
        (size,) = _LENGTH.unpack(head)
        frame = reader.read(size)
    except (OSError, ValueError):  # a forked child's closed channel
        return None
    return frame if len(frame) == size else None


def write_frame(fd, payload):
    if os.getpid() != _MAIN_PID:
        sys.stderr.write("snakebridge worker: a forked child tried to answer; it exits\n")
        os._exit(70)  # only the worker itself may write frames
    data = _LENGTH.pack(len(payload)) + payload
    written = os.write(fd, data)
    while written < len(data):  # a pipe may take a large frame in pieces
        written += os.write(fd, memoryview(data)[written:])


_CHANNEL_FDS = []


def _close_channel():
    """Run in a process forked by user code (multiprocessing, os.fork): it must never
    read or write the protocol channel, so its copies of the two fds are closed.
    (A module-level function: a closure here crashes Python 3.8 at exit.)"""
    for fd in _CHANNEL_FDS:
        with contextlib.suppress(OSError):
            os.close(fd)


def main():
    global PROTOCOL_FD
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in IEx must not kill workers
    reader, out = claim_stdio()
    PROTOCOL_FD = out
    _CHANNEL_FDS[:] = [reader.fileno(), out]
    os.register_at_fork(after_in_child=_close_channel)
    try:
        return Worker(reader, out).serve()
    except struct.error:
        sys.stderr.write("snakebridge worker: a request frame without its header\n")
        return 3  # the Elixir side is broken: let it replace this worker
    except BrokenPipeError:
        return 0  # the Elixir side is gone: nobody is waiting


if __name__ == "__main__":
    sys.exit(main())
