"""Build reader test files at test time (no binary fixtures are committed).

Well-formed files come from the real writers (python-docx, odfpy, fpdf2) so the
readers meet what those tools produce; broken copies are derived from them with
zipfile and byte surgery. Each builder writes into the directory it is given and
returns the path.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

# --------------------------------------------------------------------- Word


def build_docx(directory: Path, name: str = "policy.docx") -> Path:
    """A policy with a title, two heading levels, a list, a table with a merged cell,
    an empty spacing paragraph, a line break and tab, a hyperlink, and tracked changes."""
    import docx
    from docx.oxml import parse_xml

    doc = docx.Document()
    doc.add_paragraph("Missed Appointments Policy", style="Title")  # paragraph 1
    doc.add_heading("3 Procedure", level=1)  # 2
    doc.add_paragraph("Staff must explain why the appointment matters.")  # 3
    doc.add_paragraph("")  # empty: not counted
    doc.add_heading("3.2 Missed appointments", level=2)  # 4
    p = doc.add_paragraph("Clients who failed to ")  # 5
    p.add_run("attend").bold = True
    p.add_run(" twice\tare non-compliant.")
    doc.add_paragraph("Offer a new time.", style="List Bullet")  # 6
    br = doc.add_paragraph("First line")  # 7
    br.runs[0].add_break()
    br.add_run("second line")
    link = doc.add_paragraph("See ")  # 8
    link._p.append(parse_xml(
        f'<w:hyperlink {W_NS}><w:r><w:t xml:space="preserve">the guidance</w:t></w:r></w:hyperlink>'))
    link.add_run(" now.")
    tracked = doc.add_paragraph("Keep ")  # 9
    tracked._p.append(parse_xml(
        f'<w:del {W_NS} w:id="1" w:author="a"><w:r><w:delText>the offender </w:delText></w:r></w:del>'))
    tracked._p.append(parse_xml(
        f'<w:ins {W_NS} w:id="2" w:author="a"><w:r><w:t xml:space="preserve">the person </w:t></w:r></w:ins>'))
    tracked.add_run("informed.")
    doc.add_heading("4 Review", level=1)  # 10
    table = doc.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "Role"
    table.cell(0, 1).text = "Duty"
    table.cell(0, 2).text = "When"
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "Manager reviews non-attendance"
    table.cell(1, 2).text = "Monthly"
    table.cell(1, 2).add_paragraph("and on request")
    doc.add_paragraph("Closing paragraph.")  # 11
    path = directory / name
    doc.save(str(path))
    return path


def replace_part(source: Path, target: Path, part: str, content: bytes) -> Path:
    """Copy a zip container, replacing (or adding) one member."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != part:
                zout.writestr(info, zin.read(info.filename))
        zout.writestr(part, content)
    return target


def drop_part(source: Path, target: Path, part: str) -> Path:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != part:
                zout.writestr(info, zin.read(info.filename))
    return target


def truncate(source: Path, target: Path, keep: float = 0.5) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * keep)])
    return target


def build_docx_invalid_xml(directory: Path) -> Path:
    good = build_docx(directory, "good.docx")
    broken = b'<?xml version="1.0"?><w:document ' + W_NS.encode() + b"><w:body><w:p><w:r><w:t>oops</w:p></w:body>"
    return replace_part(good, directory / "invalid-xml.docx", "word/document.xml", broken)


def build_docx_entities(directory: Path) -> Path:
    good = build_docx(directory, "good.docx")
    lol = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
           b"<w:document " + W_NS.encode() + b"><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>")
    return replace_part(good, directory / "entities.docx", "word/document.xml", lol)


def build_zip_bomb(directory: Path, name: str, member: str, size: int = 30 * 1024 * 1024) -> Path:
    """A small zip whose ``member`` inflates to ``size`` bytes of zeros (ratio ~1000:1)."""
    path = directory / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        with zf.open(member, "w", force_zip64=False) as fh:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                fh.write(chunk)
    return path


# ----------------------------------------------------------- OpenDocument


def build_odt(directory: Path, name: str = "policy.odt") -> Path:
    """Headings (outline levels 1 and 2), paragraphs, a list, a section, a table with
    repeated/covered cells, a footnote (not read), and spaces/tabs/line breaks."""
    from odf.opendocument import OpenDocumentText
    from odf.table import CoveredTableCell, Table, TableCell, TableColumn, TableRow
    from odf.text import H, LineBreak, List, ListItem, Note, NoteBody, NoteCitation, P, S, Section, Span, Tab

    doc = OpenDocumentText()
    body = doc.text
    body.addElement(H(outlinelevel=1, text="3 Procedure"))  # paragraph 1
    p = P(text="Staff must ")  # 2
    p.addElement(Span(text="explain"))
    p.addText(" the reason.")
    body.addElement(p)
    body.addElement(P(text=""))  # empty: not counted
    body.addElement(H(outlinelevel=2, text="3.2 Missed appointments"))  # 3
    p = P(text="Clients who")  # 4
    p.addElement(S(c=3))
    p.addText("failed to attend")
    p.addElement(Tab())
    p.addText("are non-compliant.")
    note = Note(id="n1", noteclass="footnote")
    note.addElement(NoteCitation(text="1"))
    nb = NoteBody()
    nb.addElement(P(text="Footnote text is not read."))
    note.addElement(nb)
    p.addElement(note)
    body.addElement(p)
    lst = List()
    item = ListItem()
    item.addElement(P(text="Offer a new time."))  # 5
    lst.addElement(item)
    body.addElement(lst)
    sec = Section(name="S1")
    p = P(text="First line")  # 6
    p.addElement(LineBreak())
    p.addText("second line")
    sec.addElement(p)
    body.addElement(sec)
    body.addElement(H(outlinelevel=1, text="4 Review"))  # 7
    table = Table(name="T1")
    table.addElement(TableColumn(numbercolumnsrepeated=3))
    row = TableRow()
    for text in ("Role", "Duty", "When"):
        cell = TableCell()
        cell.addElement(P(text=text))
        row.addElement(cell)
    table.addElement(row)
    table.addElement(TableRow(numberrowsrepeated=2))  # two empty rows: rows 2 and 3
    row = TableRow()
    cell = TableCell(numbercolumnsspanned=2)
    cell.addElement(P(text="Manager reviews non-attendance"))
    row.addElement(cell)
    row.addElement(CoveredTableCell())
    cell = TableCell()
    cell.addElement(P(text="Monthly"))
    cell.addElement(P(text="and on request"))
    row.addElement(cell)
    table.addElement(row)
    body.addElement(table)
    body.addElement(P(text="Closing paragraph."))  # 8
    path = directory / name
    doc.save(str(path))
    return path


def build_odt_invalid_xml(directory: Path) -> Path:
    good = build_odt(directory, "good.odt")
    return replace_part(good, directory / "invalid-xml.odt", "content.xml",
                        b'<?xml version="1.0"?><office:document-content><unclosed>')


# ---------------------------------------------------------------------- PDF


def _pdf():  # type: ignore[no-untyped-def]
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_compression(True)
    return pdf


def build_pdf(directory: Path, name: str = "policy.pdf") -> Path:
    """Two pages placed at exact coordinates (points):

    page 1: heading (18pt) at y=60; a 3-line paragraph (11pt, 14pt pitch) whose
    first line ends "failed to" and second ends "non-com-" (joined with "pliant");
    a gap; a 2-line bullet item; a gap; a paragraph "compliant ..." (so the
    hyphen is known to be a break) and one with "self-" + "harm" (kept).
    page 2: heading, a paragraph, two columns side by side, then two pieces on one
    baseline far apart (drawn one after the other).
    """
    pdf = _pdf()
    pdf.add_page()
    pdf.set_font("helvetica", size=18)
    pdf.text(72, 60, "3 Procedure")
    pdf.set_font("helvetica", size=11)
    y = 100
    for line in ("Clients who failed to", "attend twice are non-com-", "pliant with the plan."):
        pdf.text(72, y, line)
        y += 14
    y += 20
    pdf.text(72, y, "- Offer a new time and")
    pdf.text(84, y + 14, "explain why.")
    y += 48
    pdf.text(72, y, "Being compliant is not the goal.")
    y += 34
    pdf.text(72, y, "Ask about self-")
    pdf.text(72, y + 14, "harm with care.")
    pdf.add_page()
    pdf.set_font("helvetica", size=18)
    pdf.text(72, 60, "4 Review")
    pdf.set_font("helvetica", size=11)
    pdf.text(72, 100, "Managers review each case.")
    pdf.text(72, 140, "Left column text")
    pdf.text(72, 154, "continues here.")
    pdf.text(320, 140, "Right column text")
    pdf.text(320, 154, "also continues.")
    pdf.text(72, 200, "Offer support.")  # one flow line with a wide gap: two pieces
    pdf.text(320, 200, "Record the visit.")
    path = directory / name
    pdf.output(str(path))
    return path


def _page_with_chrome(pdf, title: str, n: int, pages: int) -> None:  # type: ignore[no-untyped-def]
    """A new page with a running header and a numbered footer (9pt)."""
    pdf.add_page()
    pdf.set_font("helvetica", size=9)
    pdf.text(72, 30, title)
    pdf.text(72, 820, f"Page {n} of {pages}")


def build_pdf_chrome(directory: Path, pages: int = 4) -> Path:
    """Pages with a running header and a numbered footer around one body line each."""
    pdf = _pdf()
    for n in range(1, pages + 1):
        _page_with_chrome(pdf, "Council Policy Manual", n, pages)
        pdf.set_font("helvetica", size=11)
        pdf.text(72, 300, f"Body text on page {n}.")
    path = directory / "chrome.pdf"
    pdf.output(str(path))
    return path


def build_pdf_no_text(directory: Path) -> Path:
    """A 'scanned' PDF: pages with only drawn shapes, no text layer."""
    pdf = _pdf()
    for _ in range(2):
        pdf.add_page()
        pdf.rect(72, 72, 300, 400, style="F")
    path = directory / "scanned.pdf"
    pdf.output(str(path))
    return path


def build_pdf_encrypted(directory: Path, user_password: str = "secret") -> Path:
    from fpdf.enums import EncryptionMethod

    pdf = _pdf()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.text(72, 100, "Confidential policy text.")
    pdf.set_encryption(owner_password="owner", user_password=user_password,
                       encryption_method=EncryptionMethod.RC4)
    path = directory / ("protected.pdf" if user_password else "owner-only.pdf")
    pdf.output(str(path))
    return path


def corrupt_pdf(source: Path, target: Path) -> Path:
    """Keep the header and the end marker, destroy everything between."""
    data = source.read_bytes()
    target.write_bytes(data[:9] + b"\x8f garbage " * 200 + b"\n%%EOF\n")
    return target


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buf.getvalue()


def build_pdf_bomb(directory: Path, inflated: int = 100 * 1024 * 1024) -> Path:
    """A one-page PDF whose content stream is ~100 KB of Flate data inflating to ``inflated``
    bytes of spaces. Written directly (fpdf2 would compress the data itself)."""
    import zlib

    comp = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    stream = b"".join(comp.compress(chunk) for _ in range(inflated // len(chunk))) + comp.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << >> >>",
        _stream(stream, b"/Filter /FlateDecode"),
    ]
    path = directory / "bomb.pdf"
    path.write_bytes(pdf_bytes(objects))
    return path


def build_pdf_form_bomb(directory: Path, depth: int = 40) -> Path:
    """A one-page PDF of a few KB whose page draws form X<depth>, which draws X<depth-1>
    twice, and so on down to a line of text: 2**depth lines once drawn, though every
    stream is tiny (so no decompression limit sees it)."""
    text = b"BT /F1 12 Tf 72 700 Td (Patients who fail to attend are removed.) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /XObject << /X %d 0 R >> >> >>" % (6 + depth),
        _stream(b"q /X Do Q"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        _stream(text, b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >>"),
    ]
    for level in range(1, depth + 1):  # object 6 + level draws object 5 + level twice
        resources = b"/Resources << /XObject << /X %d 0 R >> >>" % (5 + level)
        objects.append(_stream(b"/X Do /X Do", b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] " + resources))
    path = directory / "form-bomb.pdf"
    path.write_bytes(pdf_bytes(objects))
    return path


def build_pdf_objstm_bomb(directory: Path, inflated: int = 8 * 1024**3) -> Path:
    """A PDF 1.5 whose page tree sits in a compressed object stream padded with
    ``inflated`` bytes of spaces (about 1/1000 of that on disk): the page's own
    content is an honest line of text."""
    import zlib

    pages = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
    header = b"2 0 "
    comp = zlib.compressobj(9)
    packed = comp.compress(header + pages)
    chunk = b" " * (1024 * 1024)
    for _ in range(inflated // len(chunk)):
        packed += comp.compress(chunk)
    packed += comp.flush()
    text = b"BT /F1 12 Tf 72 700 Td (Patients who fail to attend are removed.) Tj ET"
    font = b"<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"
    bodies = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources %s >>" % font,
        4: _stream(text),
        5: _stream(packed, b"/Type /ObjStm /N 1 /First %d /Filter /FlateDecode" % len(header)),
    }
    out = bytearray(b"%PDF-1.5\n")
    offsets = {}
    for number, body in bodies.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    rows = [(0, 0, 65535), (1, offsets[1], 0), (2, 5, 0), (1, offsets[3], 0), (1, offsets[4], 0), (1, offsets[5], 0), (1, len(out), 0)]
    table = b"".join(struct.pack(">BIH", *row) for row in rows)
    xref = len(out)
    out += b"6 0 obj\n" + _stream(table, b"/Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R") + b"\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    path = directory / "objstm-bomb.pdf"
    path.write_bytes(bytes(out))
    return path


def _stream(data: bytes, entries: bytes = b"") -> bytes:
    return b"<< %s /Length %d >>\nstream\n" % (entries, len(data)) + data + b"\nendstream"


def pdf_bytes(objects: list[bytes]) -> bytes:
    """A PDF of ``objects`` (numbered from 1; the first is the catalog) with a classic
    cross-reference table. Written directly: fpdf2 cannot make malformed files."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


_HANDBOOK_WORDS = ("the service will support people to attend their appointments and we review "
                   "our approach with them every year").split()
HANDBOOK_FINDING = "Patients who fail to attend twice are contacted."


def build_pdf_handbook(directory: Path, pages: int, every: int = 37) -> tuple[Path, list[tuple[int, int]]]:
    """A long text PDF like a consolidated handbook: a running header and a numbered
    footer, a heading and 40 lines of clean 11pt body text on every page; on every
    ``every``-th page one line is :data:`HANDBOOK_FINDING` (one finding). Returns the
    path and the (page, visual line) of each finding's line (the header is line 1,
    the heading line 2)."""
    import random

    rng = random.Random(pages)
    pdf = _pdf()
    expected = []
    for n in range(1, pages + 1):
        _page_with_chrome(pdf, "Trust Policy Handbook", n, pages)
        pdf.set_font("helvetica", size=16)
        pdf.text(72, 70, f"{rng.choice(_HANDBOOK_WORDS).capitalize()} and {rng.choice(_HANDBOOK_WORDS)}")
        pdf.set_font("helvetica", size=11)
        finding_row = rng.randrange(40) if n % every == 0 else -1
        for row in range(40):
            y = 100 + row * 17 + (row // 8) * 8  # a paragraph gap every 8 lines
            if row == finding_row:
                pdf.text(72, y, HANDBOOK_FINDING)
                expected.append((n, row + 3))
            else:
                words = [rng.choice(_HANDBOOK_WORDS) for _ in range(12)]
                pdf.text(72, y, " ".join(words).capitalize() + ("." if row % 8 == 7 else ""))
    path = directory / f"handbook-{pages}.pdf"
    pdf.output(str(path))
    return path, expected
