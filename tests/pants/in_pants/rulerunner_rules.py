"""RuleRunner tests of the backend's pure rules (no process runs): run in Pants' venv.

Collected by tests/pants/test_rulerunner.py, which starts pytest in the Pants 3.9 venv
with `python_files = rulerunner_*.py` (the outer suite cannot import Pants).
"""

from __future__ import annotations

import dataclasses

import pytest
from pants.backend.python.target_types import PythonRequirementTarget, PythonSourceTarget
from pants.engine.addresses import Address, Addresses
from pants.testutil.rule_runner import QueryRule, RuleRunner

from snakebridge_rules.pants import register
from snakebridge_rules.pants.bindings import Bindings
from snakebridge_rules.pants.goal import Staleness
from snakebridge_rules.pants.process import library_file
from snakebridge_rules.pants.spec import BindingsSpec
from snakebridge_rules.pants.target_types import ElixirBindingsTarget

BUILD = """
python_requirement(name="numpy", requirements=["numpy>=2"])
python_requirement(name="humanize", requirements=["humanize"])
elixir_bindings(
    name="bindings",
    libraries={libraries},
    python_requirements=[":numpy"],
    output_dir="gen",
)
"""


@pytest.fixture(scope="module")
def rule_runner() -> RuleRunner:
    return RuleRunner(
        target_types=[ElixirBindingsTarget, PythonRequirementTarget, PythonSourceTarget],
        rules=[
            *register.rules(),
            QueryRule(BindingsSpec, [Address]),
            QueryRule(Staleness, [Bindings]),
        ],
    )


def test_spec_resolves_paths_against_the_build_file(rule_runner: RuleRunner) -> None:
    rule_runner.write_files({"app/BUILD": BUILD.format(libraries='["numpy", "scipy.linalg=SL"]')})
    spec = rule_runner.request(BindingsSpec, [Address("app", target_name="bindings")])
    assert spec.libraries == ("numpy", "scipy.linalg=SL")
    assert spec.manifest_path == "app/snakebridge.manifest"
    assert spec.output_dir == "app/gen"
    assert spec.requirements == Addresses([Address("app", target_name="numpy")])
    assert spec.problems == (
        "app/BUILD:4: library 'scipy.linalg' is not importable from `python_requirements` "
        "[app:numpy] (add the `python_requirement` that provides it)",
    )


def spec_problems(rule_runner: RuleRunner, build: str) -> tuple:
    rule_runner.write_files({"app/BUILD": build})
    return rule_runner.request(BindingsSpec, [Address("app", target_name="bindings")]).problems


@pytest.mark.parametrize(("library", "hint"), [
    ("humanize", "(provided by app:humanize: add it)"),
    ("nunpy", "— did you mean 'numpy'?"),
    ("nunpy.linalg", "— did you mean 'numpy.linalg'?"),
])
def test_a_library_the_requirements_lack_gets_the_build_fix(rule_runner: RuleRunner,
                                                            library: str, hint: str) -> None:
    assert spec_problems(rule_runner, BUILD.format(libraries=f'["{library}"]')) == (
        f"app/BUILD:4: library {library!r} is not importable from `python_requirements` "
        f"[app:numpy] {hint}",
    )


def test_standard_library_modules_need_no_requirement(rule_runner: RuleRunner) -> None:
    rule_runner.write_files({"app/BUILD": BUILD.format(libraries='["numpy", "statistics"]')})
    spec = rule_runner.request(BindingsSpec, [Address("app", target_name="bindings")])
    assert spec.problems == ()


def test_python_requirements_accepts_only_requirement_targets(rule_runner: RuleRunner) -> None:
    build = BUILD.format(libraries='["numpy"]').replace('[":numpy"]', '[":numpy", ":src"]')
    rule_runner.write_files({"app/BUILD": build + 'python_source(name="src", source="m.py")\n',
                             "app/m.py": ""})
    spec = rule_runner.request(BindingsSpec, [Address("app", target_name="bindings")])
    assert spec.problems == (
        "app/BUILD:4: `python_requirements` lists app:src, which is not a "
        "`python_requirement` target; list only the requirements that provide the libraries",
    )


def test_empty_libraries_is_the_targets_problem(rule_runner: RuleRunner) -> None:
    for libraries in ("[]", "None"):
        assert spec_problems(rule_runner, BUILD.format(libraries=libraries)) == (
            "app/BUILD:4: `libraries` names no Python module; name the ones to bind, e.g. "
            "`libraries=[\"numpy\"]`",
        )


def test_missing_python_requirements_is_the_targets_problem(rule_runner: RuleRunner) -> None:
    build = BUILD.format(libraries='["numpy"]').replace('python_requirements=[":numpy"],', "")
    assert spec_problems(rule_runner, build) == (
        "app/BUILD:4: library 'numpy' is not importable from `python_requirements` [] "
        "(provided by app:numpy: add it)",
    )


@pytest.mark.parametrize("bad", ["numpy=lower", "1numpy", "numpy..x", "numpy=NP=X"])
def test_a_malformed_library_is_the_targets_problem(rule_runner: RuleRunner, bad: str) -> None:
    [problem] = spec_problems(rule_runner, BUILD.format(libraries=f'["{bad}"]'))
    assert problem.startswith(f"app/BUILD:4: `libraries`: --library {bad!r}: "), problem


@pytest.mark.parametrize("bad", [".", "", "..", "../x", "/abs", "gen/../.."])
def test_output_dir_must_be_a_subdirectory(rule_runner: RuleRunner, bad: str) -> None:
    build = BUILD.format(libraries='["numpy"]').replace('"gen"', repr(bad))
    [problem] = spec_problems(rule_runner, build)
    assert problem.startswith("app/BUILD:4: `output_dir` must be a subdirectory of app "), problem


def test_a_hidden_output_dir_is_a_subdirectory(rule_runner: RuleRunner) -> None:
    build = BUILD.format(libraries='["numpy"]').replace('"gen"', '".gen"')
    assert spec_problems(rule_runner, build) == ()


def test_staleness_lists_stale_missing_and_extra_files(rule_runner: RuleRunner) -> None:
    rule_runner.write_files(
        {
            "app/gen/same.ex": "same",
            "app/gen/changed.ex": "old",
            "app/gen/orphan.ex": "no longer generated",
            "app/snakebridge.manifest": "Numpy.mean/1\n",
        }
    )
    generated = rule_runner.make_snapshot(
        {"same.ex": "same", "changed.ex": "new", "missing.ex": "m"}
    ).digest
    bindings = Bindings(
        address=Address("app", target_name="bindings"),
        output_dir="app/gen",
        manifest_path="app/snakebridge.manifest",
        fix="pants generate-bindings app:bindings",
        problems=(),
        generated=generated,
        manifest=b"Numpy.mean/1\n",
    )
    assert rule_runner.request(Staleness, [bindings]).report == (
        "app:bindings: the checked-in bindings are stale:\n"
        "  app/gen/changed.ex: stale\n"
        "  app/gen/missing.ex: missing\n"
        "  app/gen/orphan.ex: extra\n"
        "run: pants generate-bindings app:bindings\n"
    )
    bindings = dataclasses.replace(bindings, manifest=b"Numpy.std/1\n")
    assert "  app/snakebridge.manifest: not manifest" in rule_runner.request(
        Staleness, [bindings]).report


def test_per_library_file_names() -> None:
    assert library_file("numpy=NP", ".calls.pb") == "numpy.calls.pb"
    assert library_file("scipy.linalg", ".surface.pb") == "scipy.linalg.surface.pb"
