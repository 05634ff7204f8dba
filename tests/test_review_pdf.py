"""PDF review: highlights on exactly the matched words, a summary note, re-runs, bad input."""

from __future__ import annotations

import pypdf
import pytest

import tilint
from tilint.readers.pdf import read_layout
from tilint.review import ReviewError, review_pdf

fpdf = pytest.importorskip("fpdf")

TEXT = (
    "Patients who fail to attend twice will be discharged. Addicts are not welcome in the waiting room, "
    "and staff should note any no-shows in the record so that the team can follow up with a call."
)


def build_pdf(path, *, second_page: bool = True):
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=16)
    pdf.cell(0, 10, "Missed appointments", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, TEXT)
    if second_page:
        pdf.add_page()
        pdf.multi_cell(0, 6, "Her brother committed suicide last year. We recognise that many of the people we support have lived through trauma.")
    pdf.output(str(path))
    return path


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdf")
    src = build_pdf(folder / "policy.pdf")
    out = folder / "policy.reviewed.pdf"
    return src, out, review_pdf(src, out)


def _annotations(path):
    reader = pypdf.PdfReader(str(path))
    out = []
    for number, page in enumerate(reader.pages, start=1):
        for ref in page.get("/Annots") or []:
            a = ref.get_object()
            out.append((number, a))
    return out


def _chars(path, page_no, word_text):
    """pdfplumber's boxes of the characters of ``word_text`` (first occurrence) in PDF space."""
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        page = pdf.pages[page_no - 1]
        words = page.extract_words()
        parts = word_text.split()
        for i in range(len(words)):
            if [w["text"].strip(".,") for w in words[i : i + len(parts)]] == parts:
                ws = words[i : i + len(parts)]
                return [(w["x0"], page.height - w["bottom"], w["x1"], page.height - w["top"]) for w in ws]
    raise AssertionError(word_text)


def test_each_finding_is_highlighted_with_a_note(reviewed):
    src, out, result = reviewed
    expected = sorted((f.location["page"], f.rule_id, f.match) for r in tilint.lint_paths([src]) for f in r.findings)
    assert [(p, r) for p, r, _ in expected] == [(1, "BL001"), (1, "BL002"), (1, "SU001"), (2, "SH001")]
    marks = [(page, a) for page, a in _annotations(out) if a["/Subtype"] == "/Highlight"]
    got = sorted((page, str(a["/Contents"]).rsplit("\n", 1)[-1].split(" · ")[1].split()[0], str(a["/T"])) for page, a in marks)
    assert got == [(p, r, "tilint") for p, r, _ in expected]
    for _, a in marks:  # every highlight has its popup
        assert a["/Popup"].get_object()["/Subtype"] == "/Popup"
        assert a["/Popup"].get_object()["/Parent"].get_object() == a
    assert len(result.findings) == 4 and result.unplaced == []


def test_highlight_rectangles_cover_the_words(reviewed):
    src, out, _ = reviewed
    marks = {str(a["/Contents"]).split("'")[1]: (page, a) for page, a in _annotations(out) if a["/Subtype"] == "/Highlight"}
    for words in ("fail to attend", "Addicts", "no-shows", "committed suicide"):
        page, a = marks[words]
        x0, y0, x1, y1 = (float(v) for v in a["/Rect"])
        boxes = _chars(src, page, words)
        # the highlight covers every word's box and little more (not the neighbours)
        assert x0 <= min(b[0] for b in boxes) + 0.01 and x1 >= max(b[2] for b in boxes) - 0.01
        assert y0 <= min(b[1] for b in boxes) + 0.5 and y1 >= max(b[3] for b in boxes) - 0.5
        assert x1 - x0 <= (max(b[2] for b in boxes) - min(b[0] for b in boxes)) + 1.0
        quads = [float(v) for v in a["/QuadPoints"]]
        assert len(quads) == 8  # each match sits on one line


def test_match_over_two_lines_gets_one_quad_per_line(tmp_path):
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.cell(0, 6, "Clients who fail to", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, "attend are discharged.", new_x="LMARGIN", new_y="NEXT")
    src = tmp_path / "two.pdf"
    pdf.output(str(src))
    review_pdf(src, tmp_path / "two.reviewed.pdf")
    [mark] = [a for _, a in _annotations(tmp_path / "two.reviewed.pdf") if a["/Subtype"] == "/Highlight"]
    quads = [float(v) for v in mark["/QuadPoints"]]
    assert len(quads) == 16
    first_top, second_top = quads[1], quads[9]
    assert first_top > second_top  # the second quad is the next line down


def test_media_box_with_an_origin_elsewhere(reviewed, tmp_path):
    """Highlights are in user space: moving the media box's origin does not move them."""
    from pypdf.generic import RectangleObject

    src, out, _ = reviewed
    writer = pypdf.PdfWriter(clone_from=str(src))
    for page in writer.pages:
        box = page.mediabox
        page.mediabox = RectangleObject((box.left + 50, box.bottom + 100, box.right + 50, box.top + 100))
    with open(tmp_path / "moved.pdf", "wb") as fh:
        writer.write(fh)
    review_pdf(tmp_path / "moved.pdf", tmp_path / "moved.reviewed.pdf")

    def rects(path):
        return sorted((p, [round(float(v), 2) for v in a["/Rect"]]) for p, a in _annotations(path) if a["/Subtype"] == "/Highlight")

    assert rects(tmp_path / "moved.reviewed.pdf") == rects(out)


def test_summary_note_on_page_one(reviewed):
    _, out, result = reviewed
    notes = [(page, a) for page, a in _annotations(out) if a["/Subtype"] == "/Text"]
    assert len(notes) == 1 and notes[0][0] == 1
    text = str(notes[0][1]["/Contents"])
    assert text.startswith("tilint found 4 wording issues (4 warnings)")
    for p in result.coverage.principles:
        assert f"• {p.name}: {p.status}" in text


def test_page_content_is_unchanged(reviewed):
    src, out, _ = reviewed
    a, b = pypdf.PdfReader(str(src)), pypdf.PdfReader(str(out))
    assert [p.extract_text() for p in a.pages] == [p.extract_text() for p in b.pages]
    assert [p.get_contents().get_data() for p in a.pages] == [p.get_contents().get_data() for p in b.pages]


def test_rerun_replaces_own_notes_and_keeps_others(reviewed, tmp_path):
    from pypdf.annotations import Text
    from pypdf.generic import NameObject, TextStringObject

    _, out, _ = reviewed
    writer = pypdf.PdfWriter(clone_from=str(out))
    person = Text(rect=(300, 300, 320, 320), text="Check with legal")
    person[NameObject("/T")] = TextStringObject("Sam Writer")
    writer.add_annotation(0, person)
    with open(tmp_path / "with-person.pdf", "wb") as fh:
        writer.write(fh)
    review_pdf(tmp_path / "with-person.pdf", tmp_path / "again.pdf")
    before = sorted((p, str(a["/Subtype"]), str(a.get("/Contents", ""))) for p, a in _annotations(out))
    after = sorted((p, str(a["/Subtype"]), str(a.get("/Contents", ""))) for p, a in _annotations(tmp_path / "again.pdf"))
    assert after == sorted(before + [(1, "/Text", "Check with legal")])


def test_layout_boxes_line_up_with_the_text(reviewed):
    src, _, _ = reviewed
    doc, pages, frames = read_layout(src, src.read_bytes())
    assert len(frames) == len(pages) == 2
    for line in pages[0]:
        assert len(line.boxes) == len(line.text)
        assert all((box is None) == ch.isspace() for ch, box in zip(line.text, line.boxes))


def test_scanned_pdf_gets_the_check_message(run_cli, tmp_path):
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 50)
    pdf.output(str(tmp_path / "scan.pdf"))
    res = run_cli("review", "scan.pdf", cwd=tmp_path)
    assert res.code == 2
    assert res.err == "scan.pdf: error: no text layer (scanned pages?); run OCR first, e.g. ocrmypdf\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scan.pdf"]


def test_truncated_pdf_is_one_line(tmp_path):
    src = build_pdf(tmp_path / "p.pdf")
    (tmp_path / "cut.pdf").write_bytes(src.read_bytes()[:300])
    with pytest.raises(ReviewError, match="^damaged PDF: truncated"):
        review_pdf(tmp_path / "cut.pdf")
    assert not (tmp_path / "cut.reviewed.pdf").exists()


def test_pdf_with_an_owner_password_is_checked_but_not_reviewed(run_cli, tmp_path):
    """A copy written without the protection would silently drop the owner's restrictions."""
    writer = pypdf.PdfWriter(clone_from=str(build_pdf(tmp_path / "plain.pdf", second_page=False)))
    writer.encrypt(user_password="", owner_password="owner", permissions_flag=0)
    with open(tmp_path / "locked.pdf", "wb") as fh:
        writer.write(fh)
    [lint] = tilint.lint_paths([tmp_path / "locked.pdf"])
    assert lint.errors == [] and sorted(f.rule_id for f in lint.findings) == ["BL001", "BL002", "PU008", "SU001"]
    res = run_cli("review", "locked.pdf", "plain.pdf", cwd=tmp_path)
    assert res.code == 2
    assert res.err == (
        "locked.pdf: error: encrypted PDF: tilint cannot keep its protection on a reviewed copy; remove the protection first\n"
    )
    assert res.out == "plain.pdf -> plain.reviewed.pdf: 4 findings\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["locked.pdf", "plain.pdf", "plain.reviewed.pdf"]
