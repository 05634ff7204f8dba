"""Word review: comments on the exact words, safe fixes as tracked changes, a summary comment.

How a finding finds its words. The Word reader (:func:`tilint.readers.docx.walk`)
gives each block with the ``w:p`` behind each line; a finding's line and columns
are then offsets into that paragraph's text, and
:func:`~tilint.readers.docx.run_spans` gives the runs (``w:r``) behind those
offsets. Where a match starts or ends inside a run, the run is split in two: both
halves keep the run's properties (``w:rPr``) and attributes, and stay where the run
was (inside a hyperlink, field result, content control), so only run boundaries
change. Comments are anchored with ``w:commentRangeStart``/``End`` around the runs;
the comment itself is written with python-docx's comments API (lxml escapes the text).

Tracked changes (``track_changes=True``): a fixable finding (one suggestion) whose
runs are siblings outside any existing revision becomes ``w:del`` (the runs, text
as ``w:delText``) + ``w:ins`` (one run with the first run's properties and the
replacement, cased like the match, as ``--fix`` does).

Word does not allow comments in headers and footers, and LibreOffice (7.x) cannot
open a file with comments in footnotes: findings there, and in text boxes, get their
tracked change in place and their comment in the body, quoting the words: on the
note's reference mark for footnotes and endnotes, on the run holding a text box in
the body, on the first paragraph for headers and footers.
python-docx keeps note parts as bytes, so they are parsed with its parser and
written back.

Re-running on a reviewed copy first removes tilint's own comments (the author
and the signature line) and rejects tilint's own pending tracked changes; every
other comment and revision is kept.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional, cast

from lxml import etree

from ..config import Config
from ..document import Document
from ..fix import _fixable, match_case
from ..models import Finding
from ..readers.docx import open_checked, run_spans, walk
from . import SIGNATURE, ReviewResult, comment_text, lint_and_cover, summary_text

__all__ = ["render", "strip_review"]

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_TEXT_TAGS = {W + t for t in ("t", "tab", "br", "cr", "noBreakHyphen", "ptab")}
_REVISIONS = {W + t for t in ("ins", "del", "moveFrom", "moveTo")}
# run content a tracked change may delete: text, and nothing structural (fields, drawings, notes)
_PLAIN = _TEXT_TAGS | {W + "rPr", W + "lastRenderedPageBreak", W + "softHyphen"}
# markup that may sit between runs without stopping a tracked change
_PASSIVE = {W + t for t in ("bookmarkStart", "bookmarkEnd", "proofErr", "permStart", "permEnd")}
# compiled with the namespace: note parts hold plain lxml elements as well as python-docx's
_WNS = {"w": W[1:-1]}


def _select(path: str, namespaces: dict[str, str] = _WNS) -> Callable[..., list[Any]]:
    """A compiled XPath that selects nodes. lxml types every XPath result as any XPath value
    (bool, float, string or list); these paths select elements or attributes, always a list."""
    find = etree.XPath(path, namespaces=namespaces)
    return lambda node, **variables: cast("list[Any]", find(node, **variables))


_ALL_IDS = _select("//@w:id")
_RANGES = _select(".//w:commentRangeStart | .//w:commentRangeEnd")
_REFERENCES = _select(".//w:r[w:commentReference]")
_INSERTED = _select(".//w:ins[not(parent::w:rPr)]")
_DELETED = _select(".//w:del[not(parent::w:rPr)]")
_NOTE_REFERENCES = _select(".//w:footnoteReference[@w:id = $id] | .//w:endnoteReference[@w:id = $id]")

W14_PARA_ID = "{http://schemas.microsoft.com/office/word/2010/wordml}paraId"
_COMMENTS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
_COMMENTS_IDS = "http://schemas.microsoft.com/office/2016/09/relationships/commentsIds"
_NS = {
    "w15": "http://schemas.microsoft.com/office/word/2012/wordml",
    "w16cid": "http://schemas.microsoft.com/office/word/2016/wordml/cid",
    "w16cex": "http://schemas.microsoft.com/office/word/2018/wordml/cex",
}
# (relationship type, entries, key attribute, keyed by "para" id or "durable" id); ids before extensible
_COMMENT_EXTRAS = (
    ("http://schemas.microsoft.com/office/2011/relationships/commentsExtended", "//w15:commentEx",
     f"{{{_NS['w15']}}}paraId", "para"),
    (_COMMENTS_IDS, "//w16cid:commentId", f"{{{_NS['w16cid']}}}paraId", "para"),
    ("http://schemas.microsoft.com/office/2018/08/relationships/commentsExtensible", "//w16cex:commentExtensible",
     f"{{{_NS['w16cex']}}}durableId", "durable"),
)
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_NOTES = {
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/endnotes",
}
_PARTS = {
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header": "page header",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer": "page footer",
}


@dataclass
class _Target:
    """A finding and the runs its words sit in."""

    finding: Finding
    runs: list[Any]
    where: str = ""  # "" in the body; "page header" etc. elsewhere
    change: Optional[tuple[Any, Any]] = None  # (w:del, w:ins) once tracked


def render(data: bytes, path: str, config: Config, *, author: str, track_changes: bool) -> tuple[bytes, ReviewResult]:
    """The reviewed copy of the .docx ``data`` and what was written."""
    word = open_checked(data)
    notes = _note_parts(word)
    headers = _other_parts(word)
    stories = headers + [note for _, root, _ in notes for note in _notes_in(root)]
    parts = [word.element.body, *(el for el, _ in headers), *(root for _, root, _ in notes)]
    boxes = _text_boxes(parts)
    stories += [(box, where) for where, (box, _) in boxes.items()]
    strip_review(word, author, parts)

    body = walk(word)
    findings, coverage = lint_and_cover(Document(path=path, format="docx", blocks=[b for b, _ in body]), config)
    located = [(findings, body, "")]
    for element, where in stories:
        blocks = walk(word, element)
        part_findings, _ = lint_and_cover(Document(path=path, format="docx", blocks=[b for b, _ in blocks]), config, coverage=False)
        located.append((part_findings, blocks, where))

    result = ReviewResult(path=path, output="", coverage=coverage)
    targets: list[_Target] = []
    for part_findings, blocks, where in located:
        placed, unplaced = _place(part_findings, blocks, where)
        targets += placed
        result.unplaced += unplaced
    anchor = _first_paragraph_runs(body)  # the summary's words, before any tracked change
    revision = _Ids(word, parts, comments=len(targets) + 1)
    stamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    if track_changes:
        taken: list[set[int]] = []
        for t in targets:
            if _fixable(t.finding) and not _overlaps(t, taken):
                t.change = _track(t, author, stamp, revision)
                if t.change is not None:
                    result.changes += 1

    summary = summary_text([t.finding for t in targets], coverage, result.changes)
    if anchor:
        anchor = [_lift(anchor[0], author), _lift(anchor[-1], author, last=True)]
        _comment(word, anchor[0], anchor[-1], summary, author)
        result.comments += 1
    for t in targets:
        if t.where:  # comments stay in the body (Word has none in headers; LibreOffice fails on them in notes)
            runs = (boxes[t.where][1] if t.where in boxes else _note_reference(word, t.where)) or anchor
            if not runs:
                result.unplaced.append(t.finding)
                continue
            first, last = runs[0], runs[-1]
        else:
            first = t.change[0] if t.change else t.runs[0]
            last = t.change[1] if t.change else t.runs[-1]
        _comment(word, first, last, comment_text(t.finding, t.where.capitalize()), author)
        result.comments += 1
        result.findings.append(t.finding)
    for part, root, original in notes:  # python-docx keeps these parts as bytes: write edited XML back
        if etree.tostring(root) != original:
            part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue(), result


def _note_parts(word: Any) -> list[tuple[Any, Any, bytes]]:
    """Footnote and endnote parts, their XML parsed by python-docx's parser (no entities),
    and that XML serialised as read (so an untouched part is left byte for byte)."""
    from docx.oxml import parse_xml

    found = {}
    for rel in word.part.rels.values():
        if rel.reltype in _NOTES and not rel.is_external:
            found[str(rel.target_part.partname)] = rel.target_part
    parsed = [(part, parse_xml(part.blob)) for _, part in sorted(found.items())]
    return [(part, root, etree.tostring(root)) for part, root in parsed]


def _notes_in(root: Any) -> list[tuple[Any, str]]:
    """The notes of a footnotes/endnotes part (not Word's separators), labelled "footnote 3"."""
    return [(n, f"{n.tag[len(W):]} {n.get(W + 'id')}") for n in root
            if n.tag in (W + "footnote", W + "endnote") and n.get(W + "type") in (None, "normal")]


def _note_reference(word: Any, where: str) -> list[Any]:
    """The body run that shows a note's mark (``where`` is "footnote 3"), if ``where`` names a note."""
    kind, _, number = where.partition(" ")
    if kind not in ("footnote", "endnote"):
        return []
    for ref in _NOTE_REFERENCES(word.element.body, id=number):
        if ref.tag == f"{W}{kind}Reference":
            return [ref.getparent()]
    return []


def _text_boxes(parts: list[Any]) -> dict[str, tuple[Any, list[Any]]]:
    """Each text box (``w:txbxContent``, not the VML fallback copy of one), labelled "text
    box 2", with the body run that holds it (where its comments go; none outside the body)."""
    found: dict[str, tuple[Any, list[Any]]] = {}
    for part in parts:
        for box in part.iter(W + "txbxContent"):
            if any(a.tag == _MC_FALLBACK for a in box.iterancestors()):
                continue
            holders = list(box.iterancestors(W + "r"))  # the outermost: a box may sit in a box
            in_body = part is parts[0] and holders
            found[f"text box {len(found) + 1}"] = (box, [holders[-1]] if in_body else [])
    return found


def _other_parts(word: Any) -> list[tuple[Any, str]]:
    """Header and footer parts (each once, in part-name order) with a label."""
    found = {}
    for rel in word.part.rels.values():
        label = _PARTS.get(rel.reltype)
        if label and not rel.is_external:
            part = rel.target_part
            found[str(part.partname)] = (part.element, label)
    return [found[name] for name in sorted(found)]


# ------------------------------------------------------------------- placing findings


def _place(findings: list[Finding], blocks: list[tuple[Any, dict[int, Any]]], where: str) -> tuple[list[_Target], list[Finding]]:
    """Split runs at every match boundary, then give each finding its runs."""
    by_key = {_key(block.location.to_dict()): lines for block, lines in blocks}
    wanted: list[tuple[Finding, Any, int, Any, int]] = []
    unplaced = []
    for f in findings:
        lines = by_key.get(_key(f.location))
        p_start = lines.get(f.line) if lines else None
        p_end = lines.get(f.end_line) if lines else None
        if p_start is None or p_end is None:
            unplaced.append(f)
            continue
        wanted.append((f, p_start, f.column - 1, p_end, f.end_column - 1))
    for _, p_start, start, p_end, end in wanted:  # text is unchanged by splits: offsets hold
        _boundary(p_start, start)
        _boundary(p_end, end)
    placed = []
    for f, p_start, start, p_end, end in wanted:
        if p_start is p_end:
            runs = _runs(p_start, start, end)
        else:
            runs = _runs(p_start, start, None) + _runs(p_end, 0, end)
        if runs:
            placed.append(_Target(f, runs, where))
        else:
            unplaced.append(f)
    return placed, unplaced


def _key(location: dict) -> tuple:
    return tuple(location.get(k) for k in ("paragraph", "table", "row", "cell"))


def _boundary(p: Any, offset: int) -> None:
    """Make ``offset`` of ``p``'s text fall between two runs (split the run it falls in)."""
    for r, start, end in run_spans(p):
        if start < offset < end:
            _split_run(r, offset - start)
            return


def _split_run(r: Any, k: int) -> None:
    """Split run ``r`` after ``k`` characters; both halves keep its properties."""
    twin = copy.deepcopy(r)
    pos = 0
    for mine, theirs in zip(list(r), list(twin)):
        if mine.tag == W + "rPr":
            continue
        size = len(str(mine)) if mine.tag in _TEXT_TAGS else 0
        if (size == 0 and pos < k) or (size and pos + size <= k):
            twin.remove(theirs)  # wholly before the split (zero-width content goes with what follows it)
        elif pos >= k:
            r.remove(mine)
        else:  # a w:t that straddles the split
            cut = k - pos
            mine.text, theirs.text = mine.text[:cut], mine.text[cut:]
            mine.set(XML_SPACE, "preserve")
            theirs.set(XML_SPACE, "preserve")
        pos += size
    r.addnext(twin)


def _runs(p: Any, start: int, end: Optional[int]) -> list[Any]:
    """The runs of ``p`` covering ``[start, end)`` (after splitting), without empty runs at the edges."""
    runs = [(r, s, e) for r, s, e in run_spans(p) if s >= start and (end is None or e <= end)]
    while runs and runs[0][1] == runs[0][2]:
        runs.pop(0)
    while runs and runs[-1][1] == runs[-1][2]:
        runs.pop()
    return [r for r, _, _ in runs]


# ----------------------------------------------------------------------- tracked changes


class _Ids:
    """Fresh ``w:id`` values for revisions: above every id in use, and above the ids the
    ``comments`` comments about to be written will take (ids of annotations are best unique)."""

    def __init__(self, word: Any, parts: Iterable[Any], comments: int) -> None:
        used = [0]
        for part in [*parts, *([_part(word, _COMMENTS).element] if _part(word, _COMMENTS) is not None else [])]:
            used += [int(v) for v in _ALL_IDS(part) if v.isdigit()]
        self.next = max(used) + comments + 1

    def take(self) -> str:
        value, self.next = self.next, self.next + 1
        return str(value)


def _overlaps(t: _Target, taken: list[set[int]]) -> bool:
    """Whether ``t``'s runs overlap a finding already tracked (then it keeps its comment only)."""
    ids = {id(r) for r in t.runs}
    if any(ids & runs for runs in taken):
        return True
    taken.append(ids)
    return False


def _track(t: _Target, author: str, stamp: str, ids: _Ids) -> Optional[tuple[Any, Any]]:
    """Wrap ``t``'s runs in ``w:del`` and add the replacement in ``w:ins``; None if not safe."""
    from docx.oxml import OxmlElement

    runs = t.runs
    parent = runs[0].getparent()
    if any(r.getparent() is not parent for r in runs) or any(a.tag in _REVISIONS for a in runs[0].iterancestors()):
        return None
    chain = []
    node = runs[0]
    while node is not None:
        chain.append(node)
        if node is runs[-1]:
            break
        node = node.getnext()
    members = {id(r) for r in runs}
    if node is None or any(id(n) not in members and n.tag not in _PASSIVE for n in chain):
        return None
    if any(child.tag not in _PLAIN for r in runs for child in r):
        return None  # a field character, drawing or note reference is never deleted
    deleted = OxmlElement("w:del", attrs={W + "id": ids.take(), W + "author": author, W + "date": stamp})
    runs[0].addprevious(deleted)
    for n in chain:
        deleted.append(n)
    for el in deleted.iter(W + "t", W + "instrText"):
        el.tag = W + ("delText" if el.tag == W + "t" else "delInstrText")
    inserted = OxmlElement("w:ins", attrs={W + "id": ids.take(), W + "author": author, W + "date": stamp})
    run = OxmlElement("w:r")
    props = runs[0].find(W + "rPr")
    if props is not None:
        run.append(copy.deepcopy(props))
    text = OxmlElement("w:t")
    text.text = match_case(t.finding.suggestions[0], t.finding.match)
    text.set(XML_SPACE, "preserve")
    run.append(text)
    inserted.append(run)
    deleted.addnext(inserted)
    return deleted, inserted


# ------------------------------------------------------------------------------ comments


def _comment(word: Any, first: Any, last: Any, text: str, author: str) -> None:
    """Add a comment (python-docx's API writes and escapes it) and anchor it from ``first`` to ``last``."""
    from docx.oxml import OxmlElement

    comment = word.comments.add_comment(text=text, author=author, initials=author[:2].upper() or "TI")
    cid = str(comment.comment_id)
    first.addprevious(OxmlElement("w:commentRangeStart", attrs={W + "id": cid}))
    end = OxmlElement("w:commentRangeEnd", attrs={W + "id": cid})
    last.addnext(end)
    ref = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    props.append(OxmlElement("w:rStyle", attrs={W + "val": "CommentReference"}))
    ref.append(props)
    ref.append(OxmlElement("w:commentReference", attrs={W + "id": cid}))
    end.addnext(ref)


def _lift(run: Any, author: str, *, last: bool = False) -> Any:
    """The element a comment boundary goes next to: a run, or the tracked change tilint made of it."""
    parent = run.getparent()
    if parent.tag == W + "del" and parent.get(W + "author") == author:
        return parent.getnext() if last else parent
    return run


def _first_paragraph_runs(body: list[tuple[Any, dict[int, Any]]]) -> list[Any]:
    """The runs of the first paragraph with text (where the summary goes)."""
    for _block, lines in body:
        p = lines[min(lines)]
        runs = _runs(p, 0, None)
        if runs:
            return runs
    return []


# ------------------------------------------------------------------------------ re-runs


def strip_review(word: Any, author: str, parts: Iterable[Any]) -> None:
    """Remove tilint's own comments and reject its own pending tracked changes.

    A comment is tilint's when its author is ``author`` and its last line is tilint's
    signature; a revision when its author is ``author``. Everything else stays.
    """
    comments_part = _part(word, _COMMENTS)
    ours: set[str] = set()
    para_ids: set[str] = set()
    if comments_part is not None:
        for c in comments_part.element.xpath("w:comment"):
            paragraphs = c.xpath("w:p")
            last = "".join(paragraphs[-1].xpath(".//w:t/text()")) if paragraphs else ""
            if c.get(W + "author") == author and last.startswith(SIGNATURE):
                ours.add(c.get(W + "id"))
                para_ids.update(p.get(W14_PARA_ID) for p in paragraphs if p.get(W14_PARA_ID))
                c.getparent().remove(c)
        _forget_comments(word, para_ids)
    for part in parts:
        if ours:
            for el in _RANGES(part):
                if el.get(W + "id") in ours:
                    el.getparent().remove(el)
            for ref in _REFERENCES(part):
                if ref.find(W + "commentReference").get(W + "id") in ours:
                    ref.getparent().remove(ref)
        for ins in _INSERTED(part):
            if ins.get(W + "author") == author:
                ins.getparent().remove(ins)
        for deleted in _DELETED(part):
            if deleted.get(W + "author") == author:
                for el in deleted.iter(W + "delText", W + "delInstrText"):
                    el.tag = W + ("t" if el.tag == W + "delText" else "instrText")
                for child in list(deleted):
                    deleted.addprevious(child)
                deleted.getparent().remove(deleted)


def _part(word: Any, reltype: str) -> Any:
    """The document's part of a relationship type, if it has one (never creates it)."""
    for rel in word.part.rels.values():
        if rel.reltype == reltype and not rel.is_external:
            return rel.target_part
    return None


def _forget_comments(word: Any, para_ids: set[str]) -> None:
    """Drop removed comments from the parts Word keeps beside comments.xml.

    Word records each comment's state (done, replies) and durable id in
    commentsExtended / commentsIds / commentsExtensible, keyed by the paragraph id
    of the comment's last paragraph. python-docx loads these parts as plain blobs, so
    they are parsed (no entities, no network) and written back with lxml.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    durable: set[str] = set()
    for reltype, xpath, attr, keys in _COMMENT_EXTRAS:
        part = _part(word, reltype)
        if part is None or not (para_ids or durable):
            continue
        root = etree.fromstring(part.blob, parser)
        for el in _select("//w15:commentEx[@w15:paraIdParent]", _NS)(root):
            if el.get(f"{{{_NS['w15']}}}paraIdParent") in para_ids:  # a reply to a removed comment stands alone
                del el.attrib[f"{{{_NS['w15']}}}paraIdParent"]
        for el in _select(xpath, _NS)(root):
            key = el.get(attr)
            if key in (para_ids if keys == "para" else durable):
                if reltype == _COMMENTS_IDS:
                    durable.add(el.get(f"{{{_NS['w16cid']}}}durableId"))
                el.getparent().remove(el)
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)  # no setter in python-docx
