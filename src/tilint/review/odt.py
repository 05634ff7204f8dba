"""OpenDocument review: an office annotation on exactly the words of each finding.

ODF marks a comment's words with ``office:annotation`` (holding the comment) where
they start and ``office:annotation-end`` (same ``office:name``) where they end, so
no span is split: a text node is cut in two where a boundary falls inside it, and
the markers go between. The OpenDocument reader's :func:`~tilint.readers.odt.walk`
and :func:`~tilint.readers.odt.text_spans` give the paragraph and text node behind
each offset. Tracked changes are Word only. odfpy writes the copy (and escapes the
text). A re-run removes tilint's own annotations (author and signature line).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any, Optional

from ..config import Config
from ..document import Document
from ..models import Finding
from ..readers.odt import open_checked, text_spans, walk
from . import SIGNATURE, ReviewResult, comment_text, lint_and_cover, summary_text

__all__ = ["render"]

OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
DC_NS = "http://purl.org/dc/elements/1.1/"
TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def render(data: bytes, path: str, config: Config, *, author: str) -> tuple[bytes, ReviewResult]:
    """The reviewed copy of the .odt ``data`` and what was written."""
    odf = open_checked(data)
    _strip_annotations(odf.text, author)
    blocks = walk(odf.text)
    findings, coverage = lint_and_cover(Document(path=path, format="odt", blocks=[b for b, _ in blocks]), config)
    result = ReviewResult(path=path, output="", coverage=coverage)
    stamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=0, tzinfo=None).isoformat()
    by_key = {tuple(block.location.to_dict().get(k) for k in ("paragraph", "table", "row", "cell")): lines for block, lines in blocks}
    names = _Names(odf.text)
    placed: list[Finding] = []
    for f in findings:
        lines = by_key.get(tuple(f.location.get(k) for k in ("paragraph", "table", "row", "cell"))) or {}
        start, end = lines.get(f.line), lines.get(f.end_line)
        if start is None or end is None or not _annotate(start, f.column - 1, end, f.end_column - 1, comment_text(f), author, stamp, names.take()):
            result.unplaced.append(f)
            continue
        placed.append(f)
    if blocks:
        first = blocks[0][1][min(blocks[0][1])]
        text_end = text_spans(first)[-1][2]
        _annotate(first, 0, first, text_end, summary_text(placed, coverage), author, stamp, names.take())
        result.comments += 1
    result.findings = placed
    result.comments += len(placed)
    out = io.BytesIO()
    odf.write(out)
    return out.getvalue(), result


class _Names:
    """Unique ``office:name`` values for annotations (never one already in the document)."""

    def __init__(self, body: Any) -> None:
        self.used = {a.getAttrNS(OFFICE_NS, "name") for a in _all(body, OFFICE_NS, "annotation")}
        self.n = 0

    def take(self) -> str:
        while True:
            self.n += 1
            name = f"tilint-{self.n}"
            if name not in self.used:
                return name


def _annotate(p_start: Any, start: int, p_end: Any, end: int, text: str, author: str, stamp: str, name: str) -> bool:
    """Put an annotation holding ``text`` around characters ``start`` (in ``p_start``) to ``end`` (in ``p_end``)."""
    from odf.dc import Creator, Date
    from odf.office import Annotation, AnnotationEnd
    from odf.text import P

    before = _cut(p_start, start, at_end=False)
    after = _cut(p_end, end, at_end=True)
    if before is None or after is None:
        return False
    note = Annotation()
    note.setAttrNS(OFFICE_NS, "name", name)  # Annotation(name=) would set draw:name
    note.addElement(Creator(text=author))
    note.addElement(Date(text=stamp))
    for line in text.split("\n"):
        note.addElement(P(text=line))
    parent, ref = before
    parent.insertBefore(note, ref) if ref is not None else parent.addElement(note)
    parent, ref = after
    marker = AnnotationEnd(name=name)  # office:name here
    parent.insertBefore(marker, ref) if ref is not None else parent.addElement(marker)
    return True


def _cut(p: Any, offset: int, *, at_end: bool) -> Optional[tuple[Any, Any]]:
    """Where a marker for ``offset`` goes: (parent, the node to insert before, or None to append).

    A start marker goes before the piece that starts at ``offset``; an end marker after
    the piece that ends there. A text node with ``offset`` inside it is split in two.
    """
    from odf.element import Text

    for node, s, e in text_spans(p):
        if s < offset < e:
            if node.nodeType != node.TEXT_NODE:
                return None  # inside a run of spaces (text:s): no words start there
            tail = Text(node.data[offset - s:])
            node.data = node.data[: offset - s]
            node.parentNode.insertBefore(tail, node.nextSibling) if node.nextSibling is not None else node.parentNode.appendChild(tail)
            return tail.parentNode, tail
        if (at_end and e == offset and e > s) or (not at_end and s == offset and e > s):
            return (node.parentNode, node.nextSibling) if at_end else (node.parentNode, node)
    return None


def _all(node: Any, ns: str, local: str) -> list[Any]:
    out = []
    for child in node.childNodes:
        if child.nodeType == child.ELEMENT_NODE:
            if child.qname == (ns, local):
                out.append(child)
            out.extend(_all(child, ns, local))
    return out


def _strip_annotations(body: Any, author: str) -> None:
    """Remove tilint's own annotations (and their end markers) from an earlier review."""
    ours = set()
    for note in _all(body, OFFICE_NS, "annotation"):
        creator = "".join(str(c) for c in _all(note, DC_NS, "creator"))
        paragraphs = _all(note, TEXT_NS, "p")
        last = str(paragraphs[-1]) if paragraphs else ""
        if creator == author and last.startswith(SIGNATURE):
            ours.add(note.getAttrNS(OFFICE_NS, "name"))
            note.parentNode.removeChild(note)
    for marker in _all(body, OFFICE_NS, "annotation-end"):
        if marker.getAttrNS(OFFICE_NS, "name") in ours:
            marker.parentNode.removeChild(marker)
