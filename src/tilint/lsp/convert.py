"""tilint results -> LSP: positions in the client's units, diagnostics, hovers and edits.

Pure functions on findings and lsprotocol types, without server state, so each can be
tested on its own. Findings count columns in characters (code points) of the
document's lines; LSP clients count in UTF-16 code units unless they negotiated
another encoding, so every position goes through :class:`Lines`.
"""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Callable, Iterable, Optional

from lsprotocol import types

from ..fix import match_case
from ..models import Finding, Source
from ..readers import READERS, TEXT_PARSERS

__all__ = [
    "Lines",
    "document_format",
    "is_coverage",
    "to_diagnostic",
    "problem_diagnostic",
    "md_escape",
    "hover_markdown",
    "replacements",
    "disable_for_line",
    "disable_for_file",
]

SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}

# editors' language ids for the formats tilint reads as text
FORMAT_BY_LANGUAGE = {
    "markdown": "markdown",
    "plaintext": "text",
    "text": "text",
    "restructuredtext": "rst",
    "rst": "rst",
    "html": "html",
}


def document_format(path: str, language_id: Optional[str]) -> Optional[str]:
    """The tilint text format of a document (by suffix, else by language id), or None."""
    fmt = READERS.get(PurePath(path).suffix.lower(), "").split(":")[0]
    if fmt in TEXT_PARSERS:
        return fmt
    return FORMAT_BY_LANGUAGE.get((language_id or "").lower())


_LINE_END = re.compile(r"(\r\n|\r|\n)")


class Lines:
    """A document's lines, converting tilint's 1-based character positions to LSP positions.

    ``units`` counts a string's length in the client's position encoding (UTF-16 code
    units by default: an emoji counts 2). Lines end at ``\\r\\n``, ``\\n`` or a lone
    ``\\r``, as the protocol says and as tilint's readers split them.
    """

    def __init__(self, text: str, units: Callable[[str], int]):
        parts = _LINE_END.split(text)
        self.lines, self.ends = parts[0::2], parts[1::2]  # each line, and the break after it
        self.units = units

    def position(self, line: int, column: int) -> types.Position:
        """LSP position of tilint's (1-based line, 1-based column)."""
        i = min(max(line - 1, 0), len(self.lines) - 1)
        return types.Position(line=i, character=self.units(self.lines[i][: max(column - 1, 0)]))

    def end_of(self, i: int) -> types.Position:
        """LSP position of the end of 0-based line ``i`` (before any ``\\r``)."""
        return types.Position(line=i, character=self.units(self.lines[i]))

    def range(self, f: Finding) -> types.Range:
        if f.line == f.end_line and f.column == f.end_column:  # document-level (coverage): the first line
            return types.Range(start=types.Position(line=0, character=0), end=self.end_of(0))
        return types.Range(start=self.position(f.line, f.column), end=self.position(f.end_line, f.end_column))

    def text_at(self, f: Finding) -> str:
        """The source text a finding spans (to check a fix still applies)."""
        if f.end_line > len(self.lines):
            return ""
        if f.line == f.end_line:
            return self.lines[f.line - 1][f.column - 1 : f.end_column - 1]
        first, last = f.line - 1, f.end_line - 1
        text = self.lines[first][f.column - 1 :] + self.ends[first]
        text += "".join(line + end for line, end in zip(self.lines[first + 1 : last], self.ends[first + 1 : last]))
        return text + self.lines[last][: f.end_column - 1]


def is_coverage(f: Finding) -> bool:
    return f.category == "coverage"


def to_diagnostic(f: Finding, lines: Lines, *, required: frozenset[str] = frozenset()) -> types.Diagnostic:
    """One finding as an LSP diagnostic.

    Coverage findings of principles the config does not ``require`` are information
    (the server asks for all of them to show what is missing); their message says
    what to add.
    """
    severity = SEVERITY.get(f.severity, types.DiagnosticSeverity.Warning)
    message = f.message
    if is_coverage(f):
        if f.rule_id not in required:
            severity = types.DiagnosticSeverity.Information
        if f.suggestions:
            message = f"{message} To add: {f.suggestions[0]}"
    href = _first_url(f.sources)
    return types.Diagnostic(
        range=lines.range(f),
        message=message,
        severity=severity,
        code=f.rule_id,
        code_description=types.CodeDescription(href=href) if href else None,
        source="tilint",
    )


def problem_diagnostic(message: str, lines: Lines) -> types.Diagnostic:
    """An error on the first line: the document could not be checked (config, reader, rule)."""
    return types.Diagnostic(
        range=types.Range(start=types.Position(line=0, character=0), end=lines.end_of(0)),
        message=message,
        severity=types.DiagnosticSeverity.Error,
        source="tilint",
    )


def _first_url(sources: Iterable[Source]) -> Optional[str]:
    return next((s.url for s in sources if s.url.startswith(("https://", "http://"))), None)


# -- hover --------------------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def md_escape(text: str) -> str:
    """Document text is untrusted: shown literally, never as Markdown or HTML."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _link(s: Source) -> str:
    cite = md_escape(s.cite())
    if not s.url.startswith(("https://", "http://")):
        return cite
    url = s.url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")
    return f"[{cite}]({url})"


def hover_markdown(f: Finding, rationale: str = "") -> str:
    """Markdown for a hover: what was found, why it matters, what to write, and the sources."""
    parts = [f"**{md_escape(f.rule_id)}** `{f.name.replace('`', '')}` ({f.severity}): {md_escape(f.message)}"]
    if rationale:
        parts.append(md_escape(rationale))
    if f.suggestions:
        label = "To add" if is_coverage(f) else "Try instead"
        parts.append(f"**{label}:** " + "; ".join(md_escape(s) for s in f.suggestions))
    if f.sources:
        parts.append("**Sources:**\n\n" + "\n".join(f"- {_link(s)}" for s in f.sources))
    return "\n\n".join(parts)


# -- edits --------------------------------------------------------------------------------
def replacements(f: Finding, lines: Lines) -> list[tuple[str, types.TextEdit, bool]]:
    """Each suggestion as ``(title, edit, preferred)``; none if the text has changed under it.

    A suggestion keeps the match's capitalisation; for a ``fixable`` rule the first
    suggestion is the preferred fix (the one ``tilint check --fix`` would apply).
    """
    if is_coverage(f) or not f.match or lines.text_at(f) != f.match:
        return []
    out = []
    for i, suggestion in enumerate(f.suggestions):
        new = match_case(suggestion, f.match)
        edit = types.TextEdit(range=lines.range(f), new_text=new)
        out.append((f"Replace with '{new}'", edit, f.fixable and i == 0))
    return out


def _insert(at: types.Position, text: str) -> types.TextEdit:
    return types.TextEdit(range=types.Range(start=at, end=at), new_text=text)


def disable_for_line(fmt: str, lines: Lines, f: Finding) -> tuple[str, list[types.TextEdit]]:
    """The suppression comment for a finding's line, in the document's format.

    Markdown and HTML: ``<!-- tilint-disable-line RULE -->`` at the end of the line
    (an inline comment, invisible when rendered). Plain text: ``tilint: ignore RULE``.
    reStructuredText has no inline comment, so the paragraph is wrapped in
    ``.. <!-- tilint-disable RULE -->`` / ``.. <!-- tilint-enable RULE -->`` comments.
    """
    i, rule = f.line - 1, f.rule_id
    if fmt == "rst":
        start, end = i, i
        while start > 0 and lines.lines[start - 1].strip():
            start -= 1
        while end + 1 < len(lines.lines) and lines.lines[end + 1].strip():
            end += 1
        indent = re.match(r"[ \t]*", lines.lines[start]).group(0)  # type: ignore[union-attr]
        return f"Disable {rule} for this paragraph", [
            _insert(types.Position(line=start, character=0), f"{indent}.. <!-- tilint-disable {rule} -->\n\n"),
            _insert(lines.end_of(end), f"\n\n{indent}.. <!-- tilint-enable {rule} -->"),
        ]
    comment = f"  tilint: ignore {rule}" if fmt == "text" else f" <!-- tilint-disable-line {rule} -->"
    return f"Disable {rule} for this line", [_insert(lines.end_of(i), comment)]


def disable_for_file(fmt: str, lines: Lines, rule: str) -> tuple[str, list[types.TextEdit]]:
    """``<!-- tilint-disable-file RULE -->`` on a line of its own at the top (after any
    front matter or doctype); in reStructuredText inside a ``..`` comment."""
    if fmt == "rst":
        return f"Disable {rule} for this file", [_insert(types.Position(line=0, character=0), f".. <!-- tilint-disable-file {rule} -->\n\n")]
    at, comment = _after_preamble(fmt, lines.lines), f"<!-- tilint-disable-file {rule} -->"
    if at == len(lines.lines):  # front matter closes on the last line
        return f"Disable {rule} for this file", [_insert(lines.end_of(at - 1), f"\n{comment}")]
    return f"Disable {rule} for this file", [_insert(types.Position(line=at, character=0), f"{comment}\n")]


def _after_preamble(fmt: str, lines: list[str]) -> int:
    """The first line after Markdown front matter or an HTML doctype / XML declaration."""
    first = lines[0].strip().lower()
    if fmt == "markdown" and first == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() in ("---", "..."):
                return i + 1
    if fmt == "html" and first.startswith(("<!doctype", "<?xml")):
        return 1
    return 0
