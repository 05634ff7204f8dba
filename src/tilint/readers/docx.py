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
controls are read; tracked deletions and comments are not (headers, footers,
notes and text boxes: see below). URLs and e-mail addresses are blanked.

Headers, footers, footnotes, endnotes and text boxes carry policy text too; they
are read after the body (see :func:`other_parts`), each paragraph a block with
``Location.part`` ("header 1", "footnote 2", "text box 1") and ``paragraph`` its
number within that part; their ``line`` numbers continue after the body's, so
findings sort in reading order.
Before python-docx runs, the zip is checked for bombs and the main XML parts for
well-formedness and DTDs (see ``_shared``).

Positions back into the XML (for renderers that annotate the file, such as the
Word review): :func:`walk` returns each block with the ``w:p`` element behind each
of its lines, and :func:`run_spans` maps a paragraph's text offsets to its runs.
The engine never sees either.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any, Iterator, Optional

from ..document import Block, BlockBuilder, Document, Location
from . import ReadError
from ._shared import SectionTracker, first_line, missing_part, quiet_libraries, safe_package
from .text import URL_RE, mask

__all__ = ["read", "open_checked", "walk", "run_spans", "paragraph_text"]

KIND = "Word document"
_HEADING_NAME = re.compile(r"^heading\s*([1-9])$", re.I)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# What a run may sit in that makes it not its paragraph's text: deleted text, and a
# nested run (a text box or ruby inside the paragraph).
_NOT_OWN = {_W + "p", _W + "r", _W + "del", _W + "moveFrom"}


def read(path: Path, data: bytes) -> Document:
    package = _checked(data)
    with quiet_libraries():
        blocks = _Walker(_open(package)).run()
        # headers, footers, notes and text boxes, from the same checked copy
        blocks += other_parts(zipfile.ZipFile(io.BytesIO(package)), first_line=max((b.position(0)[0] for b in blocks), default=0) + 1)
    return Document(path=str(path), format="docx", blocks=blocks, source=None)


def open_checked(data: bytes) -> Any:
    """The python-docx ``Document`` of ``data``, after the bomb and XML checks; raises ReadError."""
    package = _checked(data)
    with quiet_libraries():
        return _open(package)


def _checked(data: bytes) -> bytes:
    """A copy of the package whose every part was inflated and parsed within bounds."""
    if not data:
        raise ReadError("file is empty")
    return safe_package(data, KIND, "word/document.xml")


def walk(word: Any, container: Any = None) -> list[tuple[Block, dict[int, Any]]]:
    """The blocks ``read`` gives, each with its ``w:p`` elements by line.

    ``container`` is the body (default) or a header/footer element (``hdr.element``);
    a body paragraph's line is its paragraph number, a table cell's is the line in
    the cell, as in the block's positions.
    """
    walker = _Walker(word)
    with quiet_libraries():
        walker.run(container)
    return list(zip(walker.blocks, walker.origins))


def run_spans(p: Any) -> list[tuple[Any, int, int]]:
    """``(w:r, start, end)`` for each run of ``p``, offsets into :func:`paragraph_text`."""
    spans = []
    offset = 0
    for r in _own_runs(p):
        text = getattr(r, "text", None)
        if isinstance(text, str):
            spans.append((r, offset, offset + len(text)))
            offset += len(text)
    return spans


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
        self.origins: list[dict[int, Any]] = []  # per block: line -> w:p (see walk)
        self.sections = SectionTracker()
        self.paragraph_no = 0
        self.table_no = 0
        self._style_levels: dict[Optional[str], Optional[int]] = {}

    def run(self, container: Any = None) -> list[Block]:
        self._body(self.word.element.body if container is None else container)
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
        self.origins.append({self.paragraph_no: p})

    def _table(self, tbl: Any) -> None:
        self.table_no += 1
        table_no = self.table_no
        nested: list[Any] = []
        for row_no, tr in enumerate(_unwrapped(tbl, _W + "tr"), start=1):
            for cell_no, tc in enumerate(_cells(tr), start=1):
                loc = Location(section=self.sections.path, table=table_no, row=row_no, cell=cell_no)
                builder = BlockBuilder("table_cell", loc)
                line = 0
                lines: dict[int, Any] = {}
                for child in _unwrapped(tc, _W + "p", _W + "tbl"):
                    if child.tag == _W + "p":
                        text = paragraph_text(child)
                        if text.strip():
                            line += 1
                            lines[line] = child
                            builder.add(mask(text, URL_RE), line, 1)
                            builder.break_space()
                    elif child.tag == _W + "tbl":
                        nested.append(child)
                if not builder.empty:
                    self.blocks.append(builder.build())
                    self.origins.append(lines)
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
    return _unwrapped(tr, _W + "tc")


def _unwrapped(parent: Any, *tags: str) -> Iterator[Any]:
    """The children of ``parent`` with one of ``tags``, also those inside content controls
    and custom XML (a repeating section wraps rows; a form control a cell's paragraphs)."""
    for child in parent.iterchildren():
        if child.tag in tags:
            yield child
        elif child.tag == _W + "sdt":
            content = child.find(_W + "sdtContent")
            if content is not None:
                yield from _unwrapped(content, *tags)
        elif child.tag == _W + "customXml":
            yield from _unwrapped(child, *tags)


def paragraph_text(p: Any) -> str:
    """Visible text of a ``w:p``: all runs (hyperlinks, fields, insertions, content controls)."""
    parts = []
    for r in _own_runs(p):
        text = getattr(r, "text", None)
        if isinstance(text, str):
            parts.append(text)
    return "".join(parts)


def _own_runs(p: Any) -> Iterator[Any]:
    """The runs whose text is ``p``'s, in order. Only ancestors below ``p`` count, so a
    paragraph inside a text box (itself inside a run) has runs too."""
    for r in p.iter(_W + "r"):
        owner = r.getparent()
        while owner is not p and owner.tag not in _NOT_OWN:
            owner = owner.getparent()
        if owner is p:
            yield r


# -- headers, footers, footnotes, endnotes, text boxes ------------------------------------

_PART_NAME = re.compile(r"^word/(header|footer)(\d*)\.xml$")
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _parts(zf: zipfile.ZipFile) -> Iterator[tuple[str, str]]:
    """(label, member) of the parts besides the body, in a stable order."""
    names = set(zf.namelist())
    found = sorted((m.group(1) != "header", int(m.group(2) or 0), m.group(1), name) for name in names if (m := _PART_NAME.match(name)))
    for _, number, kind, name in found:
        yield f"{kind} {number or 1}", name
    for kind in ("footnotes", "endnotes"):
        if f"word/{kind}.xml" in names:
            yield kind[:-1], f"word/{kind}.xml"


def _xml(zf: zipfile.ZipFile, name: str) -> Any:
    from lxml import etree

    # every part was streamed through the bounded parser by safe_package() already
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.fromstring(zf.read(name), parser)


_DELETED = (_W + "del", _W + "moveFrom")


def _part_text(p: Any) -> str:
    """Visible text of a paragraph parsed by plain lxml: its own runs (not those of
    a text box inside it), without deleted text."""
    parts = []
    for r in p.iter(_W + "r"):
        owner = next((a for a in r.iterancestors() if a.tag == _W + "p" or a.tag in _DELETED), None)
        if owner is not p:
            continue
        for child in r:
            if child.tag == _W + "t":
                parts.append(child.text or "")
            elif child.tag == _W + "tab":
                parts.append("\t")
            elif child.tag in (_W + "br", _W + "cr"):
                parts.append("\n")
    return "".join(parts)


def _part_blocks(paragraphs: Iterator[Any], label: str, lines: list[int]) -> list[Block]:
    """``lines[0]``: the next free line number (shared by all parts)."""
    blocks, number = [], 0
    for p in paragraphs:
        text = _part_text(p)
        if not text.strip():
            continue
        number += 1
        builder = BlockBuilder("paragraph", Location(part=label, paragraph=number))
        builder.add(mask(text, URL_RE), lines[0], 1)
        lines[0] += 1
        if not builder.empty:
            blocks.append(builder.build())
    return blocks


def _text_boxes(root: Any, counter: list[int], lines: list[int]) -> list[Block]:
    """Text boxes of a part (the VML fallback copy of each is skipped)."""
    blocks = []
    for box in root.iter(_W + "txbxContent"):
        if any(a.tag == _MC_FALLBACK for a in box.iterancestors()):
            continue
        counter[0] += 1
        blocks += _part_blocks(box.iter(_W + "p"), f"text box {counter[0]}", lines)
    return blocks


def _own_paragraphs(root: Any) -> Iterator[Any]:
    """Paragraphs of a part that are not inside a text box."""
    for p in root.iter(_W + "p"):
        if not any(a.tag == _W + "txbxContent" for a in p.iterancestors()):
            yield p


def other_parts(zf: zipfile.ZipFile, first_line: int = 1) -> list[Block]:
    """Blocks of the text boxes in the body, then of each header, footer, footnote
    and endnote (and their text boxes); lines numbered from ``first_line``."""
    boxes, lines = [0], [first_line]
    blocks = _text_boxes(_xml(zf, "word/document.xml"), boxes, lines)
    for label, name in _parts(zf):
        root = _xml(zf, name)
        if label in ("footnote", "endnote"):
            for note in root.findall(f"{_W}{label}"):
                if note.get(_W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
                    continue
                blocks += _part_blocks(_own_paragraphs(note), f"{label} {note.get(_W + 'id')}", lines)
        else:
            blocks += _part_blocks(_own_paragraphs(root), label, lines)
        blocks += _text_boxes(root, boxes, lines)
    return blocks
