"""The names Elixir imports into every module, which generated functions may shadow.

`KERNEL` is `Kernel.__info__(:functions) ++ Kernel.__info__(:macros)` of Elixir 1.14
plus the few additions of later releases (an `except:` entry that a version lacks is
harmless). A generated function with one of these name/arities is excluded from the
module's `import Kernel` so that local calls reach the generated function.
`SPECIAL_FORMS` cannot be un-imported: local calls to such names must be qualified.
"""

from __future__ import annotations

_KERNEL = """
abs/1 alias!/1 and/2 apply/2 apply/3 binary_part/3 binary_slice/2 binary_slice/3 binding/0
binding/1 bit_size/1 byte_size/1 ceil/1 dbg/0 dbg/1 dbg/2 def/1 def/2 defdelegate/2
defexception/1 defguard/1 defguardp/1 defimpl/2 defimpl/3 defmacro/1 defmacro/2 defmacrop/1
defmacrop/2 defmodule/2 defoverridable/1 defp/1 defp/2 defprotocol/2 defstruct/1
destructure/2 div/2 elem/2 exit/1 floor/1 function_exported?/3 get_and_update_in/2
get_and_update_in/3 get_in/1 get_in/2 hd/1 if/2 in/2 inspect/1 inspect/2 is_atom/1
is_binary/1 is_bitstring/1 is_boolean/1 is_exception/1 is_exception/2 is_float/1
is_function/1 is_function/2 is_integer/1 is_list/1 is_map/1 is_map_key/2 is_nil/1
is_non_struct_map/1 is_number/1 is_pid/1 is_port/1 is_reference/1 is_struct/1 is_struct/2
is_tuple/1 length/1 macro_exported?/3 make_ref/0 map_size/1 match?/2 max/2 min/2 node/0
node/1 not/1 or/2 pop_in/1 pop_in/2 put_elem/3 put_in/2 put_in/3 raise/1 raise/2 rem/2
reraise/2 reraise/3 round/1 self/0 send/2 sigil_C/2 sigil_D/2 sigil_N/2 sigil_R/2
sigil_S/2 sigil_T/2 sigil_U/2 sigil_W/2 sigil_c/2 sigil_r/2 sigil_s/2 sigil_w/2 spawn/1
spawn/3 spawn_link/1 spawn_link/3 spawn_monitor/1 spawn_monitor/3 struct/1 struct/2
struct!/1 struct!/2 tap/2 then/2 throw/1 tl/1 to_char_list/1 to_charlist/1 to_string/1
to_timeout/1 trunc/1 tuple_size/1 unless/2 update_in/2 update_in/3 use/1 use/2 var!/1
var!/2
"""


def _parse(text: str) -> frozenset[tuple[str, int]]:
    pairs = (entry.rpartition("/") for entry in text.split())
    return frozenset((name, int(arity)) for name, _, arity in pairs)


KERNEL = _parse(_KERNEL)

#: Kernel macros the generated code itself uses: they stay imported.
USED_BY_GENERATOR = frozenset({"def"})

_SPECIAL_FORMS = """
alias case cond fn for import quote receive require super try unquote unquote_splicing with
__CALLER__ __DIR__ __ENV__ __MODULE__ __STACKTRACE__
"""
SPECIAL_FORMS = frozenset(_SPECIAL_FORMS.split())


def needs_qualified_call(name: str) -> bool:
    """True when a local call `name(...)` would not reach a function of that name."""
    return name in SPECIAL_FORMS or name in USED_BY_GENERATOR


def kernel_excludes(defined: set[tuple[str, int]]) -> list[str]:
    """The `except:` entries (`"max: 2"`) for the defined functions that shadow Kernel."""
    clashes = sorted(
        (name, arity)
        for name, arity in defined
        if (name, arity) in KERNEL and name not in USED_BY_GENERATOR
    )
    return [f"{name}: {arity}" for name, arity in clashes]  # `struct!: 1` is valid
