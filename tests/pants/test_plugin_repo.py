"""Another repository enables the backend as a Pants plugin (docs/pants.md).

The plugin wheel (`snakebridge-pants`, built by this repo's Pants) and the engine wheel
(`snakebridge`, built by pip) stand in for the published distributions in a find-links
directory. The other repository has no snakebridge sources and names none of this repo's targets
(`[snakebridge].engine` is its own `python_requirement`): Pants installs the plugin
into its own Python 3.9, and the engine PEX comes from a lockfile of the team's own
`snakebridge` resolve.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pants.pantsrepo import PantsRepo
from tests.support.pants_checkout import BOOTSTRAP, NAMED_CACHES, REPO

pytestmark = pytest.mark.slow

PANTS_TOML = """\
[GLOBAL]
pants_version = "2.17.1"
plugins = ["snakebridge-pants==0.1.0"]
backend_packages = ["pants.backend.python", "snakebridge_rules.pants"]
pants_ignore.add = ["/.pants-bootstrap/"]
ca_certs_path = "/etc/ssl/certs/ca-certificates.crt"

[python-repos]
find_links = ["file://{wheels}"]

[subprocess-environment]
env_vars.add = ["PIP_CONFIG_FILE=/dev/null"]

[python-bootstrap]
search_path = ["<PYENV>", "<PATH>"]

[python]
interpreter_constraints = ["CPython==3.11.*"]
enable_resolves = true

[python.resolves]
python-default = "3rdparty/python/default.lock"
snakebridge = "3rdparty/python/snakebridge.lock"

[python-infer]
use_rust_parser = true

[snakebridge]
engine = "3rdparty/python:snakebridge"

[pex-cli]
version = "v2.1.137"
url_template = "file://%(buildroot)s/.pants-bootstrap/pex-{{version}}"
known_versions = [{known_versions}]
"""

FILES = {
    "3rdparty/python/BUILD": """\
python_requirement(name="snakebridge", requirements=["snakebridge==0.1.0"], resolve="snakebridge")
python_requirement(name="numpy", requirements=["numpy>=2.0,<3"], resolve="python-default")
""",
    "app/BUILD": """\
elixir_bindings(
    name="bindings",
    libraries=["numpy=NP"],
    python_requirements=["3rdparty/python:numpy"],
    output_dir="generated",
)
""",
    "app/lib/app.ex": "defmodule App do\n  def avg(xs), do: NP.mean(xs)\nend\n",
}


def _known_versions() -> str:
    """This repo's pinned Pex CLI hash (the same bootstrap serves both repositories)."""
    text = (REPO / "pants.toml").read_text()
    line = next(x for x in text.splitlines() if "|linux_x86_64|" in x)
    return line.strip().rstrip(",")


def _wheels(pants_repo: PantsRepo, dest: Path) -> Path:
    run = pants_repo.pants("package", "snakebridge_rules:pants-plugin-dist")
    assert run.returncode == 0, run.stderr[-3000:]
    dest.mkdir()
    shutil.copy(pants_repo.path("dist/snakebridge_pants-0.1.0-py3-none-any.whl"), dest)
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(dest), str(pants_repo.root)],
        capture_output=True, text=True, env={"PIP_CONFIG_FILE": "/dev/null", "PATH": "/usr/bin"},
    )
    assert build.returncode == 0, build.stderr
    return dest


def test_another_repo_uses_the_published_plugin_and_engine(
    pants_repo: PantsRepo, tmp_path: Path
) -> None:
    wheels = _wheels(pants_repo, tmp_path / "wheels")
    repo = tmp_path / "other"
    for rel, text in FILES.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    (repo / "pants.toml").write_text(
        PANTS_TOML.format(wheels=wheels, known_versions=_known_versions())
    )
    shutil.copy(REPO / "pants", repo / "pants")
    shutil.copy(REPO / "3rdparty/python/default.lock", repo / "3rdparty/python/default.lock")
    (repo / ".pants-bootstrap").mkdir()
    for entry in BOOTSTRAP.iterdir():
        (repo / ".pants-bootstrap" / entry.name).symlink_to(entry)

    def pants(*args: str) -> subprocess.CompletedProcess[str]:
        argv = [str(repo / "pants"), "--no-pantsd", f"--named-caches-dir={NAMED_CACHES}",
                f"--local-store-dir={tmp_path / 'lmdb_store'}", *args]
        return subprocess.run(argv, cwd=repo, capture_output=True, text=True, timeout=900)

    lock = pants("generate-lockfiles", "--resolve=snakebridge")
    assert lock.returncode == 0, lock.stderr[-3000:]
    locked = (repo / "3rdparty/python/snakebridge.lock").read_text()
    assert '"project_name": "snakebridge"' in locked

    run = pants("generate-bindings", "app:bindings")
    assert run.returncode == 0, run.stderr[-3000:]
    assert "NP.mean/1\n" in (repo / "app/snakebridge.manifest").read_text()
    assert "defmodule NP do" in (repo / "app/generated/np.ex").read_text()
    assert pants("generate-bindings", "--check", "app:bindings").returncode == 0
    assert pants("lint", "app:bindings").returncode == 0

    # A new call: lint and --check name the fix with this repo's bin name (`pants`).
    (repo / "app/lib/app.ex").write_text(
        "defmodule App do\n  def avg(xs), do: NP.mean(xs)\n  def mid(xs), do: NP.median!(xs)\n"
        "end\n")
    stale = pants("generate-bindings", "--check", "app:bindings")
    assert stale.returncode == 1
    assert "run: pants generate-bindings app:bindings" in stale.stderr
    assert "./pants" not in stale.stderr
    assert pants("lint", "app:bindings").returncode == 1

    # A typo is reported at its line, without a traceback.
    (repo / "app/lib/app.ex").write_text("defmodule App do\n  def avg(xs), do: NP.meen(xs)\nend\n")
    typo = pants("generate-bindings", "app:bindings")
    assert typo.returncode == 1
    assert "app/lib/app.ex:2: NP.meen/1: numpy has no attribute 'meen'" in typo.stderr
    assert "Traceback" not in typo.stderr
