"""Render a :class:`~.model.ReportModel` as one self-contained HTML page.

Jinja2 with autoescape on renders ``templates/report.html.j2``; the stylesheet and
script are inlined from the same folder, and the page's Content-Security-Policy allows
exactly those two blocks by their SHA-256 hash and nothing else (no network, no other
script, no inline handlers, no forms), so hostile text in a policy stays text even if
some escaping were ever missed. Links are rendered only for ``http(s)`` URLs.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from ... import __version__
from ._write import atomic_write_text
from .model import STATUSES, ReportModel, split_context, where

__all__ = ["render_html", "write_html", "is_report", "http_url", "csp_hash", "GENERATOR"]

GENERATOR = "tilint report"  # <meta name=generator>: marks a file as a tilint report
BAR = 160  # chart bar width (px)
DOCS_SHOWN = 8  # documents named per row of the worst-wording table
EVIDENCE_SHOWN = 2  # evidence sentences per principle in a drill-down
SOURCES_SHOWN = 2  # sources linked per finding (as in the text output); all are under "Sources"


def http_url(url: object) -> str:
    """``url`` if it is an absolute http(s) URL, else ``""`` (rendered as text, not a link).

    Browsers strip tabs and newlines from URLs and ignore leading spaces, so those
    cannot smuggle a ``javascript:`` scheme past this check."""
    if not isinstance(url, str):
        return ""
    cleaned = "".join(ch for ch in url.strip() if ch >= " " and ch != "\x7f")
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return ""
    return cleaned if parts.scheme.lower() in ("http", "https") and parts.netloc else ""


def csp_hash(text: str) -> str:
    """The CSP source expression (``'sha256-…'``) allowing an inline block with this text."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("templates", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader(__package__, "templates"),
        autoescape=True,  # every template, whatever its extension
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(http_url=http_url, where=where, split_context=split_context)
    env.globals.update(STATUSES=STATUSES, BAR=BAR, DOCS_SHOWN=DOCS_SHOWN, EVIDENCE_SHOWN=EVIDENCE_SHOWN, SOURCES_SHOWN=SOURCES_SHOWN, GENERATOR=GENERATOR, version=__version__)
    return env


def render_html(model: ReportModel) -> str:
    """The whole page as a string."""
    css, js = _asset("report.css"), _asset("report.js")
    csp = "; ".join(
        (
            "default-src 'none'",
            f"script-src {csp_hash(js)}",
            f"style-src {csp_hash(css)}",
            "img-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )
    template = _environment().get_template("report.html.j2")
    return template.render(model=model, css=Markup(css), js=Markup(js), csp=csp)


def write_html(model: ReportModel, path: Path) -> list[Path]:
    """Write the page to ``path`` atomically; returns ``[path]``."""
    atomic_write_text(path, render_html(model))
    return [path]


def is_report(path: Path) -> bool:
    """Is ``path`` a page this module wrote (by its ``<meta name="generator">``)?"""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return f'<meta name="generator" content="{GENERATOR}">'.encode() in head
