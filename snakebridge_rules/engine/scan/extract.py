"""Find the calls into bound libraries in one parsed Elixir file, as Elixir resolves names.

Walking every node in Python is too slow, so a tree-sitter `Query` (run in C) picks out
the few nodes that matter: remote calls, the directives that change names (`alias`,
`import`, `require`, `defmodule`, `defdelegate`, `apply`), lexical scopes and typespecs.
They are replayed in document order against a stack of scopes (byte ranges nest), which
gives Elixir's lexical rules: an alias is visible after its line, in its scope only.

This module runs inside the parse worker: standard library and tree_sitter only. The scan
parses only files that name a bound module (source.py); `extract` applies the same test
itself, so a direct caller gets the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from tree_sitter import Language, Node, Parser, Query, QueryCursor

from snakebridge_rules.engine.scan.source import Finding, Needles

_DEFS = frozenset({"def", "defp", "defmacro", "defmacrop", "defguard", "defguardp", "defmodule"})
_DIRECTIVES = ("alias", "require", "import", "defdelegate", "apply")
_NAMED = " ".join(f'"{name}"' for name in (*sorted(_DEFS), *_DIRECTIVES))
_TYPESPECS = '"spec" "type" "typep" "opaque" "callback" "macrocallback"'
_BASE_PATTERNS = f"""
(call target: (dot left: [(alias) (dot)] right: (identifier))) @remote
(call target: (identifier) @_n (#any-of? @_n {_NAMED})) @named
[(do_block) (anonymous_function) (stab_clause)] @scope
[(else_block) (rescue_block) (catch_block) (after_block)] @sibling
(unary_operator operator: "@"
  operand: (call target: (identifier) @_t (#any-of? @_t {_TYPESPECS}))) @skip
(binary_operator left: (identifier) operator: "=" right: (alias) @bound)
(unary_operator operator: "@" operand: (call target: (identifier) (arguments (alias) @bound)))
(binary_operator operator: "|>" right: (call) @piped)
(unary_operator operator: "&"
  operand: (binary_operator left: (call) operator: "/" right: (integer)) @captured)
"""
# Needed only when a file imports a library or keeps one in a variable: bare calls
# (checked against the imports in scope) and calls through variables/attributes.
_FULL_PATTERNS = _BASE_PATTERNS + """
(call target: (identifier)) @local
(unary_operator operator: "&"
  operand: (binary_operator left: (identifier) operator: "/" right: (integer))) @local_capture
(binary_operator operator: "|>" right: (identifier) @local_pipe)
(call target: (dot left: [(identifier) (unary_operator operator: "@" operand: (identifier))]
  right: (identifier))) @dynamic
"""
_KINDS_ORDER = {"skip": 0, "define": 1, "scope": 2, "sibling": 2}
_MAX_SYNTAX_ERRORS = 20


@dataclass
class FileFacts:
    calls: list[Finding] = field(default_factory=list)  # text = "Module.fun/arity"
    warnings: list[Finding] = field(default_factory=list)
    errors: list[Finding] = field(default_factory=list)


@dataclass
class _Env:
    """Lexical environment of one scope; dicts are shared until first written."""

    module: str | None
    aliases: dict[str, str]
    imports: dict[str, frozenset[tuple[str, int]] | None]
    end: int
    skip: bool = False
    entry: _Env | None = None  # the enclosing env, current again at this scope's end
    _own_aliases: bool = False
    _own_imports: bool = False

    def child(self, end: int, skip: bool = False) -> _Env:
        return _Env(self.module, self.aliases, self.imports, end, self.skip or skip, self)

    def set_alias(self, name: str, target: str) -> None:
        if not self._own_aliases:
            self.aliases, self._own_aliases = dict(self.aliases), True
        self.aliases[name] = target

    def set_import(self, module: str, only: frozenset[tuple[str, int]] | None) -> None:
        if not self._own_imports:
            self.imports, self._own_imports = dict(self.imports), True
        self.imports[module] = only


class Extractor:
    """Reusable per worker: the parser and the compiled queries for one library map."""

    def __init__(self, language: Language, library_modules: list[str]) -> None:
        self.language = language
        self.parser = Parser(language)
        self.roots = tuple(sorted(library_modules))
        self.needles = Needles(list(self.roots))  # see source.py
        self.heads = frozenset(r.partition(".")[0] for r in self.roots) | {"Elixir", "Kernel"}

    @cached_property
    def base(self) -> Query:
        return Query(self.language, _BASE_PATTERNS)

    def prepare(self) -> None:
        """Compile the queries every file needs (~60 ms): a parse worker does it as it
        starts, while the scan's main process is still reading files (pool.py)."""
        _ = self.base

    @cached_property
    def full(self) -> Query:
        """Compiled on first use (~0.1 s): most scans never import a library."""
        return Query(self.language, _FULL_PATTERNS)

    def owns(self, module: str) -> bool:
        return any(module == r or module.startswith(r + ".") for r in self.roots)

    def extract(self, source: bytes) -> FileFacts:
        # elixirc accepts NUL in strings and comments; tree-sitter's lexer does not.
        # A space has the same length, so every position stays the file's own.
        tree = self.parser.parse(source.replace(b"\0", b" ") if b"\0" in source else source)
        facts = FileFacts()
        if tree.root_node.has_error:
            _syntax_errors(tree.root_node, source, facts)
        if tree.root_node.descendant_count >= _MAX_DEPTH:  # only then can it be that deep
            _depth_error(tree.root_node, source, facts)
        if not self.needles.may_call(source):
            return facts
        pass_ = _Pass(self, source, facts)
        pass_.run(self.base, tree.root_node)
        if pass_.needs_full:  # rare: replay with the patterns for bare and dynamic calls
            facts.calls.clear()
            facts.warnings.clear()
            _Pass(self, source, facts).run(self.full, tree.root_node)
        return facts


#: Query matching does not reach nodes nested this deep (tree-sitter counts depth in
#: 16 bits): calls below would vanish without a word, so the file is an error instead.
_MAX_DEPTH = 65535


def _depth_error(root: Node, source: bytes, facts: FileFacts) -> None:
    """An error at the first node nested `_MAX_DEPTH` levels deep, if there is one."""
    cursor, depth = root.walk(), 0
    while True:
        if depth >= _MAX_DEPTH - 1:
            facts.errors.append(_finding(source, cursor.node, (
                f"nested more than {_MAX_DEPTH - 1} levels deep, deeper than the scanner's "
                "parser can represent: calls in here would be missed; split the "
                "expression (bind inner parts to variables)")))
            return
        if cursor.goto_first_child():
            depth += 1
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return
            depth -= 1


def _syntax_errors(root: Node, source: bytes, facts: FileFacts) -> None:
    """Record the outermost ERROR and MISSING nodes.

    Calls inside an ERROR node are still scanned: tree-sitter keeps well-formed subtrees
    there, and the file is reported as failed anyway.
    """
    found: list[Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            found.append(node)
        elif node.has_error:
            stack.extend(reversed(node.children))
    found.sort(key=lambda n: n.start_byte)
    for node in found[:_MAX_SYNTAX_ERRORS]:
        if node.is_missing:
            message = f"syntax error: missing `{node.type}`"
            facts.errors.append(_finding(source, node, message))
        elif (opener := _unclosed(node)) is not None:
            message = f"syntax error: missing terminator for `{opener.type}`"
            facts.errors.append(_finding(source, opener, message))
        else:
            token = _first_token(node, source)
            message = f"syntax error: unexpected `{token}`" if token else "syntax error"
            facts.errors.append(_finding(source, node, message))


_CLOSERS = {"(": ")", "[": "]", "{": "}", "<<": ">>", "do": "end", "fn": "end", '"': '"',
            "'": "'", '"""': '"""', "'''": "'''"}


def _unclosed(error: Node) -> Node | None:
    """The last opening token of an ERROR node left unclosed: where Elixir would point.

    tree-sitter starts an ERROR where recovery began (often a `do` far above), while the
    real mistake is usually the last `(`, `"`, `do`... that never got its terminator.
    """
    stack: list[Node] = []
    for child in error.children:
        if child.is_named:
            continue
        if stack and _CLOSERS[stack[-1].type] == child.type:
            stack.pop()
        elif child.type in _CLOSERS:
            stack.append(child)
    return stack[-1] if stack else None


def _first_token(node: Node, source: bytes) -> str:
    while node.child_count:
        node = node.children[0]
    text = source[node.start_byte : node.end_byte].decode("utf-8", "replace")
    text = text.splitlines()[0] if text.strip() else ""
    return text[:40]


def _finding(source: bytes, node: Node, text: str, keywords: tuple[str, ...] = ()) -> Finding:
    row, byte_col = node.start_point
    start = node.start_byte - byte_col
    column = len(source[start : node.start_byte].decode("utf-8", "replace")) + 1
    return Finding(row + 1, column, text, keywords)


def _text(node: Node) -> str:
    return node.text.decode("utf-8", "replace")


def _named_args(node: Node | None) -> list[Node]:
    if node is None:
        return []
    return [c for c in node.named_children if c.type != "comment"]


def _arguments(call: Node) -> tuple[list[Node], Node | None]:
    args_node = do_block = None
    for child in call.children:
        if child.type == "arguments":
            args_node = child
        elif child.type == "do_block":
            do_block = child
    return _named_args(args_node), do_block


def _arity(call: Node) -> int:
    """Arguments as Elixir counts them: a trailing keyword list is one; `do` joins it."""
    args, do_block = _arguments(call)
    extra = 1 if do_block is not None and not (args and args[-1].type == "keywords") else 0
    return len(args) + extra


def _keyword_names(call: Node) -> tuple[str, ...]:
    """The names of a call's trailing keyword list as written (`f(x, a: 1)`,
    `f(x, [a: 1])`), for the check step; () when there is none, or when it is not
    visible in the text (a variable, `opts ++ [...]`, an interpolated name, a `do` block).
    """
    args, do_block = _arguments(call)
    if do_block is not None or not args:
        return ()
    last = args[-1]
    if last.type == "list":
        items = _named_args(last)
        last = items[0] if len(items) == 1 else last
    if last.type != "keywords":
        return ()
    names = []
    for pair in _named_args(last):
        key = pair.child_by_field_name("key")
        if key is None:
            return ()
        if key.type == "quoted_keyword":
            parts = key.named_children
            if any(part.type != "quoted_content" for part in parts):  # #{...}, escapes
                return ()
            names.append("".join(_text(part) for part in parts))
        else:
            names.append(_text(key).rstrip().removesuffix(":"))
    return tuple(names)


def _keyword(args: list[Node], key: str) -> Node | None:
    """The value of `key:` in a call's trailing keyword list."""
    if not args or args[-1].type != "keywords":
        return None
    for pair in args[-1].named_children:
        key_node = pair.child_by_field_name("key")
        if key_node is not None and _text(key_node).rstrip(": ").strip('"') == key:
            return pair.child_by_field_name("value")
    return None


def _atom_name(node: Node | None) -> str | None:
    if node is None:
        return None
    if node.type == "atom":
        return _text(node)[1:]
    if node.type == "quoted_atom":
        parts = [c for c in node.named_children if c.type != "quoted_content"]
        if parts:  # interpolated: not a literal
            return None
        return "".join(_text(c) for c in node.named_children)
    return None


class _Pass:
    """One replay of the captured nodes in document order."""

    def __init__(self, ex: Extractor, source: bytes, facts: FileFacts) -> None:
        self.ex, self.source, self.facts = ex, source, facts
        self.needs_full = False
        self.dynamic_names: set[str] = set()  # variables/attributes holding a library
        self.env = _Env(None, {}, {}, len(source) + 1)
        self.piped: set[int] = set()  # ids of calls on the right of `|>`
        self.captured: dict[int, int] = {}  # id of the call in `&M.f/2` -> 2

    # -- driving ---------------------------------------------------------------------
    def run(self, query: Query, root: Node) -> None:
        for start, _neg_end, _order, kind, node in self._events(query, root):
            while self.env.end <= start and self.env.entry is not None:
                self.env = self.env.entry
            self._dispatch(kind, node)

    def _events(self, query: Query, root: Node) -> list[tuple[int, int, int, str, Node]]:
        """The captures in document order (outer before inner); pipes and `&M.f/n` aside."""
        captures = QueryCursor(query).captures(root)
        self.piped = {node.id for node in captures.pop("piped", ())}
        self.captured = {slash.child_by_field_name("left").id: _integer(
            slash.child_by_field_name("right")) for slash in captures.pop("captured", ())}
        for node in captures.pop("named", ()):  # one pattern: half the predicate checks
            kind = "define" if _text(node.child_by_field_name("target")) in _DEFS else "directive"
            captures.setdefault(kind, []).append(node)
        events: list[tuple[int, int, int, str, Node]] = []
        for kind, nodes in captures.items():
            if not kind.startswith("_"):
                order = _KINDS_ORDER.get(kind, 3)
                events.extend((n.start_byte, -n.end_byte, order, kind, n) for n in nodes)
        events.sort(key=lambda e: e[:3])
        return events

    def _dispatch(self, kind: str, node: Node) -> None:
        env = self.env
        if kind in ("skip", "scope", "define"):
            module = self._define(node) if kind == "define" and not env.skip else None
            self.env = env.child(node.end_byte, skip=kind == "skip")
            self.env.module = module or env.module
        elif kind == "sibling":
            # `else`/`rescue`/... start again from the env before the `do` part.
            start = env.entry if env.entry is not None else env
            self.env = start.child(node.end_byte, skip=env.skip)
            self.env.module, self.env.entry = env.module, env
        elif not env.skip and not node.has_error:  # a broken call has no reliable arity
            getattr(self, "_on_" + kind)(node)

    # -- names -----------------------------------------------------------------------
    def expand(self, node: Node) -> str | None:
        """The module an alias expression names here (`Elixir.X`, aliases, __MODULE__)."""
        if node.type == "alias":
            text = "".join(_text(node).split())
            if text.startswith("Elixir."):
                return text[len("Elixir.") :]
            head, _, rest = text.partition(".")
            target = self.env.aliases.get(head)
            if target is None:
                return text
            return f"{target}.{rest}" if rest else target
        if node.type == "identifier" and _text(node) == "__MODULE__":
            return self.env.module
        if node.type == "dot":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is not None and right is not None and right.type == "alias":
                base = self.expand(left)
                return f"{base}.{_text(right)}" if base else None
        return None

    def arity(self, call: Node) -> int:
        """The arity `call` has where it stands: `x |> M.f(a)` adds one, `&M.f/2` states it."""
        arity = _arity(call)
        if call.id in self.piped:
            return arity + 1
        return self.captured.get(call.id, arity) if arity == 0 else arity

    def add_call(self, node: Node, module: str, name: str, arity: int,
                 keywords: tuple[str, ...] = ()) -> None:
        if self.ex.owns(module):
            self.facts.calls.append(_finding(self.source, node, f"{module}.{name}/{arity}",
                                             keywords))

    def warn(self, node: Node, message: str) -> None:
        self.facts.warnings.append(_finding(self.source, node, message))

    # -- events ----------------------------------------------------------------------
    def _on_remote(self, node: Node) -> None:
        target = node.child_by_field_name("target")
        left = target.child_by_field_name("left")
        if left.type == "alias":  # fast path: most remote calls are to Enum, Map, ...
            head = left.text.partition(b".")[0].decode("utf-8", "replace").strip()
            if head not in self.ex.heads and head not in self.env.aliases:
                return
        module = self.expand(left)
        if module is None:
            return
        name = _text(target.child_by_field_name("right"))
        if module == "Kernel" and name == "apply":
            self._on_directive(node, "apply")
            return
        self.add_call(node, module, name, self.arity(node), _keyword_names(node))

    def _on_directive(self, node: Node, name: str | None = None) -> None:
        name = name or _text(node.child_by_field_name("target"))
        args, _ = _arguments(node)
        if not args:
            return
        if name in ("alias", "require"):
            self._alias(args, plain_alias=name == "alias")
        elif name == "import":
            self._import(node, args)
        elif name == "defdelegate":
            self._defdelegate(node, args)
        elif name == "apply" and len(args) == 3:
            self._apply(node, args)

    def _alias(self, args: list[Node], plain_alias: bool) -> None:
        target, as_node = args[0], _keyword(args[1:], "as")
        if target.type == "dot" and (right := target.child_by_field_name("right")) is not None \
                and right.type == "tuple":
            base = self.expand(target.child_by_field_name("left"))
            for element in right.named_children:
                if base and element.type == "alias":
                    text = "".join(_text(element).split())
                    self.env.set_alias(text.rpartition(".")[2], f"{base}.{text}")
            return
        module = self.expand(target)
        if module is None:
            return
        if as_node is not None and as_node.type == "alias":
            self.env.set_alias(_text(as_node).rpartition(".")[2], module)
        elif plain_alias:
            self.env.set_alias(module.rpartition(".")[2], module)

    def _import(self, node: Node, args: list[Node]) -> None:
        module = self.expand(args[0])
        if module is None or not self.ex.owns(module):
            return
        only = _only_list(_keyword(args[1:], "only"))
        self.env.set_import(module, only)  # replaces an earlier import of the module
        if only is None:
            self.warn(node, f"import {module} without a literal `only: [name: arity]` list: "
                            "bare calls into it cannot be resolved statically and are not "
                            "counted")
        else:
            self.needs_full = True

    def _defdelegate(self, node: Node, args: list[Node]) -> None:
        to = _keyword(args[1:], "to")
        module = self.expand(to) if to is not None else None
        if module is None or not self.ex.owns(module):
            return
        heads = _named_args(args[0]) if args[0].type == "list" else [args[0]]
        rename = _atom_name(_keyword(args[1:], "as"))
        for head in heads:
            if head.type == "call" and head.child_by_field_name("target").type == "identifier":
                fun = rename or _text(head.child_by_field_name("target"))
                self.add_call(node, module, fun, len(_arguments(head)[0]))

    def _apply(self, node: Node, args: list[Node]) -> None:
        module = self.expand(args[0])
        if module is None:
            if _text(args[0]) in self.dynamic_names:
                self.warn(node, f"apply/3 on `{_text(args[0])}`, which holds a bound library "
                                "module: the call cannot be resolved statically")
            return
        if not self.ex.owns(module):
            return
        fun = _atom_name(args[1])
        items = _named_args(args[2]) if args[2].type == "list" else None
        if fun is None or items is None or any(
            i.type == "binary_operator" and _text(i.child_by_field_name("operator")) == "|"
            for i in items
        ):
            self.warn(node, f"apply({module}, ...) with a computed function name or argument "
                            "list cannot be resolved statically")
            return
        self.add_call(node, module, fun, len(items))

    def _define(self, node: Node) -> str | None:
        """`defmodule`: the module of the new scope, and the alias nesting defines."""
        if _text(node.child_by_field_name("target")) != "defmodule":
            return None
        args, _ = _arguments(node)
        if not args or args[0].type != "alias":
            return None
        text = "".join(_text(args[0]).split())
        outer = self.env.module
        if text.startswith("Elixir.") or outer is None:
            module = self.expand(args[0])
        else:
            head = text.partition(".")[0]
            module = f"{outer}.{text}"
            self.env.set_alias(head, f"{outer}.{head}")
        return module

    def _on_bound(self, node: Node) -> None:
        """`mod = Numpy` or `@np Numpy`: calls through the holder are dynamic."""
        module = self.expand(node)
        if module is None or not self.ex.owns(module):
            return
        parent = node.parent
        if parent.type == "binary_operator":
            holder = _text(parent.child_by_field_name("left"))
        else:  # arguments of the attribute's call: @name Numpy
            holder = "@" + _text(parent.parent.child_by_field_name("target"))
        self.dynamic_names.add(holder)
        self.needs_full = True
        self.warn(node, f"{module} kept in `{holder}`: calls through it cannot be resolved "
                        "statically and are not counted")

    def _on_local(self, node: Node) -> None:
        name = _text(node.child_by_field_name("target"))
        self._imported_call(node, name, self.arity(node), _keyword_names(node))

    def _on_local_capture(self, node: Node) -> None:
        operand = node.child_by_field_name("operand")
        left, right = operand.child_by_field_name("left"), operand.child_by_field_name("right")
        self._imported_call(node, _text(left), _integer(right))

    def _on_local_pipe(self, node: Node) -> None:
        self._imported_call(node, _text(node), 1)

    def _imported_call(self, node: Node, name: str, arity: int,
                       keywords: tuple[str, ...] = ()) -> None:
        for module, only in self.env.imports.items():
            if only and (name, arity) in only:
                self.add_call(node, module, name, arity, keywords)

    def _on_dynamic(self, node: Node) -> None:
        left = node.child_by_field_name("target").child_by_field_name("left")
        holder = _text(left) if left.type == "identifier" else "@" + _text(
            left.child_by_field_name("operand"))
        if holder in self.dynamic_names:
            self.warn(node, f"call through `{holder}`, which holds a bound library module, "
                            "cannot be resolved statically")


def _only_list(node: Node | None) -> frozenset[tuple[str, int]] | None:
    """`only: [f: 1, g: 2]` as a set of (name, arity); None when not a literal list."""
    if node is None or node.type != "list":
        return None
    entries: set[tuple[str, int]] = set()
    for item in _named_args(node):
        pairs = item.named_children if item.type == "keywords" else [item]
        for pair in pairs:
            entry = _only_entry(pair)
            if entry is None:
                return None
            entries.add(entry)
    return frozenset(entries)


def _only_entry(pair: Node) -> tuple[str, int] | None:
    if pair.type == "pair":
        key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
        name = _text(key).rstrip(" ").removesuffix(":").strip('"')
    elif pair.type == "tuple" and len(_named_args(pair)) == 2:
        atom, value = _named_args(pair)
        name = _atom_name(atom)
    else:
        return None
    if name is None or value is None or value.type != "integer":
        return None
    return name, _integer(value)


def _integer(node: Node) -> int:
    return int(_text(node).replace("_", ""))

