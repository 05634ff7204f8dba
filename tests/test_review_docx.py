"""Word review: comments on exactly the matched words, tracked fixes, summary, re-runs.

The fixture is built here with python-docx: findings at the start, middle and end
of runs, across runs with different formatting, two in one run, inside a hyperlink,
in a nested table and in the page header, next to a comment a person wrote.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from lxml import etree

import tilint
from tilint.config import Config
from tilint.fix import plan_fixes
from tilint.review import ReviewError, review_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
PERSON = "Sam Writer"

# paragraph texts of the body, in order (table cells included), as the fixture writes them
BODY = [
    "Missed appointments",
    "Addicts and no-shows lose their place.",  # two findings in one run; the first at the run's start
    "Patients who fail to attend twice are discharged.",  # in the middle of a run
    "Her brother committed suicide",  # at the end of a run (a formatted run follows)
    " in 2019.",
    "Meals are served to the homeless every day.",  # across an italic and a bold run
    "Read how we talk about people who committed suicide in our leaflet.",  # inside a hyperlink
    "Outer cell",
    "Residents who are non-compliant must leave.",  # nested table
    "We recognise that many of the people we support have lived through trauma.",
]


def _hyperlink(paragraph, text: str, url: str) -> None:
    rid = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    paragraph._p.append(parse_xml(
        f'<w:hyperlink {W_NS} {R_NS} r:id="{rid}"><w:r><w:rPr><w:u w:val="single"/></w:rPr>'
        f'<w:t xml:space="preserve">{text}</w:t></w:r></w:hyperlink>'))


def build_policy(path: Path) -> Path:
    doc = docx.Document()
    doc.sections[0].header.paragraphs[0].text = "Clients who fail to attend are discharged."
    doc.add_heading("Missed appointments", level=1)
    doc.add_paragraph("Addicts and no-shows lose their place.")
    doc.add_paragraph("Patients who fail to attend twice are discharged.")
    p = doc.add_paragraph("Her brother committed suicide")
    p.add_run(" in 2019.").italic = True
    p = doc.add_paragraph("Meals are served to ")
    p.add_run("the ").italic = True
    p.add_run("homeless").bold = True
    p.add_run(" every day.")
    p = doc.add_paragraph("Read ")
    _hyperlink(p, "how we talk about people who committed suicide", "https://example.org/leaflet")
    p.add_run(" in our leaflet.")
    outer = doc.add_table(rows=1, cols=1)
    cell = outer.cell(0, 0)
    cell.paragraphs[0].text = "Outer cell"
    inner = cell.add_table(rows=1, cols=1)
    inner.cell(0, 0).paragraphs[0].text = "Residents who are non-compliant must leave."
    p = doc.add_paragraph("We recognise that many of the people we support have lived through trauma.")
    doc.add_comment(p.runs, text="Can we say more here?", author=PERSON, initials="SW")
    doc.save(str(path))
    return path


# ----------------------------------------------------------------------------- reading XML


def _parts(path: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(path) as zf:
        return {n: etree.fromstring(zf.read(n)) for n in zf.namelist() if n.startswith("word/") and n.endswith(".xml")}


def _comments(parts: dict) -> dict[str, tuple[str, str]]:
    """comment id -> (author, text)"""
    root = parts.get("word/comments.xml")
    if root is None:
        return {}
    out = {}
    for c in root.iter(W + "comment"):
        text = "\n".join("".join(p.itertext()) for p in c.iter(W + "p"))
        out[c.get(W + "id")] = (c.get(W + "author"), text)
    return out


def _anchored(root) -> dict[str, str]:
    """comment id -> the visible text between its range markers (deleted text left out)."""
    open_ids: dict[str, list[str]] = {}
    done = {}
    for el in root.iter(W + "commentRangeStart", W + "commentRangeEnd", W + "t"):
        if el.tag == W + "commentRangeStart":
            open_ids[el.get(W + "id")] = []
        elif el.tag == W + "commentRangeEnd":
            done[el.get(W + "id")] = "".join(open_ids.pop(el.get(W + "id")))
        else:
            for parts in open_ids.values():
                parts.append(el.text or "")
    return done


def _rule_of(text: str) -> str:
    return text.rsplit("\n", 1)[-1].split(" · ")[1].split()[0]


def _strip(root, *, accept: bool = False):
    """A copy without comments; tracked changes rejected (or accepted); same-formatted runs merged."""
    root = copy.deepcopy(root)
    for el in list(root.iter(W + "commentRangeStart", W + "commentRangeEnd")):
        el.getparent().remove(el)
    for ref in list(root.iter(W + "commentReference")):
        ref.getparent().getparent().remove(ref.getparent())
    drop, keep = (W + "del", W + "ins") if accept else (W + "ins", W + "del")
    for el in list(root.iter(drop)):
        if el.getparent().tag != W + "rPr":
            el.getparent().remove(el)
    for el in list(root.iter(keep)):
        if el.getparent().tag == W + "rPr":
            continue
        for t in el.iter(W + "delText"):
            t.tag = W + "t"
        for child in list(el):
            el.addprevious(child)
        el.getparent().remove(el)
    return root


def _paragraphs(root) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every paragraph as (pPr XML, [(rPr XML, text)]) with adjacent same-formatted sibling runs merged."""
    out = []
    for p in root.iter(W + "p"):
        ppr = p.find(W + "pPr")
        runs: list[tuple[object, str, str]] = []
        for r in p.iter(W + "r"):
            rpr = r.find(W + "rPr")
            key = etree.tostring(rpr) if rpr is not None else b""
            text = "".join(el.text or "" for el in r if el.tag == W + "t")
            if runs and runs[-1][0] is r.getparent() and runs[-1][1] == key:
                runs[-1] = (r.getparent(), key, runs[-1][2] + text)
            else:
                runs.append((r.getparent(), key, text))
        out.append((etree.tostring(ppr) if ppr is not None else b"", [(k, t) for _, k, t in runs]))
    return out


def _texts(root) -> list[str]:
    return ["".join(t.text or "" for t in p.iter(W + "t")) for p in root.iter(W + "p") if any(True for _ in p.iter(W + "t"))]


def _review_tracked(doc, folder: Path, name: str):
    """Save a python-docx document as ``name`` and review it with tracked changes: (input, output, result)."""
    src = folder / name
    doc.save(str(src))
    out = src.with_name(f"{src.stem}.reviewed.docx")
    return src, out, review_docx(src, out, track_changes=True)


def _field(paragraph, result: str, bold: bool = False) -> None:
    """Append a DOCPROPERTY field showing ``result`` to a paragraph."""
    props = "<w:rPr><w:b/></w:rPr>" if bold else ""
    for xml in (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
        '<w:r><w:instrText xml:space="preserve"> DOCPROPERTY audience </w:instrText></w:r>',
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>',
        f"<w:r>{props}<w:t>{result}</w:t></w:r>",
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
    ):
        paragraph._p.append(parse_xml(xml.replace("<w:r>", f"<w:r {W_NS}>", 1)))


@pytest.fixture(scope="module")
def policy(tmp_path_factory) -> Path:
    return build_policy(tmp_path_factory.mktemp("review") / "policy.docx")


@pytest.fixture(scope="module")
def reviewed(policy) -> tuple[Path, object]:
    out = policy.with_name("plain.reviewed.docx")
    return out, review_docx(policy, out)


# ------------------------------------------------------------------------------- comments


def test_fixture_text_is_what_the_reader_reads(policy):
    assert _texts(_parts(policy)["word/document.xml"])[: len(BODY)] == [
        "Missed appointments", BODY[1], BODY[2], BODY[3] + BODY[4], BODY[5], BODY[6], BODY[7], BODY[8], BODY[9]]


def test_each_finding_has_a_comment_on_exactly_its_words(policy, reviewed):
    out, result = reviewed
    checked = [f for r in tilint.lint_paths([policy]) for f in r.findings]
    # `check` reads the page header too; the review comments on it separately (Word has no comments there)
    assert [(f.rule_id, f.location.get("part")) for f in checked if f.location.get("part")] == [("BL001", "header 1")]
    expected = sorted((f.rule_id, f.match) for f in checked if not f.location.get("part"))
    assert expected == sorted([
        ("BL001", "fail to attend"), ("BL002", "no-shows"), ("BL009", "non-compliant"),
        ("LB001", "the homeless"), ("SH001", "committed suicide"), ("SH001", "committed suicide"),
        ("SU001", "Addicts"),
    ])
    parts = _parts(out)
    comments = _comments(parts)
    anchored = _anchored(parts["word/document.xml"])
    ours = {cid: text for cid, (author, text) in comments.items() if author == "tilint"}
    on_words = sorted((_rule_of(text), anchored[cid]) for cid, text in ours.items()
                      if not text.startswith(("Page header", "tilint found")))
    assert on_words == expected
    assert sorted(f.rule_id for f in result.findings) == sorted([r for r, _ in expected] + ["BL001"])  # + the header's
    assert result.unplaced == []


def test_comment_text_has_message_suggestions_and_source(reviewed):
    out, _ = reviewed
    texts = [t for a, t in _comments(_parts(out)).values() if a == "tilint" and "· SU001" in t]
    assert len(texts) == 1
    lines = texts[0].split("\n")
    assert lines[0] == "'Addicts' reduces a person to their drug or alcohol dependence."
    assert lines[1] == 'Try: "People who use drugs"; "People with a drug dependency"'  # fitted: the match opens the sentence
    assert lines[2].startswith("Source: ") and "http" in lines[2]
    assert lines[-1] == "tilint review · SU001 addict-label (warning)"


def test_summary_comment_on_the_first_paragraph_gives_each_principle(reviewed):
    out, result = reviewed
    parts = _parts(out)
    summary = [(cid, t) for cid, (a, t) in _comments(parts).items() if t.startswith("tilint found")]
    assert len(summary) == 1
    cid, text = summary[0]
    assert _anchored(parts["word/document.xml"])[cid] == "Missed appointments"
    assert text.startswith("tilint found 8 wording issues (")
    for p in result.coverage.principles:
        assert f"• {p.name}: {p.status}" in text
        if p.status == "missing":
            assert f"• {p.name}: missing. What to add: {p.suggestion}" in text
    guidance = [line for line in text.split("\n") if line.startswith("Guidance: ")]
    cited = {s.url for p in result.coverage.principles if p.status != "covered" for s in p.sources[:1]}
    assert len(guidance) == len(cited) >= 1 and all(any(u in g for g in guidance) for u in cited)  # each source once
    assert text.rsplit("\n", 1)[-1] == "tilint review · summary"


def test_header_finding_is_named_in_a_body_comment(reviewed):
    out, _ = reviewed
    header = [t for a, t in _comments(_parts(out)).values() if t.startswith("Page header")]
    assert len(header) == 1
    assert header[0].startswith('Page header: "fail to attend"\n')
    assert "· BL001 " in header[0]


def test_nothing_else_changes(policy, reviewed):
    out, _ = reviewed
    before, after = _parts(policy), _parts(out)
    for name in ("word/document.xml", "word/header1.xml"):
        assert _paragraphs(_strip(after[name])) == _paragraphs(_strip(before[name])), name
    # the person's comment is still there, on the same words
    people = [(cid, t) for cid, (a, t) in _comments(after).items() if a == PERSON]
    assert [t for _, t in people] == ["Can we say more here?"]
    assert _anchored(after["word/document.xml"])[people[0][0]] == BODY[-1]
    # every other part of the package is byte for byte the same
    with zipfile.ZipFile(policy) as a, zipfile.ZipFile(out) as b:
        assert set(b.namelist()) == set(a.namelist())  # the fixture has comments.xml already
        written = {"word/document.xml", "word/header1.xml", "word/comments.xml", "[Content_Types].xml", "word/_rels/document.xml.rels"}
        same = [n for n in a.namelist() if n not in written]
        assert len(same) >= 8 and all(a.read(n) == b.read(n) for n in same)
    # the reader sees the same text in the reviewed copy
    assert [b.text for b in tilint.linter.read_document(out).blocks] == [b.text for b in tilint.linter.read_document(policy).blocks]


def test_split_runs_keep_their_formatting(reviewed):
    out, _ = reviewed
    body = docx.Document(str(out))
    p = next(p for p in body.paragraphs if p.text.startswith("Her brother"))
    assert [(r.text, r.italic) for r in p.runs if r.text] == [("Her brother ", None), ("committed suicide", None), (" in 2019.", True)]
    p = next(p for p in body.paragraphs if p.text.startswith("Meals"))
    assert [(r.text, r.italic, r.bold) for r in p.runs if r.text] == [
        ("Meals are served to ", None, None), ("the ", True, None), ("homeless", None, True), (" every day.", None, None)]


def test_hyperlink_keeps_its_target_and_holds_the_comment(reviewed):
    out, _ = reviewed
    root = _parts(out)["word/document.xml"]
    link = next(root.iter(W + "hyperlink"))
    assert "".join(link.itertext()) == "how we talk about people who committed suicide"
    assert link.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
    assert any(True for _ in link.iter(W + "commentRangeStart"))
    assert all(r.find(W + "rPr/" + W + "u") is not None for r in link.iter(W + "r") if r.find(W + "t") is not None)


def test_ignored_rules_get_no_comment(policy, tmp_path):
    out = tmp_path / "ignored.docx"
    result = review_docx(policy, out, config=Config(ignore=("SH001",)))
    rules = {_rule_of(t) for a, t in _comments(_parts(out)).values() if a == "tilint" and not t.startswith("tilint found")}
    assert "SH001" not in rules and "SU001" in rules
    assert "SH001" not in {f.rule_id for f in result.findings}


# -------------------------------------------------------------------------- tracked changes


def test_tracked_changes_accept_gives_the_fix_and_reject_the_original(policy, tmp_path):
    out = tmp_path / "tracked.docx"
    result = review_docx(policy, out, track_changes=True)
    after = _parts(out)["word/document.xml"]
    before = _parts(policy)["word/document.xml"]
    assert result.changes == 5  # no-shows, the homeless, committed suicide twice, Addicts
    for el in after.iter(W + "ins", W + "del"):
        assert el.get(W + "author") == "tilint" and el.get(W + "date")
    revisions = [el.get(W + "id") for el in after.iter(W + "ins", W + "del")]
    assert len(set(revisions)) == 10 and not set(revisions) & set(_comments(_parts(out)))  # ids are unique
    # the --fix text of the same paragraphs
    txt = tmp_path / "same.txt"
    txt.write_text("\n\n".join(_texts(before)) + "\n", encoding="utf-8")
    [lint] = tilint.lint_paths([txt])
    fixed = plan_fixes(lint, 10**6).new_source.rstrip("\n").split("\n\n")
    assert _texts(_strip(after, accept=True)) == fixed
    assert "Meals are served to people experiencing homelessness every day." in fixed
    assert _paragraphs(_strip(after)) == _paragraphs(_strip(before))
    # each tracked change sits inside its comment's range
    for deleted in after.iter(W + "del"):
        assert deleted.getprevious().tag == W + "commentRangeStart"
        assert deleted.getnext().tag == W + "ins"
        assert deleted.getnext().getnext().tag == W + "commentRangeEnd"


def test_tracked_change_across_formatted_runs_keeps_first_formatting(policy, tmp_path):
    out = tmp_path / "tracked.docx"
    review_docx(policy, out, track_changes=True)
    root = _parts(out)["word/document.xml"]
    ins = [el for el in root.iter(W + "ins") if "".join(el.itertext()) == "people experiencing homelessness"]
    assert len(ins) == 1
    assert ins[0].find(f"{W}r/{W}rPr/{W}i") is not None
    deleted = ins[0].getprevious()
    assert deleted.tag == W + "del"
    assert ["".join(r.itertext()) for r in deleted.iter(W + "r")] == ["the ", "homeless"]


def test_header_fix_is_tracked_in_the_header(tmp_path):
    doc = docx.Document()
    doc.sections[0].header.paragraphs[0].text = "Support for the homeless"
    doc.add_paragraph("Our policy.")
    _, out, result = _review_tracked(doc, tmp_path, "h.docx")
    header = _parts(out)["word/header1.xml"]
    assert result.changes == 1
    assert _texts(_strip(header, accept=True)) == ["Support for people experiencing homelessness"]
    assert _texts(_strip(header)) == ["Support for the homeless"]


def _with_footnote(text: str):
    """A document whose one paragraph has footnote 1 saying ``text`` (python-docx writes no notes)."""
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    doc = docx.Document()
    p = doc.add_paragraph("Our figures are in the note.")
    p._p.append(parse_xml(f'<w:r {W_NS}><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteReference w:id="1"/></w:r>'))
    notes = (
        f'<w:footnotes {W_NS}>'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
        f'<w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p></w:footnote>'
        '</w:footnotes>'
    ).encode()
    part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, notes, doc.part.package)
    doc.part.relate_to(part, RT.FOOTNOTES)
    return doc


def test_footnote_findings_are_commented_and_tracked_in_place(tmp_path):
    doc = _with_footnote(" Counts leave out the homeless who sleep rough.")
    src, out, result = _review_tracked(doc, tmp_path, "notes.docx")
    assert [(f.rule_id, f.match) for f in result.findings] == [("LB001", "the homeless")]
    parts = _parts(out)
    footnotes = parts["word/footnotes.xml"]
    [(cid, text)] = [(cid, t) for cid, (_, t) in _comments(parts).items() if "· LB001 " in t]
    assert text.startswith('Footnote 1: "the homeless"\n')  # in the body, on the note's mark
    body = parts["word/document.xml"]
    start = next(el for el in body.iter(W + "commentRangeStart") if el.get(W + "id") == cid)
    assert start.getnext().find(W + "footnoteReference").get(W + "id") == "1"
    assert not list(footnotes.iter(W + "commentRangeStart"))
    assert _texts(_strip(footnotes, accept=True))[-1] == " Counts leave out people experiencing homelessness who sleep rough."
    assert _paragraphs(_strip(footnotes)) == _paragraphs(_parts(src)["word/footnotes.xml"])
    # a re-run replaces the note's comment and change
    review_docx(out, tmp_path / "again.docx", track_changes=True)
    again = _parts(tmp_path / "again.docx")
    assert _paragraphs(_strip(again["word/footnotes.xml"])) == _paragraphs(_parts(src)["word/footnotes.xml"])
    assert sum(1 for _ in again["word/footnotes.xml"].iter(W + "del")) == 1
    assert sum(1 for _, t in _comments(again).values() if "· LB001 " in t) == 1
    # a note part without findings is left byte for byte
    clean, out, _ = _review_tracked(_with_footnote(" Counts are from March."), tmp_path, "clean.docx")
    with zipfile.ZipFile(clean) as a, zipfile.ZipFile(out) as b:
        assert a.read("word/footnotes.xml") == b.read("word/footnotes.xml")


MC_NS = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'


def test_text_box_findings_are_tracked_in_the_box_and_commented_on_its_anchor(tmp_path):
    box = '<w:txbxContent><w:p><w:r><w:t>Beds for the homeless.</w:t></w:r></w:p></w:txbxContent>'
    doc = docx.Document()
    doc.add_paragraph("Our policy.")
    doc.add_paragraph("See the box: ")._p.append(parse_xml(
        f'<w:r {W_NS} {MC_NS}><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>{box}</w:drawing></mc:Choice>'
        f'<mc:Fallback><w:pict>{box}</w:pict></mc:Fallback></mc:AlternateContent></w:r>'))
    src, out, result = _review_tracked(doc, tmp_path, "box.docx")
    [lint] = tilint.lint_paths([src])
    assert [(f.rule_id, f.match) for f in lint.findings] == [("LB001", "the homeless")]
    assert [(f.rule_id, f.match) for f in result.findings] == [("LB001", "the homeless")]
    assert (result.changes, result.unplaced) == (1, [])
    parts = _parts(out)
    root = parts["word/document.xml"]
    [(cid, text)] = [(cid, t) for cid, (_, t) in _comments(parts).items() if "· LB001 " in t]
    assert text.startswith('Text box 1: "the homeless"\n')
    start = next(el for el in root.iter(W + "commentRangeStart") if el.get(W + "id") == cid)
    assert start.getnext().find(".//" + W + "txbxContent") is not None  # on the run that holds the box
    choice, fallback = root.iter(W + "txbxContent")
    assert _texts(_strip(choice, accept=True)) == ["Beds for people experiencing homelessness."]
    assert _texts(_strip(choice)) == _texts(fallback) == ["Beds for the homeless."]


def test_content_controls_around_rows_cells_and_cell_paragraphs_are_read_and_reviewed(tmp_path):
    """A form-like policy: a repeating-section control wraps a row, a control wraps a cell's paragraph."""
    def control(xml: str) -> str:
        return f"<w:sdt {W_NS}><w:sdtPr/><w:sdtContent>{xml}</w:sdtContent></w:sdt>"

    doc = docx.Document()
    doc.add_paragraph("Our policy.")
    table = doc.add_table(rows=2, cols=1)
    table.cell(0, 0)._tc.append(parse_xml(control("<w:p><w:r><w:t>Beds for the homeless.</w:t></w:r></w:p>")))
    table.rows[1]._tr.append(parse_xml(control("<w:tc><w:p><w:r><w:t>We note no-shows.</w:t></w:r></w:p></w:tc>")))
    table._tbl.append(parse_xml(control("<w:tr><w:tc><w:p><w:r><w:t>Addicts wait.</w:t></w:r></w:p></w:tc></w:tr>")))
    src, out, result = _review_tracked(doc, tmp_path, "form.docx")
    [lint] = tilint.lint_paths([src])
    expected = [("LB001", "the homeless", {"table": 1, "row": 1, "cell": 1}),
                ("BL002", "no-shows", {"table": 1, "row": 2, "cell": 2}),
                ("SU001", "Addicts", {"table": 1, "row": 3, "cell": 1})]
    for findings in (lint.findings, result.findings):
        assert sorted(((f.rule_id, f.match, f.location) for f in findings), key=lambda x: (x[2]["row"], x[2]["cell"])) == expected
    parts = _parts(out)
    anchored = _anchored(parts["word/document.xml"])
    words = {_rule_of(t): anchored[cid] for cid, (_, t) in _comments(parts).items() if not t.startswith("tilint found")}
    assert words == {"LB001": "people experiencing homelessness", "BL002": "missed appointments", "SU001": "People who use drugs"}


def test_first_paragraph_fix_keeps_the_summary_around_it(tmp_path):
    doc = docx.Document()
    doc.add_paragraph("Support for the homeless", style="Title")
    doc.add_paragraph("Our policy.")
    _, out, _ = _review_tracked(doc, tmp_path, "t.docx")
    parts = _parts(out)
    root = parts["word/document.xml"]
    anchored = _anchored(root)
    summary = next(cid for cid, (_, t) in _comments(parts).items() if t.startswith("tilint found"))
    assert anchored[summary] == "Support for people experiencing homelessness"
    first = root.find(f"{W}body/{W}p")
    starts = [el.get(W + "id") for el in first if el.tag == W + "commentRangeStart"]
    assert summary in starts  # the summary's start is a child of the paragraph, not inside the change
    assert all(el.tag != W + "commentRangeStart" for d in root.iter(W + "del", W + "ins") for el in d.iter())


def test_finding_in_a_field_result(tmp_path):
    doc = docx.Document()
    p = doc.add_paragraph("Leaflets for ")
    _field(p, "the homeless", bold=True)
    p.add_run(" are in reception.")
    src, out, result = _review_tracked(doc, tmp_path, "f.docx")
    root = _parts(out)["word/document.xml"]
    assert result.changes == 1
    assert _texts(_strip(root, accept=True)) == ["Leaflets for people experiencing homelessness are in reception."]
    assert _paragraphs(_strip(root)) == _paragraphs(_parts(src)["word/document.xml"])
    assert [el.get(W + "fldCharType") for el in root.iter(W + "fldChar")] == ["begin", "separate", "end"]
    assert next(root.iter(W + "del")).getparent().tag == W + "p"


def test_match_over_a_field_boundary_is_commented_not_changed(tmp_path):
    doc = docx.Document()
    p = doc.add_paragraph("Leaflets for the ")
    _field(p, "homeless")
    src, out, result = _review_tracked(doc, tmp_path, "g.docx")
    [lint] = tilint.lint_paths([src])
    assert [(f.rule_id, f.match) for f in lint.findings] == [("LB001", "the homeless")]  # field code is not text
    assert result.changes == 0  # deleting would break the field
    parts = _parts(out)
    assert not list(parts["word/document.xml"].iter(W + "del"))
    [(cid, _)] = [(cid, t) for cid, (_, t) in _comments(parts).items() if "· LB001 " in t]
    assert _anchored(parts["word/document.xml"])[cid] == "the homeless"


# ------------------------------------------------------------------------------- re-runs


def test_review_of_a_reviewed_copy_replaces_its_own_comments(reviewed, tmp_path):
    first, _ = reviewed
    second = tmp_path / "again.docx"
    review_docx(first, second, track_changes=True)
    third = tmp_path / "third.docx"
    review_docx(second, third, track_changes=True)
    a, b = _comments(_parts(second)), _comments(_parts(third))
    assert sorted(t for _, t in a.values()) == sorted(t for _, t in b.values())
    assert sum(1 for author, _ in b.values() if author == PERSON) == 1
    assert len(b) == len(_comments(_parts(first)))
    assert _paragraphs(_strip(_parts(third)["word/document.xml"])) == _paragraphs(_strip(_parts(second)["word/document.xml"]))
    assert _texts(_strip(_parts(third)["word/document.xml"], accept=True)) == _texts(_strip(_parts(second)["word/document.xml"], accept=True))


def test_rerun_after_word_saved_the_copy_cleans_words_comment_parts(reviewed, tmp_path):
    """Word adds paragraph ids and commentsExtended/commentsIds entries; a re-run drops tilint's."""
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    first, _ = reviewed
    word = docx.Document(str(first))
    w14 = "http://schemas.microsoft.com/office/word/2010/wordml"
    ns15 = "http://schemas.microsoft.com/office/word/2012/wordml"
    ns16 = "http://schemas.microsoft.com/office/word/2016/wordml/cid"
    entries15, entries16 = [], []
    for n, c in enumerate(word.comments):
        para = f"{n + 1:08X}"
        c._comment_elm.xpath("w:p")[-1].set(f"{{{w14}}}paraId", para)
        entries15.append(f'<w15:commentEx w15:paraId="{para}" w15:done="0"/>')
        entries16.append(f'<w16cid:commentId w16cid:paraId="{para}" w16cid:durableId="{n + 100:08X}"/>')
    for name, ns, prefix, root, entries, rel in (
        ("commentsExtended", ns15, "w15", "commentsEx", entries15, "http://schemas.microsoft.com/office/2011/relationships/commentsExtended"),
        ("commentsIds", ns16, "w16cid", "commentsIds", entries16, "http://schemas.microsoft.com/office/2016/09/relationships/commentsIds"),
    ):
        blob = f'<{prefix}:{root} xmlns:{prefix}="{ns}">{"".join(entries)}</{prefix}:{root}>'.encode()
        part = Part(PackURI(f"/word/{name}.xml"), f"application/vnd.openxmlformats-officedocument.wordprocessingml.{name}+xml", blob, word.part.package)
        word.part.relate_to(part, rel)
    saved = tmp_path / "word-saved.docx"
    word.save(str(saved))
    review_docx(saved, tmp_path / "again.docx")
    parts = _parts(tmp_path / "again.docx")
    person = [c for c in parts["word/comments.xml"].iter(W + "comment") if c.get(W + "author") == PERSON]
    kept = person[0].xpath("w:p", namespaces={"w": W[1:-1]})[-1].get(f"{{{w14}}}paraId")
    assert [e.get(f"{{{ns15}}}paraId") for e in parts["word/commentsExtended.xml"]] == [kept]
    assert [e.get(f"{{{ns16}}}paraId") for e in parts["word/commentsIds.xml"]] == [kept]


# -------------------------------------------------------------------------- files and CLI


def test_never_overwrites_input_or_existing_output(policy, tmp_path):
    copy_ = tmp_path / "p.docx"
    shutil.copy(policy, copy_)
    data = copy_.read_bytes()
    with pytest.raises(ReviewError, match="refusing to overwrite the input"):
        review_docx(copy_, copy_, force=True)
    (tmp_path / "p.reviewed.docx").write_bytes(b"keep me")
    with pytest.raises(ReviewError, match="already exists"):
        review_docx(copy_)
    assert (tmp_path / "p.reviewed.docx").read_bytes() == b"keep me"
    review_docx(copy_, force=True)
    assert zipfile.is_zipfile(tmp_path / "p.reviewed.docx")
    assert copy_.read_bytes() == data


def test_cli_review_writes_copies_and_reports(run_cli, policy, tmp_path):
    shutil.copy(policy, tmp_path / "a.docx")
    shutil.copy(policy, tmp_path / "b.docx")
    (tmp_path / "out").mkdir()
    res = run_cli("review", "a.docx", "b.docx", "--output-dir", "out", "--track-changes", "--author", "Policy team", cwd=tmp_path)
    assert res.code == 0, res.err
    assert res.out.splitlines() == [
        "a.docx -> out/a.reviewed.docx: 8 findings, 5 tracked changes",
        "b.docx -> out/b.reviewed.docx: 8 findings, 5 tracked changes",
    ]
    authors = {a for a, _ in _comments(_parts(tmp_path / "out" / "a.reviewed.docx")).values()}
    assert authors == {"Policy team", PERSON}
    again = run_cli("review", "a.docx", "--output-dir", "out", cwd=tmp_path)
    assert again.code == 2
    assert again.err.strip() == "a.docx: error: out/a.reviewed.docx already exists (use --force to replace it)"
    res = run_cli("review", "a.docx", "-o", "mine.docx", "--ignore", "SH,SU", cwd=tmp_path)
    assert res.code == 0 and res.out == "a.docx -> mine.docx: 5 findings\n"


@pytest.mark.parametrize("author", ["Policy\nteam", "Policy\x00team", "Policy\x1bteam", "Policy\x85team"])
def test_cli_review_refuses_an_author_with_control_characters_before_reading(run_cli, policy, tmp_path, author):
    shutil.copy(policy, tmp_path / "a.docx")
    res = run_cli("review", "a.docx", "missing.pdf", "--author", author, cwd=tmp_path)
    assert (res.code, res.out) == (2, "")
    assert res.err == "tilint: error: --author must not contain control characters (newlines, tabs, NUL)\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.docx"]


def test_cli_review_never_writes_over_another_input_or_another_inputs_copy(run_cli, policy, tmp_path):
    for folder in ("a", "b", "out"):
        (tmp_path / folder).mkdir()
    shutil.copy(policy, tmp_path / "a" / "policy.docx")
    other = docx.Document()
    other.add_paragraph("Patients who fail to attend are written to.")
    other.save(str(tmp_path / "b" / "policy.docx"))
    res = run_cli("review", "a/policy.docx", "b/policy.docx", "--output-dir", "out", "--force", cwd=tmp_path)
    assert res.code == 2
    assert res.out == "a/policy.docx -> out/policy.reviewed.docx: 8 findings\n"
    assert res.err == "b/policy.docx: error: out/policy.reviewed.docx is the copy of a/policy.docx (review files of one name into different folders)\n"
    assert len(_comments(_parts(tmp_path / "out" / "policy.reviewed.docx"))) == 10  # a's copy, not replaced by b's
    # a file named as an input is never replaced by another input's copy, even with --force
    person = tmp_path / "a" / "policy.reviewed.docx"
    shutil.copy(tmp_path / "b" / "policy.docx", person)
    kept = person.read_bytes()
    res = run_cli("review", "a/policy.docx", "a/policy.reviewed.docx", "--force", cwd=tmp_path)
    assert res.code == 2
    assert res.err == "a/policy.docx: error: refusing to overwrite a/policy.reviewed.docx, an input of this run\n"
    assert res.out == "a/policy.reviewed.docx -> a/policy.reviewed.reviewed.docx: 1 finding\n"
    assert person.read_bytes() == kept
    # one file named twice is reviewed once
    res = run_cli("review", "b/policy.docx", "b/../b/policy.docx", cwd=tmp_path)
    assert (res.code, res.out, res.err) == (0, "b/policy.docx -> b/policy.reviewed.docx: 1 finding\n", "")


@pytest.mark.parametrize("content, message", [
    (b"", "file is empty"),
    (b"PK\x03\x04 not really", "damaged Word document: not a valid zip container"),
    (b"hello", "damaged Word document: not a valid zip container"),
])
def test_hostile_input_is_one_line_and_leaves_no_file(run_cli, tmp_path, content, message):
    (tmp_path / "bad.docx").write_bytes(content)
    res = run_cli("review", "bad.docx", cwd=tmp_path)
    assert res.code == 2
    assert res.err.startswith(f"bad.docx: error: {message}") and res.err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.docx"]


def test_other_formats_are_refused(run_cli, tmp_path):
    (tmp_path / "p.md").write_text("Addicts.\n")
    res = run_cli("review", "p.md", cwd=tmp_path)
    assert res.code == 2
    assert res.err == "p.md: error: cannot review '.md' files (review writes .docx, .odt and .pdf copies)\n"


def test_folder_reviews_its_word_and_pdf_files_but_not_reviewed_copies(run_cli, policy, tmp_path):
    folder = tmp_path / "policies"
    folder.mkdir()
    shutil.copy(policy, folder / "a.docx")
    shutil.copy(policy, folder / "old.reviewed.docx")
    (folder / "notes.md").write_text("Addicts.\n")
    res = run_cli("review", "policies", cwd=tmp_path)
    assert res.code == 0, res.err
    assert res.out == "policies/a.docx -> policies/a.reviewed.docx: 8 findings\n"


def test_output_flag_takes_one_file(run_cli, policy, tmp_path):
    res = run_cli("review", str(policy), str(policy), "-o", "x.docx", cwd=tmp_path)
    assert res.code == 2 and "one input file" in res.err


# -------------------------------------------------------------------------------- examples

EXAMPLES = Path(__file__).parent.parent / "examples"


def test_example_policies_are_what_the_generator_builds(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_docx_example", EXAMPLES / "make_docx_example.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    for name in ("housing-support-policy.docx", "housing-support-policy.pdf"):
        built, committed = tilint.linter.read_document(tmp_path / name), tilint.linter.read_document(EXAMPLES / name)
        assert [(b.text, b.location) for b in built.blocks] == [(b.text, b.location) for b in committed.blocks], name


def test_example_review(run_cli, tmp_path):
    res = run_cli("review", str(EXAMPLES / "housing-support-policy.docx"), "--track-changes", "--output-dir", str(tmp_path), cwd=tmp_path)
    assert res.code == 0, res.err
    out = tmp_path / "housing-support-policy.reviewed.docx"
    parts = _parts(out)
    comments = _comments(parts)
    anchored = _anchored(parts["word/document.xml"])
    on_words = sorted((_rule_of(t), anchored[cid]) for cid, (_, t) in comments.items() if not t.startswith(("tilint found", "Page header")))
    assert on_words == sorted([
        ("BL001", "fail to attend"), ("CO004", "warning letter"), ("BL002", "missed appointment"), ("BL009", "non-compliant"),
        ("CO003", "may be evicted"), ("SU001", "People who use drugs"), ("SH001", "died by suicide"), ("LB001", "people experiencing homelessness"),
    ])  # fixable findings are anchored on their tracked change (the inserted words show)
    assert [t.split("\n")[0] for _, t in comments.values() if t.startswith("Page header")] == ['Page header: "the homeless"']
    header = parts["word/header1.xml"]
    assert _texts(_strip(header, accept=True)) == ["Riverside Housing Trust: housing support for people experiencing homelessness"]


# ------------------------------------------------------------------------------ LibreOffice


OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def _odt_pieces(el):
    """Document-order text of an ODF body, with ("start"|"end", name) for annotations.
    Annotation bodies and the tracked-changes store (deleted text) are skipped."""
    if el.tag == TEXT + "tracked-changes":
        return
    if el.text:
        yield el.text
    for child in el:
        if child.tag == OFFICE + "annotation":
            yield ("start", child.get(OFFICE + "name"))
        elif child.tag == OFFICE + "annotation-end":
            yield ("end", child.get(OFFICE + "name"))
        else:
            yield from _odt_pieces(child)
        if child.tail:
            yield child.tail


def _odt_anchored(body) -> dict[str, str]:
    open_: dict[str, list[str]] = {}
    done = {}
    for piece in _odt_pieces(body):
        if isinstance(piece, tuple):
            kind, name = piece
            if kind == "start":
                open_[name] = []
            else:
                done[name] = "".join(open_.pop(name))
        else:
            for parts in open_.values():
                parts.append(piece)
    return done


needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")


def convert(src: Path, fmt: str, folder: Path) -> Path:
    """Open ``src`` in LibreOffice (headless, a private profile) and save it as ``fmt`` in ``folder``."""
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{folder / 'lo-profile'}", "--headless", "--convert-to", fmt, "--outdir", str(folder), str(src)],
        check=True, capture_output=True, timeout=300,
    )
    return folder / f"{src.stem}.{fmt}"


@pytest.mark.slow
@needs_soffice
def test_comments_survive_a_libreoffice_round_trip(policy, tmp_path):
    """LibreOffice opens the copy and keeps every comment on its words and every tracked change.

    Converted to .odt, where comments are office:annotation ... office:annotation-end
    around the words and tracked changes are text:changed-region entries."""
    src = tmp_path / "lo.docx"
    review_docx(policy, src, track_changes=True)
    with zipfile.ZipFile(convert(src, "odt", tmp_path)) as zf:
        content = etree.fromstring(zf.read("content.xml"))
    body = next(content.iter(OFFICE + "text"))
    notes = {n.get(OFFICE + "name"): n for n in body.iter(OFFICE + "annotation")}
    dc = "{http://purl.org/dc/elements/1.1/}"
    lo = sorted(
        (n.findtext(dc + "creator"), "\n".join("".join(p.itertext()) for p in n.iter(TEXT + "p")), _odt_anchored(body).get(name))
        for name, n in notes.items()
    )
    parts = _parts(src)
    anchored = _anchored(parts["word/document.xml"])
    word = sorted((author, text, anchored[cid]) for cid, (author, text) in _comments(parts).items())
    assert lo == word  # same authors, same texts, on the same words
    changes = {c.tag.split("}")[1] for region in content.iter(TEXT + "changed-region") for c in region}
    assert changes == {"deletion", "insertion"}
    assert sum(1 for _ in content.iter(TEXT + "changed-region")) == 10  # five fixes: a deletion and an insertion each


# ---------------------------------------------------------------------------- hostile files

from . import fixtures_build as fb  # noqa: E402

HOSTILE = {
    "invalid-xml.docx": fb.build_docx_invalid_xml,
    "entities.docx": fb.build_docx_entities,
    "bomb.docx": lambda d: fb.build_zip_bomb(d, "bomb.docx", "word/document.xml"),
    "truncated.docx": lambda d: fb.truncate(fb.build_docx(d, "whole.docx"), d / "truncated.docx"),
    "scanned.pdf": fb.build_pdf_no_text,
    "encrypted.pdf": fb.build_pdf_encrypted,
    "bomb.pdf": fb.build_pdf_bomb,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_get_the_check_message(name, run_cli, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    path = HOSTILE[name](folder)
    for extra in folder.iterdir():  # keep only the hostile file
        if extra != path:
            extra.unlink()
    [lint] = tilint.lint_paths([path])
    res = run_cli("review", str(path), cwd=tmp_path)
    assert res.code == 2
    assert res.err == f"{path}: error: {lint.errors[0].message}\n"
    assert sorted(p.name for p in folder.iterdir()) == [path.name]


@pytest.mark.slow
@needs_soffice
def test_libreoffice_opens_reviewed_footnotes(tmp_path):
    _, out, _ = _review_tracked(_with_footnote(" Counts leave out the homeless who sleep rough."), tmp_path, "n.docx")
    with zipfile.ZipFile(convert(out, "odt", tmp_path)) as zf:
        content = etree.fromstring(zf.read("content.xml"))
    body = next(content.iter(OFFICE + "text"))
    texts = ["\n".join("".join(p.itertext()) for p in n.iter(TEXT + "p")) for n in body.iter(OFFICE + "annotation")]
    assert sum(1 for t in texts if t.startswith('Footnote 1: "the homeless"')) == 1
    note = "".join(next(content.iter(TEXT + "note-body")).itertext())
    assert "people experiencing homelessness" in note
