"""Inline suppression directives, read from the raw source of text formats.

* ``<!-- tilint-disable [RULE ...] -->`` ... ``<!-- tilint-enable [RULE ...] -->``
* ``<!-- tilint-disable-next-line [RULE ...] -->`` and ``<!-- tilint-disable-line [RULE ...] -->``
* ``<!-- tilint-disable-file [RULE ...] -->``: the whole file (coverage findings too)
* ``tilint: ignore [RULE ...]`` anywhere on a line (for plain text), which covers that line.

RULE is an id (``BL001``), an id prefix (``BL``), a category or pack name, or
nothing (all rules); several are separated by spaces or commas. A RULE that names
no known rule is reported as finding ``TIL001`` at the directive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Optional

__all__ = ["Directive", "Suppressions", "parse_suppressions"]

_COMMENT = re.compile(r"<!--\s*tilint-(disable-next-line|disable-line|disable-file|disable|enable)\b([^>]*?)-->")
_IGNORE = re.compile(r"\btilint:\s*ignore\b(?:\[([^\]]*)\]|([ \t]+[A-Za-z][\w-]*(?:[ \t]*,?[ \t]*[A-Za-z][\w-]*)*))?")
_SPLIT = re.compile(r"[\s,]+")


@dataclass(frozen=True)
class Directive:
    kind: str  # disable | enable | disable-next-line | disable-line | disable-file | ignore
    selectors: tuple[str, ...]  # empty = all rules
    line: int
    column: int
    end_column: int
    text: str


@dataclass
class Suppressions:
    """Which rules are suppressed on which lines."""

    directives: list[Directive] = field(default_factory=list)
    # line -> selectors suppressed on that line (None in the set = all rules)
    by_line: dict[int, set[Optional[str]]] = field(default_factory=dict)
    # (start_line, end_line or None, selector or None) ranges from disable/enable
    ranges: list[tuple[int, Optional[int], Optional[str]]] = field(default_factory=list)

    def is_suppressed(self, rule_id: str, line: int, matches: Callable[[str, str], bool]) -> bool:
        """True if ``rule_id`` is off at ``line``; ``matches(rule_id, selector)`` resolves selectors."""
        for sel in self.by_line.get(line, ()):
            if sel is None or matches(rule_id, sel):
                return True
        for start, end, sel in self.ranges:
            if start <= line and (end is None or line < end) and (sel is None or matches(rule_id, sel)):
                return True
        return False


def _selectors(raw: str) -> tuple[str, ...]:
    return tuple(s for s in _SPLIT.split(raw.strip()) if s)


def parse_suppressions(source: str) -> Suppressions:
    """Find every directive in ``source`` and work out the lines it covers."""
    sup = Suppressions()
    if "tilint" not in source:  # every directive names tilint: most files are done here
        return sup
    open_ranges: dict[Optional[str], int] = {}
    for lineno, text in enumerate(re.split(r"\r\n|\r|\n", source), start=1):
        for m in _COMMENT.finditer(text):
            d = Directive(m.group(1), _selectors(m.group(2)), lineno, m.start() + 1, m.end() + 1, m.group(0))
            sup.directives.append(d)
            keys = d.selectors or (None,)
            if d.kind == "disable-next-line":
                for k in keys:
                    sup.by_line.setdefault(lineno + 1, set()).add(k)
            elif d.kind == "disable-line":
                for k in keys:
                    sup.by_line.setdefault(lineno, set()).add(k)
            elif d.kind == "disable-file":  # wherever it stands, the whole file
                for k in keys:
                    sup.ranges.append((1, None, k))
            elif d.kind == "disable":
                for k in keys:
                    open_ranges.setdefault(k, lineno)
            else:  # enable
                targets = list(open_ranges) if not d.selectors else list(keys)
                for k in targets:
                    if k in open_ranges:
                        sup.ranges.append((open_ranges.pop(k), lineno, k))
        for m in _IGNORE.finditer(text):
            raw = m.group(1) if m.group(1) is not None else (m.group(2) or "")
            d = Directive("ignore", _selectors(raw), lineno, m.start() + 1, m.end() + 1, m.group(0))
            sup.directives.append(d)
            for k in d.selectors or (None,):
                sup.by_line.setdefault(lineno, set()).add(k)
    for k, start in open_ranges.items():
        sup.ranges.append((start, None, k))
    return sup
