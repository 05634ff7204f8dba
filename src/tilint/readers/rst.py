"""reStructuredText reader (.rst, .rest).

Why docutils: it is the reference implementation of reStructuredText (pure
Python, no dependencies). The syntax has too many ways to make non-prose (section
adornments, literal blocks after ``::``, directives and their indented bodies,
comments, grid and simple tables, substitution definitions) for a line-based
reader to be safe. docutils tells us which nodes are prose (paragraphs, titles,
definition terms, line-block lines) and the first source line of each; the text
itself is then taken from the source lines, with inline markup (``literal``,
roles, link targets, emphasis markers, substitutions, footnote references, URLs)
blanked by spaces, so every character keeps its exact line and column.

Directive bodies docutils does not know (Sphinx's ``toctree``, ``only``...) are
not read. Includes and raw input are disabled. If docutils fails on a file, the
reader falls back to paragraphs split at blank lines.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any, Optional

from ..document import Block, BlockBuilder, Document, Location
from .text import URL_RE, blocks_from_lines, mask, split_lines, text_document

__all__ = ["read", "parse_rst"]

_INLINE_MASKS = [
    re.compile(r"``.+?``", re.S),  # inline literals
    re.compile(r":[\w.+-]+:(?=`)"),  # role prefix  :ref:`...`
    re.compile(r"(?<=`)_{1,2}"),  # reference suffix `text`_
    re.compile(r"\s*<[^<>`]+>(?=`)"),  # embedded target `text <url>`_
    re.compile(r"`"),  # interpreted text / reference backticks (the text is prose)
    re.compile(r"\|[^|\s][^|]*\|_{0,2}"),  # substitution references
    re.compile(r"\[(?:#[\w-]*|\*|\d+|[A-Za-z][\w.-]*)\]_"),  # footnote / citation references
    re.compile(r"(?<=\w)__?(?=[\s.,;:!?)]|$)", re.M),  # reference names: word_
    URL_RE,
    re.compile(r"\\(?=\S)"),  # backslash escapes
    re.compile(r"\*\*|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])"),  # emphasis markers
    re.compile(r"(?<=\S)(?<=:):$|\s::$", re.M),  # "text::" reads as "text:"; " ::" not at all
]

_SETTINGS = {
    "report_level": 5,
    "halt_level": 5,
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "doctitle_xform": False,
    "sectsubtitle_xform": False,
    "_disable_config": True,
    "input_encoding": "unicode",
}


def _mask_inline(text: str) -> str:
    for pattern in _INLINE_MASKS:
        text = mask(text, pattern)
    return text


def _doctree(text: str) -> Any:
    import docutils.core

    settings = dict(_SETTINGS, warning_stream=io.StringIO())
    return docutils.core.publish_doctree(text, settings_overrides=settings)


def parse_rst(text: str) -> list[Block]:
    """Split reStructuredText source into prose blocks with exact source positions."""
    lines = split_lines(text)
    try:
        tree = _doctree(text)
    except Exception:  # docutils is robust, but never let a parser bug stop a lint run
        return blocks_from_lines(split_lines(mask(text, URL_RE)))
    from docutils import nodes

    prose = (nodes.paragraph, nodes.title, nodes.term, nodes.line, nodes.caption, nodes.rubric, nodes.attribution)
    skip = (nodes.system_message, nodes.literal_block, nodes.raw, nodes.comment, nodes.substitution_definition)
    titles: dict[int, str] = {}
    used: dict[int, list[tuple[int, int]]] = {}
    blocks: list[Block] = []
    for node in tree.findall(lambda n: isinstance(n, prose)):
        if not node.rawsource or node.line is None or _inside(node, skip):
            continue
        kind = _kind(node, nodes)
        section = tuple(titles[id(s)] for s in _sections(node, nodes) if id(s) in titles)
        builder = BlockBuilder(kind, Location(section=section))
        if not _place(node, lines, used, builder):
            continue
        block = builder.build()
        if not block.text:
            continue
        if isinstance(node, nodes.title) and isinstance(node.parent, nodes.section):
            titles[id(node.parent)] = block.text
            block.location = Location(section=section + (block.text,))
        blocks.append(block)
    return blocks


def _place(node: Any, lines: list[str], used: dict[int, list[tuple[int, int]]], builder: BlockBuilder) -> bool:
    """Find the node's raw lines in the source and add them, masked, to ``builder``."""
    raw_lines = node.rawsource.split("\n")
    first = raw_lines[0].strip()
    # docutils reports a title at its underline; other nodes at their first line.
    start: Optional[int] = None
    for candidate in (node.line - 1, node.line - 2, node.line, node.line - 3):
        if 0 <= candidate < len(lines) and first and first in lines[candidate]:
            start = candidate
            break
    if start is None or start + len(raw_lines) > len(lines):
        return False
    masked = split_lines(_mask_inline(node.rawsource))
    for i, (raw, shown) in enumerate(zip(raw_lines, masked)):
        index = start + i
        column = _find(lines[index], raw, used.setdefault(index, []))
        if column is None:
            return bool(i)
        builder.add(shown, index + 1, column + 1)
        builder.break_space()
    return True


def _find(line: str, raw: str, used: list[tuple[int, int]]) -> Optional[int]:
    """0-based column of ``raw`` in ``line`` not yet taken by another node (table cells)."""
    raw = raw.rstrip()
    if not raw:
        return 0
    pos = line.find(raw)
    while pos != -1:
        if not any(a <= pos < b for a, b in used):
            used.append((pos, pos + len(raw)))
            return pos
        pos = line.find(raw, pos + 1)
    return None


def _inside(node: Any, types: tuple) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, types):
            return True
        parent = parent.parent
    return False


def _sections(node: Any, nodes: Any) -> list[Any]:
    out = []
    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.section):
            out.append(parent)
        parent = parent.parent
    out.reverse()
    if isinstance(node, nodes.title) and out and node.parent is out[-1]:
        out.pop()
    return out


def _kind(node: Any, nodes: Any) -> str:
    if isinstance(node, (nodes.title, nodes.rubric)):
        return "heading"
    if _inside(node, (nodes.entry,)):
        return "table_cell"
    if _inside(node, (nodes.list_item, nodes.definition_list_item, nodes.field_body)):
        return "list_item"
    if _inside(node, (nodes.block_quote,)) or isinstance(node, nodes.attribution):
        return "quote"
    return "paragraph"


def read(path: Path, data: bytes) -> Document:
    return text_document(path, data, "rst", parse_rst)
