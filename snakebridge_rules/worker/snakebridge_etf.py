"""Erlang External Term Format, the subset the SnakeBridge runtime exchanges.

Hand-written and stdlib-only because it runs inside the user's interpreter (any CPython
>= 3.8) where nothing may be installed. Decoding maps Elixir terms to plain Python
values (atoms become `str`, except nil/true/false and the non-finite float atoms
nan/infinity/neg_infinity); encoding is driven by the worker,
which decides what each Python value becomes (`Atom`, `Struct`, `Raw` mark the terms
that plain Python types cannot express).
"""

import math
import struct
import zlib

VERSION = 131
_NEW_FLOAT = 70
_BIT_BINARY = 77
_COMPRESSED = 80
_NEW_PID = 88
_SMALL_INT = 97
_INT = 98
_FLOAT_OLD = 99
_ATOM = 100
_PID = 103
_SMALL_TUPLE = 104
_LARGE_TUPLE = 105
_NIL = 106
_STRING = 107
_LIST = 108
_BINARY = 109
_SMALL_BIG = 110
_LARGE_BIG = 111
_SMALL_ATOM = 115
_MAP = 116
_ATOM_UTF8 = 118
_SMALL_ATOM_UTF8 = 119

_U8 = struct.Struct(">B")
_U16 = struct.Struct(">H")
_U32 = struct.Struct(">I")
_I32 = struct.Struct(">i")
_F64 = struct.Struct(">d")
_F64_AT = _F64.unpack_from


class DecodeError(ValueError):
    """A frame that is not a term this codec understands (the peer sent garbage)."""


class Atom(str):
    """A `str` that encodes as an atom rather than a binary."""

    __slots__ = ()


class Blob(bytes):
    """Bytes that encode as a plain binary (the payload inside a struct)."""

    __slots__ = ()


class Raw:
    """A term kept as its encoded bytes (pids): compared and re-emitted, never inspected."""

    __slots__ = ("data",)

    def __init__(self, data):
        self.data = data

    def __eq__(self, other):
        return isinstance(other, Raw) and other.data == self.data

    def __hash__(self):
        return hash(self.data)


class Struct:
    """An Elixir struct to encode: module name (without `Elixir.`) and ordered fields."""

    __slots__ = ("module", "fields")

    def __init__(self, module, fields):
        self.module = module
        self.fields = fields


#: Atoms with a Python value; NaN and the infinities are atoms on the Elixir side
#: because Erlang floats are finite (see `_float`): the same atoms both ways.
_ATOM_VALUES = {
    "nil": None,
    "true": True,
    "false": False,
    "nan": math.nan,
    "infinity": math.inf,
    "neg_infinity": -math.inf,
}


class FrozenKey:
    """A map key that decoded to a dict (a struct such as a Ref, or a MapSet): hashable
    by identity until the worker resolves it into the Python object it stands for."""

    __slots__ = ("term",)

    def __init__(self, term):
        self.term = term


class _Decoder:
    """Walks one frame; `pos` advances as terms are read."""

    def __init__(self, data):
        self.data = data
        self.pos = 0
        self.special = False  # saw a struct or a non-UTF-8 binary

    def slice(self, start, end):
        if end > len(self.data):
            raise DecodeError("truncated term")
        self.pos = end
        return self.data[start:end]

    def text(self, raw):
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            self.special = True
            return raw

    def take(self, size):
        start = self.pos
        self.pos = start + size
        if self.pos > len(self.data):
            raise DecodeError("truncated term")
        return self.data[start : self.pos]

    def unpack(self, fmt):
        value = fmt.unpack_from(self.data, self.pos)[0]
        self.pos += fmt.size
        return value

    def term(self):
        """One term. The common tags are inlined: this loop is the worker's hot path."""
        data = self.data
        pos = self.pos
        tag = data[pos]
        if tag == _SMALL_ATOM_UTF8:
            end = pos + 2 + data[pos + 1]
            name = self.slice(pos + 2, end).decode("utf-8")
            return _ATOM_VALUES.get(name, name)
        if tag == _BINARY:
            start = pos + 5
            return self.text(self.slice(start, start + _U32.unpack_from(data, pos + 1)[0]))
        if tag == _SMALL_INT:
            self.pos = pos + 2
            return data[pos + 1]
        if tag == _NEW_FLOAT:
            self.pos = pos + 9
            return _F64.unpack_from(data, pos + 1)[0]
        if tag == _SMALL_TUPLE:
            self.pos = pos + 2
            return tuple(self.items(data[pos + 1]))
        if tag == _NIL:
            self.pos = pos + 1
            return []
        if tag == _LIST:
            self.pos = pos + 5
            return self.list_(_U32.unpack_from(data, pos + 1)[0])
        if tag == _INT:
            self.pos = pos + 5
            return _I32.unpack_from(data, pos + 1)[0]
        self.pos = pos + 1
        handler = _DECODERS.get(tag)
        if handler is None:
            raise DecodeError(f"unsupported term tag {tag} at byte {self.pos - 1}")
        return handler(self)

    def atom(self, size_fmt, encoding):
        name = self.take(self.unpack(size_fmt)).decode(encoding)
        return _ATOM_VALUES.get(name, name)

    def items(self, count):
        """`count` terms; floats and small ints (bulk numeric lists) are read inline,
        and a plain loop avoids a comprehension's function call (Python 3.8-3.11)."""
        data = self.data
        values = []
        append = values.append
        for _ in range(count):
            pos = self.pos
            tag = data[pos]
            if tag == _NEW_FLOAT:
                append(_F64_AT(data, pos + 1)[0])
                self.pos = pos + 9
            elif tag == _SMALL_INT:
                append(data[pos + 1])
                self.pos = pos + 2
            else:
                append(self.term())
        return values

    def big(self, size):
        sign = self.unpack(_U8)
        value = int.from_bytes(self.take(size), "little")
        return -value if sign else value

    def list_(self, count):
        values = self.items(count)
        if self.data[self.pos] != _NIL:
            raise DecodeError("improper lists are not supported")
        self.pos += 1
        return values

    def map_(self):
        count = self.unpack(_U32)
        value = {self.key(self.term()): self.term() for _ in range(count)}
        if "__struct__" in value:
            self.special = True
        return value

    def key(self, key):
        """Map keys that decode to lists become tuples, maps become `FrozenKey`s, so
        they can key a dict."""
        kind = type(key)
        if kind is list or kind is tuple:
            return tuple(self.key(item) for item in key)
        if kind is dict:
            self.special = True
            return FrozenKey(key)
        return key

    def pid(self, tail_size):
        start = self.pos - 1
        self.term()  # node name
        self.take(tail_size)
        return Raw(self.data[start : self.pos])


def _reject_bits(d):
    raise DecodeError("bitstrings whose size is not a whole number of bytes are not supported")


_DECODERS = {
    _FLOAT_OLD: lambda d: float(d.take(31).split(b"\0", 1)[0]),
    _ATOM: lambda d: d.atom(_U16, "latin-1"),
    _SMALL_ATOM: lambda d: d.atom(_U8, "latin-1"),
    _ATOM_UTF8: lambda d: d.atom(_U16, "utf-8"),
    _LARGE_TUPLE: lambda d: tuple(d.items(d.unpack(_U32))),
    _STRING: lambda d: list(d.take(d.unpack(_U16))),
    _BIT_BINARY: _reject_bits,
    _SMALL_BIG: lambda d: d.big(d.unpack(_U8)),
    _LARGE_BIG: lambda d: d.big(d.unpack(_U32)),
    _MAP: _Decoder.map_,
    _PID: lambda d: d.pid(9),
    _NEW_PID: lambda d: d.pid(12),
}


def decode(data):
    """Decode one ETF frame (with its version byte) into `(value, special)`.

    Binaries become `str`, or `bytes` when they are not UTF-8; maps stay dicts, structs
    included. `special` tells whether the term holds either of those, so the caller
    walks it for conversion only when it must (a 10k-float list costs no extra pass).
    """
    if not data or data[0] != VERSION:
        raise DecodeError("not an external term (missing version byte 131)")
    if len(data) > 1 and data[1] == _COMPRESSED:
        size = _U32.unpack_from(data, 2)[0]
        inflated = zlib.decompress(data[6:])
        if len(inflated) != size:
            raise DecodeError("compressed term has the wrong size")
        data = bytes([VERSION]) + inflated
    decoder = _Decoder(data)
    decoder.pos = 1
    try:
        value = decoder.term()
    except (IndexError, struct.error, UnicodeDecodeError, RecursionError, TypeError) as exc:
        raise DecodeError(f"malformed term: {exc}") from None
    if decoder.pos != len(data):
        raise DecodeError(f"{len(data) - decoder.pos} trailing bytes after the term")
    return value, decoder.special


_ATOM_CACHE = {}


def atom(name):
    """The encoded bytes of an atom; the few atoms a worker emits are cached."""
    cached = _ATOM_CACHE.get(name)
    if cached is not None:
        return cached
    raw = name.encode("utf-8")
    if len(raw) < 256:
        encoded = _U8.pack(_SMALL_ATOM_UTF8) + _U8.pack(len(raw)) + raw
    else:
        encoded = _U8.pack(_ATOM_UTF8) + _U16.pack(len(raw)) + raw
    if len(_ATOM_CACHE) < 1024:
        _ATOM_CACHE[name] = encoded
    return encoded


_NIL_BYTES = atom("nil")
_TRUE_BYTES = atom("true")
_FALSE_BYTES = atom("false")


def _int(value, out):
    if 0 <= value < 256:
        out += b"a" + _U8.pack(value)
    elif -(2**31) <= value < 2**31:
        out += b"b" + _I32.pack(value)
    else:
        magnitude = -value if value < 0 else value
        digits = magnitude.to_bytes((magnitude.bit_length() + 7) // 8, "little")
        if len(digits) < 256:
            out += b"n" + _U8.pack(len(digits))
        else:
            out += b"o" + _U32.pack(len(digits))
        out += _U8.pack(value < 0) + digits


def _float(value, out):
    """Erlang floats are finite: NaN and the infinities travel as atoms."""
    if math.isfinite(value):
        out += b"F" + _F64.pack(value)
    elif value != value:
        out += atom("nan")
    else:
        out += atom("infinity" if value > 0 else "neg_infinity")


def _binary_out(raw, out):
    out += b"m" + _U32.pack(len(raw)) + raw


def _tuple(values, out, fallback):
    if len(values) < 256:
        out += b"h" + _U8.pack(len(values))
    else:
        out += b"i" + _U32.pack(len(values))
    for item in values:
        encode_into(item, out, fallback)


def _list(values, out, fallback):
    if values:
        out += b"l" + _U32.pack(len(values))
        for item in values:
            encode_into(item, out, fallback)
    out += b"j"


def _map(values, out, fallback):
    out += b"t" + _U32.pack(len(values))
    for key, item in values.items():
        encode_into(key, out, fallback)
        encode_into(item, out, fallback)


def _struct(value, out, fallback):
    out += b"t" + _U32.pack(len(value.fields) + 1)
    out += atom("__struct__") + atom("Elixir." + value.module)
    for key, item in value.fields:
        out += atom(key)
        encode_into(item, out, fallback)


def encode_into(value, out, fallback):
    """Append the encoding of `value` to the bytearray `out`.

    `fallback(value)` is called for values with no direct encoding; it returns a
    replacement (often a `Struct`) that is encoded instead.
    """
    kind = type(value)
    if kind is float:
        _float(value, out)
    elif kind is int:
        _int(value, out)
    elif kind is str:
        _binary_out(value.encode("utf-8", "surrogatepass"), out)
    elif value is None:
        out += _NIL_BYTES
    elif kind is bool:
        out += _TRUE_BYTES if value else _FALSE_BYTES
    elif kind is list:
        _list(value, out, fallback)
    elif kind is tuple:
        _tuple(value, out, fallback)
    elif kind is dict:
        _map(value, out, fallback)
    elif kind is Atom:
        out += atom(value)
    elif kind is Struct:
        _struct(value, out, fallback)
    elif kind is Raw:
        out += value.data
    elif kind is Blob:
        _binary_out(value, out)
    else:
        encode_into(fallback(value), out, fallback)


def _no_fallback(value):
    raise TypeError(f"cannot encode {type(value).__name__} as an Erlang term")


def encode(value, fallback=_no_fallback, prefix=b"\x83"):
    """Encode one value as a complete ETF frame (with the version byte).

    `prefix` replaces the version byte with already-encoded bytes that open the frame
    (the worker's `{:ok, ` answer envelope), saving a tuple walk per answer.
    """
    out = bytearray(prefix)
    encode_into(value, out, fallback)
    return bytes(out)
