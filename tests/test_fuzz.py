"""Property-based fuzzing of every reader: whatever the bytes, ``read_document`` returns a
Document or raises ReadError with one line, never another exception and never a hang.

Inputs are structured: Markdown, HTML, reStructuredText and text are built from the
constructs their parsers treat specially; Word and OpenDocument files are real packages
with a mutated XML part or mutated zip bytes; PDFs are a small fpdf2 file with mutated
bytes. In ``make test`` each target runs a few derandomized examples; ``make fuzz`` sets
``FUZZ_SECONDS`` (the whole run, shared by the targets) and runs them until it is spent,
printing how many inputs each target ran.

A text format's reader owns its parser, so for those an error must be one the reader
foresaw: the generic "could not read ... (SomeError: ...)" line means a crash it did not.
"""

from __future__ import annotations

import io
import os
import re
import time
import zipfile
from collections import Counter
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tilint.document import Document
from tilint.readers import ReadError, read_document
from tilint.readers.html import parse_html

FUZZ_SECONDS = float(os.environ.get("FUZZ_SECONDS", "0"))
TARGETS = ("md", "html", "rst", "txt", "docx", "odt", "pdf")
RAN: dict[str, int] = dict.fromkeys(TARGETS, 0)
ERRORS: dict[str, Counter] = {t: Counter() for t in TARGETS}  # kinds of ReadError seen, for the report

# a brief derandomized run in `make test`; hypothesis's own random search in `make fuzz`
BRIEF = settings(max_examples=15, deadline=timedelta(seconds=30), derandomize=True, database=None,
                 suppress_health_check=list(HealthCheck))
LONG = settings(max_examples=200, deadline=timedelta(seconds=20), database=None, suppress_health_check=list(HealthCheck))


def check(data: bytes, suffix: str, tmp: Path) -> None:
    """The property: a Document, or one foreseen line of ReadError."""
    RAN[suffix] += 1
    path = tmp / f"fuzzed.{suffix}"
    path.write_bytes(data)
    try:
        doc = read_document(path)
    except ReadError as exc:
        message = str(exc)
        ERRORS[suffix][re.sub(r"[\d,.]+|'[^']*'|\(.*", "#", message)[:60]] += 1
        assert message and "\n" not in message, repr(message)
        if suffix in ("md", "html", "rst", "txt"):
            assert not message.startswith("could not read "), message
        return
    assert isinstance(doc, Document)
    for block in doc.blocks:  # every block maps back to a place in the file
        block.position(0)
        block.end_position(len(block.text))


# -- text formats ----------------------------------------------------------------------------

_WORDS = st.sampled_from(["Staff", "will", "offer", "choice", "patients", "who", "fail", "to", "attend", "é", "—", "ß", "😀", "\u200b", "\u00a0", "x"])
_SPACE = st.sampled_from([" ", "\n", "\n\n", "\r\n", "\r", "\t", "  ", "\f", "\v", "\x85", "\u2028"])


def _doc(pieces) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(_WORDS, _SPACE, st.sampled_from(pieces), st.text(max_size=8)), max_size=120).map("".join)


MARKDOWN = _doc([
    "# ", "## ", "###### ", "=====\n", "-----\n", "- ", "* ", "+ ", "1. ", "1) ", "> ", ">> ", "- [ ] ", "    ",
    "```", "~~~", "`", "``", "*", "**", "_", "~~", "[", "]", "](http://x.y/z \"t\")", "][ref]", "[^1]", "[ref]: /u",
    "![", "<!--", "-->", "<!-- tilint-disable -->", "<div>", "</div>", "<span x='", "<https://a.b>", "a@b.co",
    "&amp;", "&#x1F600;", "\\", "|", "| a | b |\n|---|---|\n", "|-|", "---\ntitle: x\n---\n", "<", ">",
])
HTML = _doc([
    "<p>", "</p>", "<div>", "</div>", "<span>", "</span>", "<h1>", "</h1>", "<li>", "<ul>", "<ol>", "<table>",
    "<tr>", "<td>", "</td>", "<th>", "<br>", "<br/>", "<script>", "</script>", "<style>", "</style>", "<pre>",
    "<!--", "-->", "<![CDATA[", "]]>", "<!DOCTYPE html>", "<?xml?>", "&amp;", "&#", "&#x110000;", "&nbsp;", "<a href='",
    "'>", "\"", "<", ">", "</", "<img alt=\"x\">", "<template>", "<noscript>", "<title>", "<svg><text>", "<math>",
])
RST = _doc([
    "Title\n=====\n", "=====\n", "-----\n", "~~~~~\n", ".. note::", ".. warning::\n\n   ", ".. code-block:: python\n\n   ",
    "::\n\n   ", "* ", "- ", "#. ", "1. ", "   ", "`", "``", "`x <http://a.b>`_", "_`", "|sub|", ".. |sub| replace:: x\n",
    ".. include:: /etc/passwd\n", ".. raw:: html\n\n   <b>", ":ref:`x`", ":unknown:`x`", "[#]_", ".. [#] note\n",
    "+---+---+\n| a | b |\n+---+---+\n", "===  ===\n a    b\n===  ===\n", ".. ", "..\n", ":field: v\n", "| line\n",
    ".. tilint: disable\n", "*", "**", "\\", "..  _target:\n", ".. csv-table::\n\n   a, b\n",
])


@st.composite
def _encoded(draw, text_strategy) -> bytes:
    text = draw(text_strategy)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252"]))
    data = text.encode(encoding, errors="replace")
    return draw(st.one_of(st.just(data), _mutated(data)))


@st.composite
def _mutated(draw, data: bytes) -> bytes:
    """``data`` with a few byte-level edits: flips, inserts, deletions, duplication, truncation."""
    buf = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(buf)))
        kind = draw(st.sampled_from(["flip", "insert", "delete", "repeat", "truncate"]))
        if kind == "flip" and at < len(buf):
            buf[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            buf[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            del buf[at : at + draw(st.integers(1, 64))]
        elif kind == "repeat":
            piece = buf[at : at + draw(st.integers(1, 64))]
            buf[at:at] = piece * draw(st.integers(1, 8))
        elif kind == "truncate":
            del buf[at:]
    return bytes(buf)


# -- containers: a real package with one part mutated -------------------------------------------


@lru_cache(maxsize=None)
def _seed(kind: str) -> bytes:
    out = io.BytesIO()
    if kind == "docx":
        import docx

        d = docx.Document()
        d.add_heading("Attendance policy", 1)
        d.add_paragraph("Patients who fail to attend will be contacted.")
        table = d.add_table(rows=1, cols=2)
        table.cell(0, 0).text = "Staff offer choice."
        d.add_paragraph("Second paragraph.", style="List Bullet")
        d.save(out)
    elif kind == "odt":
        from odf.opendocument import OpenDocumentText
        from odf.text import H, P

        d = OpenDocumentText()
        d.text.addElement(H(outlinelevel=1, text="Attendance policy"))
        d.text.addElement(P(text="Patients who fail to attend will be contacted."))
        d.write(out)
    else:
        from fpdf import FPDF

        pdf = FPDF()
        pdf.set_compression(False)  # object streams as text, so mutations hit structure
        pdf.add_page()
        pdf.set_font("helvetica", size=12)
        pdf.multi_cell(0, 8, "Attendance policy. Patients who fail to attend will be contacted. Staff offer choice.")
        pdf.add_page()
        pdf.cell(0, 8, "Second page.")
        out.write(bytes(pdf.output()))
    return out.getvalue()


_XML_PIECES = [
    b"<", b">", b"</", b"/>", b"<w:p>", b"</w:p>", b"<w:t>x</w:t>", b"<w:tbl><w:tr><w:tc>", b"<text:p>", b"</text:p>",
    b"<text:h text:outline-level=\"99\">", b"<!DOCTYPE x [<!ENTITY e \"x\">]>", b"&e;", b"&amp;", b"&#0;", b"<![CDATA[",
    b"xmlns:w=\"urn:x\"", b"\"", b"<?xml version=\"1.0\"?>", b"\xff\xfe", b"\x00",
]


@st.composite
def _package(draw, kind: str) -> bytes:
    seed = _seed(kind)
    if draw(st.booleans()):  # mutate the zip bytes themselves
        return draw(_mutated(seed))
    with zipfile.ZipFile(io.BytesIO(seed)) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    name = draw(st.sampled_from(sorted(members)))
    part = bytearray(members[name])
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(0, len(part)))
        action = draw(st.sampled_from(["insert", "delete", "repeat"]))
        if action == "insert":
            part[at:at] = draw(st.sampled_from(_XML_PIECES))
        elif action == "delete":
            del part[at : at + draw(st.integers(1, 200))]
        else:
            piece = part[at : at + draw(st.integers(1, 200))]
            part[at:at] = piece * draw(st.integers(2, 20))
    members[name] = bytes(part)
    if draw(st.booleans()):
        del members[draw(st.sampled_from(sorted(members)))]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for member, content in members.items():
            z.writestr(member, content)
    return out.getvalue()


STRATEGIES = {
    "md": _encoded(MARKDOWN),
    "html": _encoded(HTML),
    "rst": _encoded(RST),
    "txt": st.one_of(_encoded(st.text(max_size=300)), st.binary(max_size=300)),
    "docx": _package("docx"),
    "odt": _package("odt"),
    "pdf": st.builds(lambda: _seed("pdf")).flatmap(_mutated),
}


@pytest.mark.parametrize("suffix", TARGETS)
def test_every_reader_returns_a_document_or_one_line(suffix: str, tmp_path: Path):
    prop = given(data=STRATEGIES[suffix])(lambda data: check(data, suffix, tmp_path))
    if not FUZZ_SECONDS:
        BRIEF(prop)()
        return
    run, end = LONG(prop), time.monotonic() + FUZZ_SECONDS / len(TARGETS)
    while time.monotonic() < end:  # fresh random examples each round until this target's share is spent
        run()
    kinds = ", ".join(f"{n:,}x {k!r}" for k, n in ERRORS[suffix].most_common(4))
    print(f"\nfuzz {suffix}: {RAN[suffix]:,} inputs in {FUZZ_SECONDS / len(TARGETS):.0f} s, no failure; "
          f"{RAN[suffix] - sum(ERRORS[suffix].values()):,} read, most common errors: {kinds}")


# -- crashes the long run found, kept as regression tests ---------------------------------------


def test_a_zip_member_name_with_a_line_break_stays_on_one_line(tmp_path: Path):
    # found by `make fuzz`: a central directory naming "\nimetype" (a mutated "mimetype")
    # put a line break, and so a forged second line, into the error message
    seed = bytearray(_seed("odt"))
    central = seed.find(b"PK\x01\x02")
    at = seed.find(b"mimetype", central)
    seed[at : at + 1] = b"\n"
    path = tmp_path / "forged.odt"
    path.write_bytes(bytes(seed))
    with pytest.raises(ReadError) as err:
        read_document(path)
    assert str(err.value) == "damaged OpenDocument file: cannot extract \\nimetype"
    assert ReadError("a\x1b[31mred\r\nforged").args[0] == "a\\x1b[31mred\\r\\nforged"


def test_a_page_tree_that_counts_a_missing_page_names_the_page(tmp_path: Path):
    # found by fuzzing: "/Count 2" with one kid gave "PdfiumError: Failed to load page."
    seed = _seed("pdf")
    path = tmp_path / "short.pdf"
    path.write_bytes(seed.replace(b"/Kids [3 0 R\n5 0 R]", b"/Kids [3 0 R\n]", 1))
    with pytest.raises(ReadError) as err:
        read_document(path)
    assert str(err.value) == "damaged PDF: page 2 cannot be loaded"


@pytest.mark.parametrize(
    ("source", "texts"),
    [
        ("Staff<![C\x00ATA[<p>", ["Staff"]),  # found by `make fuzz` (UTF-16 with a BOM)
        ("<p>Staff<![x[ hidden ]]> offer a choice.</p>", ["Staff offer a choice."]),
        ("<p>Staff<![CDATA[ dropped ]]> offer a choice.</p>", ["Staff offer a choice."]),
    ],
)
def test_a_marked_section_the_standard_library_does_not_know_is_a_bogus_comment(source: str, texts: list[str]):
    # Python's html.parser raised AssertionError on "<![x[" before 3.13.4; HTML reads it
    # as a comment up to the next ">"
    assert [block.text for block in parse_html(source)] == texts
