"""Shared by the report tests: the fixture policies linted once, and a generated estate.

``tests/data/report/`` holds five policies written for these tests (good, bad, hostile
in Markdown and in plain text, a damaged Word file) and one file of an unsupported type.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from tilint.config import Config
from tilint.linter import Linter, discover
from tilint.models import FileResult

ROOT = Path(__file__).resolve().parents[1]
POLICIES = Path(__file__).parent / "data" / "report"
GENERATED = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
COVERAGE = {"framework": "samhsa-4r", "enabled": True}


@lru_cache(maxsize=None)
def fixture_run() -> tuple[tuple[FileResult, ...], tuple[str, ...]]:
    """The fixture folder linted with coverage, as ``tilint report`` does."""
    config = Config(coverage=COVERAGE)
    found = discover([str(POLICIES)], config.include, config.exclude)
    return tuple(Linter(config).lint_found(found)), tuple(found.skipped)


def estate(count: int = 1000) -> list[FileResult]:
    """``count`` documents for size tests: the examples' and fixtures' real results,
    repeated under distinct paths in 40 departments (real findings, evidence and sources)."""
    config = Config(coverage=COVERAGE)
    found = discover([str(ROOT / "examples"), str(POLICIES)], config.include, config.exclude)
    base = [r for r in Linter(config).lint_found(found) if not r.errors]
    return [
        FileResult(
            path=f"policies/department-{i % 40:02d}/{i:04d}-{Path(r.path).name}",
            findings=r.findings,
            coverage=r.coverage,
            format=r.format,
        )
        for i, r in ((i, base[i % len(base)]) for i in range(count))
    ]
