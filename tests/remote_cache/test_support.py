"""Fast checks of tests/support: how a run is judged, and what the server is told."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.buildgrid import BuildGrid, write_config
from tests.support.workunits import binding_processes, engine_step

PEX_BUILD = ["/venv/bin/python3.9", "./pex-v2.1.137", "--tmpdir", ".tmp", "--output-file"]


def test_engine_steps_are_recognised_by_argv() -> None:
    assert engine_step(["./snakebridge-engine.pex_pex_shim.sh", "scan", "a.ex"]) == "scan"
    assert engine_step(["./snakebridge-engine.pex_pex_shim.sh", "introspect"]) == "introspect"
    assert engine_step([*PEX_BUILD, "snakebridge-env.pex", "numpy<3"]) == "environment"


def test_other_processes_are_not_binding_steps() -> None:
    assert engine_step(["./find_binary.sh", "scan"]) == ""  # no engine before `scan`
    assert engine_step([*PEX_BUILD, "snakebridge-engine.pex"]) == ""
    assert engine_step(["./snakebridge-engine.pex_pex_shim.sh", "-m", "x", "manifest"]) == ""


def test_binding_processes_come_from_process_workunits_only() -> None:
    def unit(name: str, argv: list[str], source: str) -> dict:
        metadata = {"definition": json.dumps({"argv": argv}), "source": source}
        return {"name": name, "description": f"d-{source}", "metadata": metadata}

    shim = "./snakebridge-engine.pex_pex_shim.sh"
    found = binding_processes(
        [
            unit("process", [shim, "render", "--out", "o"], "HitRemotely"),
            unit("process", [shim, "scan"], "Ran"),
            unit("remote_cache_read_speculation", [shim, "scan"], "Ran"),
            {"name": "process", "metadata": {}},
        ]
    )
    assert [(p.step, p.source) for p in found] == [("render", "HitRemotely"), ("scan", "Ran")]


def test_config_and_client_flags(tmp_path: Path) -> None:
    text = write_config(tmp_path / "bgd.yml", 5555, tmp_path / "cas", "ci").read_text()
    assert '"127.0.0.1:5555"' in text and "- name: ci" in text
    assert f"path: {tmp_path / 'cas'}" in text
    server = BuildGrid("grpc://127.0.0.1:5555", "ci", 5555, tmp_path / "log")
    assert server.bazel_flags == [
        "--remote_cache=grpc://127.0.0.1:5555",
        "--remote_instance_name=ci",
    ]
    assert server.pants_flags(write=False)[:2] == ["--remote-cache-read", "--no-remote-cache-write"]
