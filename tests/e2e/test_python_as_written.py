"""Calls written as a Python user writes them, end to end: `snakebridge generate` over
the standard library, sympy, networkx and numpy (locked environment) → `elixirc
--warnings-as-errors` with the runtime → run against real Python. Every expected value
is computed by Python itself from the same call written in Python."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.generate.conftest import elixir_check, snakebridge

pytestmark = pytest.mark.slow

LIBRARIES = ["math", "builtins", "datetime", "fractions", "decimal", "pathlib", "re",
             "itertools", "collections", "json", "random", "sympy", "networkx", "numpy",
             "scipy", "textwrap",
             "sbforms"]
_X = 'Sympy.symbols!("x")'
_PARABOLA = "fn x -> (x - 2.0) * (x - 2.0) end"
_PY_PARABOLA = "lambda x: (x - 2.0) * (x - 2.0)"
_WIDE = "Enum.map(0..299, &{String.to_atom(\"p#{&1}\"), &1})"

#: name → (the Elixir call, the same call in Python). Results are compared as Python's
#: `repr` of what came back (the Elixir side converts back through `Builtins.repr!`).
CASES: dict[str, tuple[str, str]] = {
    # optional positionals are positional
    "math.log(8, 2)": ("Math.log!(8, 2)", "math.log(8, 2)"),
    "round(3.14159, 2)": ("Builtins.round!(3.14159, 2)", "round(3.14159, 2)"),
    "round(3.7)": ("Builtins.round!(3.7)", "round(3.7)"),
    "int('ff', 16)": ('Builtins.int!("ff", 16)', "int('ff', 16)"),
    "int('ff', base=16)": ('Builtins.int!("ff", base: 16)', "int('ff', base=16)"),
    "numpy.clip(x, 0, 1)": ("Numpy.clip!([-1.5, 0.5, 2.0], 0, 1) |> Numpy.Ndarray.tolist!()",
                            "numpy.clip([-1.5, 0.5, 2.0], 0, 1).tolist()"),
    "re.split(',', s, 2)": ('Re.split!(",", "a,b,,c", 2)', "re.split(',', 'a,b,,c', 2)"),
    "re.sub": ('Re.sub!("a+", "-", "caaab")', "re.sub('a+', '-', 'caaab')"),
    "Counter.most_common(2)": (
        'Collections.Counter.new!("abracadabra") |> Collections.Counter.most_common!(2)',
        "collections.Counter('abracadabra').most_common(2)"),
    "sorted(reverse=True)": ("Builtins.sorted!([3, 1, 2], reverse: true)",
                             "sorted([3, 1, 2], reverse=True)"),
    # keyword names that the generate-time check tests against the signature
    "math.isclose(rel_tol=)": ("Math.isclose!(1.0, 1.05, rel_tol: 0.1)",
                               "math.isclose(1.0, 1.05, rel_tol=0.1)"),
    "JSONEncoder(sort_keys=True)": (
        'Json.JSONEncoder.new!(sort_keys: true) |> Json.JSONEncoder.encode!(%{"b" => 1, '
        '"a" => 2})', "json.JSONEncoder(sort_keys=True).encode({'b': 1, 'a': 2})"),
    "json.dumps(**kw)": ('Json.dumps!(%{"b" => 1, "a" => 2}, sort_keys: true, indent: 1)',
                         "json.dumps({'b': 1, 'a': 2}, sort_keys=True, indent=1)"),
    "textwrap.wrap(**kwargs)": ('Textwrap.wrap!("aaaa bb", 3, break_long_words: false)',
                                "textwrap.wrap('aaaa bb', 3, break_long_words=False)"),
    "numpy.mean(axis=0)": ("Numpy.mean!([[1, 2], [3, 4]], [axis: 0, keepdims: true]) "
                           "|> Numpy.Ndarray.tolist!()",
                           "numpy.mean([[1, 2], [3, 4]], axis=0, keepdims=True).tolist()"),
    # constructors
    "Decimal('1.10')": ('Decimal.Decimal.new!("1.10")', "decimal.Decimal('1.10')"),
    "Fraction(1, 3)": ("Fractions.Fraction.new!(1, 3)", "fractions.Fraction(1, 3)"),
    "date(2024, 1, 2) (class module)": ("Datetime.Date.new!(2024, 1, 2)",
                                        "datetime.date(2024, 1, 2)"),
    # *args: one Elixir argument each, a string is never spread
    "PurePosixPath('/usr/lib/os.py')": ('Pathlib.PurePosixPath.new!("/usr/lib/os.py")',
                                        "pathlib.PurePosixPath('/usr/lib/os.py')"),
    "PurePosixPath('/usr', 'lib', 'os.py')": (
        'Pathlib.PurePosixPath.new!("/usr", "lib", "os.py")',
        "pathlib.PurePosixPath('/usr', 'lib', 'os.py')"),
    "max(1, ..., 12)": ("Builtins.max!(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)",
                        "max(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)"),
    # classmethods and staticmethods on the class module
    "datetime.fromisoformat('2024-01-02')": (
        'Datetime.Datetime.fromisoformat!("2024-01-02")',
        "datetime.datetime.fromisoformat('2024-01-02')"),
    "str.maketrans('ab', 'cd')": ('Builtins.Str.maketrans!("ab", "cd")',
                                  "str.maketrans('ab', 'cd')"),
    # lowercase classes bind as functions of their module
    "datetime.date(2024, 1, 2)": ("Datetime.date!(2024, 1, 2)", "datetime.date(2024, 1, 2)"),
    "list('abc')": ('Builtins.list!("abc")', "list('abc')"),
    "list(permutations([1, 2, 3], 2))": (
        "Builtins.list!(Itertools.permutations!([1, 2, 3], 2))",
        "list(itertools.permutations([1, 2, 3], 2))"),
    "deque([1, 2, 3], 2)": ("Collections.deque!([1, 2, 3], 2)",
                            "collections.deque([1, 2, 3], 2)"),
    "sympy.sin(x)": (f"Sympy.sin!({_X})", "sympy.sin(sympy.symbols('x'))"),
    # a name that is both a submodule and an attribute is the attribute
    "sympy.simplify": ('Sympy.simplify!(Sympy.sympify!("sin(x)**2 + cos(x)**2"))',
                       "sympy.simplify(sympy.sympify('sin(x)**2 + cos(x)**2'))"),
    "sympy.series": (f"Sympy.series!(Sympy.sin!({_X}), {_X}, 0, 4)",
                     "sympy.series(sympy.sin(sympy.symbols('x')), sympy.symbols('x'), 0, 4)"),
    "sympy.simplify.fu.fu (the submodule stays a scope)": (
        'Sympy.Simplify.Fu.fu!(Sympy.sympify!("sin(x)**2 + cos(x)**2"))',
        "__import__('sympy.simplify.fu', fromlist=['fu']).fu("
        "sympy.sympify('sin(x)**2 + cos(x)**2'))"),
    "sympy.Rational(1, 3)": ("Sympy.Rational.new!(1, 3)", "sympy.Rational(1, 3)"),
    "sympy.diff(x**3, x)": (f'Sympy.diff!(Sympy.sympify!("x**3"), {_X})',
                            "sympy.diff(sympy.sympify('x**3'), sympy.symbols('x'))"),
    "networkx.shortest_path(g, 0, 3)": (
        "Networkx.shortest_path!(Networkx.path_graph!(4), 0, 3)",
        "networkx.shortest_path(networkx.path_graph(4), 0, 3)"),
    "Graph.number_of_nodes()": (
        "Networkx.path_graph!(5) |> Networkx.Graph.number_of_nodes!()",
        "networkx.path_graph(5).number_of_nodes()"),
    # methods of classes whose instances convert take the plain value
    "'a,b'.split(',')": ('Builtins.Str.split!("a,b", ",")', "'a,b'.split(',')"),
    "date(2024, 1, 2).isoformat()": ("Datetime.Date.isoformat!(~D[2024-01-02])",
                                     "datetime.date(2024, 1, 2).isoformat()"),
    # a subclass's instance runs its own method
    "Graph.is_directed(DiGraph())": (
        "Networkx.DiGraph.new!() |> Networkx.Graph.is_directed!()",
        "networkx.DiGraph().is_directed()"),
    # instance attributes are getters on the object
    "Point(1, 2).y (dataclass)": ("Sbforms.Point.new!(1, 2) |> Sbforms.Point.y!()",
                                  "sbforms.Point(1, 2).y"),
    "Point(1, 2).x (dataclass)": ("Sbforms.Point.new!(1, 2) |> Sbforms.Point.x!()",
                                  "sbforms.Point(1, 2).x"),
    "Slotted(1, 2).b (__slots__)": ("Sbforms.Slotted.new!(1, 2) |> Sbforms.Slotted.b!()",
                                    "sbforms.Slotted(1, 2).b"),
    "Annotated('p').label": ('Sbforms.Annotated.new!("p") |> Sbforms.Annotated.label!()',
                             "sbforms.Annotated('p').label"),
    "Plain(4).total (self.x in __init__)": ("Sbforms.Plain.new!(4) |> Sbforms.Plain.total!()",
                                            "sbforms.Plain(4).total"),
    "Graph(name='g').graph": ('Networkx.Graph.new!(name: "g") |> Networkx.Graph.graph!()',
                              "networkx.Graph(name='g').graph"),
    # attributes documented only in a class docstring's Attributes section
    "minimize_scalar(f).success": (
        f"Scipy.Optimize.minimize_scalar!({_PARABOLA}) |> Scipy.Optimize.OptimizeResult.success!()",
        f"scipy.optimize.minimize_scalar({_PY_PARABOLA}).success"),
    "float(minimize_scalar(f).x)": (
        f"Scipy.Optimize.minimize_scalar!({_PARABOLA}) |> Scipy.Optimize.OptimizeResult.x!()"
        " |> Builtins.float!()",
        f"float(scipy.optimize.minimize_scalar({_PY_PARABOLA}).x)"),
    "float(ttest_1samp(xs, 0).pvalue)": (
        "Scipy.Stats.ttest_1samp!([1.0, 2.0, 3.0, 4.5], 0) |> "
        "Scipy.Stats.ResultClasses_.TtestResult.pvalue!() |> Builtins.float!()",
        "float(scipy.stats.ttest_1samp([1.0, 2.0, 3.0, 4.5], 0).pvalue)"),
    # module-level objects: their methods are functions of a module named after them
    "scipy.stats.norm.cdf(1.96)": ("Scipy.Stats.Norm.cdf!(1.96)",
                                   "float(scipy.stats.norm.cdf(1.96))"),
    "scipy.stats.norm.ppf(0.975)": ("Scipy.Stats.Norm.ppf!(0.975)",
                                    "float(scipy.stats.norm.ppf(0.975))"),
    "scipy.stats.norm.cdf(1, loc=1, scale=2)": (
        "Scipy.Stats.Norm.cdf!(1, loc: 1, scale: 2)",
        "float(scipy.stats.norm.cdf(1, loc=1, scale=2))"),
    "scipy.stats.t.sf(2.0, 10)": ("Scipy.Stats.T.sf!(2.0, 10)",
                                  "float(scipy.stats.t.sf(2.0, 10))"),
    "scipy.stats.chi2.ppf(0.95, 3)": ("Scipy.Stats.Chi2.ppf!(0.95, 3)",
                                      "float(scipy.stats.chi2.ppf(0.95, 3))"),
    "random.random is a function already": ("(Random.seed!(7); Random.random!())",
                                            "random.seed(7) or random.random()"),
    "meter.reading(2, 1)": ("Sbforms.Meter.reading!(2, 1)", "sbforms.meter.reading(2, 1)"),
    "meter.reading(2, offset=1)": ("Sbforms.Meter.reading!(2, offset: 1)",
                                   "sbforms.meter.reading(2, offset=1)"),
    "meter.unit (a property)": ("Sbforms.Meter.unit!()", "sbforms.meter.unit"),
    "meter.scale (instance data)": ("Sbforms.Meter.scale!()", "sbforms.meter.scale"),
    # more than 255 parameters: keyword-only binding, the rest of the module loads
    "wide(p0=0, ..., p299=299)": (f"Sbforms.wide!({_WIDE})",
                                  "sbforms.wide(**{f'p{n}': n for n in range(300)})"),
    # the trailing keyword list: a keyword list is the keywords ...
    "first([a: 1]) is keywords": ("Sbforms.first!(Keyword.new(a: 1))", "sbforms.first(a=1)"),
    "list([]) is list()": ("Builtins.list!([])", "list()"),
    # ... and a keyword-list value goes positionally when the keyword list follows it
    "first([a: 1], [])": ("Sbforms.first!([a: 1], [])", "sbforms.first([('a', 1)])"),
    "SnakeBridge.call(Sbforms, :first, [[a: 1]])": (
        "SnakeBridge.call(Sbforms, :first, [[a: 1]]) |> SnakeBridge.Runtime.unwrap!()",
        "sbforms.first([('a', 1)])"),
}

_RUNNER = """defmodule Forms do
  def cases do
    [
{cases}
    ]
  end

  def run do
    SnakeBridge.with_session(fn ->
      for {{name, call}} <- cases() do
        text =
          try do
            Builtins.repr!(call.())
          rescue
            e in SnakeBridge.PythonError -> "error:" <> e.type
          end

        IO.puts(Base.encode64(name) <> " " <> Base.encode64(text))
      end
    end)
  end
end
"""

_EXPECTED = """
import base64, collections, datetime, decimal, fractions, itertools, json, math, pathlib, re
import random, sys, networkx, numpy, sbforms, scipy.optimize, scipy.stats, sympy, textwrap
for name, source in json.loads(sys.argv[1]).items():
    try:
        text = repr(eval(source))
    except Exception as exc:
        text = "error:" + type(exc).__name__
    print(base64.b64encode(name.encode()).decode(), base64.b64encode(text.encode()).decode())
"""


def _decode_lines(text: str) -> dict[str, str]:
    pairs = (line.split(" ") for line in text.splitlines() if line.count(" ") == 1)
    return {base64.b64decode(a).decode(): base64.b64decode(b).decode() for a, b in pairs}


def _elixir_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("#", "\\#") + '"'


def _format(path: Path) -> None:
    script = ('[path] = System.argv(); '
              'File.write!(path, [Code.format_string!(File.read!(path)), "\\n"])')
    subprocess.run(["elixir", "-e", script, str(path)], check=True)


def _generate(root: Path, python: str, *paths: str) -> subprocess.CompletedProcess:
    libraries = [arg for name in LIBRARIES for arg in ("--library", name)]
    return snakebridge("generate", *libraries, "--python", python, "--out", "gen", *paths,
                       cwd=root)


@pytest.fixture(scope="module")
def results(tmp_path_factory, e2e_python: str) -> tuple[dict[str, str], dict[str, str]]:
    """(what the Elixir calls returned, what Python returns), both as reprs."""
    import json

    root = tmp_path_factory.mktemp("e2e")
    (root / "lib").mkdir()
    cases = ",\n".join(f"      {{{_elixir_string(name)}, fn -> {call} end}}"
                       for name, (call, _) in CASES.items())
    forms = root / "lib" / "forms.ex"
    forms.write_text(_RUNNER.format(cases=cases), encoding="utf-8")
    _format(forms)
    done = _generate(root, e2e_python, "lib")
    assert done.returncode == 0, done.stderr
    check = elixir_check([root / "gen", root / "lib"], [], root)
    assert check.unformatted == []
    env = {**os.environ, "SNAKEBRIDGE_PYTHON": e2e_python, "SNAKEBRIDGE_POOL_SIZE": "1"}
    ran = subprocess.run(["elixir", "-pa", str(check.ebin), "-e",
                          "SnakeBridge.ensure_started(); Forms.run()"], capture_output=True,
                         text=True, env=env, cwd=root, timeout=300, check=False)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    python = {name: source for name, (_, source) in CASES.items()}
    want = subprocess.run([e2e_python, "-c", _EXPECTED, json.dumps(python)],
                          capture_output=True, text=True, check=True, timeout=300)
    return _decode_lines(ran.stdout), _decode_lines(want.stdout)


@pytest.mark.parametrize("name", list(CASES))
def test_call_returns_what_python_returns(results, name: str) -> None:
    got, want = results
    print(f"{name}: Elixir {got[name]!r}, Python {want[name]!r}")
    assert not want[name].startswith("error:") or name.endswith("is keywords"), want[name]
    assert got[name] == want[name]


def test_a_keyword_list_where_a_value_was_meant_is_the_keywords(results) -> None:
    got, _ = results
    assert got["first([a: 1]) is keywords"] == "error:TypeError"
    assert got["first([a: 1], [])"] == "[('a', 1)]"


@pytest.mark.parametrize(("call", "message"), [
    ("Math.sqrt(1, 2, 3)", "Math.sqrt/3: math.sqrt cannot be called with 3 arguments from "
     "Elixir: it accepts arity 1 to 2 (Math.sqrt/1 to /2)"),
    ("Builtins.round(1.5, 1, [], 4)", "Builtins.round/4: builtins.round cannot be called "
     "with 4 arguments from Elixir: it accepts arity 1 to 3 (Builtins.round/1 to /3)"),
    ("Sbforms.Point.y()", "Sbforms.Point.y/0: sbforms.Point.y cannot be called with 0 "
     "arguments from Elixir: it accepts arity 1 (Sbforms.Point.y/1)"),
    ("Sbforms.wide(1, 2)", "Sbforms.wide/2: sbforms.wide cannot be called with 2 arguments "
     "from Elixir: it accepts arity 1 (Sbforms.wide/1; it has more than 255 required "
     "positional parameters, so they are all passed by name in one keyword list)"),
    ("Sbforms.Gauge.reading(1)", "Sbforms.Gauge.reading/1: sbforms.Gauge has no attribute "
     "'reading' (the object sbforms.gauge has this Elixir module name too, but the class "
     'takes it: call the object as SnakeBridge.call("sbforms", "gauge.reading", args))'),
])
def test_too_many_arguments_is_a_generate_time_error(tmp_path, e2e_python, call,
                                                     message) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "bad.ex").write_text(f"defmodule Bad do\n  def f, do: {call}\nend\n")
    done = _generate(tmp_path, e2e_python, "lib")
    assert done.returncode == 1
    assert f"lib/bad.ex:2: {message}" in done.stderr, done.stderr
    assert not (tmp_path / "gen").exists()


#: Calls Python refuses with a TypeError for their keyword names: (Elixir, Python, message).
KEYWORD_ERRORS = [
    ("Math.isclose(1.0, 1.0, rtol: 0.1)", "math.isclose(1.0, 1.0, rtol=0.1)",
     "Math.isclose/3: isclose() has no keyword 'rtol' — did you mean 'rel_tol'?"),
    ("Json.JSONEncoder.new(sort_key: true)", "json.JSONEncoder(sort_key=True)",
     "Json.JSONEncoder.new/1: JSONEncoder() has no keyword 'sort_key' — did you mean "
     "'sort_keys'?"),
    ("Numpy.mean([1, 2], axs: 0)", "numpy.mean([1, 2], axs=0)",
     "Numpy.mean/2: mean() has no keyword 'axs' — did you mean 'axis'?"),
    ("Numpy.mean!([[1], [2]], 0, axis: 0)", "numpy.mean([[1], [2]], 0, axis=0)",
     "Numpy.mean/3: mean() got 'axis' as argument 2 and again as keyword `axis:`; pass "
     "it once"),
    ('Builtins.Str.strip(" a ", chars: " ")', "str.strip(' a ', chars=' ')",
     "Builtins.Str.strip/2: str.strip() takes 'chars' only by position: pass it as "
     "argument 2, not as `chars:`"),
    ("Sbforms.first(a: 1)", "sbforms.first(a=1)",
     "Sbforms.first/1: first() has no keyword 'a'; it takes no keywords (to pass the "
     "keyword list itself as argument 1, add `[]` after it)"),
    ("Scipy.Optimize.brentq(fn x -> x end, -1, 1, tol: 1.0e-3)",
     "scipy.optimize.brentq(lambda x: x, -1, 1, tol=1e-3)",
     "Scipy.Optimize.brentq/4: brentq() has no keyword 'tol' — did you mean 'xtol'?"),
    ('Textwrap.wrap("a b", 15, width: 10)', "textwrap.wrap('a b', 15, width=10)",
     "Textwrap.wrap/3: wrap() got 'width' as argument 2 and again as keyword `width:`; pass "
     "it once"),
    ("Random.Random.randint(Random.Random.new!(1), 1, 2, c: 3)",
     "random.Random(1).randint(1, 2, c=3)",
     "Random.Random.randint/4: Random.randint() has no keyword 'c'; its parameters are all "
     "given by position already"),
]

#: Keyword lists Python never sees as written: (Elixir, message). A list in a required
#: slot is that argument's value, and a keyword given twice would silently lose one.
MEANT_AS_KEYWORDS = [
    ("Random.sample([1, 2], k: 1)",
     "Random.sample/2: sample() takes 'k' as argument 2, so this keyword list is its value, "
     "not keywords (`k:` names a parameter): pass 'k' by position, or add `[]` after the "
     "list to pass it as the value"),
    ("Random.choice(seq: [1, 2])",
     "Random.choice/1: choice() takes 'seq' as argument 1, so this keyword list is its "
     "value, not keywords (`seq:` names a parameter): pass 'seq' by position, or add `[]` "
     "after the list to pass it as the value"),
    ("Json.JSONEncoder.new(indent: 1, indent: 2)",
     "Json.JSONEncoder.new/1: `indent:` is given twice in the keyword list; Python takes "
     "one value per keyword: pass it once"),
]


@pytest.mark.parametrize(("call", "python", "message"), KEYWORD_ERRORS)
def test_a_keyword_python_refuses_is_a_generate_time_error(tmp_path, e2e_python, call,
                                                           python, message) -> None:
    script = (f"import json, math, numpy, random, sbforms, scipy.optimize, textwrap\n"
              f"try:\n    {python}\nexcept TypeError as e:\n    print(e)")
    refused = subprocess.run([e2e_python, "-c", script], capture_output=True, text=True,
                             check=True)
    assert refused.stdout, f"Python accepts {python}"
    _refused_at_generate(tmp_path, e2e_python, call, message)


@pytest.mark.parametrize(("call", "message"), MEANT_AS_KEYWORDS)
def test_a_keyword_list_python_would_not_see_as_written_is_refused(
        tmp_path, e2e_python, call, message) -> None:
    _refused_at_generate(tmp_path, e2e_python, call, message)


def _refused_at_generate(tmp_path, e2e_python, call: str, message: str) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "bad.ex").write_text(
        f"defmodule Bad do\n  def f(opts) do\n    {call}\n    Numpy.mean([1], opts)\n"
        "  end\nend\n")
    done = _generate(tmp_path, e2e_python, "lib")
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == f"lib/bad.ex:3: {message}", done.stderr
    assert not (tmp_path / "gen").exists()


@pytest.mark.parametrize("library", ["string", "time", "calendar", "code", "numpy=Enum"])
def test_an_elixir_module_name_is_refused_with_the_fix(tmp_path, e2e_python, library) -> None:
    python_module, _, elixir = library.partition("=")
    elixir = elixir or python_module.capitalize()
    done = snakebridge("generate", "--library", library, "--python", e2e_python, "--out",
                       "gen", cwd=tmp_path)
    assert done.returncode == 2
    assert (f"{elixir} is one of Elixir's own modules (or the runtime's) and cannot be "
            f"generated; bind the library under another name, e.g. --library "
            f"{python_module}=Py{elixir}") in done.stderr, done.stderr
    assert not (tmp_path / "gen").exists()


def test_elixir_module_list_matches_the_running_elixir() -> None:
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, str(root / "tools" / "gen_elixir_modules.py"),
                           "--check"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("entry", [
    ["-m", "snakebridge_rules.cli", "scan"],  # what Pants' scan process and Bazel's runs
])
def test_adapters_refuse_an_elixir_module_name_alike(tmp_path, entry) -> None:
    (tmp_path / "a.ex").write_text("defmodule A do\n  def f, do: String.upcase(\"x\")\nend\n")
    done = subprocess.run([sys.executable, *entry, "--library", "string", "a.ex"],
                          capture_output=True, text=True, cwd=tmp_path, check=False)
    assert done.returncode == 2
    assert "e.g. --library string=PyString" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
