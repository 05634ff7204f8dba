"""OpenDocument review: office annotations on exactly the matched words."""

from __future__ import annotations

import zipfile

import pytest
from lxml import etree

import tilint
from tilint.linter import read_document
from tilint.review import review_odt

from . import fixtures_build as fb
from .test_review_docx import OFFICE, TEXT, _anchored, _comments, _odt_anchored, _parts, convert, needs_soffice

DC = "{http://purl.org/dc/elements/1.1/}"
PERSON = "Sam Writer"


def _with_person_note(src, target):
    """A copy of ``src`` with a person's annotation at the start of the first paragraph."""
    from odf.dc import Creator
    from odf.office import Annotation
    from odf.opendocument import load
    from odf.text import P

    doc = load(str(src))
    first = doc.text.getElementsByType(P)[0]
    note = Annotation()
    note.addElement(Creator(text=PERSON))
    note.addElement(P(text="Is this still our policy?"))
    first.insertBefore(note, first.childNodes[0])
    doc.save(str(target))
    return target


def _notes(path):
    with zipfile.ZipFile(path) as zf:
        content = etree.fromstring(zf.read("content.xml"))
    body = next(content.iter(OFFICE + "text"))
    anchored = _odt_anchored(body)
    out = []
    for n in body.iter(OFFICE + "annotation"):
        text = "\n".join("".join(p.itertext()) for p in n.iter(TEXT + "p"))
        out.append((n.findtext(DC + "creator"), text, anchored.get(n.get(OFFICE + "name"))))
    return out


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("odt")
    src = _with_person_note(fb.build_odt(folder), folder / "noted.odt")
    out = folder / "noted.reviewed.odt"
    return src, out, review_odt(src, out)


def test_each_finding_has_an_annotation_on_its_words(reviewed):
    src, out, result = reviewed
    [lint] = tilint.lint_paths([src])
    expected = sorted((f.rule_id, f.match) for f in lint.findings)
    assert expected == [("BL001", "failed to attend"), ("BL009", "non-compliant")]
    notes = _notes(out)
    ours = sorted((t.rsplit("\n", 1)[-1].split(" · ")[1].split()[0], words) for a, t, words in notes if a == "tilint" and "· summary" not in t)
    assert ours == expected
    [summary] = [(t, words) for a, t, words in notes if "· summary" in t]
    assert summary[0].startswith("tilint found 2 wording issues (2 warnings)") and summary[1] == "3 Procedure"
    assert [(a, t) for a, t, _ in notes if a == PERSON] == [(PERSON, "Is this still our policy?")]
    assert result.comments == 3 and result.unplaced == []


def test_text_is_unchanged(reviewed):
    src, out, _ = reviewed
    assert [(b.text, b.location) for b in read_document(out).blocks] == [(b.text, b.location) for b in read_document(src).blocks]


def test_rerun_replaces_own_annotations(reviewed, tmp_path):
    _, out, _ = reviewed
    review_odt(out, tmp_path / "again.odt")
    assert sorted(_notes(tmp_path / "again.odt")) == sorted(_notes(out))


def test_hostile_odt_gets_the_check_message(run_cli, tmp_path):
    path = fb.build_odt_invalid_xml(tmp_path)
    for extra in tmp_path.iterdir():
        if extra != path:
            extra.unlink()
    [lint] = tilint.lint_paths([path])
    res = run_cli("review", path.name, cwd=tmp_path)
    assert res.code == 2 and res.err == f"{path.name}: error: {lint.errors[0].message}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


@pytest.mark.slow
@needs_soffice
def test_libreoffice_keeps_the_annotations(reviewed, tmp_path):
    """LibreOffice opens the copy; saved as .docx, every annotation is a Word comment on the same words."""
    _, out, _ = reviewed
    parts = _parts(convert(out, "docx", tmp_path))
    anchored = _anchored(parts["word/document.xml"])
    word = sorted((a, t, anchored.get(cid)) for cid, (a, t) in _comments(parts).items())
    odt = sorted(_notes(out))
    assert [(a, t) for a, t, _ in word] == [(a, t) for a, t, _ in odt]
    assert [w for _, _, w in word if w] == [w for _, _, w in odt if w]
