"""The probe through the interpreter Pants gives it: its venv launcher over a cold venv.

Pants hands introspection `{chroot}/snakebridge-env.pex_bin_python_shim.sh`, a script
written by Pants' own `VenvScriptWriter` that re-creates the PEX's venv in the named
cache when it was pruned, then execs the venv's python. Issue 13's one-off failure
("exited with status 0; last output: (no output)") was suspected to be that first run
inside the sandbox. Here the launcher is Pants' real one (written by Pants 2.17.1's
code), over a real `--venv` PEX built by the Pex CLI Pants runs, in a sandbox-shaped
dir whose `.cache/pex_root` links to a named cache under a hidden root; the venv is
deleted first. No pantsd, no Pants run: seconds, not minutes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest

from snakebridge_rules.engine.calls import CallKey
from snakebridge_rules.engine.introspect import introspect
from snakebridge_rules.engine.libraries import Library
from tests.pants.pantsrepo import REPO

PYTHON = str(Path(sysconfig.get_config_var("BINDIR")) / "python3.11")
WRITE_LAUNCHER = """
import json, sys
from pathlib import PurePath
from pants.backend.python.util_rules.pex import Pex, VenvScriptWriter
from pants.backend.python.util_rules.pex_environment import PexEnvironment, PythonExecutable
from pants.core.util_rules.adhoc_binaries import PythonBuildStandaloneBinary
from pants.core.util_rules.system_binaries import BashBinary
from pants.engine.fs import EMPTY_DIGEST
from pants.util.frozendict import FrozenDict

args = json.loads(sys.argv[1])
env = PexEnvironment(path=("/usr/bin", "/bin"), interpreter_search_paths=(),
                     subprocess_environment_dict=FrozenDict(),
                     named_caches_dir=PurePath(args["named_caches"]),
                     bootstrap_python=PythonBuildStandaloneBinary(sys.executable))
pex = Pex(digest=EMPTY_DIGEST, name="snakebridge-env.pex",
          python=PythonExecutable(path=args["python"]))
writer = VenvScriptWriter.create(env.in_sandbox(working_directory=None), pex,
                                 PurePath(args["venv_rel_dir"]))
script = writer.python(BashBinary("/bin/bash"))
print(json.dumps([str(script.script.path), script.content.content.decode()]))
"""


@dataclass(frozen=True)
class Launcher:
    script: str  # what Pants passes as --python
    venv: Path  # the venv it runs, in the named cache


@pytest.fixture
def cold_launcher(pants_bootstrap: Path, tmp_path: Path) -> Launcher:
    src = tmp_path / "src"
    src.mkdir()
    (src / "sblaunched.py").write_text("def loot():\n    'launched'\n", encoding="utf-8")
    pex_root = tmp_path / "named_caches" / "pex_root"
    chroot = tmp_path / "sandbox"
    (chroot / ".cache").mkdir(parents=True)
    (chroot / ".cache" / "pex_root").symlink_to(pex_root)
    [pex_cli] = pants_bootstrap.glob("pex-v*")
    built = subprocess.run(
        [PYTHON, str(pex_cli), "--venv", "--seed", "verbose", "-D", str(src), "--no-pypi",
         "--python", PYTHON, "--pex-root", str(pex_root), "-o",
         str(chroot / "snakebridge-env.pex")],
        capture_output=True, text=True, check=True, env={"PATH": os.defpath})
    seeded = json.loads(built.stdout)
    venv = Path(seeded["pex"]).parent
    [pants_python] = pants_bootstrap.glob("venv-*/bin/python")
    written = subprocess.run(
        [str(pants_python), "-c", WRITE_LAUNCHER, json.dumps({
            "named_caches": str(pex_root.parent), "python": PYTHON,
            "venv_rel_dir": str(venv.relative_to(seeded["pex_root"]))})],
        capture_output=True, text=True, check=True)
    name, content = json.loads(written.stdout)
    script = chroot / name
    script.write_text(content, encoding="utf-8")
    script.chmod(0o755)
    shutil.rmtree(venv)  # pruned from the named cache: the launcher must re-create it
    return Launcher(str(script), venv)


def test_a_cold_pants_venv_launcher_is_recreated_outside_the_sandbox(
        cold_launcher: Launcher) -> None:
    surface, errors = introspect(Library.parse("sblaunched"), cold_launcher.script,
                                 [CallKey.parse("Sblaunched.loot/0")])
    assert errors == [] and surface.modules[0].members[0].doc == "launched"
    assert (cold_launcher.venv / "pyvenv.cfg").is_file()


def test_concurrent_engines_on_one_cold_launcher_all_answer(cold_launcher: Launcher,
                                                            tmp_path: Path) -> None:
    """As Pants runs one introspection per library of a target, at once, on one env."""
    outs = [tmp_path / f"surface{n}.pb" for n in range(3)]
    engines = [subprocess.Popen(
        [sys.executable, "-m", "snakebridge_rules.cli", "introspect", "--library",
         "sblaunched", "--python", cold_launcher.script, "--all", "-o", str(out)],
        cwd=REPO, env={"PATH": os.defpath}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True) for out in outs]
    results = [(engine.wait(timeout=300), engine.communicate()) for engine in engines]
    assert [code for code, _ in results] == [0, 0, 0], results
    assert len({out.read_bytes() for out in outs}) == 1
