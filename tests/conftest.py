"""Shared fixtures: a config with the engine's own test pack, and an in-process CLI runner."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tilint.cli import main
from tilint.config import Config

# a private, empty cache for the test session (tests must not depend on ~/.cache)
os.environ["TILINT_CACHE_DIR"] = tempfile.mkdtemp(prefix="tilint-test-cache-")

TESTS = Path(__file__).parent
DATA = TESTS / "data"
ENGINE_PACK = DATA / "packs" / "engine-test.yaml"


def fresh_python(script: str) -> str:
    """What ``script`` prints in a new Python process: nothing imported, built or cached
    in memory yet (this test process's engines are shared and warm)."""
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="session")
def zz_config() -> Config:
    """Only the engine-test pack (ZZ rules), so engine tests don't move when rules change."""
    return Config(extra_rules=(str(ENGINE_PACK),), select=("ZZ",))


@pytest.fixture(scope="session")
def rule_linter():
    """``rule_linter(rule_id)``: a linter with that one rule selected (built-in packs and
    the engine-test pack). Where two rules match the same words only one reports (the
    engine's tie-break), so a rule's own examples are checked with the rule alone, as a
    user running ``--select RULE`` sees them. Mentions stay at their default (skip)."""
    from tilint.linter import Linter

    linters: dict = {}

    def get(rule_id: str):
        if rule_id not in linters:
            linters[rule_id] = Linter(Config(extra_rules=(str(ENGINE_PACK),), select=(rule_id,)))
        return linters[rule_id]

    return get


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def run_cli(capsys, monkeypatch, tmp_path):
    """Run ``tilint ARGS`` in-process from ``cwd`` (default: an empty temp folder)."""

    def run(*args: str, cwd: Path | None = None) -> CliResult:
        monkeypatch.chdir(cwd or tmp_path)
        out = io.StringIO()
        code = main(list(args), out=out)
        captured = capsys.readouterr()
        return CliResult(code, out.getvalue() + captured.out, captured.err)

    return run


@pytest.fixture
def write(tmp_path):
    """Write a file under tmp_path (str or bytes) and return its path."""

    def _write(name: str, content: str | bytes, newline: str = "\n") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.replace("\n", newline).encode("utf-8"))
        return path

    return _write


def local_engine_pack(root: Path) -> Path:
    """The engine-test pack copied into ``root``, made a repository: a config may only
    name packs inside its repository (an untrusted config cannot reach outside it)."""
    (root / ".git").mkdir(exist_ok=True)
    target = root / "zz-pack.yaml"
    target.write_text(ENGINE_PACK.read_text(encoding="utf-8"), encoding="utf-8")
    return target
