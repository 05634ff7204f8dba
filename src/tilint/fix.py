"""Safe fixes: ``tilint check --fix`` and ``--diff``.

Only Markdown and plain-text files are ever rewritten, only for rules marked
``fixable``, and only where the source text at the finding's position is still
exactly the matched text. The replacement is the first suggestion the engine
fitted to the sentence (:mod:`tilint.suggest`: number, article, person, tense and
case already follow the match), so a rule is marked fixable only where that first
suggestion is right in every form its patterns match. An article just before the
match is made to agree ("a no-show" -> "a missed appointment", "a addict" never).
Files are written atomically (a temporary file in the same folder, then rename),
in their original encoding, byte-order mark and line endings.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .document import Document
from .models import FileResult, Finding
from .readers import ReadError, read_document
from .suggest import article_edit, is_advice, match_case  # noqa: F401 - match_case re-exported

__all__ = ["Edit", "FileFix", "plan_fixes", "apply_fix", "match_case", "FIXABLE_FORMATS"]

FIXABLE_FORMATS = ("markdown", "text")


@dataclass(frozen=True)
class Edit:
    finding: Finding
    start: int  # offsets in the decoded source
    end: int
    replacement: str


@dataclass
class FileFix:
    path: str
    document: Document
    edits: list[Edit]

    @property
    def new_source(self) -> str:
        src = self.document.source or ""
        for e in sorted(self.edits, key=lambda e: e.start, reverse=True):
            src = src[: e.start] + e.replacement + src[e.end :]
        return src

    def diff(self) -> str:
        old = (self.document.source or "").splitlines(keepends=True)
        new = self.new_source.splitlines(keepends=True)
        return "".join(difflib.unified_diff(old, new, fromfile=f"a/{self.path}", tofile=f"b/{self.path}"))


def _fixable(f: Finding) -> bool:
    # the first fitted suggestion, and only if it is words to put in place, not advice
    return f.fixable and len(f.suggestions) >= 1 and not is_advice(f.suggestions[0])


def plan_fixes(result: FileResult, max_bytes: int) -> FileFix | None:
    """The edits for one linted file, or None when nothing can be fixed safely."""
    candidates = [f for f in result.findings if _fixable(f)]
    if not candidates or result.errors or result.format not in FIXABLE_FORMATS:
        return None
    try:
        doc = read_document(Path(result.path), max_bytes=max_bytes)
    except ReadError:
        return None
    if doc.source is None:
        return None
    edits: list[Edit] = []
    taken_until = -1
    for f in sorted(candidates, key=lambda f: f.sort_key):
        start = doc.offset(f.line, f.column)
        end = doc.offset(f.end_line, f.end_column)
        if start < taken_until or doc.source[start:end] != f.match:
            continue  # overlapping another edit, or the file changed under us
        replacement = f.suggestions[0]  # already fitted to the sentence, case included
        article = article_edit(doc.source[max(taken_until, 0, start - 8) : start], replacement)
        if article is not None:  # rewrite the article too: the edit starts at it
            back, text = article
            start, replacement = start - back, text + replacement
        edits.append(Edit(f, start, end, replacement))
        taken_until = end
    return FileFix(result.path, doc, edits) if edits else None


def apply_fix(fix: FileFix) -> None:
    """Write the fixed file atomically, keeping encoding, BOM and file mode."""
    path = Path(fix.path)
    # utf-8-sig, utf-16 and utf-32 write their byte-order mark themselves
    data = fix.new_source.encode(fix.document.encoding)
    mode = path.stat().st_mode
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tilint", dir=str(path.parent))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remaining(result: FileResult, fixed: Iterable[Edit]) -> FileResult:
    """The result without the findings that were fixed."""
    done = {id(e.finding) for e in fixed}
    result.findings = [f for f in result.findings if id(f) not in done]
    return result
