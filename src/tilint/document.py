"""The text model every reader produces and the engine consumes.

A reader turns a file into a :class:`Document`: an ordered list of :class:`Block`
objects (paragraphs, headings, list items, table cells...). Each block holds the
prose to analyse with whitespace collapsed, plus a compact map from offsets in that
prose back to ``(line, column)`` in the original file, so every finding points at the
exact place a person would look. Readers never hand-write offset arithmetic: they
feed pieces of text with their source position to a :class:`BlockBuilder`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any, Optional

__all__ = ["Block", "BlockBuilder", "Document", "Location"]


@dataclass(frozen=True)
class Location:
    """Where a block sits in a structured document (all fields optional).

    Text formats leave these empty: line and column say everything. Word and
    OpenDocument readers fill ``paragraph`` and ``section``; PDF fills ``page``;
    table cells fill ``table``/``row``/``cell``.
    """

    section: tuple[str, ...] = ()
    page: Optional[int] = None
    paragraph: Optional[int] = None
    table: Optional[int] = None
    row: Optional[int] = None
    cell: Optional[int] = None
    part: Optional[str] = None  # Word: "header 1", "footer 2", "footnote 3", "endnote 1", "text box 1"

    def to_dict(self) -> dict:
        out: dict = {}
        if self.section:
            out["section"] = " > ".join(self.section)
        for key in ("page", "paragraph", "table", "row", "cell", "part"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out

    def describe(self) -> str:
        """A short human label such as ``page 3`` or ``paragraph 12, 3 Procedure > 3.2``."""
        parts = [self.part] if self.part else []
        if self.page is not None:
            parts.append(f"page {self.page}")
        if self.paragraph is not None:
            parts.append(f"paragraph {self.paragraph}")
        if self.table is not None:
            parts.append(f"table {self.table} row {self.row} cell {self.cell}")
        if self.section:
            parts.append(" > ".join(self.section))
        return ", ".join(parts)


@dataclass
class Block:
    """One unit of prose (never spans two paragraphs, cells or headings).

    ``text`` is what the NLP engine sees. ``_marks`` is a sorted list of
    ``(text_offset, line, column)`` breakpoints: from ``text_offset`` on, characters
    advance one column each on ``line`` until the next breakpoint.
    """

    text: str
    kind: str = "paragraph"  # paragraph | heading | list_item | table_cell | quote
    location: Location = field(default_factory=Location)
    _marks: list[tuple[int, int, int]] = field(default_factory=list, repr=False)
    _offsets: list[int] = field(default_factory=list, repr=False)
    # the tokenised text, kept while the document is linted so that rules and
    # coverage tokenise each block once (see tilint.nlp.parse_blocks)
    parsed: Optional[Any] = field(default=None, repr=False, compare=False)

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column), both 1-based, of the character at ``offset`` in ``text``."""
        if not self._marks:
            return (1, offset + 1)
        i = bisect.bisect_right(self._offsets, offset) - 1
        if i < 0:
            i = 0
        start, line, col = self._marks[i]
        return (line, col + (offset - start))

    def end_position(self, end: int) -> tuple[int, int]:
        """(line, column) one past the character before ``end`` (exclusive end)."""
        if end <= 0:
            return self.position(0)
        line, col = self.position(end - 1)
        return (line, col + 1)


_NON_SPACE = re.compile(r"\S+")  # \s is what str.isspace() calls whitespace


class BlockBuilder:
    """Collects pieces of source text into a Block, collapsing whitespace.

    Any run of whitespace between or inside pieces becomes one space, so a phrase
    split over a line break ("failed to\\n   attend") reads as one sentence, while
    each non-space character keeps its exact source position.
    """

    def __init__(self, kind: str = "paragraph", location: Optional[Location] = None):
        self.kind = kind
        self.location = location or Location()
        self._parts: list[str] = []
        self._len = 0
        self._marks: list[tuple[int, int, int]] = []
        self._pending_space = False

    def add(self, text: str, line: int, column: int) -> None:
        """Append ``text`` that starts at 1-based ``line``/``column`` and has no newline."""
        parts, marks = self._parts, self._marks
        body = text.strip()
        if body and " ".join(body.split()) == body:
            # words split by single spaces only (most lines of prose): one piece, and the
            # same breakpoints as word by word (:meth:`_add_words`)
            i = len(text) - len(text.lstrip())
            if (i > 0 or self._pending_space) and self._len:
                parts.append(" ")
                self._len += 1
            if not marks or marks[-1][1] != line or column + i - marks[-1][2] != self._len - marks[-1][0]:
                marks.append((self._len, line, column + i))
            parts.append(body)
            self._len += len(body)
            self._pending_space = i + len(body) < len(text)
            return
        self._add_words(text, line, column)

    def _add_words(self, text: str, line: int, column: int) -> None:
        """:meth:`add`, word by word."""
        parts, marks = self._parts, self._marks
        pos = 0
        for m in _NON_SPACE.finditer(text):  # a regex scan: the hot path of every reader
            i, j = m.span()
            if (i > pos or self._pending_space) and self._len:
                parts.append(" ")
                self._len += 1
            self._pending_space = False
            if marks:  # continuing the last breakpoint on the same line: no new one
                off, pline, pcol = marks[-1]
                if pline != line or column + i - pcol != self._len - off:
                    marks.append((self._len, line, column + i))
            else:
                marks.append((self._len, line, column + i))
            parts.append(m.group())
            self._len += j - i
            pos = j
        if pos < len(text):
            self._pending_space = True

    def break_space(self) -> None:
        """Mark a word break (a newline or removed markup) before the next piece."""
        self._pending_space = True

    @property
    def empty(self) -> bool:
        return self._len == 0

    def build(self) -> Block:
        marks = _merge_marks(self._marks)
        return Block(
            text="".join(self._parts),
            kind=self.kind,
            location=self.location,
            _marks=marks,
            _offsets=[m[0] for m in marks],
        )


def _merge_marks(marks: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Drop breakpoints that continue the previous one (keeps the map small)."""
    out: list[tuple[int, int, int]] = []
    for off, line, col in marks:
        if out:
            poff, pline, pcol = out[-1]
            if pline == line and col - pcol == off - poff:
                continue
        out.append((off, line, col))
    return out


@dataclass
class Document:
    """A read file: its blocks, plus the raw source for text formats.

    ``source`` is the decoded file text for Markdown, text, reStructuredText and
    HTML; it lets findings quote the exact source and lets ``--fix`` rewrite it.
    Binary formats (Word, PDF, OpenDocument) leave it ``None``.
    """

    path: str
    format: str
    blocks: list[Block]
    source: Optional[str] = None
    newline: str = "\n"
    encoding: str = "utf-8"
    bom: bool = False
    _line_starts: Optional[list[int]] = field(default=None, repr=False)

    @property
    def line_starts(self) -> list[int]:
        if self._line_starts is None:
            # a line ends at CRLF, a lone CR or LF, as the readers count lines
            src = self.source or ""
            if "\r" in src:
                self._line_starts = [0, *(m.end() for m in re.finditer(r"\r\n|\r|\n", src))]
            else:
                starts = [0]
                idx = src.find("\n")
                while idx != -1:
                    starts.append(idx + 1)
                    idx = src.find("\n", idx + 1)
                self._line_starts = starts
        return self._line_starts

    def offset(self, line: int, column: int) -> int:
        """Offset in ``source`` of a 1-based line/column."""
        return self.line_starts[line - 1] + column - 1

    def source_slice(self, line: int, column: int, end_line: int, end_column: int) -> Optional[str]:
        if self.source is None:
            return None
        return self.source[self.offset(line, column) : self.offset(end_line, end_column)]
