"""``tilint coverage`` as text: one document in detail, or many in one table.

For one document: its evidence table (see :mod:`.coverage_text`). For several: a
row per document with each principle's status, then a totals row counting the
documents that cover each principle (the detail tables follow with ``--verbose``).
Files that could not be read are listed as errors. Piped output is plain text
with no trailing spaces.
"""

from __future__ import annotations

from typing import Sequence, TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..models import FileResult
from ._paths import display_path, printable
from ._plain import NoTrailingSpaces
from .coverage_text import STATUS_STYLE, render_coverage

__all__ = ["render_coverage_results"]

_MARK = {"covered": "✓ covered", "partial": "~ partial", "missing": "✗ missing"}


def _console(out: TextIO, color: bool) -> Console:
    if color:
        return Console(file=out, force_terminal=True, highlight=False)
    return Console(file=NoTrailingSpaces(out), width=250, no_color=True, highlight=False, soft_wrap=True)  # type: ignore[arg-type]


def render_coverage_results(results: Sequence[FileResult], out: TextIO, *, color: bool, verbose: bool) -> None:
    console = _console(out, color)
    for r in results:
        for err in r.errors:
            console.print(Text(f"{display_path(r.path)}: error: {printable(err.message)}", style="bold red"))
    done = [r for r in results if r.coverage is not None]
    if len(done) == 1 or verbose:
        for r in done:
            render_coverage(console, display_path(r.path), r.coverage)
    if len(done) > 1:  # one table per framework (nested configs may name different ones)
        for framework in dict.fromkeys(r.coverage.framework for r in done):
            console.print(_summary_table([r for r in done if r.coverage.framework == framework]))
    console.file.flush()


def _summary_table(results: Sequence[FileResult]) -> Table:
    framework = results[0].coverage.framework
    principles = [(p.id, p.name) for p in results[0].coverage.principles]
    table = Table(box=box.SIMPLE, title=f"Coverage ({framework}), {len(results)} document{'s' if len(results) != 1 else ''}", title_justify="left", pad_edge=False)
    table.add_column("Document", no_wrap=True)  # a path is never split
    for pid, _ in principles:
        table.add_column(pid, no_wrap=True)
    covered = {pid: 0 for pid, _ in principles}
    for r in results:
        cells = []
        by_id = {p.id: p for p in r.coverage.principles}
        for pid, _ in principles:
            p = by_id.get(pid)
            status = p.status if p else "missing"
            covered[pid] += status == "covered"
            cells.append(Text(_MARK[status], style=STATUS_STYLE.get(status, "")))
        table.add_row(Text(display_path(r.path)), *cells)
    n = len(results)
    table.add_section()
    table.add_row(Text("documents covering it", style="bold"), *[Text(f"{covered[pid]}/{n}") for pid, _ in principles])
    return table
