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
from ._paths import display_path, printable

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


Segment = tuple[str, str]  # (text, rich style)


class Lines:
    """Writes lines of styled segments: through rich on a colour terminal, and as plain
    text otherwise, which is many times faster on large scans."""

    def __init__(self, console: Console):
        self.console = console
        self.plain = console.no_color or not console.is_terminal

    def __call__(self, *segments: Segment) -> None:
        if self.plain:  # piped: never a trailing space, never a wrapped line
            self.console.file.write("".join(text for text, _ in segments).rstrip() + "\n")
        else:
            self.console.print(Text.assemble(*segments))


def _sentence(f: Finding) -> list[Segment]:
    """The context sentence with the match highlighted (whitespace-insensitive)."""
    lead = ("    │ ", "dim")
    match = printable(" ".join(f.match.split()))
    context = printable(f.context)
    idx = context.find(match)
    if idx < 0:
        idx = context.lower().find(match.lower())
    if idx < 0:
        return [lead, (context, "")]
    end = idx + len(match)
    return [lead, (context[:idx], ""), (context[idx:end], "bold underline " + _STYLE[f.severity].split()[-1]), (context[end:], "")]


def _where(f: Finding) -> str:
    loc = f.location or {}
    parts = [f"page {loc['page']}" if "page" in loc else "", f"paragraph {loc['paragraph']}" if "paragraph" in loc else ""]
    if "table" in loc:
        parts.append(f"table {loc['table']} row {loc.get('row')} cell {loc.get('cell')}")
    if "section" in loc:
        parts.append(f"§ {loc['section']}")
    if "part" in loc:  # Word: header, footer, footnote, endnote, text box
        parts.insert(0, str(loc["part"]))
    return printable(", ".join(p for p in parts if p))


def render_finding(line: Lines, path: str, f: Finding, sources: bool = True) -> None:
    line((f"{display_path(path)}:{f.line}:{f.column}: ", "bold"), (f"{f.severity} ", _STYLE[f.severity]), (f"{f.rule_id} ", "bold"), (printable(f.message), ""))
    where = _where(f)
    if where:
        line((f"    in {where}", "dim"))
    if f.context:
        line(*_sentence(f))
    if f.suggestions:
        line(("    → try: ", "green"), (", ".join(f'"{s}"' for s in f.suggestions), ""))
    for s in f.sources[:2] if sources else ():
        line((f"    source: {s.cite()} {s.url}", "dim"))


def table_console(console: Console) -> Console:
    """A console for tables: wraps text, and is wider than 80 columns when piped."""
    width = console.width if console.is_terminal else 110
    return Console(file=console.file, width=width, force_terminal=console.is_terminal, no_color=console.no_color, highlight=False)


def render_file(console: Console, result: FileResult, sources: bool = True) -> None:
    line = Lines(console)
    path = display_path(result.path)
    for err in result.errors:
        line((f"{path}: error: {printable(err.message)}", "bold red"))
    if result.findings:
        line((path, "bold underline"))
        for f in result.findings:
            render_finding(line, result.path, f, sources)
        line()
    if result.coverage is not None:
        try:
            from .coverage_text import render_coverage
        except ImportError:  # pragma: no cover - coverage renderer not installed
            return
        render_coverage(table_console(console), display_path(result.path), result.coverage)


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
        reasons = Counter(reason for _, reason in report.skipped_with_reasons())
        line += f"; {len(report.skipped)} not checked (" + ", ".join(f"{n} {r}" for r, n in sorted(reasons.items())) + ")"
    if failed:
        line += f"; {failed} could not be read"
    return line + "."


def render(report: Report, out: TextIO) -> None:
    console = Console(file=out, force_terminal=report.color, no_color=not report.color, highlight=False, soft_wrap=True)
    for result in report.results:
        render_file(console, result, report.show_sources)
    _render_summary(console, report)


def _render_summary(console: Console, report: Report) -> None:
    line = Lines(console)
    if report.verbose:
        for path, reason in report.skipped_with_reasons():
            line((f"{display_path(path)}: not checked: {reason}", "dim"))
    if report.show_summary:
        categories = Counter(f.category for r in report.results for f in r.findings)
        line((summary(report), "bold"))
        if categories:
            line(("by category: " + ", ".join(f"{c} {n}" for c, n in categories.most_common()), "dim"))
        for text in coverage_summary(report):
            line((text, "dim"))


_MARK = {"covered": "✓", "partial": "~", "missing": "✗"}


def coverage_summary(report: Report) -> list[str]:
    """One line per document with coverage: ``path: realise ✓  recognise ~ ...``."""
    lines = []
    for r in report.results:
        if r.coverage is None:
            continue
        marks = "  ".join(f"{p.id} {_MARK.get(p.status, '?')}" for p in r.coverage.principles)
        lines.append(f"coverage ({r.coverage.framework}) {display_path(r.path)}: {marks}")
    if lines:
        lines.insert(0, "coverage: ✓ covered, ~ partial, ✗ missing")
    return lines


def render_concise(report: Report, out: TextIO) -> None:
    """``--output-format concise``: one line a finding, ``path:line:col: ID message``."""
    console = Console(file=out, force_terminal=report.color, no_color=not report.color, highlight=False, soft_wrap=True)
    line = Lines(console)
    for result in report.results:
        path = display_path(result.path)
        for err in result.errors:
            line((f"{path}:{err.line or 1}:1: error: {printable(err.message)}", "bold red"))
        for f in result.findings:
            line((f"{path}:{f.line}:{f.column}: ", "bold"), (f"{f.rule_id} ", _STYLE[f.severity]), (printable(f.message), ""))
    _render_summary(console, report)
