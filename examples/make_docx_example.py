"""Build the Word and PDF example policies: ``python examples/make_docx_example.py``.

Writes ``examples/housing-support-policy.docx`` (python-docx: a page header, headings,
mixed formatting, a table) and ``examples/housing-support-policy.pdf`` (fpdf2, the
same text). The policy is invented for tilint and deliberately mixes wording tilint
flags with wording it accepts, so ``tilint review`` has something to show:

    tilint review examples/housing-support-policy.docx --track-changes
    tilint review examples/housing-support-policy.pdf
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
TITLE = "Housing Support Policy"
HEADER = "Riverside Housing Trust: housing support for the homeless"

# (style, text); a list of (text, format) pieces makes runs with different formatting
SECTIONS = [
    ("Title", TITLE),
    ("Heading 1", "1 Purpose"),
    (None, "This policy sets out how Riverside Housing Trust supports residents in its supported "
           "housing schemes, and what happens when a tenancy is at risk."),
    ("Heading 1", "2 Appointments"),
    (None, [("Residents meet their key worker every week. Residents who ", ""), ("fail to attend", "b"),
            (" two key-work sessions in a row will receive a warning letter.", "")]),
    (None, "Staff should record every no-show on the case file by the end of the day."),
    ("Heading 1", "3 Behaviour in the scheme"),
    (None, [("Residents who are ", ""), ("non-compliant", "i"), (" with the house rules may be evicted.", "")]),
    (None, "Addicts will not be offered a room until they have completed detox."),
    (None, "If a resident committed suicide or died suddenly, the manager informs the board within a day."),
    ("Heading 1", "4 Support we offer"),
    (None, "We offer every resident a choice of appointment times and a key worker of the gender they prefer."),
    (None, "Staff explain each step of an assessment before it starts and check that the resident is happy to go on."),
]
TABLE = [
    ("Situation", "What staff do"),
    ("Resident misses a session", "Call the resident the same day and offer a new time."),
    ("Rent arrears", "Meet the resident to agree a repayment plan; the homeless may be referred to the council."),
]


def build_docx(path: Path) -> Path:
    import docx

    doc = docx.Document()
    doc.sections[0].header.paragraphs[0].text = HEADER
    for style, text in SECTIONS:
        if style == "Title":
            doc.add_paragraph(text, style="Title")
        elif style:
            doc.add_heading(text, level=int(style.split()[-1]))
        elif isinstance(text, list):
            p = doc.add_paragraph()
            for piece, fmt in text:
                run = p.add_run(piece)
                run.bold = "b" in fmt or None
                run.italic = "i" in fmt or None
        else:
            doc.add_paragraph(text)
    doc.add_heading("5 Who does what", level=1)
    table = doc.add_table(rows=len(TABLE), cols=2)
    table.style = "Table Grid"
    for row, cells in zip(table.rows, TABLE):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    doc.core_properties.author = "tilint examples"
    doc.save(str(path))
    return path


def build_pdf(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creator("tilint examples")
    pdf.add_page()
    pdf.set_font("Helvetica", size=9)
    pdf.cell(0, 6, HEADER, new_x="LMARGIN", new_y="NEXT")
    for style, text in SECTIONS:
        plain = "".join(piece for piece, _ in text) if isinstance(text, list) else text
        size = {"Title": 20, "Heading 1": 14}.get(style or "", 11)
        pdf.set_font("Helvetica", "B" if style else "", size)
        pdf.ln(3)
        pdf.multi_cell(0, size * 0.55, plain, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 14)
    pdf.ln(3)
    pdf.cell(0, 8, "5 Who does what", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    for situation, action in TABLE[1:]:
        pdf.ln(2)
        pdf.multi_cell(0, 6, f"{situation}: {action}", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def main(folder: Path = HERE) -> int:
    for built in (build_docx(folder / "housing-support-policy.docx"), build_pdf(folder / "housing-support-policy.pdf")):
        print(f"wrote {built}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE))
