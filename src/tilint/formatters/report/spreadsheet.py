"""``--csv DIR``: the report as two spreadsheets that open correctly in Excel.

* ``findings.csv``: one row per finding;
* ``coverage.csv``: one row per document and principle.

UTF-8 with a byte-order mark (Excel otherwise guesses a legacy code page), ISO 8601
dates, and no formula injection: a policy is untrusted, so a text cell that a
spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return)
is prefixed with an apostrophe (OWASP's advice), which Excel and LibreOffice show as text.
Files are written atomically.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, Iterator, Sequence

from ._write import atomic_write_text
from .model import ReportModel, where

CSV_FILES = ("findings.csv", "coverage.csv")

__all__ = ["CSV_FILES", "FINDINGS_COLUMNS", "COVERAGE_COLUMNS", "escape_cell", "findings_rows", "coverage_rows", "write_csv"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

FINDINGS_COLUMNS = (
    "document", "rule_id", "name", "category", "severity", "message", "match",
    "location", "page", "paragraph", "section", "line", "column", "end_line", "end_column",
    "context", "suggestions", "sources", "checked_on",
)  # fmt: skip
COVERAGE_COLUMNS = (
    "document", "framework", "principle_id", "principle", "status", "score",
    "evidence_sentences", "best_evidence", "best_evidence_line", "what_to_add", "note", "checked_on",
)  # fmt: skip


def escape_cell(value: Any) -> Any:
    """A text cell a spreadsheet would evaluate, made inert; numbers pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def findings_rows(model: ReportModel) -> Iterator[tuple]:
    day = model.generated.date().isoformat()
    for doc in model.documents:
        for f in doc.findings:
            loc = f.location or {}
            yield (
                doc.path, f.rule_id, f.name, f.category, f.severity, f.message, f.match,
                where(loc), loc.get("page", ""), loc.get("paragraph", ""), loc.get("section", ""),
                f.line, f.column, f.end_line, f.end_column,
                f.context, "; ".join(f.suggestions), " ".join(s.url for s in f.sources), day,
            )  # fmt: skip


def coverage_rows(model: ReportModel) -> Iterator[tuple]:
    day = model.generated.date().isoformat()
    for doc in model.documents:
        results = {p.id: p for p in doc.coverage.principles} if doc.coverage else {}
        for pid, name in model.principles:
            p = results.get(pid)
            if p is None:
                note = "; ".join(doc.errors) or "not checked"
                yield (doc.path, model.framework, pid, name, "not checked", "", "", "", "", "", note, day)
                continue
            best = p.evidence[0] if p.evidence else None
            todo = p.suggestion if p.status != "covered" else ""
            yield (
                doc.path, model.framework, pid, name, p.status, p.score, len(p.evidence),
                best.text if best else "", best.where if best else "", todo, "", day,
            )  # fmt: skip


def _csv_text(header: Sequence[str], rows: Iterator[tuple]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180 line ends, as Excel writes
    writer.writerow(header)
    writer.writerows(tuple(escape_cell(v) for v in row) for row in rows)
    return "\ufeff" + buffer.getvalue()


def write_csv(model: ReportModel, folder: Path) -> list[Path]:
    """Write ``findings.csv`` and ``coverage.csv`` into ``folder`` (created if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    tables = ((FINDINGS_COLUMNS, findings_rows(model)), (COVERAGE_COLUMNS, coverage_rows(model)))
    for name, (header, rows) in zip(CSV_FILES, tables):
        path = folder / name
        atomic_write_text(path, _csv_text(header, rows))
        written.append(path)
    return written
