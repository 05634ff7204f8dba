"""PDF reader.

Why pypdfium2 (PDFium, the PDF engine of Chrome): it gives every character's
page coordinates, so we can (a) number the lines of a page the way a person
counts them, top to bottom, (b) join a paragraph's lines by their spacing, and
(c) follow the content-stream order, which keeps two-column layouts in reading
order; and it does so in C, about 50 times faster than pdfminer.six (a 400-page
policy in seconds, not minutes). Characters are grouped into words and lines
exactly as pdfplumber's ``extract_text_lines(use_text_flow=True)`` groups
pdfminer's (the reader used pdfplumber before, and gives the same blocks and
positions): pdfplumber's coordinates (points from the page's top-left), its
character "size" and its 3-point word and line tolerances. PDFium's own
generated spaces and line breaks are ignored; a hyphen PDFium marks as ending a
line is read as "-". pypdf's ``extract_text`` returns lines without geometry,
so paragraphs and visual line numbers could only be guessed.

Locations. ``Location.page`` is the 1-based page. ``line`` is the visual line on
that page, counted top to bottom (text side by side at the same height, such as
two columns, shares a line number); ``column`` is the 1-based character in that
visual line as pdfplumber lays it out (pieces side by side are separated by one
space). A block is a paragraph: consecutive lines joined unless there is a
vertical gap, a font-size change, a jump up or sideways (new column), or a new
bullet. Blocks never cross pages. A line ending in a hyphen is joined without a
space to a next line that starts in lower case. The hyphen is kept ("self-harm",
"day-to-day": Word, which makes most policy PDFs, does not hyphenate) unless the
document itself shows it is a break: a soft hyphen, or the joined word occurs
elsewhere in the document and the hyphenated one does not ("non-com-" +
"pliant" -> "non-compliant" when "compliant" is used elsewhere). Running headers
and footers (same text in the top or bottom band of most pages) are not read;
larger-than-body fonts become headings, and their sizes give the section path.
URLs and e-mail addresses are blanked (positions kept).

Positions back onto the page (for the PDF review): :func:`read_layout` also
returns every page's lines with each character's box, so a finding's line and
columns can be turned into the boxes of its words.

Safety: pypdf first checks the password, page count and how far the streams
text extraction needs would inflate (pypdf stops each stream at its own limit);
reading is bounded per page, not per document (an alarm, plus a check after
each page: ``max_page_seconds``), so a long handbook is read to the end while a
page that stalls is refused; library logging is silenced.
"""

from __future__ import annotations

import contextlib
import io
import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional

from ..document import Block, BlockBuilder, Document, Location
from . import ReadError
from ._shared import SectionTracker, first_line, quiet_libraries, time_limit
from .text import URL_RE, mask

__all__ = ["read", "read_layout", "PageLine", "LIMITS"]

LIMITS = {"max_pages": 2000, "max_page_seconds": 30.0, "max_inflated": 256 * 1024 * 1024, "max_redrawn": 1024 * 1024, "max_page_chars": 100_000}
PASSWORD = "PDF is password-protected; save a copy without a password"
BOMB = "refused PDF: compressed streams inflate too far (possible decompression bomb)"
NO_TEXT = "no text layer (scanned pages?); run OCR first, e.g. ocrmypdf"
_BULLET = re.compile(r"^(?:[\u2022\u25aa\u25cf\u25e6\u2023\u2043\u27a2\u2794\u25ba\u25a0\u25a1\u2013\u2014\-\*\uf000-\uf8ff]|\d{1,3}[.)]|[a-z][.)])\s+")


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    page: int
    row: int = 0  # visual line number on the page
    col: int = 1  # 1-based column of text[0] in that visual line
    chrome: bool = False
    # per character of text: its (x0, top, x1, bottom) box, or None (spaces, or
    # characters that cannot be matched one to one); filled by read_layout only
    boxes: list = field(default_factory=list, repr=False)

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1.0)


PageLine = _Line  # public name for read_layout's lines


def read(path: Path, data: bytes) -> Document:
    return _read(path, data, None)[0]


def read_layout(path: Path, data: bytes) -> tuple[Document, list[list[_Line]], list[tuple[float, ...]]]:
    """The document ``read`` gives, each page's lines (in flow order) with their character
    boxes, and each page's box, in the same coordinates (points from the media box's
    top-left corner, as pdfplumber counts them)."""
    bboxes: list[tuple[float, ...]] = []
    doc, pages = _read(path, data, bboxes)
    return doc, pages, bboxes


def _read(path: Path, data: bytes, bboxes: Optional[list]) -> tuple[Document, list[list[_Line]]]:
    if not data.strip():
        raise ReadError("file is empty")
    if b"%PDF-" not in data[:1024]:
        raise ReadError("not a PDF file (no %PDF header)")
    if b"%%EOF" not in data[-1024:]:
        raise ReadError("damaged PDF: truncated (no %EOF end marker)")
    limit = LIMITS["max_page_seconds"]
    with quiet_libraries():
        _preflight(data, limit)
        pages = _extract(data, limit, bboxes)
    if not any(pages):
        raise ReadError(NO_TEXT)
    _mark_chrome(pages)
    return Document(path=str(path), format="pdf", blocks=_blocks(pages), source=None), pages


def _preflight(data: bytes, page_seconds: float) -> None:
    """Check page count, password and decompression bombs with pypdf before PDFium runs.

    pypdf stops each stream at its own limit (raising LimitReachedError). We
    inflate what text extraction will inflate (page contents, form XObjects,
    fonts) and cap the total. Other pypdf failures are left for PDFium, which is
    more forgiving, to judge.
    """
    import pypdf
    from pypdf.errors import LimitReachedError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise ReadError(PASSWORD)
            except ReadError:
                raise
            except Exception:
                return  # unsupported cipher here; PDFium decides
        count = len(reader.pages)
        if count > LIMITS["max_pages"]:
            raise ReadError(f"PDF has {count} pages, over the {LIMITS['max_pages']}-page limit")
        total = 0
        seen: set[int] = set()
        drawn: dict[int, int] = {}
        for number, page in enumerate(reader.pages, start=1):
            with _page_time(page_seconds, number):
                total += _inflate(page, seen)
                if total > LIMITS["max_inflated"]:
                    raise LimitReachedError("total")
                _check_redrawn(page, number, drawn)
    except LimitReachedError:
        raise ReadError(BOMB) from None
    except ReadError:
        raise
    except Exception:
        return


_DO = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s*Do\b")


def _check_redrawn(page: Any, number: int, drawn: dict[int, int]) -> None:
    """Refuse a page whose forms draw other forms over and over: a few KB of nested
    forms, each drawing the one below twice, is 2**depth copies of a line of text, which
    PDFium would build in memory (tens of GB) though no stream inflates far. Counts the
    content bytes the page draws, each form once per time it is drawn (``drawn``: the
    bytes each form draws, shared between pages)."""
    contents = page.get_contents()
    own = contents.get_data() if contents is not None else b""
    redrawn = _drawn(own, page.get("/Resources"), drawn, set()) - len(own)
    if redrawn > LIMITS["max_redrawn"]:
        raise ReadError(f"refused PDF: page {number} draws the same forms over and over (over {LIMITS['max_redrawn']:,} bytes of content; possible bomb)")


def _drawn(content: bytes, resources: Any, drawn: dict[int, int], active: set[int]) -> int:
    """Bytes of content drawn by ``content`` and, recursively, the forms it draws."""
    from pypdf.generic import DictionaryObject, IndirectObject, StreamObject

    total = len(content)
    if b"Do" not in content:
        return total
    xobjects = resources.get_object().get("/XObject") if resources is not None else None
    xobjects = xobjects.get_object() if xobjects is not None else DictionaryObject()
    for name in _DO.findall(content):
        ref = xobjects.raw_get("/" + name.decode("latin-1")) if ("/" + name.decode("latin-1")) in xobjects else None
        if not isinstance(ref, IndirectObject) or ref.idnum in active:
            continue  # a form drawing itself: PDFium stops there too
        if ref.idnum not in drawn:
            form = ref.get_object()
            if not isinstance(form, StreamObject) or form.get("/Subtype") != "/Form":
                drawn[ref.idnum] = 0
            elif len(active) > 100:
                raise ReadError("refused PDF: forms nested over 100 deep")
            else:
                active.add(ref.idnum)
                drawn[ref.idnum] = _drawn(form.get_data(), form.get("/Resources", resources), drawn, active)
                active.discard(ref.idnum)
        total += drawn[ref.idnum]
        if total - len(content) > LIMITS["max_redrawn"]:
            break  # enough to refuse; no need to add up 2**depth
    return total


def _inflate(node: Any, seen: set[int], depth: int = 0) -> int:
    """Decode the streams text extraction needs under ``node``; return bytes inflated."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    if depth > 12:
        return 0
    if isinstance(node, IndirectObject):
        if node.idnum in seen:
            return 0
        seen.add(node.idnum)
        node = node.get_object()
    total = 0
    if isinstance(node, StreamObject):
        if node.get("/Subtype") == "/Image":
            return 0
        total += len(node.get_data())
    if isinstance(node, DictionaryObject):
        for key in ("/Contents", "/Resources", "/Font", "/XObject", "/DescendantFonts",
                    "/FontDescriptor", "/ToUnicode", "/FontFile", "/FontFile2", "/FontFile3"):
            if key in node:
                child = node.raw_get(key)
                if key in ("/Font", "/XObject"):
                    resolved = child.get_object()
                    if isinstance(resolved, DictionaryObject):
                        for name in resolved:
                            total += _inflate(resolved.raw_get(name), seen, depth + 1)
                    continue
                total += _inflate(child, seen, depth + 1)
    elif isinstance(node, ArrayObject):
        for item in node:
            total += _inflate(item, seen, depth + 1)
    return total


def _extract(data: bytes, page_seconds: float, bboxes: Optional[list] = None) -> list[list[_Line]]:
    """Lines of every page, in content-stream order, with visual row/column set.

    With ``bboxes`` (a list to fill with each page's box), lines keep their character boxes."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == 4:  # FPDF_ERR_PASSWORD
            raise ReadError(PASSWORD) from None
        reason = str(exc).partition("(PDFium: ")[2].rstrip(").") or first_line(exc)
        raise ReadError(f"damaged PDF: {reason[0].lower() + reason[1:]}") from None
    try:
        count = len(pdf)
        if count > LIMITS["max_pages"]:
            raise ReadError(f"PDF has {count} pages, over the {LIMITS['max_pages']}-page limit")
        pages = []
        for number in range(1, count + 1):
            with _page_time(page_seconds, number):
                try:
                    page = pdf[number - 1]
                except pdfium.PdfiumError:
                    raise ReadError(f"damaged PDF: page {number} cannot be loaded") from None
                try:
                    lines, bbox = _page_lines(page, number, bboxes is not None)
                except (TypeError, ValueError, AttributeError, IndexError, KeyError, pdfium.PdfiumError):
                    # PDFium gave back nothing (a missing box, font or text page) where
                    # the page needs something: say which page, not which Python call
                    raise ReadError(f"damaged PDF: page {number} is malformed (its text cannot be extracted)") from None
                finally:
                    page.close()
            pages.append(lines)
            if bboxes is not None:
                bboxes.append(bbox)
        return pages
    except MemoryError:
        raise ReadError("PDF is too large to read in memory") from None
    finally:
        pdf.close()


# A character: text, x0, top, x1, bottom (points from the page's top-left, as
# pdfplumber counts them) and font size. pdfplumber expands ligatures to letters.
_LIGATURES = {"\ufb00": "ff", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb01": "fi", "\ufb02": "fl", "\ufb06": "st", "\ufb05": "st"}
_TOLERANCE = 3.0  # pdfplumber's x/y tolerance for words and lines, in points


def _page_chars(page: Any, number: int) -> tuple[list[tuple], tuple[float, float, float, float]]:
    """The page's characters in content-stream order (PDFium's own word spaces and line
    breaks, which it generates, are left out), and the page box."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    # the page's own media box, else the inherited one (PDFium resolves inheritance
    # only for the page's effective box, which a crop box could narrow)
    left, bottom, right, top = page.get_mediabox(fallback_ok=False) or page.get_bbox()
    textpage = page.get_textpage()
    try:
        raw = textpage.raw
        count = pdfium_c.FPDFText_CountChars(raw)
        if count > LIMITS["max_page_chars"]:  # a dense real page has 5,000; each costs a tuple below
            raise ReadError(f"refused PDF: page {number} has over {LIMITS['max_page_chars']:,} characters (too large to read safely)")
        text = textpage.get_text_range(0, count) if count else ""
        if len(text) != count:  # characters outside the BMP take two UTF-16 units
            text = "".join(chr(pdfium_c.FPDFText_GetUnicode(raw, i)) for i in range(count))
        generated, box, font_size, char_matrix = (pdfium_c.FPDFText_IsGenerated, pdfium_c.FPDFText_GetLooseCharBox,
                                                  pdfium_c.FPDFText_GetFontSize, pdfium_c.FPDFText_GetMatrix)
        rect, m = pdfium_c.FS_RECTF(), pdfium_c.FS_MATRIX()
        rect_ref, m_ref = ctypes.byref(rect), ctypes.byref(m)
        # pdfplumber's "size" is the font size times the vertical scale of the text and
        # page matrices: constant for one font size and box height, so looked up once
        sizes: dict[tuple[float, float], float] = {}
        chars: list[tuple] = []
        append = chars.append
        for i in range(count):
            ch = text[i]
            if (ch <= " " or ch.isspace()) and generated(raw, i):
                continue
            if ch == "\ufffe":  # PDFium's mark for a hyphen ending a line (soft or not)
                ch = "-"
            box(raw, i, rect_ref)
            low = top - rect.bottom  # the box's bottom edge, from the page's top
            key = (font_size(raw, i), rect.top - rect.bottom)
            size = sizes.get(key)
            if size is None:
                size = key[0] * ((m.c * m.c + m.d * m.d) ** 0.5 if char_matrix(raw, i, m_ref) else 1.0)
                sizes[key] = size
            append((ch, rect.left - left, low - size, rect.right - left, low, size))
        return chars, (0.0, 0.0, right - left, top - bottom)
    finally:
        textpage.close()


def _text_lines(chars: list[tuple]) -> list[dict[str, Any]]:
    """pdfplumber's ``extract_text_lines(use_text_flow=True)`` over ``chars``: words
    break at spaces and at gaps over 3 pt, lines group consecutive words whose tops
    fall in one cluster (3 pt), words in a line are joined by one space."""
    words: list[list[tuple]] = []
    word: list[tuple] = []
    for c in chars:
        if c[0].isspace():
            if word:
                words.append(word)
                word = []
            continue
        if word:
            p = word[-1]
            if c[1] < p[1] or c[1] > p[3] + _TOLERANCE or abs(c[2] - p[2]) > _TOLERANCE:
                words.append(word)
                word = []
        word.append(c)
    if word:
        words.append(word)
    tops = [min(c[2] for c in w) for w in words]
    cluster: dict[float, int] = {}
    last, index = None, -1
    for value in sorted(set(tops)):
        if last is None or value > last + _TOLERANCE:
            index += 1
        cluster[value] = index
        last = value
    groups: list[list[list[tuple]]] = []  # lines, each a list of words
    current: Optional[int] = None
    for w, t in zip(words, tops):
        if cluster[t] == current:
            groups[-1].append(w)
        else:
            current = cluster[t]
            groups.append([w])
    lines = []
    for group in groups:
        parts, line_chars = [], []
        for w in group:
            text = "".join([_LIGATURES.get(c[0], c[0]) for c in w])
            if len(text) != len(w):  # a ligature: its char once per letter, as pdfplumber does
                w = [c for c in w for _ in _LIGATURES.get(c[0], c[0])]
            parts.append(text)
            line_chars += w
        lines.append({
            "text": " ".join(parts), "chars": line_chars,
            "x0": min(c[1] for c in line_chars), "top": min(c[2] for c in line_chars),
            "x1": max(c[3] for c in line_chars), "bottom": max(c[4] for c in line_chars),
        })
    return lines


def _page_lines(page: Any, number: int, keep_boxes: bool) -> tuple[list[_Line], tuple[float, float, float, float]]:
    chars, bbox = _page_chars(page, number)
    return _lines(_text_lines(chars), number, keep_boxes), bbox


@contextlib.contextmanager
def _page_time(seconds: float, number: int) -> Iterator[None]:
    """A bound on one page, not the document: a long PDF takes as long as its pages
    need; a page that stalls is refused."""
    started = time.monotonic()
    with time_limit(seconds, f"PDF page {number} took over {seconds:g} s to read"):
        yield
    if time.monotonic() - started > seconds:
        raise ReadError(f"PDF page {number} took over {seconds:g} s to read")


def _lines(raw: list[dict[str, Any]], page: int, boxes: bool = False) -> list[_Line]:
    lines = []
    for item in raw:
        if item["text"].strip():
            lines.extend(_split(item, page, boxes))
    # Visual rows: lines whose vertical centre falls inside a row share its number.
    rows: list[list[_Line]] = []
    for line in sorted(lines, key=lambda ln: (ln.top, ln.x0)):
        centre = (line.top + line.bottom) / 2
        if rows and rows[-1][0].top <= centre <= rows[-1][0].bottom:
            rows[-1].append(line)
        else:
            rows.append([line])
    for number, row in enumerate(rows, start=1):
        offset = 0
        for line in sorted(row, key=lambda ln: ln.x0):
            line.row, line.col = number, offset + 1
            offset += len(line.text) + 1
    return lines


def _split(item: dict[str, Any], page: int, keep_boxes: bool = False) -> list[_Line]:
    """One line, or several if the flow joined pieces far apart (columns, table cells).

    A piece ends where the gap to the next character is over twice the font size.
    Only done when the line's visible characters map one to one to its characters.
    """
    text = item["text"]
    chars = [c for c in item["chars"] if not c[0].isspace()]
    visible = [i for i, ch in enumerate(text) if not ch.isspace()]
    starts = [0]
    if len(visible) == len(chars):
        for k in range(1, len(chars)):
            prev, cur = chars[k - 1], chars[k]
            size = max(prev[5], cur[5], 1.0)
            if cur[1] - prev[3] > 2 * size and text[visible[k] - 1].isspace():
                starts.append(k)
    boxes: list = [None] * len(text) if keep_boxes else []
    if keep_boxes and len(visible) == len(chars):
        for i, c in zip(visible, chars):
            boxes[i] = (c[1], c[2], c[3], c[4])
    if len(starts) == 1:
        sizes = [c[5] for c in chars]
        return [_Line(text, item["x0"], item["x1"], item["top"], item["bottom"],
                      statistics.median(sizes) if sizes else 0.0, page, boxes=boxes)]
    out = []
    for a, b in zip(starts, starts[1:] + [len(chars)]):
        group = chars[a:b]
        out.append(_Line(
            text[visible[a]: visible[b - 1] + 1],
            min(c[1] for c in group), max(c[3] for c in group),
            min(c[2] for c in group), max(c[4] for c in group),
            statistics.median(c[5] for c in group), page,
            boxes=boxes[visible[a]: visible[b - 1] + 1] if keep_boxes else [],
        ))
    return out


def _mark_chrome(pages: list[list[_Line]]) -> None:
    """Mark running headers/footers: same text (digits ignored) at the top/bottom of most pages."""
    if len(pages) < 3:
        return
    seen: dict[tuple[str, str], set[int]] = {}
    heights = {i: max((ln.bottom for ln in lines), default=0.0) for i, lines in enumerate(pages)}
    for i, lines in enumerate(pages):
        for line in lines:
            key = _chrome_key(line, heights[i], lines)
            if key:
                seen.setdefault(key, set()).add(i)
    threshold = max(3, len(pages) // 2)
    for i, lines in enumerate(pages):
        for line in lines:
            key = _chrome_key(line, heights[i], lines)
            if key and len(seen.get(key, ())) >= threshold:
                line.chrome = True


def _chrome_key(line: _Line, height: float, lines: list[_Line]) -> Optional[tuple[str, str]]:
    top = min((ln.top for ln in lines), default=0.0)
    span = max(height - top, 1.0)
    if line.top <= top + 0.15 * span:
        band = "top"
    elif line.bottom >= height - 0.15 * span:
        band = "bottom"
    else:
        return None
    return re.sub(r"\d+", "#", " ".join(line.text.split())), band


def _body_size(pages: list[list[_Line]]) -> float:
    weights: dict[float, int] = {}
    for lines in pages:
        for line in lines:
            if not line.chrome:
                key = round(line.size, 1)
                weights[key] = weights.get(key, 0) + len(line.text)
    return max(weights, key=lambda k: weights[k]) if weights else 0.0


def _breaks(prev: _Line, line: _Line) -> bool:
    """Whether ``line`` starts a new paragraph after ``prev`` (same page, flow order)."""
    if line.top < prev.top - 0.5 * prev.height:  # jumped up: next column or box
        return True
    if line.x0 >= prev.x1:  # side by side
        return True
    if line.top - prev.bottom > 0.6 * prev.height:  # vertical gap
        return True
    if abs(line.size - prev.size) > 0.75:
        return True
    return bool(_BULLET.match(line.text))


def _blocks(pages: list[list[_Line]]) -> list[Block]:
    body = _body_size(pages)
    vocab = _vocabulary(pages)
    heading_sizes = sorted({round(ln.size, 1) for lines in pages for ln in lines
                            if not ln.chrome and ln.size >= body + 1.5}, reverse=True)
    sections = SectionTracker()
    blocks: list[Block] = []
    for lines in pages:
        group: list[_Line] = []
        for line in lines:
            if line.chrome:
                continue
            if group and _breaks(group[-1], line):
                _emit(group, blocks, sections, heading_sizes, vocab)
                group = []
            group.append(line)
        _emit(group, blocks, sections, heading_sizes, vocab)
    return blocks


def _emit(
    group: list[_Line], blocks: list[Block], sections: SectionTracker, heading_sizes: list[float], vocab: set[str]
) -> None:
    if not group:
        return
    size = round(group[0].size, 1)
    text_len = sum(len(ln.text) for ln in group)
    heading = size in heading_sizes and text_len <= 200
    bullet = _BULLET.match(group[0].text)
    kind = "heading" if heading else ("list_item" if bullet else "paragraph")
    builder = BlockBuilder(kind, Location(section=sections.path, page=group[0].page))
    skip = bullet.end() if bullet and not heading and not bullet.group(0)[0].isalnum() else 0
    for i, line in enumerate(group):
        text = mask(line.text[skip:] if i == 0 else line.text, URL_RE)
        start = skip if i == 0 else 0
        nxt = group[i + 1].text if i + 1 < len(group) else ""
        join = _hyphen_join(text, nxt, vocab)
        if join == "drop":
            builder.add(text.rstrip()[:-1], line.row, line.col + start)
        else:
            builder.add(text, line.row, line.col + start)
            if join is None:
                builder.break_space()
    block = builder.build()
    if block.text:
        if heading:
            level = heading_sizes.index(size) + 1
            block.location = Location(section=sections.heading(level, block.text), page=group[0].page)
        blocks.append(block)


_WORD_EDGE = re.compile(r"^[^\w]+|[^\w]+$")


def _token(text: str) -> str:
    return _WORD_EDGE.sub("", text).lower()


def _vocabulary(pages: list[list[_Line]]) -> set[str]:
    """Lower-case words of the document, and each part of hyphenated words (not line ends)."""
    vocab: set[str] = set()
    for lines in pages:
        for line in lines:
            words = line.text.split()
            if words and words[-1].endswith(("-", "\u00ad", "\u2010")):
                words = words[:-1]
            for word in words:
                token = _token(word)
                vocab.add(token)
                vocab.update(token.split("-"))
    return vocab


def _hyphen_join(text: str, nxt: str, vocab: set[str]) -> Optional[str]:
    """None: join with a space; "keep": join with no space; "drop": drop the hyphen and join."""
    stripped = text.rstrip()
    if not nxt or len(stripped) < 2 or stripped[-1] not in "-\u00ad\u2010" or not stripped[-2].isalpha():
        return None
    if not nxt.lstrip()[:1].islower():
        return None
    if stripped[-1] == "\u00ad":
        return "drop"
    left = _token(stripped[:-1].split()[-1]).split("-")[-1]
    right = _token(nxt.split()[0]).split("-")[0]
    if f"{left}-{right}" not in vocab and left + right in vocab:
        return "drop"
    return "keep"
