"""`./pants generate-bindings [--check] [--prune] TARGETS`: bindings into the workspace.

Writes each `elixir_bindings` target's generated files and its manifest (manifest ∪ scan,
or with --prune just the scan). The output directory belongs to the generator, so files
there that generation no longer produces are deleted. `--check` writes nothing and exits
1 listing what is stale, for CI. Each target's problems are printed as `file:line:
message` lines (no stack trace); every good target is still written; exit 1 when any
target failed. Runs inside Pants (Python 3.9).

Writes go through the engine's all-or-nothing writer (engine/tree.py), not
`Workspace.write_digest` (which rewrites files one by one: `kill -9` mid-way left a mixed
tree). The swap replaces the output directory's inode; without more, pantsd was measured
to keep serving the old files' contents afterwards (a `--check` in the same pantsd called
the fresh numpy.ex stale), most likely because Pants 2.17's watcher stops watching a
directory renamed away and so never reports the old files' deletion. The goal therefore
invalidates every path it replaced in Pants' graph itself.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import List, Set, Tuple

from pants.base.build_environment import get_buildroot
from pants.engine.console import Console
from pants.engine.fs import (
    Digest,
    DigestContents,
    PathGlobs,
    Workspace,
)
from pants.engine.goal import Goal, GoalSubsystem
from pants.engine.rules import Get, MultiGet, collect_rules, goal_rule, rule
from pants.engine.target import Targets
from pants.option.option_types import BoolOption
from pants.util.docutil import bin_name
from pants.util.strutil import help_text

from snakebridge_rules.engine.tree import OutputError, recover, write_tree
from snakebridge_rules.pants.bindings import Bindings, BindingsRequest
from snakebridge_rules.pants.target_types import ElixirBindingsLibrariesField


class GenerateBindingsSubsystem(GoalSubsystem):
    name = "generate-bindings"
    help = "Write Elixir bindings and their manifests for `elixir_bindings` targets."

    check = BoolOption(
        default=False,
        help=help_text(
            """
            Write nothing; exit 1 listing the generated files and manifests that are
            stale or missing (for CI).
            """
        ),
    )
    prune = BoolOption(
        default=False,
        help=help_text(
            """
            Drop manifest entries that no scan finds any more (the only way a manifest
            shrinks), and the bindings generated for them.
            """
        ),
    )


class GenerateBindings(Goal):
    subsystem_cls = GenerateBindingsSubsystem
    environment_behavior = Goal.EnvironmentBehavior.LOCAL_ONLY


@dataclass(frozen=True)
class Drift:
    """How the workspace differs from what generation produces."""

    changed: Tuple[str, ...]  # missing or different: to (re)write
    extra: Tuple[str, ...]  # generated files no longer produced: to delete


@rule
async def bindings_drift(bindings: Bindings) -> Drift:
    wanted = await Get(DigestContents, Digest, bindings.generated.digest)
    wanted_bytes = {c.path: c.content for c in wanted}
    wanted_bytes[bindings.manifest_path] = bindings.manifest
    on_disk = await Get(
        DigestContents,
        PathGlobs([os.path.join(bindings.output_dir, "**"), bindings.manifest_path]),
    )
    disk_bytes = {c.path: c.content for c in on_disk}
    changed = tuple(sorted(p for p, b in wanted_bytes.items() if disk_bytes.get(p) != b))
    extra = tuple(sorted(p for p in disk_bytes if p not in wanted_bytes))
    return Drift(changed, extra)


def fix_command(bindings: Bindings, prune: bool = False) -> str:
    return f"{bin_name()} generate-bindings{' --prune' if prune else ''} {bindings.address}"


def _report_problems(console: Console, all_bindings: Tuple[Bindings, ...]) -> bool:
    """Print every target's warnings and problems; True when any target failed."""
    for bindings in all_bindings:
        for warning in bindings.warnings:
            console.print_stderr(f"warning: {warning}")
        if bindings.problems:
            console.print_stderr(f"{bindings.address}: cannot generate bindings:")
            for problem in bindings.problems:
                console.print_stderr(f"  {problem}")
    return any(b.problems for b in all_bindings)


def _report_check(
    console: Console, pairs: List[Tuple[Bindings, Drift]], prune: bool
) -> int:
    stale = [(b, d) for b, d in pairs if d.changed or d.extra]
    for bindings, drift in stale:
        console.print_stderr(f"{bindings.address}: generated bindings are stale:")
        for path in drift.changed:
            console.print_stderr(f"  out of date or missing: {path}")
        for path in drift.extra:
            console.print_stderr(f"  no longer generated: {path}")
        console.print_stderr(f"  fix: {fix_command(bindings, prune)}")
    if not stale:
        console.print_stdout(f"{len(pairs)} bindings target(s) up to date.")
    return 1 if stale else 0


@goal_rule
async def generate_bindings_goal(
    targets: Targets,
    subsystem: GenerateBindingsSubsystem,
    workspace: Workspace,
    console: Console,
) -> GenerateBindings:
    chosen = [t for t in targets if t.has_field(ElixirBindingsLibrariesField)]
    all_bindings = await MultiGet(
        Get(Bindings, BindingsRequest(t.address, prune=subsystem.prune)) for t in chosen
    )
    failed = _report_problems(console, all_bindings)
    good = [b for b in all_bindings if not b.problems]
    drifts = await MultiGet(Get(Drift, Bindings, b) for b in good)
    pairs = list(zip(good, drifts))
    if subsystem.check:
        stale = _report_check(console, pairs, subsystem.prune)
        return GenerateBindings(exit_code=1 if failed else stale)

    for bindings, drift in pairs:
        root = Path(get_buildroot())
        if not (drift.changed or drift.extra):
            recover(root / bindings.output_dir, root / bindings.manifest_path)  # leftovers
            continue
        contents = await Get(DigestContents, Digest, bindings.generated.digest)
        try:
            replaced = _write(root, bindings, contents)
        except OutputError as exc:
            console.print_stderr(f"{bindings.address}: {exc}")
            failed = True
            continue
        finally:
            workspace._scheduler.invalidate_files(_touched(bindings, drift, contents))
        console.print_stdout(f"{bindings.address}: {replaced}")
    return GenerateBindings(exit_code=1 if failed else 0)


def _write(root: Path, bindings: Bindings, contents: DigestContents) -> str:
    """Swap the target's output dir and manifest in, all or nothing; what changed."""
    prefix = bindings.output_dir + "/"
    files = {c.path[len(prefix):]: c.content for c in contents}
    report = write_tree(root / bindings.output_dir, files, root / bindings.manifest_path,
                        bindings.manifest)
    manifest = 1 if report.manifest_changed else 0
    return f"wrote {len(report.written) + manifest} file(s), deleted {len(report.removed)}"


def _touched(bindings: Bindings, drift: Drift, contents: DigestContents) -> Set[str]:
    """Every build-root path the swap may have replaced: old and new files, the dir and
    the manifest (Pants adds their parent directories itself)."""
    paths = {c.path for c in contents} | set(drift.changed) | set(drift.extra)
    return paths | {bindings.output_dir, bindings.manifest_path}


def rules():
    return collect_rules()
