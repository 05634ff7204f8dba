"""tilint: a trauma-informed language linter for policy documents.

Public API::

    import tilint
    findings = tilint.lint_text("Patients who fail to attend will be removed.")
    results = tilint.lint_paths(["policies/"])
    report = tilint.check_coverage(text)            # the four Rs, with evidence
    tilint.review_docx("policy.docx", "policy.reviewed.docx")  # comments in Word
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional, Sequence

from .config import Config, load_config
from .models import FileError, FileResult, Finding, Source
from .review import ReviewError, ReviewResult, review_docx, review_odt, review_pdf

if TYPE_CHECKING:
    from .coverage import CoverageReport

__version__ = "0.1.0"
__all__ = [
    "Config",
    "FileError",
    "FileResult",
    "Finding",
    "ReviewError",
    "ReviewResult",
    "Source",
    "check_coverage",
    "lint_paths",
    "lint_text",
    "load_config",
    "review_docx",
    "review_odt",
    "review_pdf",
    "__version__",
]

def _linter(config: Optional[Config]):
    from .linter import shared_linter

    return shared_linter(config)


def lint_text(text: str, *, config: Optional[Config] = None, format: str = "markdown") -> list[Finding]:
    """Lint a string (Markdown by default, or ``format="text"``) and return its findings."""
    return _linter(config).lint_text(text, format=format)


def lint_paths(paths: Sequence[str | Path], *, config: Optional[Config] = None) -> list[FileResult]:
    """Lint files and folders (recursively); one :class:`FileResult` per file, sorted by path."""
    return _linter(config).lint_paths(paths)


def check_coverage(text: str, *, framework: str = "samhsa-4r") -> "CoverageReport":
    """Which trauma-informed principles a (Markdown) text covers, with evidence sentences."""
    from .coverage import check_coverage as _check

    return _check(text, framework=framework)
