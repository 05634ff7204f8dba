"""Every id tilint can emit, and strict checking of the selectors that name them.

A selector (in ``--select``, ``--ignore``, ``per-file-ignores``, ``severity``, the
spaCy component's config or a suppression comment) is ``ALL``, a rule id, an id
prefix, a category or a pack name. Besides the rules of the loaded packs, tilint
emits coverage findings (``CV…``, one id per principle of each framework, category
``coverage``) and meta findings (``TIL…``, category ``tilint``). A selector that
names none of these is an error that names the closest known ids (``difflib``):
a typo must never turn into a run that silently checks nothing.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable, Optional

from .yamlutil import DataError

if TYPE_CHECKING:
    from .ruleset import RuleSet

__all__ = ["META_RULES", "UnknownSelector", "coverage_ids", "closest", "is_known", "check_selectors"]

# meta findings: id -> (name, what it means)
META_RULES: dict[str, tuple[str, str]] = {
    "TIL001": (
        "unknown-suppression",
        "A suppression comment names a rule id, prefix or category that does not exist, so it "
        "suppresses nothing. It is reported as an error (exit code 2) with the closest known ids.",
    ),
}

_PREFIX = re.compile(r"[A-Za-z]{1,4}[0-9]{0,3}")


class UnknownSelector(DataError):
    """A selector names no rule tilint knows (exit code 2)."""

    def __init__(self, problem: str, path: Optional[str] = None):
        if path:
            super().__init__(path, problem)
        else:  # a command-line option: the message says which
            self.path, self.problem, self.line, self.where = "", problem, None, ""
            Exception.__init__(self, problem)


@lru_cache(maxsize=None)
def coverage_ids() -> dict[str, tuple[str, str]]:
    """``CV…`` id -> (framework name, principle id), for the built-in frameworks."""
    from .coverage import available_frameworks, load_framework

    out: dict[str, tuple[str, str]] = {}
    for name in available_frameworks():
        for p in load_framework(name).principles:
            out[p.rule_id] = (name, p.id)
    return out


def _names(rules: "RuleSet") -> set[str]:
    names = {"ALL", "coverage", "tilint"}
    for r in rules:
        names.update((r.id, r.prefix, r.category, r.pack))
    return names


def is_known(selector: str, rules: "RuleSet", extra_ids: Iterable[str] = ()) -> bool:
    """True if ``selector`` names at least one rule, coverage id or meta id."""
    sel = selector.strip()
    if not sel:
        return False
    if sel.upper() == "ALL" or sel.lower() in ("coverage", "tilint") or rules.known_selector(sel):
        return True
    if not _PREFIX.fullmatch(sel):
        return False
    up = sel.upper()
    if up.startswith("TIL") or up.startswith("CV"):
        return any(i.startswith(up) for i in (*META_RULES, *coverage_ids(), *extra_ids))
    return any(i.startswith(up) for i in extra_ids)


def closest(selector: str, rules: "RuleSet", n: int = 3) -> list[str]:
    """The known ids, prefixes and categories closest in spelling to ``selector``."""
    candidates = _names(rules) | set(META_RULES) | set(coverage_ids())
    by_upper = {c.upper(): c for c in candidates}
    matcher = difflib.SequenceMatcher(b=selector.upper())
    scored = []
    for upper in by_upper:
        matcher.set_seq1(upper)
        if matcher.real_quick_ratio() >= 0.5 and matcher.quick_ratio() >= 0.5 and matcher.ratio() >= 0.5:
            scored.append((-matcher.ratio(), upper))
    return [by_upper[u] for _, u in sorted(scored)[:n]]  # best first; ties in id order


def unknown_message(selector: str, rules: "RuleSet", where: str) -> str:
    near = closest(selector, rules)
    if near:
        hint = f"; did you mean {', '.join(near)}?"
    else:
        prefixes = sorted({r.prefix for r in rules} | {"CV", "TIL"})
        hint = f"; known prefixes: {', '.join(prefixes)}"
    return f"unknown rule id, prefix or category '{selector}' in {where}{hint} (see `tilint rules`)"


def check_selectors(
    selectors: Iterable[str], rules: "RuleSet", *, where: str, path: Optional[str] = None, extra_ids: Iterable[str] = ()
) -> None:
    """Raise :class:`UnknownSelector` for the first selector that names nothing."""
    extra = tuple(extra_ids)
    for sel in selectors:
        if not is_known(sel, rules, extra):
            raise UnknownSelector(unknown_message(sel, rules, where), path)
