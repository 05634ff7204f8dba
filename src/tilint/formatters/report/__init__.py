"""The governance report (``tilint report``): one self-contained HTML page for a
folder of policies, and CSV exports for spreadsheets.

Data flows one way: linter results -> :func:`build_model` (pure data) ->
:func:`render_html` / :func:`write_csv`.
"""

from __future__ import annotations

from .html import is_report, render_html, write_html
from .model import ReportModel, build_model
from .spreadsheet import write_csv

__all__ = ["ReportModel", "build_model", "is_report", "render_html", "write_csv", "write_html"]
