"""Human-readable coverage report: one rich table per document, then what to add.

Each principle gets a row with a score bar, its status (coloured), the score and its
two best evidence sentences (``L<line>: ...``, trimmed). Principles that are not
``covered`` are then listed under "What to add" with the suggestion and its sources.
Colour is only decoration: status words and bars carry the meaning, so the output
reads the same with ``Console(no_color=True)`` or when piped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich import box
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ._paths import printable

if TYPE_CHECKING:
    from rich.console import Console

    from ..coverage import CoverageReport, Evidence, PrincipleResult

__all__ = ["render_coverage", "score_bar"]

STATUS_STYLE = {"covered": "bold green", "partial": "bold yellow", "missing": "bold red"}
BAR_WIDTH = 10
EVIDENCE_SHOWN = 2
EVIDENCE_CHARS = 90


def score_bar(score: float, width: int = BAR_WIDTH) -> str:
    """``█████░░░░░`` for a 0..1 score (clamped)."""
    filled = round(max(0.0, min(1.0, score)) * width)
    return "█" * filled + "░" * (width - filled)


def _trim(text: str, limit: int = EVIDENCE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _evidence_cell(evidence: list["Evidence"]) -> Text:
    if not evidence:
        return Text("no evidence found", style="dim")
    lines = [printable(f"{e.where}: {_trim(e.text)}") for e in evidence[:EVIDENCE_SHOWN]]  # document text: escapes shown, not obeyed
    more = len(evidence) - EVIDENCE_SHOWN
    if more > 0:
        lines.append(f"(+{more} more)")
    return Text("\n".join(lines))


def _table(report: "CoverageReport") -> Table:
    table = Table(box=box.SIMPLE, show_lines=False, expand=False, pad_edge=False)
    table.add_column("Principle", max_width=24)
    table.add_column("", no_wrap=True)  # the bar
    table.add_column("Status", no_wrap=True)
    table.add_column("Score", no_wrap=True, justify="right")
    table.add_column("Evidence", overflow="fold")
    for p in report.principles:
        style = STATUS_STYLE.get(p.status, "")
        table.add_row(
            Text(p.name),
            Text(score_bar(p.score), style=style),
            Text(p.status, style=style),
            f"{p.score:.2f}",
            _evidence_cell(p.evidence),
        )
    return table


def _what_to_add(console: "Console", todo: list["PrincipleResult"]) -> None:
    console.print(Text("What to add", style="bold"))
    for p in todo:
        console.print(Text.assemble(("• ", ""), (f"{p.name} ", "bold"), (f"[{p.rule_id}, {p.status}]", STATUS_STYLE[p.status])))
        console.print(Padding(Text(p.suggestion), (0, 0, 0, 2)))
        for source in p.sources:
            console.print(Padding(Text(f"Source: {source.cite()} {source.url}", style="dim"), (0, 0, 0, 4)))


def render_coverage(console: "Console", path: str, report: "CoverageReport") -> None:
    """Print the coverage table of one document and, if any, what to add."""
    covered = sum(p.status == "covered" for p in report.principles)
    console.print(Text.assemble((path, "bold"), f"  {report.framework}: {covered}/{len(report.principles)} principles covered"))
    console.print(_table(report))
    todo = [p for p in report.principles if p.status != "covered"]
    if todo:
        _what_to_add(console, todo)
    console.print()
