"""Codegen: `export-codegen`, and shell commands / adhoc tools that depend on the target.

A target with problems fails with its `file:line` messages as the whole error: no
Python traceback, and no engine frames of ours (the rule has no `desc`: Pants renders
an "Engine traceback" from the rules that have one). Runs inside Pants (Python 3.9).
"""

from __future__ import annotations

from pants.engine.fs import AddPrefix, Snapshot
from pants.engine.rules import Get, collect_rules, rule
from pants.engine.target import GeneratedSources, GenerateSourcesRequest
from pants.engine.unions import UnionRule
from pants.util.logging import LogLevel

from snakebridge_rules.pants.bindings import Bindings, BindingsRequest
from snakebridge_rules.pants.process import BindingsError
from snakebridge_rules.pants.target_types import (
    ElixirBindingsGeneratedSourcesField,
    ElixirBindingsSourcesField,
)


class GenerateElixirBindingsRequest(GenerateSourcesRequest):
    input = ElixirBindingsSourcesField
    output = ElixirBindingsGeneratedSourcesField


@rule(level=LogLevel.DEBUG)
async def generate_bindings_sources(request: GenerateElixirBindingsRequest) -> GeneratedSources:
    bindings = await Get(Bindings, BindingsRequest(request.protocol_target.address))
    if bindings.problems:
        raise BindingsError(bindings.failure())
    return GeneratedSources(await Get(Snapshot, AddPrefix(bindings.generated,
                                                          bindings.output_dir)))


def rules():
    return [*collect_rules(), UnionRule(GenerateSourcesRequest, GenerateElixirBindingsRequest)]
