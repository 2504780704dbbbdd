"""`pants generate-bindings [--check] [--prune] TARGETS`: bindings into the workspace.

Every target's problems are printed (no stack trace) and every good target is written;
exit 1 when any target failed or, with `--check` (which writes nothing), is stale. The
comparison and the writing are the engine's (engine/staleness.py), as for
`snakebridge sync`: the all-or-nothing writer, not `Workspace.write_digest`, which
rewrites file by file (`kill -9` mid-way left a mixed tree). Its swap replaces the
output directory's inode, which pantsd's watcher misses (a later `--check` read the old
files), so the goal invalidates every path it may have replaced. Runs inside Pants.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Tuple

from pants.base.build_environment import get_buildroot
from pants.engine.console import Console
from pants.engine.fs import Digest, DigestContents, PathGlobs, Snapshot, Workspace
from pants.engine.goal import Goal, GoalSubsystem
from pants.engine.rules import Get, MultiGet, collect_rules, goal_rule, rule
from pants.engine.target import Targets
from pants.option.option_types import BoolOption

from snakebridge_rules.engine.staleness import UP_TO_DATE, stale, stale_report, sync
from snakebridge_rules.engine.tree import OutputError
from snakebridge_rules.pants.bindings import Bindings, BindingsRequest
from snakebridge_rules.pants.target_types import ElixirBindingsLibrariesField


class GenerateBindingsSubsystem(GoalSubsystem):
    name = "generate-bindings"
    help = "Write Elixir bindings and their manifests for `elixir_bindings` targets."

    check = BoolOption(default=False, help="Write nothing; exit 1 listing what is stale.")
    prune = BoolOption(default=False, help="Drop manifest entries that no scan finds (the "
                                           "only way a manifest shrinks) and their bindings.")


class GenerateBindings(Goal):
    subsystem_cls = GenerateBindingsSubsystem
    environment_behavior = Goal.EnvironmentBehavior.LOCAL_ONLY


@dataclass(frozen=True)
class Staleness:
    report: str  # the engine's report of what differs; empty when up to date


@rule
async def bindings_staleness(bindings: Bindings) -> Staleness:
    prefix = bindings.output_dir + "/"
    wanted, on_disk = await MultiGet(
        Get(DigestContents, Digest, bindings.generated),
        Get(DigestContents, PathGlobs([prefix + "**", bindings.manifest_path])))
    have = {c.path[len(prefix):]: c.content for c in on_disk if c.path.startswith(prefix)}
    manifest = next((c.content for c in on_disk if c.path == bindings.manifest_path), None)
    problems = stale({c.path: c.content for c in wanted}, have, bindings.output_dir,
                     bindings.manifest, manifest, bindings.manifest_path)
    return Staleness(stale_report(str(bindings.address), problems, bindings.fix)
                     if problems else "")


@goal_rule
async def generate_bindings_goal(targets: Targets, subsystem: GenerateBindingsSubsystem,
                                 workspace: Workspace, console: Console) -> GenerateBindings:
    all_bindings = await MultiGet(
        Get(Bindings, BindingsRequest(t.address, prune=subsystem.prune))
        for t in targets if t.has_field(ElixirBindingsLibrariesField))
    for bindings in all_bindings:
        for warning in bindings.warnings:
            console.print_stderr(f"warning: {warning}")
        if bindings.problems:
            console.print_stderr(bindings.failure())
    good = [b for b in all_bindings if not b.problems]
    failed = len(good) < len(all_bindings)
    if subsystem.check:
        reports = await MultiGet(Get(Staleness, Bindings, b) for b in good)
        for bindings, staleness in zip(good, reports):
            if staleness.report:
                console.print_stderr(staleness.report)
            else:
                console.print_stdout(f"{bindings.address}: {UP_TO_DATE}")
        return GenerateBindings(exit_code=1 if failed or any(s.report for s in reports) else 0)
    contents = await MultiGet(Get(DigestContents, Digest, b.generated) for b in good)
    seen = await MultiGet(Get(Snapshot, PathGlobs([b.output_dir + "/**"])) for b in good)
    for bindings, files, before in zip(good, contents, seen):
        failed |= not _write(console, workspace, bindings, files, before.files)
    return GenerateBindings(exit_code=1 if failed else 0)


def _write(console: Console, workspace: Workspace, bindings: Bindings,
           contents: DigestContents, before: Tuple[str, ...]) -> bool:
    """Swap the target's files in; False (and a message) when the disk refused."""
    replaced = {bindings.output_dir, bindings.manifest_path, *before}
    replaced |= {os.path.join(bindings.output_dir, c.path) for c in contents}
    try:
        done = sync({c.path: c.content for c in contents}, Path(bindings.output_dir),
                    bindings.manifest, Path(bindings.manifest_path), Path(get_buildroot()))
    except OutputError as exc:
        console.print_stderr(f"{bindings.address}: {exc}")
        return False
    finally:
        workspace._scheduler.invalidate_files(replaced)
    for line in done:
        console.print_stdout(f"{bindings.address}: {line}")
    return True


def rules():
    return collect_rules()
