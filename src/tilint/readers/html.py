"""HTML reader (.html, .htm, .xhtml).

Why the standard library's ``html.parser``: it is the tokenizer BeautifulSoup's
``html.parser`` builder runs on, it is lenient with real-world markup, and it
reports the exact source line and column of every text run and every character
reference (``&amp;``, ``&#8217;``) as it meets them. A BeautifulSoup tree keeps
positions for tags only, so text columns would have to be searched for again.
On top of the tokenizer we keep a small stack of open elements to know what to
skip and where blocks start; we do not rebuild a document tree.

Read: text of block elements (p, li, h1-h6, td/th, blockquote, dd/dt, caption,
figcaption, and text directly inside div/section/article/main/body) becomes
blocks; any block-level tag starts a new block; inline tags (a, em, span...) do
not break words; ``<br>`` is a space. Left out: head, script, style, noscript,
template, nav, header, footer, aside, elements with role="navigation" or the
``hidden`` attribute, code, pre, kbd, samp, svg, math, textarea, select,
button, iframe, title. Headings give the section path; td/th give
``table/row/cell``; a paragraph inside li/td/blockquote takes that kind. URLs and
e-mail addresses are blanked. Positions are 1-based line and column in the
decoded source; a character reference's text sits at its ``&``. The declared
``<meta charset>`` is not consulted: bytes are decoded as BOM/UTF-8/cp1252.
"""

from __future__ import annotations

from collections import defaultdict
from html import unescape
from html.entities import html5
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple, Optional

from ..document import Block, BlockBuilder, Document, Location
from ._shared import SectionTracker
from . import ReadError
from .text import URL_RE, mask, text_document

__all__ = ["read", "parse_html"]

SKIP = frozenset({
    "head", "title", "script", "style", "noscript", "template", "nav", "header", "footer", "aside",
    "code", "pre", "kbd", "samp", "svg", "math", "textarea", "select", "button", "iframe", "object",
})
# Skipped elements that sit inside a sentence: they are a word break, not a block break.
INLINE_SKIP = frozenset({"code", "kbd", "samp", "svg", "math", "textarea", "select", "button", "iframe", "object"})
VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
})
BLOCK_KINDS = {
    "p": "paragraph", "div": "paragraph", "section": "paragraph", "article": "paragraph",
    "main": "paragraph", "body": "paragraph", "html": "paragraph", "address": "paragraph",
    "figure": "paragraph", "figcaption": "paragraph", "form": "paragraph", "fieldset": "paragraph",
    "legend": "paragraph", "details": "paragraph", "summary": "paragraph", "center": "paragraph",
    "li": "list_item", "dd": "list_item", "dt": "list_item", "ul": "paragraph", "ol": "paragraph",
    "dl": "paragraph", "blockquote": "quote", "td": "table_cell", "th": "table_cell",
    "caption": "paragraph", "table": "paragraph", "thead": "paragraph", "tbody": "paragraph",
    "tfoot": "paragraph", "tr": "paragraph", "hr": "paragraph", "label": "paragraph",
    "h1": "heading", "h2": "heading", "h3": "heading", "h4": "heading", "h5": "heading", "h6": "heading",
}
# Elements a new start tag of the same group implicitly closes (HTML optional end tags).
_IMPLIED = {"p": {"p"}, "li": {"li"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"},
            "tr": {"tr", "td", "th"}, "td": {"td", "th"}, "th": {"td", "th"}}


# Every tag costs O(1) whatever the depth, so depth is bounded only as a safety net:
# real pages nest a few dozen levels, and a file past this gets an error, never a
# silently truncated reading.
MAX_DEPTH = 100_000
_CONTAINER_KINDS = frozenset({"list_item", "table_cell", "quote"})
_CONTAINER_STOPS = frozenset({"ul", "ol", "dl", "table", "body"})
# an optional end tag is implied only up to the nearest of these
_IMPLIED_STOPS = frozenset({"ul", "ol", "dl", "table", "div", "blockquote", "section", "body"})


class _Open(NamedTuple):
    """An open element, with what a block opened inside it inherits, so that finding a
    block's kind never walks the stack (which made deep nesting quadratic)."""

    tag: str
    skipped: bool
    block: Optional[str]  # innermost block element at or above this one
    block_ctx: Optional[str]  # the container kind that block element sits in
    ctx: Optional[str]  # the container kind children of this element sit in
    stop: int  # stack index of the nearest element an implied end tag cannot pass (-1: none)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[_Open] = []
        self.open_at: defaultdict[str, list[int]] = defaultdict(list)  # tag -> stack indices where it is open
        self.blocks: list[Block] = []
        self.sections = SectionTracker()
        self.builder: Optional[BlockBuilder] = None
        self.heading_level = 0
        self.table_no = 0
        self.tables: list[list[int]] = []  # per open table: [table_no, row, cell]

    # -- structure -------------------------------------------------------
    @property
    def skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1].skipped

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        if tag == "br" or tag == "wbr":
            if self.builder is not None and tag == "br":
                self.builder.break_space()
            return
        if tag in INLINE_SKIP:
            if self.builder is not None:
                self.builder.break_space()
        elif tag in BLOCK_KINDS or tag in SKIP:
            self._flush()
        if tag in BLOCK_KINDS:
            for closed in _IMPLIED.get(tag, ()):
                self._implied_close(closed)
            self._table_event(tag)
        if tag in VOID:
            return
        attr = dict(attrs)
        skipped = (
            self.skipping or tag in SKIP or attr.get("role") == "navigation"
            or "hidden" in attr or attr.get("aria-hidden") == "true"
        )
        if len(self.stack) >= MAX_DEPTH:
            raise ReadError(f"too deeply nested (over {MAX_DEPTH:,} levels)")
        index = len(self.stack)
        parent = self.stack[-1] if self.stack else None
        parent_ctx = parent.ctx if parent else None
        stop = index if tag in _IMPLIED_STOPS else parent.stop if parent else -1
        if tag in BLOCK_KINDS:
            kind = BLOCK_KINDS[tag]
            ctx = kind if kind in _CONTAINER_KINDS else None if tag in _CONTAINER_STOPS else parent_ctx
            entry = _Open(tag, skipped, tag, parent_ctx, ctx, stop)
        else:
            entry = _Open(tag, skipped, parent.block if parent else None, parent.block_ctx if parent else None, parent_ctx, stop)
        self.stack.append(entry)
        self.open_at[tag].append(index)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in INLINE_SKIP:
            if self.builder is not None:
                self.builder.break_space()
        elif tag in BLOCK_KINDS or tag in SKIP:
            self._flush()
        opened = self.open_at.get(tag)
        if opened:
            self._close_from(opened[-1])
        if tag == "table" and self.tables:
            self.tables.pop()

    def _close_from(self, i: int) -> None:
        """Close the element at stack index ``i`` and everything opened inside it."""
        while len(self.stack) > i:
            self.open_at[self.stack.pop().tag].pop()

    def _implied_close(self, tag: str) -> None:
        """Close an open ``tag`` if it is the innermost element that could hold it."""
        opened = self.open_at.get(tag)
        if opened and self.stack and opened[-1] > self.stack[-1].stop:
            self._close_from(opened[-1])

    def _table_event(self, tag: str) -> None:
        if tag == "table":
            if self.skipping:
                self.tables.append([0, 0, 0])  # keeps </table> balanced; never shown
            else:
                self.table_no += 1
                self.tables.append([self.table_no, 0, 0])
        elif tag == "tr" and self.tables:
            self.tables[-1][1] += 1
            self.tables[-1][2] = 0
        elif tag in ("td", "th") and self.tables:
            if self.tables[-1][1] == 0:
                self.tables[-1][1] = 1
            self.tables[-1][2] += 1

    def _kind(self) -> tuple[str, Optional[str]]:
        """Kind of a block opened now: from the innermost block element, except that
        a plain paragraph inside a list item, table cell or quote takes that kind."""
        top = self.stack[-1] if self.stack else None
        if top is None or top.block is None:
            return "paragraph", None
        kind = BLOCK_KINDS[top.block]
        if kind == "paragraph" and top.block_ctx is not None:
            kind = top.block_ctx
        return kind, top.block

    def _flush(self) -> None:
        builder, self.builder = self.builder, None
        if builder is None or builder.empty:
            return
        block = builder.build()
        if self.heading_level:
            block.location = Location(section=self.sections.heading(self.heading_level, block.text))
        self.blocks.append(block)

    # -- text ------------------------------------------------------------
    def handle_data(self, data: str) -> None:
        # Data may span lines; feed it line by line so every piece keeps its column.
        line, offset = self.getpos()
        for i, piece in enumerate(data.split("\n")):
            if i:
                if self.builder is not None:
                    self.builder.break_space()
                line, offset = line + 1, 0
            if piece:
                self._add(mask(piece.rstrip("\r").replace(_LONE_LT, "<"), URL_RE), line, offset)

    def _add(self, text: str, line: int, offset: int) -> None:
        """Add text that starts at 0-based ``offset`` of ``line``, opening a block if needed."""
        if self.skipping or (self.builder is None and not text.strip()):
            return
        if self.builder is None:
            kind, tag = self._kind()
            loc = Location(section=self.sections.path)
            if kind == "table_cell" and self.tables:
                table_no, row, cell = self.tables[-1]
                loc = Location(section=self.sections.path, table=table_no, row=row, cell=cell)
            self.builder = BlockBuilder(kind, loc)
            self.heading_level = int(tag[1]) if kind == "heading" and tag else 0
        self.builder.add(text, line, offset + 1)

    def _reference(self, text: str) -> None:
        """A character reference: its text sits at the ``&`` of the reference."""
        line, offset = self.getpos()
        self._add(text, line, offset)

    def handle_entityref(self, name: str) -> None:
        text = html5.get(name + ";") or html5.get(name)
        self._reference(text if text is not None else "&" + name)

    def handle_charref(self, name: str) -> None:
        self._reference(unescape(f"&#{name};"))

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        # "<![x[...": HTML reads any marked section but CDATA as a bogus comment up to
        # the next ">"; the standard library (before Python 3.13.4) raises
        # AssertionError on a keyword it does not know (found by `make fuzz`)
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            end = self.rawdata.find(">", i + 3)
            return -1 if end == -1 else end + 1

    def close(self) -> None:
        super().close()
        self._flush()


# Stands in for a "<" that cannot open markup (see parse_html); one character, so
# positions are unchanged, and turned back into "<" in the text.
_LONE_LT = "\ue000"


def parse_html(text: str) -> list[Block]:
    """Split HTML source into prose blocks with exact source positions."""
    # A "<" after the last ">" can never complete a tag, comment or declaration, and
    # the standard library's parser (before Python 3.13.5) rescans the rest of the file
    # for each one when it closes: "<a" * 80,000 took minutes. They are text, so they
    # are fed as text.
    last = text.rfind(">")
    if text.find("<", last + 1) != -1:
        text = text[: last + 1] + text[last + 1 :].replace(_LONE_LT, "\ufffd").replace("<", _LONE_LT)
    reader = _Reader()
    reader.feed(text)
    reader.close()
    return reader.blocks


def read(path: Path, data: bytes) -> Document:
    return text_document(path, data, "html", parse_html)
