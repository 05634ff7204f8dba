"""Markdown reader.

markdown-it-py (CommonMark plus tables and front matter) decides which lines are
prose: paragraphs, headings and table rows. Code (fenced, indented), HTML blocks
and front matter are never read. Inside prose, inline code, HTML comments and
tags, URLs, link targets and markup characters are blanked with spaces of the
same length, so every character left keeps its exact line and column.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from ..document import Block, BlockBuilder, Document, Location
from .text import URL_RE, mask, split_lines, text_document

__all__ = ["read", "parse_markdown"]

_INLINE_MASKS = [
    re.compile(r"<!--.*?-->", re.S),  # HTML comments (suppression directives live here)
    re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S),  # code spans
    re.compile(r"<(?:https?|mailto|ftp):[^>\s]*>"),  # autolinks
    re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"),  # inline HTML tags
    # link/image destinations: ](url "title"); a destination hard-wrapped over lines
    # (text exported from web pages) continues while each line is one unbroken word
    re.compile(r"\]\([^)\s]*(?:\n[ \t]*[^)\s]+)*(?:\s+\"[^\"]*\")?\)"),
    re.compile(r"\]\[[^\]]*\]"),  # reference-style link labels: ][ref]
    re.compile(r"\[\^[^\]]+\]"),  # footnote references
    URL_RE,
    re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);"),  # entities
    re.compile(r"\\(?=[!-/:-@\[-`{-~])"),  # backslash escapes
    re.compile(r"\\$", re.M),  # a backslash ending a line is a hard line break, not text
    re.compile(r"!(?=\[)|[\[\]]"),  # link/image brackets (the link text is prose)
    re.compile(r"\*+|~~|(?<![A-Za-z0-9])_+|_+(?![A-Za-z0-9])"),  # emphasis markers
]

_CONTAINER_PREFIX = re.compile(r"^(?:[ \t]*>)*[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?)?")
_ATX = re.compile(r"^([ \t]*)(#{1,6})(?=\s|$)|[ \t]+#+[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^[ \t>]*(=+|-+)[ \t]*$")


# markdown-it stops parsing, silently, at its nesting limit (20 by default: a list
# 10 deep, 20 nested quotes); the rest of the file would go unread. The limit is
# raised far beyond real documents, and a file that still reaches it is an error.
MAX_NESTING = 200


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.front_matter import front_matter_plugin

    md = MarkdownIt("commonmark").enable("table").use(front_matter_plugin)
    md.options["maxNesting"] = MAX_NESTING
    return md


def _mask_inline(text: str) -> str:
    for pattern in _INLINE_MASKS:
        text = mask(text, pattern)
    return text


def _blank(s: str, start: int, end: int) -> str:
    return s[:start] + " " * (end - start) + s[end:]


def _mask_prefix(line: str, heading: bool) -> str:
    m = _CONTAINER_PREFIX.match(line)
    if m and m.end():
        line = _blank(line, 0, m.end())
    if heading:
        if _SETEXT_UNDERLINE.match(line):
            return " " * len(line)
        for hm in _ATX.finditer(line):
            line = _blank(line, hm.start(), hm.end())
    return line


def _cells(line: str) -> list[tuple[int, int]]:
    """Column ranges of the cells of a table row (unescaped pipes split cells)."""
    bounds = [-1] + [m.start() for m in re.finditer(r"(?<!\\)\|", line)] + [len(line)]
    ranges = []
    for a, b in zip(bounds, bounds[1:]):
        if line[a + 1 : b].strip():
            ranges.append((a + 1, b))
    return ranges


# Lines that can start a block: the first after a blank line, or one opening a list
# item, quote or heading. With every '|' (a possible table cell) their count bounds the
# blocks markdown-it would make, so an oversized file is refused before it parses
# (1,000,000 short paragraphs took 78 s and 2.5 GB; 10,000 columns 38 s and 1.8 GB).
# A longer paragraph over several lines is refused once read (see check_document).
_BLOCK_START = re.compile(r"^(?:(?<=\n\n)|\A|(?=[ \t>]*(?:[-*+#]|\d{1,9}[.)])(?:[ \t]|$)))[ \t]*\S", re.M)


def _check_size(text: str) -> None:
    from . import DOCUMENT_LIMITS, ReadError, too_long_block, too_many_blocks

    columns = DOCUMENT_LIMITS["max_table_columns"]
    wide = re.search(rf"^(?:[^|\n]*\|){{{columns + 2}}}", text, re.M)  # outer pipes allowed; anchored: linear
    if wide:
        raise ReadError(f"a table row at line {text.count(chr(10), 0, wide.start()) + 1} has over {columns:,} columns")
    chars = DOCUMENT_LIMITS["max_block_chars"]
    if len(text) > chars and (long := re.search(rf"^[^\n]{{{chars + 1}}}", text, re.M)):  # one line past a block's limit
        raise too_long_block(text.count("\n", 0, long.start()) + 1)
    budget = DOCUMENT_LIMITS["max_blocks"] - text.count("|")
    if budget < 0 or any(i >= budget for i, _ in enumerate(_BLOCK_START.finditer(text))):
        raise too_many_blocks()


def parse_markdown(text: str) -> list[Block]:
    """Split Markdown source into prose blocks with exact source positions."""
    _check_size(text)
    lines = split_lines(text)
    tokens = _parser().parse(text)
    if any(tok.level >= MAX_NESTING - 1 for tok in tokens):
        from . import ReadError

        raise ReadError(f"lists or quotes are nested more than {MAX_NESTING // 2} levels deep; tilint cannot read this file reliably")
    blocks: list[Block] = []
    containers: list[str] = []
    headings: list[tuple[int, str]] = []  # (level, text) stack for section paths
    pending_heading: int | None = None
    for tok in tokens:
        if tok.type in ("list_item_open", "blockquote_open"):
            containers.append(tok.type)
        elif tok.type in ("list_item_close", "blockquote_close"):
            containers.pop()
        elif tok.type == "heading_open":
            pending_heading = int(tok.tag[1])
        if tok.map is None:
            continue
        start, end = tok.map
        if tok.type in ("paragraph_open", "heading_open"):
            heading = tok.type == "heading_open"
            kind = "heading" if heading else (
                "list_item" if "list_item_open" in containers else
                "quote" if "blockquote_open" in containers else "paragraph")
            chunk = "\n".join(_mask_prefix(lines[i], heading) for i in range(start, end))
            masked = split_lines(_mask_inline(chunk))
            section = tuple(t for _, t in headings)
            builder = BlockBuilder(kind, Location(section=section))
            for offset, line in enumerate(masked):
                builder.add(line, start + offset + 1, 1)
                builder.break_space()
            if not builder.empty:
                block = builder.build()
                blocks.append(block)
                if heading and pending_heading is not None:
                    headings = [h for h in headings if h[0] < pending_heading]
                    headings.append((pending_heading, block.text))
                    block.location = Location(section=tuple(t for _, t in headings))
            pending_heading = None
        elif tok.type == "tr_open":
            row = start
            line = _mask_inline(_mask_prefix(lines[row], False))
            section = tuple(t for _, t in headings)
            for a, b in _cells(line):
                builder = BlockBuilder("table_cell", Location(section=section))
                builder.add(line[a:b], row + 1, a + 1)
                if not builder.empty:
                    blocks.append(builder.build())
    return blocks


def read(path: Path, data: bytes) -> Document:
    return text_document(path, data, "markdown", parse_markdown)
