"""Readers of issue 5: Word, OpenDocument, PDF, HTML and reStructuredText.

Every test builds its input at test time (see fixtures_build.py) and checks the
exact block texts and locations a person would use to find the words.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from . import fixtures_build as fb
from tilint.document import Block, Document, Location
from tilint.readers import READERS, read_document, supported_suffixes


def summary(doc: Document) -> list[tuple]:
    """(kind, text, location, first position) of every block."""
    return [(b.kind, b.text, b.location, b.position(0)) for b in doc.blocks]


def word_positions(block: Block) -> list[tuple[str, tuple[int, int]]]:
    out, offset = [], 0
    for word in block.text.split(" "):
        out.append((word, block.position(offset)))
        offset += len(word) + 1
    return out


def assert_source_exact(doc: Document, entity_ok: bool = False) -> None:
    """Each non-space character of every block sits at its reported source position."""
    assert doc.source is not None
    for block in doc.blocks:
        for i, ch in enumerate(block.text):
            if ch == " ":
                continue
            line, col = block.position(i)
            found = doc.source[doc.offset(line, col)]
            if entity_ok and found == "&":
                continue
            assert found == ch, (block.text, i, ch, line, col, found)


# ----------------------------------------------------------------- registry


def test_registry_covers_the_new_formats() -> None:
    for suffix in (".docx", ".odt", ".pdf", ".html", ".htm", ".rst"):
        assert suffix in READERS
        assert suffix in supported_suffixes()


# --------------------------------------------------------------------- Word


def test_docx_paragraphs_sections_and_tables(tmp_path: Path) -> None:
    doc = read_document(fb.build_docx(tmp_path))
    assert doc.format == "docx" and doc.source is None
    proc = ("3 Procedure",)
    missed = ("3 Procedure", "3.2 Missed appointments")
    review = ("4 Review",)
    assert summary(doc) == [
        ("heading", "Missed Appointments Policy", Location(paragraph=1), (1, 1)),
        ("heading", "3 Procedure", Location(section=proc, paragraph=2), (2, 1)),
        ("paragraph", "Staff must explain why the appointment matters.", Location(section=proc, paragraph=3), (3, 1)),
        ("heading", "3.2 Missed appointments", Location(section=missed, paragraph=4), (4, 1)),
        ("paragraph", "Clients who failed to attend twice are non-compliant.", Location(section=missed, paragraph=5), (5, 1)),
        ("list_item", "Offer a new time.", Location(section=missed, paragraph=6), (6, 1)),
        ("paragraph", "First line second line", Location(section=missed, paragraph=7), (7, 1)),
        ("paragraph", "See the guidance now.", Location(section=missed, paragraph=8), (8, 1)),
        ("paragraph", "Keep the person informed.", Location(section=missed, paragraph=9), (9, 1)),
        ("heading", "4 Review", Location(section=review, paragraph=10), (10, 1)),
        ("table_cell", "Role", Location(section=review, table=1, row=1, cell=1), (1, 1)),
        ("table_cell", "Duty", Location(section=review, table=1, row=1, cell=2), (1, 1)),
        ("table_cell", "When", Location(section=review, table=1, row=1, cell=3), (1, 1)),
        ("table_cell", "Manager reviews non-attendance", Location(section=review, table=1, row=2, cell=1), (1, 1)),
        ("table_cell", "Monthly and on request", Location(section=review, table=1, row=2, cell=2), (1, 1)),
        ("paragraph", "Closing paragraph.", Location(section=review, paragraph=11), (11, 1)),
    ]


def test_docx_columns_are_offsets_in_the_paragraph(tmp_path: Path) -> None:
    doc = read_document(fb.build_docx(tmp_path))
    block = doc.blocks[4]  # "Clients who failed to **attend** twice\tare non-compliant."
    assert dict(word_positions(block)) == {
        "Clients": (5, 1), "who": (5, 9), "failed": (5, 13), "to": (5, 20), "attend": (5, 23),
        "twice": (5, 30), "are": (5, 36), "non-compliant.": (5, 40),
    }
    cell = doc.blocks[14]  # "Monthly" / "and on request": second paragraph of the cell is line 2
    assert dict(word_positions(cell)) == {"Monthly": (1, 1), "and": (2, 1), "on": (2, 5), "request": (2, 8)}
    linebreak = doc.blocks[6]  # "First line" <w:br/> "second line": one paragraph, offsets run on
    assert linebreak.position(linebreak.text.index("second")) == (7, 12)


def test_docx_outline_level_and_heading_style_names(tmp_path: Path) -> None:
    import docx
    from docx.oxml import parse_xml

    d = docx.Document()
    p = d.add_paragraph("Custom outline heading")
    p._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {fb.W_NS} w:val="1"/>'))
    d.add_paragraph("Body under it.")
    d.add_heading("Top", level=1)
    d.add_paragraph("Body under top.")
    path = tmp_path / "outline.docx"
    d.save(str(path))
    doc = read_document(path)
    assert [(b.kind, b.text, b.location.section) for b in doc.blocks] == [
        ("heading", "Custom outline heading", ("Custom outline heading",)),
        ("paragraph", "Body under it.", ("Custom outline heading",)),
        ("heading", "Top", ("Top",)),
        ("paragraph", "Body under top.", ("Top",)),
    ]


# ----------------------------------------------------------- OpenDocument


def test_odt_paragraphs_sections_and_tables(tmp_path: Path) -> None:
    doc = read_document(fb.build_odt(tmp_path))
    assert doc.format == "odt" and doc.source is None
    proc = ("3 Procedure",)
    missed = ("3 Procedure", "3.2 Missed appointments")
    review = ("4 Review",)
    assert summary(doc) == [
        ("heading", "3 Procedure", Location(section=proc, paragraph=1), (1, 1)),
        ("paragraph", "Staff must explain the reason.", Location(section=proc, paragraph=2), (2, 1)),
        ("heading", "3.2 Missed appointments", Location(section=missed, paragraph=3), (3, 1)),
        ("paragraph", "Clients who failed to attend are non-compliant.", Location(section=missed, paragraph=4), (4, 1)),
        ("list_item", "Offer a new time.", Location(section=missed, paragraph=5), (5, 1)),
        ("paragraph", "First line second line", Location(section=missed, paragraph=6), (6, 1)),
        ("heading", "4 Review", Location(section=review, paragraph=7), (7, 1)),
        ("table_cell", "Role", Location(section=review, table=1, row=1, cell=1), (1, 1)),
        ("table_cell", "Duty", Location(section=review, table=1, row=1, cell=2), (1, 1)),
        ("table_cell", "When", Location(section=review, table=1, row=1, cell=3), (1, 1)),
        # two repeated empty rows (2, 3) come first; the covered cell is position 2
        ("table_cell", "Manager reviews non-attendance", Location(section=review, table=1, row=4, cell=1), (1, 1)),
        ("table_cell", "Monthly and on request", Location(section=review, table=1, row=4, cell=3), (1, 1)),
        ("paragraph", "Closing paragraph.", Location(section=review, paragraph=8), (8, 1)),
    ]


def test_odt_spaces_and_tabs_keep_columns(tmp_path: Path) -> None:
    doc = read_document(fb.build_odt(tmp_path))
    block = doc.blocks[3]  # "Clients who" + <text:s c=3> + "failed to attend" + <tab> + "are..."
    assert dict(word_positions(block)) == {
        "Clients": (4, 1), "who": (4, 9), "failed": (4, 15), "to": (4, 22), "attend": (4, 25),
        "are": (4, 32), "non-compliant.": (4, 36),
    }


# ---------------------------------------------------------------------- PDF


def test_pdf_pages_lines_paragraphs_and_hyphens(tmp_path: Path) -> None:
    doc = read_document(fb.build_pdf(tmp_path))
    assert doc.format == "pdf" and doc.source is None
    s1, s2 = ("3 Procedure",), ("4 Review",)
    assert summary(doc) == [
        ("heading", "3 Procedure", Location(section=s1, page=1), (1, 1)),
        ("paragraph", "Clients who failed to attend twice are non-compliant with the plan.", Location(section=s1, page=1), (2, 1)),
        ("list_item", "Offer a new time and explain why.", Location(section=s1, page=1), (5, 3)),
        ("paragraph", "Being compliant is not the goal.", Location(section=s1, page=1), (7, 1)),
        ("paragraph", "Ask about self-harm with care.", Location(section=s1, page=1), (8, 1)),
        ("heading", "4 Review", Location(section=s2, page=2), (1, 1)),
        ("paragraph", "Managers review each case.", Location(section=s2, page=2), (2, 1)),
        ("paragraph", "Left column text continues here.", Location(section=s2, page=2), (3, 1)),
        ("paragraph", "Right column text also continues.", Location(section=s2, page=2), (3, 18)),
        ("paragraph", "Offer support.", Location(section=s2, page=2), (5, 1)),
        ("paragraph", "Record the visit.", Location(section=s2, page=2), (5, 16)),
    ]


def test_pdf_each_piece_maps_to_its_own_page_line(tmp_path: Path) -> None:
    doc = read_document(fb.build_pdf(tmp_path))
    para = doc.blocks[1]
    words = dict(word_positions(para))
    assert words["failed"] == (2, 13) and words["to"] == (2, 20)  # "Clients who failed to"
    assert words["attend"] == (3, 1)  # next PDF line
    # "non-com-" (line 3) + "pliant" (line 4): joined, hyphen dropped, pieces keep their lines
    start = para.text.index("non-compliant")
    assert para.position(start) == (3, 18)
    assert para.position(start + len("non-com")) == (4, 1)
    assert para.end_position(start + len("non-compliant")) == (4, 7)
    right = doc.blocks[8]
    assert dict(word_positions(right))["also"] == (4, 17)  # "continues here." + space = 16 columns before


def test_pdf_running_headers_and_footers_are_dropped(tmp_path: Path) -> None:
    doc = read_document(fb.build_pdf_chrome(tmp_path, pages=4))
    assert [(b.text, b.location.page, b.position(0)) for b in doc.blocks] == [
        (f"Body text on page {n}.", n, (2, 1)) for n in range(1, 5)
    ]


def test_pdf_owner_password_only_is_read(tmp_path: Path) -> None:
    doc = read_document(fb.build_pdf_encrypted(tmp_path, user_password=""))
    assert [b.text for b in doc.blocks] == ["Confidential policy text."]


# --------------------------------------------------------------------- HTML

HTML = """<!DOCTYPE html>
<html><head><title>Policy</title><style>p{color:red}</style></head>
<body>
<nav><a href="/">Home</a> | <a href="/x">Offenders</a></nav>
<header>Site header</header>
<h1>3 Procedure</h1>
<h2>3.2 Missed&nbsp;appointments</h2>
<p>Clients who <em>fail to</em>
   attend AT&amp;T &#8220;twice&#x201D; will be <b>non</b>-compliant.</p>
<div>Loose div text<p>inner para</p>tail text</div>
<ul><li>one<li>two</ul>
<table><tr><th>Head</th><td>cell two</td></tr><tr><td>r2c1<td>r2c2</table>
<pre>code here</pre><p>Use <code>x = 1</code> now</p>
<script>var a = "<p>no</p>";</script>
<div role="navigation">Skip me</div><aside>Aside</aside><noscript>No JS</noscript>
<template><p>Template</p></template>
<footer>Footer</footer>
</body></html>
"""


def test_html_blocks_sections_and_exact_positions(tmp_path: Path) -> None:
    path = tmp_path / "policy.html"
    path.write_text(HTML, encoding="utf-8")
    doc = read_document(path)
    assert doc.format == "html" and doc.source == HTML
    p, m = ("3 Procedure",), ("3 Procedure", "3.2 Missed appointments")
    assert summary(doc) == [
        ("heading", "3 Procedure", Location(section=p), (6, 5)),
        ("heading", "3.2 Missed appointments", Location(section=m), (7, 5)),
        ("paragraph", "Clients who fail to attend AT&T \u201ctwice\u201d will be non-compliant.", Location(section=m), (8, 4)),
        ("paragraph", "Loose div text", Location(section=m), (10, 6)),
        ("paragraph", "inner para", Location(section=m), (10, 23)),
        ("paragraph", "tail text", Location(section=m), (10, 37)),
        ("list_item", "one", Location(section=m), (11, 9)),
        ("list_item", "two", Location(section=m), (11, 16)),
        ("table_cell", "Head", Location(section=m, table=1, row=1, cell=1), (12, 16)),
        ("table_cell", "cell two", Location(section=m, table=1, row=1, cell=2), (12, 29)),
        ("table_cell", "r2c1", Location(section=m, table=1, row=2, cell=1), (12, 55)),
        ("table_cell", "r2c2", Location(section=m, table=1, row=2, cell=2), (12, 63)),
        ("paragraph", "Use now", Location(section=m), (13, 24)),
    ]
    para = doc.blocks[2]
    assert dict(word_positions(para)) == {
        "Clients": (8, 4), "who": (8, 12), "fail": (8, 20), "to": (8, 25), "attend": (9, 4),
        "AT&T": (9, 11), "\u201ctwice\u201d": (9, 20), "will": (9, 41), "be": (9, 46),
        "non-compliant.": (9, 52),
    }
    start = para.text.index("AT&T")
    assert [para.position(start + i) for i in range(4)] == [(9, 11), (9, 12), (9, 13), (9, 18)]
    assert doc.blocks[-1].position(4) == (13, 47)  # "now" after the skipped <code>
    assert_source_exact(doc, entity_ok=True)


def test_html_crlf_and_entities_in_headings(tmp_path: Path) -> None:
    source = "<h1>A &amp; B</h1>\r\n<p>first\r\n  second</p>\r\n<h2>C</h2><p>x</p>"
    path = tmp_path / "crlf.htm"
    path.write_bytes(source.encode("utf-8"))
    doc = read_document(path)
    assert doc.newline == "\r\n"
    assert summary(doc) == [
        ("heading", "A & B", Location(section=("A & B",)), (1, 5)),
        ("paragraph", "first second", Location(section=("A & B",)), (2, 4)),
        ("heading", "C", Location(section=("A & B", "C")), (4, 5)),
        ("paragraph", "x", Location(section=("A & B", "C")), (4, 14)),
    ]
    assert doc.blocks[1].position(6) == (3, 3)
    assert_source_exact(doc, entity_ok=True)


def test_html_nested_blocks_take_the_container_kind(tmp_path: Path) -> None:
    path = tmp_path / "nested.html"
    path.write_text(
        "<ul><li><p>Item para</p></li></ul>\n"
        "<table><tr><td><p>Cell para</p><p>second</p></td></tr></table>\n"
        "<blockquote><p>Quoted</p></blockquote><div><p>Plain</p></div>\n"
        "<nav><table><tr><td>Menu</td></tr></table></nav><title>T</title>\n"
        "<table><tr><td>Cell one</td></tr><tr><td>Cell two</td></tr></table>\n"
        "<p hidden>Hidden</p><p aria-hidden=\"true\">Also hidden</p><p>Shown<br>after break</p>\n"
    )
    doc = read_document(path)
    assert summary(doc) == [
        ("list_item", "Item para", Location(), (1, 12)),
        ("table_cell", "Cell para", Location(table=1, row=1, cell=1), (2, 19)),
        ("table_cell", "second", Location(table=1, row=1, cell=1), (2, 35)),
        ("quote", "Quoted", Location(), (3, 16)),
        ("paragraph", "Plain", Location(), (3, 47)),
        ("table_cell", "Cell one", Location(table=2, row=1, cell=1), (5, 16)),
        ("table_cell", "Cell two", Location(table=2, row=2, cell=1), (5, 42)),
        ("paragraph", "Shown after break", Location(), (6, 61)),
    ]
    assert_source_exact(doc)


def test_urls_are_not_prose(tmp_path: Path) -> None:
    import docx

    html = tmp_path / "links.html"
    html.write_text("<p>See www.example.org/help or mail help@example.org now</p>")
    blocks = read_document(html).blocks
    assert [(b.text, b.position(4)) for b in blocks] == [("See or mail now", (1, 29))]
    d = docx.Document()
    d.add_paragraph("https://example.org/policy")
    d.add_paragraph("Read https://example.org/x first.")
    path = tmp_path / "links.docx"
    d.save(str(path))
    assert [(b.text, b.location.paragraph, b.position(5)) for b in read_document(path).blocks] == [
        ("Read first.", 2, (2, 28))
    ]


def test_html_cp1252_is_read(tmp_path: Path) -> None:
    path = tmp_path / "legacy.html"
    path.write_bytes("<p>Service user\u2019s caf\u00e9 \u2013 ok</p>".encode("cp1252"))
    doc = read_document(path)
    assert doc.encoding == "cp1252"
    assert [b.text for b in doc.blocks] == ["Service user\u2019s caf\u00e9 \u2013 ok"]
    assert_source_exact(doc)


# ---------------------------------------------------------------------- RST

RST = """=====
Title
=====

Intro para that
spans two lines with *emphasis* and ``code``.

Section A
---------

- item one
  continues here

.. note::

   A note body.

.. code-block:: python

   x = 1

Literal::

   literal text

A link to `site <https://x.org>`_ and :ref:`label <target>` here.

+-------+-------+
| Yes   | Yes   |
+-------+-------+

.. toctree::

   hidden
"""


def test_rst_prose_only_with_exact_positions(tmp_path: Path) -> None:
    path = tmp_path / "policy.rst"
    path.write_text(RST, encoding="utf-8")
    doc = read_document(path)
    t, a = ("Title",), ("Title", "Section A")
    assert summary(doc) == [
        ("heading", "Title", Location(section=t), (2, 1)),
        ("paragraph", "Intro para that spans two lines with emphasis and .", Location(section=t), (5, 1)),
        ("heading", "Section A", Location(section=a), (8, 1)),
        ("list_item", "item one continues here", Location(section=a), (11, 3)),
        ("paragraph", "A note body.", Location(section=a), (16, 4)),
        ("paragraph", "Literal:", Location(section=a), (22, 1)),
        ("paragraph", "A link to site and label here.", Location(section=a), (26, 1)),
        ("table_cell", "Yes", Location(section=a), (29, 3)),
        ("table_cell", "Yes", Location(section=a), (29, 11)),
    ]
    assert doc.blocks[3].position(len("item one ")) == (12, 3)
    assert_source_exact(doc)


# ------------------------------------------------------------ text encodings


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "cp1252", "utf-8-sig"])
def test_text_encodings_are_read(tmp_path: Path, encoding: str) -> None:
    text = "Caf\u00e9 staff \u2013 don\u2019t blame.\n\nSecond para.\n"
    path = tmp_path / "note.md"
    path.write_bytes(text.encode(encoding))
    doc = read_document(path)
    assert [b.text for b in doc.blocks] == ["Caf\u00e9 staff \u2013 don\u2019t blame.", "Second para."]
    assert doc.blocks[1].position(0) == (3, 1)


def test_pdf_long_document_findings_keep_their_page_and_line(tmp_path: Path) -> None:
    """A handbook-like PDF (running header and footer on every page): each finding
    names the page and the visual line it is on, counted as a person counts them."""
    from tilint.linter import Linter

    path, expected = fb.build_pdf_handbook(tmp_path, pages=12, every=5)
    result = Linter().lint_file(path)
    assert not result.errors
    assert [(f.rule_id, f.location["page"], f.line, f.column, f.match) for f in result.findings] == [
        ("BL001", page, line, 14, "fail to attend") for page, line in expected
    ]
    assert [page for page, _ in expected] == [5, 10]
