"""``--format text`` (default): findings grouped by file, for people.

Each finding shows ``path:line:col``, severity, rule id and message, the sentence
with the offending words highlighted, the suggestions and the source. Rich adds
colour on a terminal; when stdout is not a terminal the output is plain text.
"""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from rich.console import Console
from rich.text import Text

from ..models import FileResult, Finding
from . import Report

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _sentence(f: Finding) -> Text:
    """The context sentence with the match highlighted (whitespace-insensitive)."""
    text = Text("    │ ", style="dim")
    match = " ".join(f.match.split())
    idx = f.context.find(match)
    if idx < 0:
        idx = f.context.lower().find(match.lower())
    if idx < 0:
        text.append(f.context)
        return text
    text.append(f.context[:idx])
    text.append(f.context[idx : idx + len(match)], style="bold underline " + _STYLE[f.severity].split()[-1])
    text.append(f.context[idx + len(match) :])
    return text


def _where(f: Finding) -> str:
    loc = f.location or {}
    parts = [f"page {loc['page']}" if "page" in loc else "", f"paragraph {loc['paragraph']}" if "paragraph" in loc else ""]
    if "table" in loc:
        parts.append(f"table {loc['table']} row {loc.get('row')} cell {loc.get('cell')}")
    if "section" in loc:
        parts.append(f"§ {loc['section']}")
    return ", ".join(p for p in parts if p)


def render_finding(console: Console, path: str, f: Finding) -> None:
    head = Text(f"{path}:{f.line}:{f.column}: ", style="bold")
    head.append(f"{f.severity} ", style=_STYLE[f.severity])
    head.append(f"{f.rule_id} ", style="bold")
    head.append(f.message)
    console.print(head)
    where = _where(f)
    if where:
        console.print(Text(f"    in {where}", style="dim"))
    if f.context:
        console.print(_sentence(f))
    if f.suggestions:
        console.print(Text("    → try: ", style="green").append(", ".join(f'"{s}"' for s in f.suggestions)))
    for s in f.sources[:2]:
        console.print(Text(f"    source: {s.cite()} {s.url}", style="dim"))


def table_console(console: Console) -> Console:
    """A console for tables: wraps text, and is wider than 80 columns when piped."""
    width = console.width if console.is_terminal else 110
    return Console(file=console.file, width=width, force_terminal=console.is_terminal, no_color=console.no_color, highlight=False)


def render_file(console: Console, result: FileResult) -> None:
    for err in result.errors:
        console.print(Text(f"{result.path}: error: {err.message}", style="bold red"))
    if result.findings:
        console.print(Text(result.path, style="bold underline"))
        for f in result.findings:
            render_finding(console, result.path, f)
        console.print()
    if result.coverage is not None:
        try:
            from .coverage_text import render_coverage
        except ImportError:  # pragma: no cover - coverage renderer not installed
            return
        render_coverage(table_console(console), result.path, result.coverage)


def summary(report: Report) -> str:
    counts = Counter(f.severity for r in report.results for f in r.findings)
    total = sum(counts.values())
    files = len(report.results)
    failed = sum(1 for r in report.results if r.errors)
    with_findings = sum(1 for r in report.results if r.findings)
    parts = [f"{counts[s]} {s}{'s' if counts[s] != 1 and s != 'info' else ''}" for s in ("error", "warning", "info") if counts[s]]
    line = f"{total} finding{'s' if total != 1 else ''}" + (f" ({', '.join(parts)})" if parts else "")
    line += f" in {with_findings} of {files} file{'s' if files != 1 else ''} checked"
    if report.skipped:
        line += f"; {len(report.skipped)} skipped (unsupported type)"
    if failed:
        line += f"; {failed} could not be read"
    return line + "."


def render(report: Report, out: TextIO) -> None:
    console = Console(file=out, force_terminal=report.color, no_color=not report.color, highlight=False, soft_wrap=True)
    for result in report.results:
        render_file(console, result)
    if report.show_summary:
        categories = Counter(f.category for r in report.results for f in r.findings)
        console.print(Text(summary(report), style="bold"))
        if categories:
            console.print(Text("by category: " + ", ".join(f"{c} {n}" for c, n in categories.most_common()), style="dim"))
        for line in coverage_summary(report):
            console.print(Text(line, style="dim"))


_MARK = {"covered": "✓", "partial": "~", "missing": "✗"}


def coverage_summary(report: Report) -> list[str]:
    """One line per document with coverage: ``path: realise ✓  recognise ~ ...``."""
    lines = []
    for r in report.results:
        if r.coverage is None:
            continue
        marks = "  ".join(f"{p.id} {_MARK.get(p.status, '?')}" for p in r.coverage.principles)
        lines.append(f"coverage ({r.coverage.framework}) {r.path}: {marks}")
    if lines:
        lines.insert(0, "coverage: ✓ covered, ~ partial, ✗ missing")
    return lines
