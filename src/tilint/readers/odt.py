"""OpenDocument text (.odt) reader.

Why odfpy: it is the long-standing Python library for ODF, parses every part with
defusedxml (no entity expansion, no external entities) and gives a DOM of
``office:text`` that we walk in document order.

Locations follow the Word reader: every *non-empty* ``text:p``/``text:h`` outside
tables (inside lists and sections too) is one block, counted 1-based in document
order, headings included; ``line = paragraph number``, ``column = 1-based
character in the paragraph``; ``Location.section`` is the heading path from
``text:outline-level``. Each table cell is one block with ``table/row/cell``
(rows and cells count ``number-*-repeated`` and covered cells, so numbers match
what a person sees; ``line`` is the paragraph within the cell). Footnotes,
annotations, frames/text boxes and generated indexes (tables of contents) are
not read. URLs and e-mail addresses are blanked (positions kept). odfpy prints
parse failures to stdout, so the zip and XML parts are checked first (see
``_shared``) and its output is captured.

Positions back into the document (for the review renderer): :func:`walk` returns
each block with the paragraph element behind each line, and :func:`text_spans`
maps a paragraph's text offsets to its text nodes and space/tab/break elements.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any, Iterator

from ..document import Block, BlockBuilder, Document, Location
from . import ReadError
from ._shared import SectionTracker, first_line, missing_part, open_zip, quiet_libraries, safe_package
from .text import URL_RE, mask

__all__ = ["read", "open_checked", "walk", "text_spans", "paragraph_text"]

KIND = "OpenDocument file"
TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_PARAGRAPHS = {(TEXT_NS, "p"), (TEXT_NS, "h")}
_CONTAINERS = {(TEXT_NS, "list"), (TEXT_NS, "list-item"), (TEXT_NS, "list-header"), (TEXT_NS, "section")}
_SKIP_INLINE = {"note", "annotation", "frame", "tracked-changes", "ruby-text"}


def read(path: Path, data: bytes) -> Document:
    body = open_checked(data).text
    with quiet_libraries():
        walker = _Walker()
        walker.body(body)
    return Document(path=str(path), format="odt", blocks=walker.blocks, source=None)


def walk(body: Any) -> list[tuple[Block, dict[int, Any]]]:
    """The blocks ``read`` gives for ``office:text``, each with its paragraph elements by line."""
    walker = _Walker()
    with quiet_libraries():
        walker.body(body)
    return list(zip(walker.blocks, walker.origins))


def open_checked(data: bytes) -> Any:
    """The odfpy document of ``data``, after the bomb, type and XML checks; raises ReadError."""
    if not data:
        raise ReadError("file is empty")
    zf = open_zip(data, KIND, "content.xml")
    mimetype = _mimetype(zf)
    if mimetype and not mimetype.startswith("application/vnd.oasis.opendocument.text"):
        raise ReadError(f"not an OpenDocument text file (it is {mimetype})")
    data = safe_package(data, KIND, "content.xml")
    with quiet_libraries():
        return _load(data)


def _mimetype(zf: Any) -> str:
    try:
        return zf.read("mimetype").decode("ascii", "replace").strip()
    except KeyError:
        return ""
    except Exception:
        raise ReadError(f"damaged {KIND}: cannot extract mimetype") from None


def _load(data: bytes) -> Any:
    from odf.opendocument import load

    try:
        # odfpy prints parse failures to stdout; keep them out of the linter's output.
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            doc = load(io.BytesIO(data))
        if doc.text is None:
            raise ReadError(f"damaged {KIND}: content.xml has no document body")
        return doc
    except ReadError:
        raise
    except KeyError as exc:
        raise ReadError(f"damaged {KIND}: {missing_part(exc)} is missing") from None
    except IndexError:
        raise ReadError(f"damaged {KIND}: content.xml has no document body") from None
    except Exception as exc:
        name = exc.__class__.__name__
        if name == "SAXParseException":
            raise ReadError(f"damaged {KIND}: invalid XML ({first_line(exc)})") from None
        if name in ("EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden"):
            raise ReadError(f"refused {KIND}: XML declares entities (entity expansion is not allowed)") from None
        raise ReadError(f"damaged {KIND}: {first_line(exc) or name}") from None


def _attr(el: Any, ns: str, name: str, default: str = "") -> str:
    return el.attributes.get((ns, name), default)


def _int_attr(el: Any, ns: str, name: str, default: int = 1) -> int:
    try:
        return max(1, int(_attr(el, ns, name, str(default))))
    except ValueError:
        return default


def _elements(el: Any) -> Iterator[Any]:
    for child in el.childNodes:
        if child.nodeType == child.ELEMENT_NODE:
            yield child


def paragraph_text(el: Any) -> str:
    """Visible text of a paragraph element: spans, links, spaces, tabs and line breaks."""
    return "".join(text for _, text in _pieces(el))


def text_spans(el: Any) -> list[tuple[Any, int, int]]:
    """``(node, start, end)`` for each piece of :func:`paragraph_text`: text nodes and
    ``text:s``/``text:tab``/``text:line-break`` elements, in document order."""
    spans = []
    offset = 0
    for node, text in _pieces(el):
        spans.append((node, offset, offset + len(text)))
        offset += len(text)
    return spans


def _pieces(node: Any) -> Iterator[tuple[Any, str]]:
    for child in node.childNodes:
        if child.nodeType == child.TEXT_NODE:
            yield child, child.data
            continue
        if child.nodeType != child.ELEMENT_NODE:
            continue
        ns, local = child.qname
        if local in _SKIP_INLINE:
            continue
        if ns == TEXT_NS and local == "s":
            yield child, " " * _int_attr(child, TEXT_NS, "c")
        elif ns == TEXT_NS and local == "tab":
            yield child, "\t"
        elif ns == TEXT_NS and local == "line-break":
            yield child, "\n"
        else:
            yield from _pieces(child)


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.origins: list[dict[int, Any]] = []  # per block: line -> paragraph element (see walk)
        self.sections = SectionTracker()
        self.paragraph_no = 0
        self.table_no = 0

    def body(self, container: Any, in_list: bool = False) -> None:
        for el in _elements(container):
            q = el.qname
            if q in _PARAGRAPHS:
                self.paragraph(el, in_list)
            elif q in _CONTAINERS:
                self.body(el, in_list or q[1] != "section")
            elif q == (TABLE_NS, "table"):
                self.table(el)

    def paragraph(self, el: Any, in_list: bool) -> None:
        text = paragraph_text(el)
        if not text.strip():
            return
        self.paragraph_no += 1
        heading = el.qname[1] == "h"
        kind = "heading" if heading else ("list_item" if in_list else "paragraph")
        builder = BlockBuilder(kind, Location(section=self.sections.path, paragraph=self.paragraph_no))
        builder.add(mask(text, URL_RE), self.paragraph_no, 1)
        if builder.empty:  # only a link: counted, but nothing to read
            return
        block = builder.build()
        if heading:
            level = _int_attr(el, TEXT_NS, "outline-level")
            block.location = Location(section=self.sections.heading(level, block.text), paragraph=self.paragraph_no)
        self.blocks.append(block)
        self.origins.append({self.paragraph_no: el})

    def table(self, table: Any) -> None:
        self.table_no += 1
        table_no = self.table_no
        nested: list[Any] = []
        row_no = 0
        for row in _rows(table):
            first_row = row_no + 1
            row_no += _int_attr(row, TABLE_NS, "number-rows-repeated")
            cell_no = 0
            for cell in _elements(row):
                if cell.qname[0] != TABLE_NS or cell.qname[1] not in ("table-cell", "covered-table-cell"):
                    continue
                first_cell = cell_no + 1
                cell_no += _int_attr(cell, TABLE_NS, "number-columns-repeated")
                loc = Location(section=self.sections.path, table=table_no, row=first_row, cell=first_cell)
                builder = BlockBuilder("table_cell", loc)
                lines: dict[int, Any] = {}
                self._cell(cell, builder, nested, [0], lines)
                if not builder.empty:
                    self.blocks.append(builder.build())
                    self.origins.append(lines)
        for el in nested:
            self.table(el)

    def _cell(self, container: Any, builder: BlockBuilder, nested: list[Any], line: list[int], lines: dict[int, Any]) -> None:
        for el in _elements(container):
            if el.qname in _PARAGRAPHS:
                text = paragraph_text(el)
                if text.strip():
                    line[0] += 1
                    lines[line[0]] = el
                    builder.add(mask(text, URL_RE), line[0], 1)
                    builder.break_space()
            elif el.qname in _CONTAINERS:
                self._cell(el, builder, nested, line, lines)
            elif el.qname == (TABLE_NS, "table"):
                nested.append(el)


def _rows(table: Any) -> Iterator[Any]:
    """Rows of a table, through header-rows / rows / row-group wrappers."""
    for el in _elements(table):
        if el.qname[0] != TABLE_NS:
            continue
        if el.qname[1] == "table-row":
            yield el
        elif el.qname[1] in ("table-header-rows", "table-rows", "table-row-group"):
            yield from _rows(el)
