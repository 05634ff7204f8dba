"""Readers: turn a file on disk into a :class:`~tilint.document.Document`.

One module per format, each exposing ``read(path, data) -> Document``. This
module maps file extensions to readers and owns the shared failure type, so the
linter can report "path: problem" for any format without knowing its details.
"""

from __future__ import annotations

import importlib
import re
import stat
from pathlib import Path, PurePath
from typing import Callable

from ..document import Document

__all__ = ["ReadError", "READERS", "parse_document", "reader_for", "read_document", "read_text", "supported_suffixes"]


# control characters (line breaks, terminal escapes) can reach a message from a file,
# e.g. a zip member named "\nimetype" (found by tests/test_fuzz.py)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class ReadError(Exception):
    """A file could not be read. The message is one line, without the path: control
    characters in it (from a file's own names) are escaped."""

    def __init__(self, message: str = ""):
        super().__init__(_CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), str(message)))


# What one document may hold, whatever its format. Real policies are far below: a
# 300-page handbook has about 10,000 blocks, a long paragraph a few thousand characters,
# a wide table a few dozen columns. Past them a file is hostile or not prose (a data
# dump), and reading it on would cost minutes and gigabytes for nothing worth linting.
DOCUMENT_LIMITS = {"max_blocks": 100_000, "max_block_chars": 100_000, "max_table_columns": 1_000}


def too_many_blocks() -> ReadError:
    return ReadError(f"too many blocks (over {DOCUMENT_LIMITS['max_blocks']:,} paragraphs, headings, list items and table cells)")


def too_long_block(line: object) -> ReadError:
    return ReadError(f"a paragraph at line {line} is over {DOCUMENT_LIMITS['max_block_chars']:,} characters (no paragraph breaks?)")


def check_document(doc: Document) -> Document:
    """Refuse a document past :data:`DOCUMENT_LIMITS` (each reader checks earlier where it can)."""
    if len(doc.blocks) > DOCUMENT_LIMITS["max_blocks"]:
        raise too_many_blocks()
    for block in doc.blocks:
        if len(block.text) > DOCUMENT_LIMITS["max_block_chars"]:
            raise too_long_block(block.position(0)[0])
    return doc


# suffix -> "module:function"; modules are imported only when a file needs them,
# so a Markdown-only run never imports the Word or PDF libraries.
READERS: dict[str, str] = {
    ".md": "markdown:read",
    ".markdown": "markdown:read",
    ".txt": "text:read",
    ".text": "text:read",
    ".rst": "rst:read",
    ".rest": "rst:read",
    ".html": "html:read",
    ".htm": "html:read",
    ".xhtml": "html:read",
    ".docx": "docx:read",
    ".odt": "odt:read",
    ".pdf": "pdf:read",
}


def supported_suffixes() -> list[str]:
    return sorted(READERS)


def reader_for(path: PurePath) -> Callable[[Path, bytes], Document] | None:
    target = READERS.get(path.suffix.lower())
    if target is None:
        return None
    module_name, func = target.split(":")
    module = importlib.import_module(f"{__name__}.{module_name}")
    return getattr(module, func)


def read_document(path: Path, *, max_bytes: int = 50 * 1024 * 1024) -> Document:
    """Read ``path`` with the reader for its suffix; raise :class:`ReadError` on any failure."""
    reader = reader_for(path)
    if reader is None:
        raise ReadError(f"unsupported file type '{path.suffix or path.name}'")
    try:
        info = path.stat()
    except OSError as exc:
        raise ReadError(_os_reason(exc)) from None
    if stat.S_ISDIR(info.st_mode):
        raise ReadError("is a directory")
    if not stat.S_ISREG(info.st_mode):  # a FIFO would block, /dev/zero never ends
        raise ReadError("not a regular file (a pipe, device or socket is never read)")
    size = info.st_size
    if size > max_bytes:
        raise ReadError(
            f"file is {size / 1_048_576:.1f} MB, over the {max_bytes / 1_048_576:.1f} MB limit (max-file-size)"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(_os_reason(exc)) from None
    return parse_document(path, data, max_bytes=max_bytes)


def parse_document(path: Path, data: bytes, *, max_bytes: int = 50 * 1024 * 1024) -> Document:
    """Parse file content read elsewhere (object storage, standard input) with the reader
    for ``path``'s suffix; raise :class:`ReadError` on any failure, as :func:`read_document` does."""
    reader = reader_for(path)
    if reader is None:
        raise ReadError(f"unsupported file type '{path.suffix or path.name}'")
    if len(data) > max_bytes:  # grew since stat, or a special file
        raise ReadError(f"file is over the {max_bytes / 1_048_576:.1f} MB limit (max-file-size)")
    try:
        return check_document(reader(path, data))
    except ReadError:
        raise
    except MemoryError:
        raise ReadError("file is too large to read in memory") from None
    except RecursionError:
        raise ReadError("file is nested too deeply to read") from None
    except Exception as exc:  # a library failed in a way its reader did not foresee
        kind = path.suffix.lower().lstrip(".")
        if type(exc).__module__ == "builtins":  # "'NoneType' object is not iterable" tells a user nothing
            raise ReadError(f"could not read {kind} file: its structure is damaged or of a kind tilint cannot read") from None
        detail = str(exc).strip().splitlines()
        reason = f"{exc.__class__.__name__}: {detail[0]}" if detail else exc.__class__.__name__
        raise ReadError(f"could not read {kind} file ({reason})") from None


def _os_reason(exc: OSError) -> str:
    reason = exc.strerror or exc.__class__.__name__
    return reason[0].lower() + reason[1:] if reason else "cannot read file"


# format name -> "module:function" parsing a decoded string into blocks
TEXT_PARSERS: dict[str, str] = {
    "markdown": "markdown:parse_markdown",
    "text": "text:parse_text",
    "rst": "rst:parse_rst",
    "html": "html:parse_html",
}


def read_text(text: str, *, format: str = "markdown", path: str = "<string>") -> Document:
    """A Document from a string in one of the text formats (markdown, text, rst, html)."""
    if format not in TEXT_PARSERS:
        raise ValueError(f"unknown format '{format}' (expected {', '.join(TEXT_PARSERS)})")
    module_name, func = TEXT_PARSERS[format].split(":")
    parse = getattr(importlib.import_module(f"{__name__}.{module_name}"), func)
    from .text import lf_breaks

    return Document(path=path, format=format, blocks=parse(lf_breaks(text)), source=text)
