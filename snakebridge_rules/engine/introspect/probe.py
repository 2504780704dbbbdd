"""Runtime introspection probe, run by the *user's* interpreter (stdlib only, Python 3.8+).

The engine (runtime.py) starts `PY -S -s -c BOOTSTRAP BUNDLE_FD SECRET_FD RESULT_FD`
inside the sandbox, with a clean environment. BUNDLE_FD holds this file's source,
names.py's and the request; nothing of the engine needs to be visible in the sandbox.

Two processes, so that the library can neither read the run's secret nor write the
answer the engine trusts. The *supervisor* (this interpreter, `-S`: no site, no `.pth`
code of the environment has run) forks first, then reads the secret, makes itself
undumpable (the library cannot read its memory or fds through /proc or ptrace) and
waits. The *child* closes the secret and result fds before anything of the library
runs, enables `site`, limits its memory and CPU, points fd 1 at fd 2 (whatever the
library prints cannot corrupt the answer), imports the library, resolves each
requested Elixir (module, function) pair with the generator's name mapping and sends
one length-prefixed JSON document to the supervisor. The supervisor writes a header
(the secret, the child's exit status) and that document to RESULT_FD. The engine
checks the secret and parses the document against a schema (answer.py): it reports
facts only, which the engine checks.
"""

from __future__ import annotations
import __future__

import functools
import importlib
import inspect
import json
import os
import pkgutil
import re
import struct
import sys
import types
from typing import Any, Dict, List, Set, Tuple

# Member kinds, numbered as in proto/snakebridge/v1/api.proto (Member.Kind).
FUNCTION, CLASS, METHOD, STATIC_METHOD, CLASS_METHOD, PROPERTY, ATTRIBUTE = range(1, 8)
# `<object at 0x7f3a...>`-style addresses of default reprs.
_ADDRESS = re.compile(r"(?<= at )0x[0-9a-fA-F]{6,}(?=>)")


def _limit_resources(limits: Dict[str, int]) -> None:
    """Hard limits (the library cannot raise them back) before the library is imported."""
    import resource

    for key, which in (("memory_bytes", resource.RLIMIT_AS), ("cpu_seconds", resource.RLIMIT_CPU)):
        value = limits.get(key)
        if value:
            resource.setrlimit(which, (value, value))


def _load_names(source: str) -> Any:
    """names.py from its source text: the library's own modules are never shadowed."""
    module = types.ModuleType("_snakebridge_names")
    sys.modules["_snakebridge_names"] = module
    exec(compile(source, "snakebridge/names.py", "exec"), module.__dict__)
    return module


class Scrubber:
    """Removes what differs between machines from *reprs* (defaults, annotations):
    memory addresses and the paths of the library's install. Docstrings are
    documentation and are never rewritten."""

    def __init__(self) -> None:
        candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix}
        candidates |= {p for p in sys.path if isinstance(p, str) and os.path.isabs(p)}
        real = {os.path.realpath(p) for p in candidates if p}
        usable = {p.rstrip("/") for p in candidates | real if p and len(p.rstrip("/")) > 1}
        ordered = sorted(usable, key=lambda p: (-len(p), p))
        alternatives = "|".join(re.escape(p) for p in ordered) or "(?!)"
        self._roots = re.compile(f"(?:{alternatives})(?![\\w.-])")

    def __call__(self, text: str) -> str:
        return self._roots.sub("<path>", _ADDRESS.sub("0x...", text))


class Scope:
    """A module, class or module-level object whose names are mapped together (names.py
    works per scope). An object's scope (`scipy.stats.norm` as `Scipy.Stats.Norm`) has
    no sub-scopes: its members are functions called through the module's attribute."""

    def __init__(self, names: Any, obj: Any, python_module: str, qualname: str,
                 is_instance: bool = False) -> None:
        self.obj = obj
        self.python_module = python_module
        self.qualname = qualname
        self.is_class = inspect.isclass(obj)
        self.is_instance = is_instance
        self.names = names
        self._children: Dict[str, Tuple[str, Any]] | None = None
        self._members: Dict[str, str] | None = None
        self._shadowed: Set[str] = set()
        self._instance: Dict[str, str] | None = None
        self._objects: Dict[str, str] | None = None
        self._hidden: Dict[str, str] = {}
        #: (module, name) of the module-level object whose segment this class or
        #: submodule took, else None.
        self.hides: Tuple[str, str] | None = None

    @property
    def label(self) -> str:
        return self.python_module + ("." + self.qualname if self.qualname else "")

    def attribute_names(self) -> List[str]:
        try:
            return sorted(n for n in dir(self.obj) if isinstance(n, str))
        except BaseException:
            return sorted(vars(self.obj))

    def public_names(self) -> List[str]:
        plain_module = not self.is_class and not self.is_instance
        declared = getattr(self.obj, "__all__", None) if plain_module else None
        if isinstance(declared, (list, tuple)) and all(isinstance(n, str) for n in declared):
            return sorted(set(declared))
        names = set(self.attribute_names()) | set(self.instance_attributes())
        return sorted(n for n in names if not n.startswith("_"))

    def children(self) -> Dict[str, Tuple[str, Any]]:
        """Elixir segment -> (Python name, module or class) for the scope's sub-scopes."""
        if self._children is None and self.is_instance:
            self._children = {}
        if self._children is None:
            found: Dict[str, Any] = {}
            # The namespace, not getattr: a lazy module `__getattr__` (numpy's) would
            # import every submodule it knows; unimported submodules come from the path.
            namespace = self.namespace()
            for name in self.attribute_names():
                value = namespace.get(name)
                if self._is_scope(name, value):
                    found[name] = value
            for name in self._unimported_submodules():
                found.setdefault(name, None)  # imported when its segment is asked for
            # A submodule hidden by an attribute of its name (sympy.simplify, the
            # function): a scope for `Sympy.Simplify.*`, yet `Sympy.simplify` is what
            # getattr returns.
            self._shadowed = {n for n, v in found.items() if v is None and n in namespace}
            segments = self.names.segment_names(found)
            self._children = {segments[n]: (n, found[n]) for n in sorted(found)}
        return self._children

    def namespace(self) -> Dict[str, Any]:
        """The scope's own names and values (a class's along its MRO), without getattr."""
        if not self.is_class:
            return dict(vars(self.obj))
        found: Dict[str, Any] = {}
        for klass in reversed(inspect.getmro(self.obj)):
            found.update(vars(klass))
        return found

    def _is_scope(self, name: str, value: Any) -> bool:
        """A class or submodule; not a value that raises when asked (a hostile
        `__class__`): that must not break the scope's other names."""
        try:
            return inspect.isclass(value) or self._is_submodule(name, value)
        except Exception:
            return False

    def _is_submodule(self, name: str, value: Any) -> bool:
        """A module that lives under this one (or is registered so, as `os.path` is)."""
        if self.is_class or not isinstance(value, types.ModuleType):
            return False
        full = self.python_module + "." + name
        return getattr(value, "__name__", "").startswith(full) or sys.modules.get(full) is value

    def _unimported_submodules(self) -> List[str]:
        path = getattr(self.obj, "__path__", None) if not self.is_class else None
        if not path:
            return []
        try:
            return sorted(m.name for m in pkgutil.iter_modules(list(path)))
        except BaseException:
            return []

    def objects(self) -> Dict[str, str]:
        """Elixir segment -> Python name of the module's public objects (`norm` ->
        `Norm`): what no class or submodule segment takes; the others are `hidden`."""
        if self._objects is None:
            self._objects = {}
            if not self.is_class and not self.is_instance:
                namespace = self.namespace()
                found = [n for n in sorted(namespace) if isinstance(n, str)
                         and not n.startswith("_") and _is_object(namespace[n])]
                taken = set(self.children())
                for name, segment in sorted(self.names.segment_names(found).items()):
                    (self._hidden if segment in taken else self._objects)[segment] = name
        return self._objects

    def child(self, segment: str) -> Scope | None:
        entry = self.children().get(segment)
        if entry is None:
            name = self.objects().get(segment)
            if name is None:
                return None
            value = self.namespace()[name]
            return Scope(self.names, value, self.python_module, name, is_instance=True)
        scope = self._child_scope(*entry)
        self.objects()
        hidden = self._hidden.get(segment)
        scope.hides = (self.python_module, hidden) if hidden else None
        return scope

    def _child_scope(self, name: str, value: Any) -> Scope:
        if self.is_class:
            return Scope(self.names, value, self.python_module, self.qualname + "." + name)
        if inspect.isclass(value):
            return Scope(self.names, value, self.python_module, name)
        full = self.python_module + "." + name
        if value is None or sys.modules.get(full) is not value:
            value = importlib.import_module(full) if value is None else value
            full = full if sys.modules.get(full) is value else value.__name__
        return Scope(self.names, value, full, "")

    def instance_attributes(self) -> Dict[str, str]:
        """Attributes each instance of a class has (name -> annotation text): dataclass
        fields, `__slots__`, class annotations and `self.x = ...` in `__init__`."""
        if self._instance is None:
            try:
                self._instance = self._find_instance_attributes() if self.is_class else {}
            except Exception:  # a class whose MRO, slots or annotations are not the norm
                self._instance = {}
        return self._instance

    def _find_instance_attributes(self) -> Dict[str, str]:
        found: Dict[str, str] = {}
        for klass in reversed(inspect.getmro(self.obj)):
            own = vars(klass)
            for name in _init_assignments(own.get("__init__")):
                found.setdefault(name, "")
            slots = own.get("__slots__", ())
            for name in [slots] if isinstance(slots, str) else slots:
                if isinstance(name, str):
                    found.setdefault(name, "")
            annotations = own.get("__annotations__", {})
            for name, annotation in annotations.items() if isinstance(annotations, dict) else ():
                text = annotation if isinstance(annotation, str) else _type_text(annotation)
                if isinstance(name, str) and "ClassVar" not in text:
                    found[name] = text
        fields = getattr(self.obj, "__dataclass_fields__", None)
        for name in fields if isinstance(fields, dict) else ():
            found.setdefault(name, "")
        return {n: a for n, a in found.items() if n.isidentifier() and not n.startswith("__")}

    def members(self) -> Dict[str, str]:
        """Elixir function name -> Python name, over every non-scope name of the scope."""
        if self._members is None:
            scope_names = {name for name, _ in self.children().values()} - self._shadowed
            names = set(self.attribute_names()) | set(self.instance_attributes())
            plain = sorted(n for n in names if n not in scope_names)
            reserved = ["new"] if self.is_class else []
            mapping = self.names.function_names(plain, reserved)
            self._members = {mapping[n]: n for n in plain}
        return self._members


def _init_assignments(init: Any) -> List[str]:
    """`x` for each `self.x = ...` (or `self.x: T = ...`) in a Python `__init__`."""
    if not inspect.isfunction(init):
        return []
    import ast
    import textwrap

    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(init)))
    except BaseException:  # no source (a .pyc-only install), or source that does not parse
        return []
    function = tree.body[0] if tree.body else None
    args = getattr(getattr(function, "args", None), "args", [])
    if not args:
        return []
    self_name = args[0].arg
    names = []
    for node in ast.walk(function):
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else [])
        for target in targets:
            if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                    and target.value.id == self_name):
                names.append(target.attr)
    return names


def _type_text(annotation: Any) -> str:
    try:
        return inspect.formatannotation(annotation)
    except BaseException:
        return ""


def _annotation(annotation: Any, scrub: Scrubber) -> str:
    """Annotation text; a string (postponed evaluation) is already the text as written."""
    if annotation is inspect.Parameter.empty:
        return ""
    if isinstance(annotation, str):
        return scrub(annotation)
    return scrub(inspect.formatannotation(annotation))


def _parameter(param: inspect.Parameter, scrub: Scrubber) -> Dict[str, Any]:
    default = None
    if param.default is not inspect.Parameter.empty:
        default = scrub(_repr(param.default))
    annotation = _annotation(param.annotation, scrub)
    return {"name": param.name, "kind": int(param.kind) + 1, "default": default,
            "annotation": annotation}


def _repr(value: Any) -> str:
    try:
        text = repr(value)
    except BaseException:
        text = f"<{type(value).__name__}>"
    if isinstance(value, (set, frozenset)) and value:  # set order follows the hash seed
        text = "{" + ", ".join(sorted(repr(v) for v in value)) + "}"
        text = text if type(value) is set else f"{type(value).__name__}({text})"
    return text


def _signature(obj: Any, drop_first: bool, scrub: Scrubber) -> Dict[str, Any]:
    """Parameters and return annotation; `*args, **kwargs` when Python cannot tell."""
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return {"signature_found": False, "return_annotation": "", "parameters": [
            {"name": "args", "kind": 3, "default": None, "annotation": ""},
            {"name": "kwargs", "kind": 5, "default": None, "annotation": ""}]}
    params = list(sig.parameters.values())
    if drop_first and params and params[0].kind in (
        inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD
    ):
        params = params[1:]
    ret = _annotation(sig.return_annotation, scrub)
    return {"signature_found": True, "return_annotation": ret,
            "parameters": [_parameter(p, scrub) for p in params]}


def _doc(obj: Any) -> str:
    try:
        doc = inspect.getdoc(obj)
    except BaseException:
        doc = None
    return doc if isinstance(doc, str) else ""


def _class_member_kind(cls: type, name: str) -> Tuple[int, Any]:
    """Kind of a class attribute from its raw descriptor (static/class method, property)."""
    try:
        raw = inspect.getattr_static(cls, name)
    except AttributeError:
        raw = None
    if isinstance(raw, staticmethod):
        return STATIC_METHOD, raw
    if isinstance(raw, classmethod) or type(raw).__name__ == "classmethod_descriptor":
        return CLASS_METHOD, raw
    if isinstance(raw, (property, functools.cached_property)) or inspect.isdatadescriptor(raw):
        return PROPERTY, raw
    if callable(raw) or inspect.ismethoddescriptor(raw):
        return METHOD, raw
    return ATTRIBUTE, raw


def _origin(scope: Scope, value: Any, kind: int) -> Dict[str, str] | None:
    """Where a callable is defined (module file + qualname), for the engine's static pass.

    Python functions point at their `.py`; C and Cython callables at their extension
    module, whose `.pyi` stub may describe them.
    """
    if kind == CLASS:
        value = vars(value).get("__init__")
    elif kind == PROPERTY:
        value = getattr(value, "fget", None)
    elif kind == ATTRIBUTE:
        return None
    try:
        function = inspect.unwrap(getattr(value, "__func__", value))
        qualname = getattr(function, "__qualname__", None)
        owner = getattr(function, "__objclass__", function)
        module = getattr(owner, "__module__", None)
    except BaseException:
        return None
    if not isinstance(qualname, str) or not isinstance(module, str) or "<" in qualname:
        return None
    path = getattr(sys.modules.get(module), "__file__", None)
    if not isinstance(path, str):
        return None
    return {"module": module, "qualname": qualname, "file": path}


def describe(scope: Scope, python_name: str, scrub: Scrubber) -> Dict[str, Any]:
    """The facts about one member: kind, signature, docstring (all from run time)."""
    record: Dict[str, Any] = {"python_name": python_name}
    if scope.is_instance:
        return _object_member(record, scope, python_name, scrub)
    if python_name == "__init__" and scope.is_class:
        return _constructor(record, scope.obj, scope, scrub)
    attributes = scope.instance_attributes()
    if python_name in attributes and _class_member_kind(scope.obj, python_name)[0] == ATTRIBUTE:
        return _instance_attribute(record, attributes[python_name], scrub)
    value = getattr(scope.obj, python_name)
    if not scope.is_class and inspect.isclass(value):  # a class called like a function
        return _constructor(record, value, scope, scrub)
    kind, raw = (
        _class_member_kind(scope.obj, python_name) if scope.is_class
        else (FUNCTION if callable(value) else ATTRIBUTE, value)
    )
    record["kind"] = kind
    record["origin"] = _origin(scope, raw if kind == PROPERTY else value, kind)
    if kind == ATTRIBUTE:
        own_doc = getattr(value, "__doc__", None) != getattr(type(value), "__doc__", None)
        record.update(doc=_doc(value) if own_doc else "", signature_found=True,
                      return_annotation="", parameters=[])
    elif kind == PROPERTY:
        getter = getattr(raw, "fget", None)
        returns = _signature(getter, True, scrub)["return_annotation"] if getter else ""
        record.update(doc=_doc(raw), signature_found=True, return_annotation=returns,
                      parameters=[])
    else:
        record["doc"] = _doc(value)
        record.update(_signature(value, kind == METHOD, scrub))
    return record


def _constructor(record: Dict[str, Any], cls: type, scope: Scope,
                 scrub: Scrubber) -> Dict[str, Any]:
    """A class as a callable: `Mod.Class.new`, or a lowercase class bound as `Mod.cls`."""
    record.update(kind=CLASS, doc=_doc(cls), origin=_origin(scope, cls, CLASS))
    record.update(_signature(cls, False, scrub), return_annotation="")
    return record


def _object_member(record: Dict[str, Any], scope: Scope, python_name: str,
                   scrub: Scrubber) -> Dict[str, Any]:
    """A member of a module-level object: a method is a function of the object's module
    (the bound method's signature has no `self`), a property or data an attribute. A
    property is described from its descriptor, never run."""
    kind, raw = _class_member_kind(type(scope.obj), python_name)
    if kind == PROPERTY:
        getter = getattr(raw, "fget", None)
        returns = _signature(getter, True, scrub)["return_annotation"] if getter else ""
        record.update(kind=ATTRIBUTE, origin=None, doc=_doc(raw), signature_found=True,
                      return_annotation=returns, parameters=[])
        return record
    value = getattr(scope.obj, python_name)
    if not callable(value):
        record.update(kind=ATTRIBUTE, origin=None, doc="", signature_found=True,
                      return_annotation="", parameters=[])
        return record
    record.update(kind=FUNCTION, origin=_origin(scope, value, FUNCTION), doc=_doc(value))
    record.update(_signature(value, False, scrub))
    return record


def _instance_attribute(record: Dict[str, Any], annotation: str,
                        scrub: Scrubber) -> Dict[str, Any]:
    """An attribute of each instance (read on the object, like a property)."""
    record.update(kind=PROPERTY, origin=None, doc="", signature_found=True,
                  return_annotation=scrub(annotation), parameters=[])
    return record


class MissingName(LookupError):
    """A scope has no such name at all (not a class or a renamed name instead): the
    engine may still find it documented (introspect/documented.py)."""


class Resolver:
    """Elixir module + function name -> (Scope, Python name), or an error message."""

    def __init__(self, names: Any, library: str, elixir_module: str, root: Any) -> None:
        self.names = names
        self.library = library
        self.elixir_module = elixir_module
        self.root = Scope(names, root, library, "")
        self.scopes: Dict[str, Scope] = {elixir_module: self.root}

    def scope(self, elixir_module: str) -> Scope:
        """Walk the segments after the library's module; raise LookupError with a hint."""
        if elixir_module in self.scopes:
            return self.scopes[elixir_module]
        parent_name, _, segment = elixir_module.rpartition(".")
        parent = self.scope(parent_name)
        try:
            child = parent.child(segment)
        except BaseException as exc:
            raise LookupError(f"{parent.label}.{segment} failed to import: "
                              f"{type(exc).__name__}: {exc}") from None
        if child is None:
            public = set(parent.public_names())
            options = [s for s, (n, _) in parent.children().items() if n in public]
            hint = self.names.suggest(segment, options + sorted(parent.objects()))
            raise LookupError(f"{parent.label} has no submodule, class or object for "
                              f"'{segment}'{hint}")
        self.scopes[elixir_module] = child
        return child

    def member(self, elixir_module: str, name: str) -> Tuple[Scope, str]:
        scope = self.scope(elixir_module)
        if name == "new" and scope.is_class:
            return scope, "__init__"
        python_name = scope.members().get(name)
        if python_name is not None:
            return scope, python_name
        for segment, (child_name, value) in scope.children().items():
            as_function = self.names.function_names([child_name]).get(child_name)
            if name in (child_name, as_function) and inspect.isclass(value):
                if _is_function_like(scope, child_name, as_function):
                    return scope, child_name
                raise LookupError(f"{scope.label}.{child_name} is a class: call "
                                  f"{elixir_module}.{segment}.new/N to construct one")
        mapped = {p: e for e, p in scope.members().items()}
        if name in mapped:
            raise LookupError(f"{scope.label}.{name} is named {elixir_module}.{mapped[name]} in "
                              "Elixir (a safe function name)")
        public = set(scope.public_names())
        options = [e for e, p in scope.members().items() if p in public]
        hint = self.names.suggest(name, options)
        raise MissingName(f"{scope.label} has no attribute '{name}'{hint}"
                          + _hidden_object_hint(scope, name))


def _hidden_object_hint(scope: Scope, name: str) -> str:
    """For a class or submodule that took a module-level object's segment (the class
    `Norm` beside the object `norm`): how to call the object's method instead."""
    if scope.hides is None:
        return ""
    module, hidden = scope.hides
    return (f" (the object {module}.{hidden} has this Elixir module name too, but the "
            f"{'class' if scope.is_class else 'submodule'} takes it: call the object as "
            f"SnakeBridge.call(\"{module}\", \"{hidden}.{name}\", args))")


def _is_function_like(scope: Scope, name: str, as_function: str | None) -> bool:
    """A module-level class whose name is already a function name (`sympy.sin`,
    `datetime.date`): Python code calls it like a function, so it binds as one too."""
    return not scope.is_class and as_function == name


#: Instances of these (and of subclasses) come back to Elixir as data, not as refs.
_CONVERTED = (bool, int, float, complex, str, bytes, bytearray, list, tuple, dict, set,
              frozenset)


def _converted(cls: Any) -> bool:
    """True when the runtime may hand instances of `cls` over as Elixir data (builtin
    values, numpy arrays and scalars), so a reference type would be a wrong spec."""
    try:
        mro = inspect.getmro(cls)
    except Exception:
        return True
    return any(c in _CONVERTED or (getattr(c, "__module__", "") == "numpy"
                                   and c.__name__ in ("ndarray", "generic")) for c in mro)


def _is_object(value: Any) -> bool:
    """A module-level object whose methods bind as functions of its own Elixir module:
    not a module, class or function (those bind already), nor data the runtime hands
    over as an Elixir value (`pi`, a dict of constants). An object that raises when
    asked (a hostile `__class__`) is none: it must not break its module's other names."""
    try:
        return not (value is None or _is_import(value) or inspect.isclass(value)
                    or inspect.isroutine(value) or _converted(type(value)))
    except Exception:
        return False


def _scope_record(scope: Scope) -> Dict[str, Any]:
    return {"python_module": scope.python_module, "qualname": scope.qualname,
            "is_class": scope.is_class, "is_instance": scope.is_instance,
            "doc": _doc(scope.obj), "converted": scope.is_class and _converted(scope.obj)}


def _targets_for_all(resolver: Resolver) -> List[Tuple[str, str]]:
    """Every public symbol of the library, and of each public submodule/class one level in."""
    root = resolver.root
    public = set(root.public_names())
    targets = _scope_targets(resolver.elixir_module, root)
    for segment, (name, _) in sorted(root.children().items()):
        if name in public:
            targets += _inner_targets(resolver, resolver.elixir_module + "." + segment)
    return targets


def _inner_targets(resolver: Resolver, module: str) -> List[Tuple[str, str]]:
    """One public submodule's or class's targets; nothing when listing it fails."""
    try:
        scope = resolver.scope(module)
        targets = _scope_targets(module, scope)
        if scope.is_class:
            return targets
        inner_public = set(scope.public_names())
        for inner_segment, (inner, value) in sorted(scope.children().items()):
            if inner in inner_public and inspect.isclass(value):
                targets.append((module + "." + inner_segment, "new"))
        return targets
    except BaseException:  # a hostile submodule: its calls get their own errors
        return []


def _is_import(value: Any) -> bool:
    return isinstance(value, (types.ModuleType, __future__._Feature))


def _scope_targets(module: str, scope: Scope) -> List[Tuple[str, str]]:
    """The public members of one scope (a class's own names only, plus `new`).

    Imports that are not part of the library's API are left out: modules that are not
    submodules (`import os` without `__all__`) and `from __future__` features.
    """
    public = set(scope.public_names())
    namespace = scope.namespace()
    own = set(vars(scope.obj)) if scope.is_class else public
    own |= set(scope.instance_attributes())
    found = [(module, e) for e, p in scope.members().items()
             if p in public and p in own and not _is_import(namespace.get(p))]
    functions = scope.names.function_names([n for n, v in scope.children().values()
                                            if inspect.isclass(v) and n in public])
    found += [(module, n) for n, e in functions.items() if _is_function_like(scope, n, e)]
    return found + ([(module, "new")] if scope.is_class else [])


def _failure(exc: BaseException) -> str:
    """`Type: message` of an exception whose `__str__` may itself be hostile."""
    try:
        return f"{type(exc).__name__}: {exc}"
    except BaseException:
        return f"{type(exc).__name__}: (its message could not be read)"


def _describe_targets(resolver: Resolver, targets: List[Tuple[str, str]], scrub: Scrubber,
                      ) -> Tuple[List[Dict[str, Any]], List[Dict[str, str]]]:
    """Each target's record, or an error for that member only (whatever it raised)."""
    members, errors = [], []
    pid = os.getpid()
    for elixir_module, name in targets:
        try:
            scope, python_name = resolver.member(elixir_module, name)
            record = describe(scope, python_name, scrub)
        except LookupError as exc:
            message, missing = _failure(exc).partition(": ")[2], isinstance(exc, MissingName)
        except BaseException as exc:  # KeyboardInterrupt, SystemExit from hostile code
            message, missing = f"introspecting it failed: {_failure(exc)}", False
        else:
            message = ""
        if os.getpid() != pid:  # the member forked: its copy must report nothing
            os._exit(0)
        if message:
            errors.append({"module": elixir_module, "name": name, "message": message,
                           "missing": missing})
            continue
        record.update(elixir_module=elixir_module, elixir_name=name)
        members.append(record)
    return members, errors


def _importable(library: str) -> List[str]:
    """What the environment can import in the failed library's place, for a "did you
    mean": the submodules of its deepest importable parent package, or the top-level
    modules on sys.path (every installed distribution's) and the built-in ones."""
    parent = library.rpartition(".")[0]
    while parent:
        try:
            path = getattr(importlib.import_module(parent), "__path__", None)
        except BaseException:
            parent = parent.rpartition(".")[0]
            continue
        try:
            return sorted(parent + "." + m.name for m in pkgutil.iter_modules(list(path or [])))
        except BaseException:
            return []
    try:
        found = {m.name for m in pkgutil.iter_modules()} | set(sys.builtin_module_names)
    except BaseException:
        return []
    return sorted(n for n in found if isinstance(n, str) and n.isidentifier())


def _scope_records(resolver: Resolver) -> Dict[str, Any]:
    return {m: _scope_record(s) for m, s in resolver.scopes.items()}


def run(request: Dict[str, Any], names_source: str) -> Dict[str, Any]:
    names = _load_names(names_source)
    scrub = Scrubber()
    try:
        root = importlib.import_module(request["library"])
    except BaseException as exc:  # SystemExit and friends from a hostile import too
        return {"import_error": _failure(exc), "importable": _importable(request["library"])}
    resolver = Resolver(names, request["library"], request["elixir_module"], root)
    targets = [(str(m), str(n)) for m, n in request.get("targets", [])]
    if request.get("all"):
        try:
            targets = sorted(set(targets) | set(_targets_for_all(resolver)))
        except BaseException as exc:
            return {"import_error": f"listing its public names failed: {_failure(exc)}"}
    members, errors = _describe_targets(resolver, targets, scrub)
    return {"members": members, "errors": errors, "scopes": _scope_records(resolver)}


# ---------------------------------------------------------------- the two processes

_PR_SET_DUMPABLE = 4


def _undumpable() -> None:
    """No ptrace, no /proc/PID/mem or /proc/PID/fd for processes of the same user."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError, ImportError):
        pass  # no prctl (not Linux): the sandbox still holds


def _read_exactly(fd: int, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _child(bundle: Dict[str, Any], channel: int) -> int:
    """Import and describe the library; send one length-prefixed JSON document."""
    pid = os.getpid()
    import site

    site.main()  # the environment's site-packages and .pth files, only now
    request = bundle["request"]
    _limit_resources(request.get("limits", {}))
    os.dup2(2, 1)  # library prints go to stderr; the answer goes to the channel
    sys.stdout = sys.stderr
    try:
        result = run(request, bundle["names"])
    except MemoryError:
        result = {"fatal": "MemoryError: the memory limit was reached"}
    if os.getpid() != pid:
        os._exit(0)
    text = json.dumps(result, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    data = text.encode("ascii")
    _write_all(channel, struct.pack(">Q", len(data)) + data)
    return 0


def _status(wait_status: int) -> int:
    """Exit code, or minus the signal that killed the child (as subprocess reports)."""
    if os.WIFSIGNALED(wait_status):
        return -os.WTERMSIG(wait_status)
    return os.WEXITSTATUS(wait_status) if os.WIFEXITED(wait_status) else 255


def main(bundle: Dict[str, Any], secret_fd: int, result_fd: int) -> int:
    """The supervisor: fork the child, then authenticate and forward its answer."""
    _undumpable()
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        for fd in (secret_fd, result_fd, reader):
            os.close(fd)
        code = 1
        try:
            code = _child(bundle, writer)
        finally:
            os._exit(code)
    os.close(writer)
    secret = _read_all(secret_fd).decode("ascii")
    os.close(secret_fd)
    size = struct.unpack(">Q", _read_exactly(reader, 8).rjust(8, b"\0"))[0]
    payload = _read_exactly(reader, min(size, 1 << 31))
    _, wait_status = os.waitpid(pid, 0)
    header = json.dumps({"secret": secret, "status": _status(wait_status)})
    _write_all(result_fd, header.encode("ascii") + b"\n" + payload)
    os.close(result_fd)
    return 0
