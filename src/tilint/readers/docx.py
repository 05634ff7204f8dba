"""Word (.docx) reader.

Why python-docx: it is the maintained standard for reading OOXML in Python, parses
with lxml without resolving entities, and exposes the underlying XML elements, so
we can walk the body in document order (paragraphs, tables, content controls) and
read heading levels from styles and outline levels.

Locations. Every *non-empty* body paragraph outside tables is one block and is
counted, headings included, in document order (empty spacing paragraphs are not
counted): ``Location.paragraph`` is that 1-based number, and positions are
``line = paragraph number``, ``column = 1-based character in the paragraph``.
``Location.section`` is the heading path from Heading styles / outline levels
("Title" paragraphs are headings but not part of the path). Each table cell is one
block with ``Location.table/row/cell`` (tables counted in document order, nested
tables included; a merged cell counts once); inside a cell, ``line`` is the
paragraph within the cell. Tracked insertions, hyperlinks, fields and content
controls are read; tracked deletions, text boxes, headers/footers, footnotes and
comments are not. URLs and e-mail addresses are blanked (positions kept).
Before python-docx runs, the zip is checked for bombs and the main XML parts for
well-formedness and DTDs (see ``_shared``).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any, Iterator, Optional

from ..document import Block, BlockBuilder, Document, Location
from . import ReadError
from ._shared import SectionTracker, first_line, missing_part, quiet_libraries, safe_package
from .text import URL_RE, mask

__all__ = ["read"]

KIND = "Word document"
_HEADING_NAME = re.compile(r"^heading\s*([1-9])$", re.I)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Runs of a paragraph, excluding deleted text and runs inside text boxes (nested runs).
_RUNS_XPATH = ".//w:r[not(ancestor::w:r) and not(ancestor::w:del) and not(ancestor::w:moveFrom)]"


def read(path: Path, data: bytes) -> Document:
    if not data:
        raise ReadError("file is empty")
    data = safe_package(data, KIND, "word/document.xml")
    with quiet_libraries():
        word = _open(data)
        blocks = _Walker(word).run()
    return Document(path=str(path), format="docx", blocks=blocks, source=None)


def _open(data: bytes) -> Any:
    import io

    import docx  # imported here so Markdown-only runs never load it
    from docx.opc.exceptions import PackageNotFoundError

    try:
        return docx.Document(io.BytesIO(data))
    except PackageNotFoundError:
        raise ReadError(f"damaged {KIND}: not a Word package") from None
    except (zipfile.BadZipFile, EOFError, OSError):
        raise ReadError(f"damaged {KIND}: cannot extract its parts (truncated or corrupt file?)") from None
    except KeyError as exc:
        raise ReadError(f"damaged {KIND}: {missing_part(exc)} is missing") from None
    except ValueError as exc:  # wrong content type, e.g. a .xlsx or .docm renamed
        m = re.search(r"content type is '([^']*)'", str(exc))
        detail = f" (its content type is {m.group(1)})" if m else ""
        raise ReadError(f"not a Word document{detail}") from None
    except Exception as exc:  # lxml.etree.XMLSyntaxError and friends
        if exc.__class__.__name__ == "XMLSyntaxError":
            raise ReadError(f"damaged {KIND}: invalid XML ({first_line(exc)})") from None
        raise ReadError(f"damaged {KIND}: {first_line(exc)}") from None


class _Walker:
    """Walks the document body in order, producing blocks."""

    def __init__(self, word: Any) -> None:
        self.word = word
        self.blocks: list[Block] = []
        self.sections = SectionTracker()
        self.paragraph_no = 0
        self.table_no = 0
        self._style_levels: dict[Optional[str], Optional[int]] = {}

    def run(self) -> list[Block]:
        self._body(self.word.element.body)
        return self.blocks

    def _body(self, container: Any) -> None:
        for child in container.iterchildren():
            tag = child.tag
            if tag == _W + "p":
                self._paragraph(child)
            elif tag == _W + "tbl":
                self._table(child)
            elif tag in (_W + "sdt", _W + "customXml"):
                content = child.find(_W + "sdtContent") if tag == _W + "sdt" else child
                if content is not None:
                    self._body(content)

    def _paragraph(self, p: Any) -> None:
        text = paragraph_text(p)
        if not text.strip():
            return
        self.paragraph_no += 1
        level, title = self._heading_level(p)
        kind = "heading" if level is not None or title else self._kind(p)
        builder = BlockBuilder(kind, Location(section=self.sections.path, paragraph=self.paragraph_no))
        builder.add(mask(text, URL_RE), self.paragraph_no, 1)
        if builder.empty:  # only a link: counted, but nothing to read
            return
        block = builder.build()
        if level is not None:
            block.location = Location(section=self.sections.heading(level, block.text), paragraph=self.paragraph_no)
        self.blocks.append(block)

    def _table(self, tbl: Any) -> None:
        self.table_no += 1
        table_no = self.table_no
        nested: list[Any] = []
        for row_no, tr in enumerate(tbl.findall(_W + "tr"), start=1):
            for cell_no, tc in enumerate(_cells(tr), start=1):
                loc = Location(section=self.sections.path, table=table_no, row=row_no, cell=cell_no)
                builder = BlockBuilder("table_cell", loc)
                line = 0
                for child in tc.iterchildren():
                    if child.tag == _W + "p":
                        text = paragraph_text(child)
                        if text.strip():
                            line += 1
                            builder.add(mask(text, URL_RE), line, 1)
                            builder.break_space()
                    elif child.tag == _W + "tbl":
                        nested.append(child)
                if not builder.empty:
                    self.blocks.append(builder.build())
        for child in nested:
            self._table(child)

    def _kind(self, p: Any) -> str:
        style = (self._style_name(p) or "").lower()
        if p.find(f"{_W}pPr/{_W}numPr") is not None or style.startswith("list"):
            return "list_item"
        if "quote" in style:
            return "quote"
        return "paragraph"

    def _style_id(self, p: Any) -> Optional[str]:
        node = p.find(f"{_W}pPr/{_W}pStyle")
        return node.get(_W + "val") if node is not None else None

    def _style_name(self, p: Any) -> Optional[str]:
        style = self._style(self._style_id(p))
        return _name_of(style) if style is not None else None

    def _style(self, style_id: Optional[str]) -> Any:
        from docx.enum.style import WD_STYLE_TYPE

        styles = self.word.styles.element
        if style_id is None:
            return styles.default_for(WD_STYLE_TYPE.PARAGRAPH)
        return styles.get_by_id(style_id)

    def _heading_level(self, p: Any) -> tuple[Optional[int], bool]:
        """(level 1..9 or None, is_title) from the paragraph's outline level or style chain."""
        own = _outline(p)
        if own is not None:
            return own, False
        style_id = self._style_id(p)
        style = self._style(style_id)
        if style is not None and (_name_of(style) or "").lower() == "title":
            return None, True
        if style_id not in self._style_levels:
            self._style_levels[style_id] = self._style_level(style)
        return self._style_levels[style_id], False

    def _style_level(self, style: Any) -> Optional[int]:
        seen = set()
        while style is not None and id(style) not in seen:
            seen.add(id(style))
            level = _outline(style)
            if level is not None:
                return level
            m = _HEADING_NAME.match(_name_of(style) or "")
            if m:
                return int(m.group(1))
            based = style.find(_W + "basedOn")
            style = self._style(based.get(_W + "val")) if based is not None else None
        return None


def _name_of(style: Any) -> Optional[str]:
    node = style.find(_W + "name")
    return node.get(_W + "val") if node is not None else None


def _outline(element: Any) -> Optional[int]:
    """Heading level 1..9 from a ``w:outlineLvl`` (0-based; 9 means body text)."""
    node = element.find(f"{_W}pPr/{_W}outlineLvl")
    if node is None:
        return None
    try:
        value = int(node.get(_W + "val"))
    except (TypeError, ValueError):
        return None
    return value + 1 if 0 <= value < 9 else None


def _cells(tr: Any) -> Iterator[Any]:
    """The row's cells as stored (content-control-wrapped cells included)."""
    for child in tr.iterchildren():
        if child.tag == _W + "tc":
            yield child
        elif child.tag == _W + "sdt":
            content = child.find(_W + "sdtContent")
            if content is not None:
                yield from content.findall(_W + "tc")


def paragraph_text(p: Any) -> str:
    """Visible text of a ``w:p``: all runs (hyperlinks, fields, insertions, content controls)."""
    parts = []
    for r in p.xpath(_RUNS_XPATH):
        text = getattr(r, "text", None)
        if isinstance(text, str):
            parts.append(text)
    return "".join(parts)
