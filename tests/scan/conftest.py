"""Fixtures for the scanner tests: an in-process extractor and a CLI runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest
import tree_sitter_elixir
from tree_sitter import Language

from snakebridge_rules.engine.scan.extract import Extractor, FileFacts


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    """The worker's extractor, in process: bound to numpy=Numpy and numpy=NP-free names."""
    return Extractor(Language(tree_sitter_elixir.language()), ["Numpy", "Google.Protobuf"])


@pytest.fixture(scope="session")
def facts_of(extractor: Extractor) -> Callable[[str], FileFacts]:
    def run(source: str) -> FileFacts:
        return extractor.extract(source.encode())

    return run


@pytest.fixture(scope="session")
def calls_of(facts_of: Callable[[str], FileFacts]) -> Callable[[str], set[str]]:
    def run(source: str) -> set[str]:
        return {c.text for c in facts_of(source).calls}

    return run


@dataclass
class Run:
    code: int
    stdout: bytes
    stderr: str

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.stdout)


@pytest.fixture(scope="session")
def scan_cli() -> Callable[..., Run]:
    """Run `snakebridge scan ARGS` in a subprocess (cwd and env optional)."""

    def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
        proc = subprocess.run(
            [sys.executable, "-m", "snakebridge_rules.cli", "scan", *args],
            cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, timeout=120)
        return Run(proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace"))

    return run
