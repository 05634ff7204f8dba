"""Run the real ``tilint`` command in a subprocess: exit codes and exact output lines."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pytest

from .conftest import ENGINE_PACK

ZZ = ("--rules", str(ENGINE_PACK), "--select", "ZZ")


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()


def tilint(*args: str, cwd: Path, stdin: Optional[bytes] = None, env: Optional[dict] = None) -> Run:
    """``python -m tilint ARGS`` in ``cwd`` (colour off unless ``env`` says otherwise)."""
    full_env = {**os.environ, "NO_COLOR": "", "FORCE_COLOR": "", **(env or {})}
    done = subprocess.run(
        [sys.executable, "-m", "tilint", *args], cwd=cwd, input=stdin, capture_output=True, env=full_env, timeout=600
    )
    return Run(done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"))


@pytest.fixture
def cli(tmp_path):
    return lambda *args, **kw: tilint(*args, cwd=kw.pop("cwd", tmp_path), **kw)
