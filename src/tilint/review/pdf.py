"""PDF review: a highlight with a popup note on each finding's words, the summary as a note on page 1.

A finding's line and columns are the visual line on its page and the characters
in that line (see :mod:`tilint.readers.pdf`); :func:`~tilint.readers.pdf.read_layout`
gives every line with its character boxes, so the words' boxes are exact. Where
pdfplumber joined characters so they cannot be matched one to one, the box is
interpolated along the line. A match over several lines gets one quadrilateral
per line. Annotations are written with pypdf; the page content is not touched.
A re-run removes tilint's own notes (author and signature) and keeps all others.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Optional

from ..config import Config
from ..models import Finding
from ..readers.pdf import PageLine, read_layout
from . import SIGNATURE, ReviewError, ReviewResult, comment_text, lint_and_cover, summary_text

__all__ = ["render", "word_boxes"]

HIGHLIGHT = "ffe14d"  # a soft yellow, the colour of a highlighter pen
Box = tuple[float, float, float, float]  # x0, top, x1, bottom (pdfplumber: from the page's top)


def render(data: bytes, path: str, config: Config, *, author: str) -> tuple[bytes, ReviewResult]:
    """The reviewed copy of the PDF ``data`` and what was written."""
    from pypdf import PdfReader, PdfWriter

    doc, pages, frames = read_layout(Path(path), data)
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:  # readable with the empty password, but the copy would lose the owner's restrictions
        raise ReviewError("encrypted PDF: tilint cannot keep its protection on a reviewed copy; remove the protection first")
    findings, coverage = lint_and_cover(doc, config)
    writer = PdfWriter(clone_from=reader)
    _strip_notes(writer, author)
    result = ReviewResult(path=path, output="", coverage=coverage)
    for f in findings:
        index = int(f.location.get("page") or 0) - 1
        boxes = word_boxes(pages[index], f) if 0 <= index < len(pages) else []
        if not boxes:
            result.unplaced.append(f)
            continue
        rects = [_to_pdf(writer.pages[index], frames[index], b) for b in boxes]
        _highlight(writer, index, rects, comment_text(f), author)
        result.findings.append(f)
        result.comments += 1
    _note(writer, summary_text(result.findings, coverage), author)
    result.comments += 1
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), result


def word_boxes(lines: list[PageLine], f: Finding) -> list[Box]:
    """One box per line the finding's words sit on (pdfplumber coordinates)."""
    start = _find(lines, f.line, f.column, end=False)
    stop = _find(lines, f.end_line, f.end_column, end=True)
    if start is None or stop is None or stop[0] < start[0]:
        return []
    out = []
    for i in range(start[0], stop[0] + 1):
        line = lines[i]
        a = start[1] if i == start[0] else 0
        b = stop[1] if i == stop[0] else len(line.text)
        box = _span(line, a, b)
        if box is not None:
            out.append(box)
    return out


def _find(lines: list[PageLine], row: int, column: int, *, end: bool) -> Optional[tuple[int, int]]:
    """(index of the line, offset in its text) of a 1-based visual row/column."""
    for i, line in enumerate(lines):
        offset = column - line.col
        if line.row == row and not line.chrome and (0 < offset <= len(line.text) if end else 0 <= offset < len(line.text)):
            return i, offset
    return None


def _span(line: PageLine, a: int, b: int) -> Optional[Box]:
    """The box around characters ``a:b`` of a line (interpolated where boxes are unknown)."""
    known = [box for box in line.boxes[a:b] if box is not None]
    if line.boxes and len(known) == sum(1 for ch in line.text[a:b] if not ch.isspace()) and known:
        return (min(k[0] for k in known), min(k[1] for k in known), max(k[2] for k in known), max(k[3] for k in known))
    if not line.text or b <= a:
        return None
    width = (line.x1 - line.x0) / len(line.text)
    return (line.x0 + a * width, line.top, line.x0 + b * width, line.bottom)


# ---------------------------------------------------------------------------- writing


def _to_pdf(page: Any, frame: tuple[float, ...], box: Box) -> Box:
    """pdfplumber's top-down box -> PDF user space (x0, y0, x1, y1).

    ``frame`` is the page's box as pdfplumber reports it: its left and top edges
    are the media box's left and top, whatever the media box's origin."""
    media = page.mediabox
    left, top = float(media.left) - frame[0], float(media.top) + frame[1]
    return (left + box[0], top - box[3], left + box[2], top - box[1])


def _highlight(writer: Any, index: int, rects: list[Box], text: str, author: str) -> None:
    """A highlight over ``rects`` (PDF user space, one per line) with a popup note."""
    from pypdf.annotations import Highlight, Popup
    from pypdf.generic import ArrayObject, FloatObject, NameObject, TextStringObject

    page = writer.pages[index]
    quads = ArrayObject()
    for x0, y0, x1, y1 in rects:  # upper-left, upper-right, lower-left, lower-right
        quads.extend(FloatObject(v) for v in (x0, y1, x1, y1, x0, y0, x1, y0))
    rect = (min(r[0] for r in rects), min(r[1] for r in rects), max(r[2] for r in rects), max(r[3] for r in rects))
    mark = Highlight(rect=rect, quad_points=quads, highlight_color=HIGHLIGHT, printing=True)
    mark[NameObject("/Contents")] = TextStringObject(text)
    mark[NameObject("/T")] = TextStringObject(author)
    added = writer.add_annotation(index, mark)
    right = float(page.mediabox.right)
    popup = (min(rect[2] + 10, right - 220), max(rect[1] - 120, 0), min(rect[2] + 230, right), rect[3])
    writer.add_annotation(index, Popup(rect=popup, parent=added, open=False))


def _note(writer: Any, text: str, author: str) -> None:
    """The summary as a sticky note in the top left corner of page 1."""
    from pypdf.annotations import Popup, Text
    from pypdf.generic import NameObject, TextStringObject

    page = writer.pages[0]
    left, top = float(page.mediabox.left), float(page.mediabox.top)
    note = Text(rect=(left + 8, top - 28, left + 28, top - 8), text=text, open=False)
    note[NameObject("/T")] = TextStringObject(author)
    note[NameObject("/Name")] = NameObject("/Comment")
    added = writer.add_annotation(0, note)
    writer.add_annotation(0, Popup(rect=(left + 30, top - 330, left + 330, top - 8), parent=added, open=False))


def _strip_notes(writer: Any, author: str) -> None:
    """Remove tilint's own notes (and their popups) from an earlier review; keep the rest."""
    from pypdf.generic import ArrayObject, NameObject

    for page in writer.pages:
        annots = page.get("/Annots")
        if annots is None:
            continue
        annots = annots.get_object()
        ours = set()
        for ref in annots:
            annot = ref.get_object()
            contents = str(annot.get("/Contents", ""))
            if str(annot.get("/T", "")) == author and contents.rsplit("\n", 1)[-1].startswith(SIGNATURE):
                ours.add(_key(ref))
        if not ours:
            continue
        kept = ArrayObject()
        for ref in annots:
            parent = ref.get_object().get("/Parent")
            if _key(ref) in ours or (parent is not None and _key(parent) in ours):
                continue
            kept.append(ref)
        page[NameObject("/Annots")] = kept


def _key(ref: Any) -> Any:
    """An annotation's identity: its object number when indirect."""
    return getattr(ref, "idnum", None) or id(ref.get_object())
