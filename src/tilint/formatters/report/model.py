"""The governance report as data: built once from the linter's results, rendered twice
(HTML and CSV). Nothing here knows about HTML; every number the page shows is a field.

:func:`build_model` takes the :class:`~tilint.models.FileResult` list of one run (with
coverage) and returns a :class:`ReportModel`: the summary counts, one
:class:`DocumentRow` per document (its matrix cells and its drill-down), and the
"worst wording" table (:class:`WordingRow`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Iterable, Optional, Sequence

from ...models import SEVERITIES, FileResult, Finding, Source

if TYPE_CHECKING:
    from ...coverage import CoverageReport, Framework, PrincipleResult

__all__ = ["STATUSES", "Cell", "DocumentRow", "PrincipleSummary", "ReportModel", "WordingRow", "build_model", "split_context", "where"]

STATUSES = ("covered", "partial", "missing")
NOT_CHECKED = "not checked"  # the cell of a document that could not be read
# findings about the document as a whole, not its wording: kept out of "worst wording"
NOT_WORDING = frozenset({"coverage", "tilint"})


@dataclass(frozen=True)
class Cell:
    """One principle of one document in the matrix."""

    principle: str  # principle id
    status: str  # covered | partial | missing | not checked
    score: float = 0.0


@dataclass
class DocumentRow:
    """One document: its matrix row and its drill-down."""

    anchor: str  # the HTML id of its drill-down (``doc-1``...): never derived from the path
    path: str
    format: Optional[str]
    findings: list[Finding]
    errors: list[str]
    cells: list[Cell]
    coverage: Optional["CoverageReport"] = None

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    @property
    def severity_counts(self) -> dict[str, int]:
        counts = Counter(f.severity for f in self.findings)
        return {s: counts[s] for s in reversed(SEVERITIES)}

    @property
    def covered(self) -> int:
        return sum(c.status == "covered" for c in self.cells)

    @property
    def coverage_score(self) -> float:
        """0..1: the mean progress towards ``covered`` over the principles (-1 when not checked).

        Sorting by coverage orders first by principles covered, then by this."""
        if self.coverage is None:
            return -1.0
        return round(sum(c.score for c in self.cells) / len(self.cells), 3) if self.cells else 0.0

    @property
    def todo(self) -> list["PrincipleResult"]:
        """The principles to ask the policy owner to add (not ``covered``)."""
        return [p for p in self.coverage.principles if p.status != "covered"] if self.coverage else []


@dataclass(frozen=True)
class PrincipleSummary:
    """A principle across the estate, with what to ask for where it is not covered."""

    id: str
    name: str
    covered: int
    partial: int
    missing: int
    suggestion: str = ""
    sources: tuple[Source, ...] = ()

    @property
    def checked(self) -> int:
        return self.covered + self.partial + self.missing


@dataclass
class WordingRow:
    """A rule hit across the estate: how often, and where (document anchors with counts)."""

    rule_id: str
    name: str
    category: str
    severity: str
    count: int
    documents: list[tuple[DocumentRow, int]]
    examples: list[str]  # distinct matched words, most frequent first
    suggestions: tuple[str, ...] = ()


@dataclass
class ReportModel:
    title: str
    generated: datetime
    framework: str
    framework_title: str
    principles: list[tuple[str, str]]  # (id, name) in framework order
    documents: list[DocumentRow]
    skipped: list[str]
    severity_counts: dict[str, int]  # error, warning, info (always all three)
    category_counts: list[tuple[str, int]]  # most first
    principle_summary: list[PrincipleSummary]
    worst_wording: list[WordingRow]
    sources: list[Source]  # every source cited, once, by organisation and year
    settings: dict[str, str] = field(default_factory=dict)  # what the run was asked (select, ignore...)

    @property
    def scanned(self) -> int:
        """Documents read and checked."""
        return sum(not d.failed for d in self.documents)

    @property
    def failed(self) -> int:
        return sum(d.failed for d in self.documents)

    @property
    def total_findings(self) -> int:
        return sum(self.severity_counts.values())


def where(location: dict, line: Optional[int] = None) -> str:
    """``page 3, line 40, § 2 Scope`` (only the parts known). Word and OpenDocument
    files have paragraphs, not lines: there the paragraph number replaces the line."""
    parts = []
    if "page" in location:
        parts.append(f"page {location['page']}")
    if "paragraph" in location:
        parts.append(f"paragraph {location['paragraph']}")
    if "table" in location:
        parts.append(f"table {location['table']} row {location.get('row')} cell {location.get('cell')}")
    if line is not None and "paragraph" not in location:
        parts.append(f"line {line}")
    if location.get("section"):
        parts.append(f"§ {location['section']}")
    return ", ".join(parts)


CONTEXT_CHARS = 160  # of the sentence shown on each side of the match


def split_context(context: str, match: str, limit: int = CONTEXT_CHARS) -> tuple[str, str, str]:
    """``(before, match, after)`` of the context sentence, so a renderer can mark the
    words without parsing anything; ``(context, "", "")`` when the match is not found.
    A very long "sentence" (a list or table without full stops) is cut to ``limit``
    characters on each side, with an ellipsis."""
    words = " ".join(match.split())
    idx = context.find(words) if words else -1
    if idx < 0 and words:
        idx = context.lower().find(words.lower())
    if idx < 0:
        return _cut_end(context, 2 * limit), "", ""
    end = idx + len(words)
    before, after = context[:idx], context[end:]
    if len(before) > limit:
        before = "…" + before[len(before) - limit :].lstrip()
    return before, context[idx:end], _cut_end(after, limit)


def _cut_end(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def _cells(result: FileResult, principles: Sequence[tuple[str, str]]) -> list[Cell]:
    if result.coverage is None:
        return [Cell(pid, NOT_CHECKED) for pid, _ in principles]
    by_id = {p.id: p for p in result.coverage.principles}
    return [Cell(pid, by_id[pid].status, by_id[pid].score) for pid, _ in principles]


def _framework(results: Sequence[FileResult], default: str) -> "Framework":
    """The framework the documents were checked against (``default`` if none was)."""
    from ...coverage import load_framework

    for r in results:
        if r.coverage is not None:
            return r.coverage._framework or load_framework(r.coverage.framework)
    return load_framework(default)


def _cited(documents: Sequence[DocumentRow], summary: Sequence[PrincipleSummary]) -> list[Source]:
    found: dict[str, Source] = {}
    for d in documents:
        for f in d.findings:
            found.update((s.id, s) for s in f.sources)
    for p in summary:
        found.update((s.id, s) for s in p.sources)
    return sorted(found.values(), key=lambda s: (s.organisation.lower(), str(s.year), s.title.lower()))


def _worst_wording(documents: Sequence[DocumentRow], limit: int) -> list[WordingRow]:
    hits: dict[str, list[tuple[DocumentRow, Finding]]] = {}
    for doc in documents:
        for f in doc.findings:
            if f.category not in NOT_WORDING:
                hits.setdefault(f.rule_id, []).append((doc, f))
    rows = []
    for rule_id, found in hits.items():
        first = found[0][1]
        per_doc = Counter(d.anchor for d, _ in found)
        docs = {d.anchor: d for d, _ in found}
        words = Counter(" ".join(f.match.split()).lower() for _, f in found)
        rows.append(
            WordingRow(
                rule_id=rule_id,
                name=first.name,
                category=first.category,
                severity=max((f.severity for _, f in found), key=SEVERITIES.index),
                count=len(found),
                documents=[(docs[a], n) for a, n in sorted(per_doc.items(), key=lambda kv: (-kv[1], docs[kv[0]].path))],
                examples=[w for w, _ in words.most_common(5)],
                suggestions=first.suggestions,
            )
        )
    rows.sort(key=lambda r: (-r.count, -SEVERITIES.index(r.severity), r.rule_id))
    return rows[:limit]


def build_model(
    results: Iterable[FileResult],
    *,
    skipped: Sequence[str] = (),
    framework: str = "samhsa-4r",
    title: str = "Trauma-informed policy review",
    generated: Optional[datetime] = None,
    settings: Optional[dict[str, str]] = None,
    worst_limit: int = 25,
) -> ReportModel:
    """The report of one run: ``results`` as the linter yields them (coverage on).

    ``framework`` names the columns only when no document could be checked.
    """
    results = sorted(results, key=lambda r: r.path)
    fw = _framework(results, framework)
    principles = [(p.id, p.name) for p in fw.principles]
    documents = [
        DocumentRow(
            anchor=f"doc-{i}",
            path=r.path,
            format=r.format,
            findings=list(r.findings),
            errors=[e.message if e.line is None else f"line {e.line}: {e.message}" for e in r.errors],
            cells=_cells(r, principles),
            coverage=r.coverage,
        )
        for i, r in enumerate(results, 1)
    ]
    severities = Counter(f.severity for d in documents for f in d.findings)
    categories = Counter(f.category for d in documents for f in d.findings)
    summary = []
    for p in fw.principles:
        statuses = Counter(c.status for d in documents for c in d.cells if c.principle == p.id)
        summary.append(PrincipleSummary(p.id, p.name, statuses["covered"], statuses["partial"], statuses["missing"], p.suggestion, p.sources))
    return ReportModel(
        title=title,
        generated=generated or datetime.now(timezone.utc),
        framework=fw.name,
        framework_title=fw.title,
        principles=principles,
        documents=documents,
        skipped=list(skipped),
        severity_counts={s: severities[s] for s in reversed(SEVERITIES)},
        category_counts=sorted(categories.items(), key=lambda kv: (-kv[1], kv[0])),
        principle_summary=summary,
        worst_wording=_worst_wording(documents, worst_limit),
        sources=_cited(documents, summary),
        settings=dict(settings or {}),
    )
