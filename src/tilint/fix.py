"""Safe fixes: ``tilint check --fix`` and ``--diff``.

Only Markdown and plain-text files are ever rewritten, only for rules marked
``fixable``, and only where the source text at the finding's position is still
exactly the matched text. The replacement is the first suggestion the engine
fitted to the sentence (:mod:`tilint.suggest`: number, article, person, tense and
case already follow the match), so a rule is marked fixable only where that first
suggestion is right in every form its patterns match. An article just before the
match is made to agree ("a no-show" -> "a missed appointment", "a addict" never).
Files are written atomically (a temporary file in the same folder, then rename),
in their original encoding, byte-order mark and line endings, and only when that
is safe:

* a symlink is resolved and its target is fixed (the link stays a link);
* a file with several hard links is rewritten in place through a verified
  temporary copy, so every link sees the fix (a rename would split them);
* a read-only file is refused unless ``force``;
* size and modification time are checked again just before the rename: a file
  saved in an editor meanwhile is skipped, never overwritten;
* an edit whose replacement the file's encoding cannot hold (cp1252 and a
  character outside it) is skipped with a reason; the other edits are applied;
* no temporary file is left behind, whatever fails.
"""

from __future__ import annotations

import codecs
import difflib
import os
import tempfile
import stat as stat_mod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from .document import Document
from .models import FileResult, Finding
from .readers import ReadError, read_document
from .suggest import article_edit, is_advice, match_case  # noqa: F401 - match_case re-exported

__all__ = ["Edit", "FileFix", "FixRefused", "plan_fixes", "apply_fix", "match_case", "FIXABLE_FORMATS"]

FIXABLE_FORMATS = ("markdown", "text")


@dataclass(frozen=True)
class Edit:
    finding: Finding
    start: int  # offsets in the decoded source
    end: int
    replacement: str


class FixRefused(Exception):
    """The file is not fixed (the message says why); the run goes on."""


@dataclass
class FileFix:
    path: str
    document: Document
    edits: list[Edit]
    stat: Optional[os.stat_result] = None  # the file as it was read
    skipped: list[tuple[Edit, str]] = field(default_factory=list)  # (edit, why it was not applied)

    @property
    def new_source(self) -> str:
        src = self.document.source or ""
        for e in sorted(self.edits, key=lambda e: e.start, reverse=True):
            src = src[: e.start] + e.replacement + src[e.end :]
        return src

    def new_bytes(self, original: bytes) -> bytes:
        """The file's bytes with the edits made, every other byte as in ``original``
        (byte-order mark, line endings, encoding). Text between edits is encoded
        again; the codecs tilint reads are stateless and round-trip exactly, which
        ``original`` is checked against first."""
        codec = _stateless_codec(self.document.encoding, original)
        src = self.document.source or ""
        try:
            encoded = src.encode(codec)
        except UnicodeEncodeError:
            encoded = None
        head = len(original) - len(encoded) if encoded is not None else -1
        exact = head >= 0 and original[head:] == encoded
        if not exact:
            raise FixRefused(f"its bytes do not round-trip through {self.document.encoding}; fix it by hand")
        parts, at = [original[:head]], 0  # the byte-order mark(s) as they were
        for e in sorted(self.edits, key=lambda e: e.start):
            parts += [src[at : e.start].encode(codec), e.replacement.encode(codec)]
            at = e.end
        parts.append(src[at:].encode(codec))
        return b"".join(parts)

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
        before = os.stat(result.path)
        doc = read_document(Path(result.path), max_bytes=max_bytes)
    except (ReadError, OSError):
        return None
    if doc.source is None:
        return None
    edits: list[Edit] = []
    skipped: list[tuple[Edit, str]] = []
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
        edit = Edit(f, start, end, replacement)
        try:
            edit.replacement.encode(doc.encoding)
        except UnicodeEncodeError:
            skipped.append((edit, f"'{edit.replacement}' cannot be written in this file's encoding ({doc.encoding})"))
            continue
        edits.append(edit)
        taken_until = end
    if not edits and not skipped:
        return None
    return FileFix(result.path, doc, edits, before, skipped)


def _stateless_codec(encoding: str, original: bytes) -> str:
    """The codec that encodes without writing a byte-order mark, in the file's own byte
    order ("utf-16" alone would write a little-endian mark on a big-endian file)."""
    if encoding == "utf-8-sig":
        return "utf-8"
    if encoding in ("utf-16", "utf-32"):
        little = original.startswith(codecs.BOM_UTF32_LE if encoding == "utf-32" else codecs.BOM_UTF16_LE)
        return f"{encoding}-{'le' if little else 'be'}"
    return encoding


def _unchanged(path: Path, before: Optional[os.stat_result]) -> bool:
    if before is None:
        return True
    now = os.stat(path)
    return (now.st_size, now.st_mtime_ns, now.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)


def apply_fix(fix: FileFix, *, force: bool = False) -> list[Edit]:
    """Write the fixed file safely (see the module docstring); returns the edits written.

    Raises :class:`FixRefused` when the file must not be written, ``OSError`` when
    writing failed (the file is then unchanged).
    """
    if not fix.edits:
        return []
    given = Path(fix.path)
    path = given.resolve() if given.is_symlink() else given  # fix the target; the link stays
    st = os.stat(path)
    if not stat_mod.S_ISREG(st.st_mode):
        raise FixRefused("not a regular file")
    read_only = not st.st_mode & 0o222 or not os.access(path, os.W_OK)
    if read_only and not force:
        raise FixRefused("the file is read-only (use --force to fix it anyway)")
    if not _unchanged(path, fix.stat):
        raise FixRefused("the file changed while it was being checked; run tilint again")
    data = fix.new_bytes(path.read_bytes())
    if not _unchanged(path, fix.stat):
        raise FixRefused("the file changed while it was being checked; run tilint again")
    if st.st_nlink > 1:
        _write_in_place(path, data, fix.stat)
    else:
        _write_by_rename(path, data, st.st_mode, fix.stat)
    return list(fix.edits)


def _temp_copy(path: Path, data: bytes) -> str:
    """``data`` written and synced to a new temporary file beside ``path``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tilint", dir=str(path.parent))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _write_by_rename(path: Path, data: bytes, mode: int, before: Optional[os.stat_result]) -> None:
    tmp = _temp_copy(path, data)
    try:
        os.chmod(tmp, mode & 0o7777)
        if not _unchanged(path, before):  # saved in an editor meanwhile: theirs wins
            raise FixRefused("the file changed while it was being fixed; run tilint again")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_in_place(path: Path, data: bytes, before: Optional[os.stat_result]) -> None:
    """Hard links share one inode: write through it, after a verified copy, so every
    link sees the fix. The copy restores the file if the write fails part way."""
    original = path.read_bytes()
    tmp = _temp_copy(path, original)
    try:
        if Path(tmp).read_bytes() != original:
            raise FixRefused("could not make a verified copy before writing in place")
        if not _unchanged(path, before):
            raise FixRefused("the file changed while it was being fixed; run tilint again")
        try:
            with open(path, "r+b") as fh:
                fh.write(data)
                fh.truncate()
                fh.flush()
                os.fsync(fh.fileno())
        except OSError:
            with open(path, "wb") as fh:  # put the original back
                fh.write(original)
            raise
    finally:
        Path(tmp).unlink(missing_ok=True)


def remaining(result: FileResult, fixed: Iterable[Edit]) -> FileResult:
    """The result without the findings that were fixed."""
    done = {id(e.finding) for e in fixed}
    result.findings = [f for f in result.findings if id(f) not in done]
    return result
