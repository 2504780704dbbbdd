"""`pants lint ::` reports stale bindings, as it does for other tools' outputs: one lint
partition per `elixir_bindings` target, the same check as `generate-bindings --check`.
Runs inside Pants (Python 3.9).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pants.core.goals.lint import LintResult, LintTargetsRequest
from pants.core.util_rules.partitions import PartitionerType
from pants.engine.rules import Get, collect_rules, rule
from pants.engine.target import FieldSet
from pants.util.logging import LogLevel

from snakebridge_rules.engine.staleness import UP_TO_DATE
from snakebridge_rules.pants.bindings import Bindings, BindingsRequest
from snakebridge_rules.pants.goal import Staleness
from snakebridge_rules.pants.subsystem import SnakebridgeSubsystem
from snakebridge_rules.pants.target_types import ElixirBindingsLibrariesField


@dataclass(frozen=True)
class BindingsFieldSet(FieldSet):
    required_fields = (ElixirBindingsLibrariesField,)

    libraries: ElixirBindingsLibrariesField


class BindingsLintRequest(LintTargetsRequest):
    field_set_type = BindingsFieldSet
    tool_subsystem = SnakebridgeSubsystem
    partitioner_type = PartitionerType.DEFAULT_ONE_PARTITION_PER_INPUT


@rule(desc="Check Elixir bindings are current", level=LogLevel.DEBUG)
async def lint_bindings(request: BindingsLintRequest.Batch[Any, Any]) -> LintResult:
    [field_set] = request.elements
    bindings = await Get(Bindings, BindingsRequest(field_set.address))
    report = bindings.failure() if bindings.problems else (
        await Get(Staleness, Bindings, bindings)).report
    up_to_date = "" if report else f"{bindings.address}: {UP_TO_DATE}\n"
    return LintResult(1 if report else 0, up_to_date, report, request.tool_name,
                      str(field_set.address))


def rules():
    return [*collect_rules(), *BindingsLintRequest.rules()]
