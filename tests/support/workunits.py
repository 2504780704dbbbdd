"""Which binding step a Pants process was, and where its result came from.

Reads the workunits that Pants' own `workunit_logger` backend writes: every `process`
workunit carries the process definition (argv) and `metadata.source`, one of `Ran`,
`HitLocally`, `HitRemotely`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

# The engine subcommands the backend runs as separate processes (issue 4, item 3), and
# the introspection environment's PEX build (its output name in the backend's rules.py).
STEPS = ("scan", "introspect", "render", "generate")
ENV_PEX = "snakebridge-env.pex"


@dataclass(frozen=True)
class BindingProcess:
    """One engine process of a Pants run, and where its result came from."""

    step: str
    description: str
    source: str  # Ran | HitLocally | HitRemotely


def binding_processes(workunits: list[dict]) -> list[BindingProcess]:
    """The `process` workunits that ran an engine subcommand, in a stable order."""
    found = []
    for unit in workunits:
        metadata = unit.get("metadata") or {}
        if unit.get("name") != "process" or "definition" not in metadata:
            continue
        step = engine_step(json.loads(metadata["definition"]).get("argv", []))
        if step:
            found.append(BindingProcess(step, unit.get("description", ""), metadata["source"]))
    return sorted(found, key=lambda p: (p.step, p.description))


def engine_step(argv: list[str]) -> str:
    """The binding step an argv runs ('' for any other process).

    A subcommand counts only after an argument naming the engine (the `snakebridge`
    entry point, a PEX or `-m snakebridge_rules.cli`), so unrelated tools' `scan` or
    `render` arguments are not mistaken for ours.
    """
    if ENV_PEX in argv and "--output-file" in argv:
        return "environment"
    for index, arg in enumerate(argv):
        if arg in STEPS and any("snakebridge" in prior for prior in argv[:index]):
            return arg
    return ""
