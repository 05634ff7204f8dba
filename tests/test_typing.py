"""The package type-checks: mypy, configured in pyproject.toml ([tool.mypy]), finds no error.

The public API is typed for the developers who import tilint; this keeps it so.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytest.importorskip("mypy", reason="mypy comes with the dev extra")


@pytest.mark.slow
def test_mypy_finds_no_errors() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--cache-dir", str(ROOT / ".mypy_cache")],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert run.stdout == "", run.stdout
    assert run.returncode == 0, run.stderr
