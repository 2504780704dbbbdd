"""`pants lint ::` reports stale bindings, as it does for other tools' outputs.

One lint partition per `elixir_bindings` target: its generated files and manifest
compared with what generation produces now (the same comparison as
`generate-bindings --check`), naming the command that fixes them. A target with
problems fails lint with its `file:line` messages. Runs inside Pants (Python 3.9).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pants.core.goals.lint import LintResult, LintTargetsRequest
from pants.core.util_rules.partitions import PartitionerType
from pants.engine.rules import Get, collect_rules, rule
from pants.engine.target import FieldSet
from pants.util.logging import LogLevel

from snakebridge_rules.pants.bindings import Bindings, BindingsRequest
from snakebridge_rules.pants.goal import Drift, fix_command
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


def _stale_lines(bindings: Bindings, drift: Drift) -> str:
    lines = [f"{bindings.address}: generated bindings are stale:"]
    lines += [f"  out of date or missing: {path}" for path in drift.changed]
    lines += [f"  no longer generated: {path}" for path in drift.extra]
    lines.append(f"  fix: {fix_command(bindings)}")
    return "\n".join(lines) + "\n"


@rule(desc="Check Elixir bindings are current", level=LogLevel.DEBUG)
async def lint_bindings(request: BindingsLintRequest.Batch[Any, Any]) -> LintResult:
    [field_set] = request.elements
    bindings = await Get(Bindings, BindingsRequest(field_set.address))
    description = str(field_set.address)
    if bindings.problems:
        text = "".join(f"{p}\n" for p in bindings.problems)
        return LintResult(1, "", text, request.tool_name, description)
    drift = await Get(Drift, Bindings, bindings)
    if drift.changed or drift.extra:
        return LintResult(1, "", _stale_lines(bindings, drift), request.tool_name, description)
    return LintResult(0, f"{bindings.address}: up to date\n", "", request.tool_name, description)


def rules():
    return [*collect_rules(), *BindingsLintRequest.rules()]
