"""Result objects of the public API. Each converts to the documented JSON schema."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

__all__ = ["SEVERITIES", "Source", "Finding", "FileError", "FileResult", "severity_rank"]

SEVERITIES = ("info", "warning", "error")


def severity_rank(severity: str) -> int:
    """0 for info, 1 for warning, 2 for error."""
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class Source:
    """An entry of the sources registry: the guidance a rule rests on."""

    id: str
    title: str
    organisation: str
    year: Any
    url: str
    confidence: str = "confirmed"
    section: Optional[str] = None
    checked: Optional[str] = None  # ISO date the document was last read
    check_method: Optional[str] = None  # how it was read (internal provenance, not shown with findings)
    note: Optional[str] = None  # maintainers' caveat: never rendered

    def to_dict(self) -> dict:
        out = {
            "id": self.id,
            "title": self.title,
            "organisation": self.organisation,
            "year": self.year,
            "url": self.url,
            "confidence": self.confidence,
        }
        if self.section:
            out["section"] = self.section
        if self.checked:
            out["checked"] = self.checked
        return out

    def cite(self) -> str:
        """One-line citation: organisation, title (year), section."""
        text = f"{self.organisation}, {self.title} ({self.year})"
        if self.section:
            text += f", {self.section}"
        return text


@dataclass(frozen=True)
class Finding:
    """One problem found in a document. Positions are 1-based; ``end_column`` is exclusive."""

    rule_id: str
    name: str
    category: str
    severity: str
    message: str
    match: str
    line: int
    column: int
    end_line: int
    end_column: int
    context: str
    suggestions: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    fixable: bool = False
    location: dict = field(default_factory=dict, compare=False, hash=False)
    path: Optional[str] = None

    @property
    def sort_key(self) -> tuple:
        # PDF lines restart on each page: order by page first
        return (self.location.get("page", 0), self.line, self.column, self.end_line, self.end_column, self.rule_id)

    def to_dict(self) -> dict:
        out = {
            "rule_id": self.rule_id,
            "name": self.name,
            "category": self.category,
            "severity": self.severity,
            "message": self.message,
            "match": self.match,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "context": self.context,
            "suggestions": list(self.suggestions),
            "sources": [s.to_dict() for s in self.sources],
            "fixable": self.fixable,
        }
        if self.location:
            out["location"] = dict(self.location)
        return out


@dataclass(frozen=True)
class FileError:
    """A problem that stopped a file (or part of it) from being checked."""

    message: str
    line: Optional[int] = None

    def to_dict(self) -> dict:
        out: dict = {"message": self.message}
        if self.line is not None:
            out["line"] = self.line
        return out


@dataclass
class FileResult:
    """Everything tilint found in one file."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    coverage: Any = None  # tilint.coverage.CoverageReport when coverage is on
    format: Optional[str] = None

    def to_dict(self) -> dict:
        out: dict = {
            "path": self.path,
            "findings": [f.to_dict() for f in self.findings],
            "errors": [e.to_dict() for e in self.errors],
        }
        if self.coverage is not None:
            out["coverage"] = self.coverage.to_dict()
        return out
