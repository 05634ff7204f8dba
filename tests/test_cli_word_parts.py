"""Issue 15 item 3: Word headers, footers, footnotes, endnotes and text boxes are
read, with locations that say which part the words are in."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tilint.readers import read_document

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _p(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def _notes(kind: str, texts: list[str]) -> bytes:
    separator = f'<w:{kind} w:type="separator" w:id="-1">{_p("")}</w:{kind}>'
    notes = "".join(f'<w:{kind} w:id="{i}">{_p(t)}</w:{kind}>' for i, t in enumerate(texts, start=1))
    return f'<?xml version="1.0" encoding="UTF-8"?><w:{kind}s xmlns:w="{W}">{separator}{notes}</w:{kind}s>'.encode()


def build(tmp_path: Path) -> Path:
    import docx

    doc = docx.Document()
    doc.add_paragraph("The body names no one.")
    section = doc.sections[0]
    section.header.paragraphs[0].text = "Header: the addict policy."
    section.footer.paragraphs[0].text = "Footer text."
    section.footer.add_paragraph("Footer about an addict.")
    box = (
        f'<w:p xmlns:w="{W}" xmlns:mc="{MC}"><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
        f'<w:txbxContent>{_p("A boxed addict.")}</w:txbxContent></w:drawing></mc:Choice>'
        f'<mc:Fallback><w:pict><w:txbxContent>{_p("A boxed addict.")}</w:txbxContent></w:pict></mc:Fallback>'
        "</mc:AlternateContent></w:r></w:p>"
    )
    from docx.oxml import parse_xml

    doc.element.body.insert(1, parse_xml(box))
    plain = tmp_path / "plain.docx"
    doc.save(plain)
    target = tmp_path / "parts.docx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(target, "w") as out:
        for item in src.infolist():
            out.writestr(item, src.read(item.filename))
        out.writestr("word/footnotes.xml", _notes("footnote", ["A footnote on addicts."]))
        out.writestr("word/endnotes.xml", _notes("endnote", ["First endnote.", "An endnote about an addict."]))
    return target


def test_word_parts_are_read_with_their_locations(tmp_path):
    doc = read_document(build(tmp_path))
    got = [(b.text, b.location.to_dict(), b.position(0)) for b in doc.blocks]
    assert got == [
        ("The body names no one.", {"paragraph": 1}, (1, 1)),
        # the parts' lines continue after the body's, so findings sort in reading order
        ("A boxed addict.", {"paragraph": 1, "part": "text box 1"}, (2, 1)),
        ("Header: the addict policy.", {"paragraph": 1, "part": "header 1"}, (3, 1)),
        ("Footer text.", {"paragraph": 1, "part": "footer 1"}, (4, 1)),
        ("Footer about an addict.", {"paragraph": 2, "part": "footer 1"}, (5, 1)),
        ("A footnote on addicts.", {"paragraph": 1, "part": "footnote 1"}, (6, 1)),
        ("First endnote.", {"paragraph": 1, "part": "endnote 1"}, (7, 1)),
        ("An endnote about an addict.", {"paragraph": 1, "part": "endnote 2"}, (8, 1)),
    ]


def test_findings_in_word_parts_say_where(run_cli, tmp_path):
    from .conftest import ENGINE_PACK

    build(tmp_path)
    res = run_cli("check", "--rules", str(ENGINE_PACK), "--select", "ZZ001", "--no-sources", "--color", "never", "parts.docx")
    lines = [line for line in res.out.splitlines() if line.startswith("    in ")]
    assert lines == [
        "    in text box 1, paragraph 1",
        "    in header 1, paragraph 1",
        "    in footer 1, paragraph 2",
        "    in footnote 1, paragraph 1",
        "    in endnote 2, paragraph 1",
    ]


def test_findings_come_in_reading_order_though_each_table_cell_counts_lines_from_1(tmp_path):
    import docx

    import tilint

    doc = docx.Document()
    doc.add_paragraph("Intro: the homeless are welcome here at all times.")
    table = doc.add_table(rows=3, cols=1)
    table.cell(0, 0).text = "Row one mentions no-shows later in the row."
    table.cell(1, 0).text = "Addicts first."
    table.cell(2, 0).text = "Row three: the patient refused."
    doc.add_paragraph("After the table, addicts.")
    doc.save(str(tmp_path / "order.docx"))
    [result] = tilint.lint_paths([tmp_path / "order.docx"])
    assert [(f.match, f.line, f.column, f.location.get("row")) for f in result.findings] == [
        ("the homeless", 1, 8, None),
        ("no-shows", 1, 18, 1),
        ("Addicts", 1, 1, 2),
        ("refused", 1, 24, 3),
        ("addicts", 2, 18, None),
    ]
