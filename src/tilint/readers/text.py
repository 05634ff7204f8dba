"""Plain text: decoding shared by all text formats, and the ``.txt`` reader."""

from __future__ import annotations

import codecs
import itertools
import re
from pathlib import Path
from typing import Callable

from ..document import Block, BlockBuilder, Document
from . import ReadError

__all__ = ["decode", "read", "blocks_from_lines"]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Control characters that never occur in real prose; a few of them mean binary.
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def decode(data: bytes) -> tuple[str, str, bool]:
    """Decode text bytes: BOM-marked encodings, then UTF-8, then cp1252.

    Returns ``(text, encoding, had_bom)``. Raises :class:`ReadError` for empty or
    binary input.
    """
    if not data.strip():
        raise ReadError("file is empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                raise ReadError(f"invalid {encoding} text after its byte-order mark") from None
            return text.lstrip("\ufeff"), encoding, True
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        try:
            return data.decode(utf16), utf16, False
        except UnicodeDecodeError:
            raise ReadError(f"invalid {utf16} text") from None
    if b"\x00" in data[:4096] or len(_BINARY.findall(data[:4096])) > 4:
        raise ReadError("binary file, not text")
    try:
        return data.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252", False
    except UnicodeDecodeError:
        raise ReadError("not valid UTF-8, UTF-16 or cp1252 text") from None


def _utf16_without_bom(data: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" if the bytes look like BOM-less UTF-16 text, else None.

    Mostly-ASCII UTF-16 has a zero in every other byte: zeros at odd offsets mean
    little-endian, at even offsets big-endian. Binary files have zeros in both.
    """
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2 or b"\x00" not in sample:
        return None
    even, odd = sample[0::2], sample[1::2]
    zeros_even, zeros_odd = even.count(0), odd.count(0)
    half = len(sample) // 2
    if zeros_odd >= 0.6 * half and zeros_even == 0:
        return "utf-16-le"
    if zeros_even >= 0.6 * half and zeros_odd == 0:
        return "utf-16-be"
    return None


def newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text[:10000] else "\n"


def blocks_from_lines(lines: list[str], skip: set[int] | None = None) -> list[Block]:
    """Group lines into paragraph blocks split at blank lines.

    ``lines`` are the (possibly masked) source lines without line endings; lines
    whose 0-based index is in ``skip`` end the current paragraph and are not read.
    """
    skip = skip or set()
    blocks: list[Block] = []
    builder: BlockBuilder | None = None
    for i, line in enumerate(lines):
        if i in skip or not line.strip():
            if builder is not None and not builder.empty:
                blocks.append(builder.build())
            builder = None
            continue
        if builder is None:
            builder = BlockBuilder("paragraph")
        builder.add(line, i + 1, 1)
        builder.break_space()
    if builder is not None and not builder.empty:
        blocks.append(builder.build())
    return blocks


# URLs and e-mail addresses are not prose.
# An e-mail's local part starts only where a run of its characters starts and is at most
# 64 characters (RFC 5321): without both, "a.a.a.…" with no "@" costs quadratic time.
URL_RE = re.compile(r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"'`)\]]+|(?<![\w.+-])[\w.+-]{1,64}@[\w-]+\.[\w.-]+\b")


def mask(text: str, pattern: re.Pattern[str]) -> str:
    """Replace every match of ``pattern`` with spaces (newlines kept), preserving offsets."""
    if pattern is URL_RE and "://" not in text and "www." not in text and "@" not in text:
        return text  # each URL_RE match holds one of these: most text is done without a scan
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LONE_CR = re.compile(r"\r(?!\n)")


def split_lines(text: str) -> list[str]:
    """Split at every line ending (CRLF, lone CR or LF, mixed freely), as
    :attr:`Document.line_starts` and markdown-it count lines."""
    return LINE_BREAK.split(text)


def lf_breaks(text: str) -> str:
    """Lone CRs (old Mac files, stray ones) as LF: the same length, so offsets
    are kept, and every parser then sees the lines the user sees."""
    return _LONE_CR.sub("\n", text) if "\r" in text else text


def text_document(path: Path, data: bytes, format: str, parse: Callable[[str], list[Block]]) -> Document:
    """Decode a text format and split it into blocks with ``parse`` (shared by the
    text, Markdown, reStructuredText and HTML readers)."""
    text, encoding, bom = decode(data)
    return Document(
        path=str(path),
        format=format,
        blocks=parse(lf_breaks(text)),
        source=text,
        newline=newline_of(text),
        encoding=encoding,
        bom=bom,
    )


_BLANK_LINE = re.compile(r"\n[ \t]*(?=\n|\Z)")


def check_paragraph_lengths(text: str) -> None:
    """Refuse a run of text with no blank line longer than a block may be, before any
    work on it (a 50 MB single-line file took 19 s and 1.75 GB to lint)."""
    from . import DOCUMENT_LIMITS, too_long_block

    limit = DOCUMENT_LIMITS["max_block_chars"]
    if len(text) <= limit:
        return
    start = 0
    for end, after in itertools.chain(((m.start(), m.end() + 1) for m in _BLANK_LINE.finditer(text)), ((len(text), 0),)):
        if end - start > limit and len(text[start:end].strip()) > limit:
            raise too_long_block(text.count("\n", 0, start) + 1)
        start = after  # the line after the blank line


def parse_text(text: str) -> list[Block]:
    """Plain text: paragraphs at blank lines, URLs blanked."""
    check_paragraph_lengths(text)
    return blocks_from_lines(split_lines(mask(text, URL_RE)))


def read(path: Path, data: bytes) -> Document:
    return text_document(path, data, "text", parse_text)
