r"""Refuse regular expressions that can backtrack catastrophically.

A ``REGEX`` in a rule pack or framework runs on every token of every document, through
Python's backtracking engine. ``(a+)+$`` against a long token takes time exponential in
its length, so a user pack is validated when it is loaded: the pattern is parsed by the
standard library's own parser and its tree is walked for the two shapes behind
exponential backtracking (Kirrage et al., 2013; the same shapes ``safe-regex`` and
``rxxr`` flag):

* a repeat nested in an unbounded repeat, ``(a+)+``, ``(.*)*x``, ``(a{2,})*``;
* alternatives that can start with the same character inside an unbounded repeat,
  ``(a|a)*b``, ``(care|carer)+``.

A counted repeat of a variable part, ``(.*a){20}``, is polynomial of that degree, and
so refused like an unbounded one.

The check is conservative (a character class it cannot reason about overlaps with
everything): a refused pattern can always be rewritten without the ambiguity.

With the ``re2`` extra (google-re2) installed, :func:`use_linear_engine` has spaCy's
Matcher run ``REGEX`` predicates in RE2, whose time is linear in the token whatever the
pattern; a pattern RE2 cannot compile (backreferences, lookaround) or whose meaning
differs there (``\w``, ``\b``, ``\d``, ``\s`` are ASCII-only in RE2) stays in Python's
engine, bounded by the check above and by the watchdog's per-file deadline.
"""

from __future__ import annotations

import re
import sys
from typing import Any, Optional

if sys.version_info >= (3, 11):
    import re._constants as _c  # type: ignore[import-not-found]
    import re._parser as _p  # type: ignore[import-not-found]
else:  # pragma: no cover - Python 3.10
    import sre_constants as _c
    import sre_parse as _p

_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT} | ({_c.POSSESSIVE_REPEAT} if hasattr(_c, "POSSESSIVE_REPEAT") else set())
_UNBOUNDED = 20  # a repeat allowing more than this many is treated as unbounded
_ANY = None  # a first-character set standing for "any character"


_UNICODE_CLASSES = re.compile(r"\\[wWbBdDsS]")


class _Re2First:
    """Stands in for the ``re`` module inside spaCy's matcher: ``compile`` gives RE2 where
    it means the same, Python's ``re`` otherwise; everything else is ``re``'s."""

    def __init__(self, re2: Any):
        self._re2 = re2

    def compile(self, pattern: Any, flags: int = 0) -> Any:
        if isinstance(pattern, str) and not flags and not _UNICODE_CLASSES.search(pattern):
            try:
                return self._re2.compile(pattern)
            except Exception:  # noqa: BLE001 - RE2 lacks the feature: Python's engine, already checked
                pass
        return re.compile(pattern, flags)

    def __getattr__(self, name: str) -> Any:
        return getattr(re, name)


def compile_predicate(pattern: str) -> Any:
    """A token ``REGEX`` predicate compiled as spaCy's matcher compiles it once
    :func:`use_linear_engine` has run: RE2 where it is installed and means the same,
    Python's engine otherwise (tilint's own port of the matcher must not lose RE2)."""
    try:
        import re2
    except ImportError:
        return re.compile(pattern)
    return _Re2First(re2).compile(pattern)


def use_linear_engine() -> bool:
    """Run spaCy's ``REGEX`` token predicates in RE2 when google-re2 is installed
    (returns whether it is). Call before matchers are built."""
    try:
        import re2
        import spacy.matcher.matcher as matcher
    except ImportError:
        return False
    # spaCy's matcher.pyi declares its classes, not the module's `re` import replaced here
    if not isinstance(matcher.re, _Re2First):  # type: ignore[attr-defined]
        matcher.re = _Re2First(re2)  # type: ignore[attr-defined]
    return True


def regex_problem(pattern: str) -> Optional[str]:
    """Why ``pattern`` is refused (does not compile, or can backtrack catastrophically), or None."""
    try:
        re.compile(pattern)
        tree = _p.parse(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        return f"does not compile: {getattr(exc, 'msg', exc)}"
    except Exception as exc:  # noqa: BLE001 - the private parser may raise anything on odd input
        return f"does not compile: {exc}"
    return _walk(tree, inside_unbounded=False)


def _walk(items: Any, inside_unbounded: bool) -> Optional[str]:
    items = list(items)
    for i, (op, av) in enumerate(items):
        if op in _REPEATS:
            low, high, body = av
            unbounded = high is _c.MAXREPEAT or high > _UNBOUNDED or high >= 2  # (.*a){20}: degree 20
            variable = high is _c.MAXREPEAT or high != low
            if inside_unbounded and variable:
                return "nests a repeat inside a repeat (like (a+)+), which can take exponential time; rewrite it without the nesting"
            if problem := _walk(body, inside_unbounded or unbounded):
                return problem
        elif op is _c.SUBPATTERN:
            if problem := _walk(av[-1], inside_unbounded):
                return problem
        elif op is _c.BRANCH:
            if inside_unbounded and _overlap([_first(list(alt) + items[i + 1 :]) for alt in av[1]]):
                return "repeats alternatives that can match the same text (like (a|a)*), which can take exponential time; make the alternatives distinct"
            for alt in av[1]:
                if problem := _walk(alt, inside_unbounded):
                    return problem
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            if problem := _walk(av[1], inside_unbounded):
                return problem
        elif op is _c.GROUPREF_EXISTS:
            for alt in av[1:]:
                if alt is not None and (problem := _walk(alt, inside_unbounded)):
                    return problem
        elif hasattr(_c, "ATOMIC_GROUP") and op is _c.ATOMIC_GROUP:
            if problem := _walk(av, inside_unbounded):
                return problem
    return None


def _overlap(firsts: list) -> bool:
    """Whether two alternatives can start with the same character."""
    return any(a is _ANY or b is _ANY or a & b for i, a in enumerate(firsts) for b in firsts[i + 1 :])


def _first(items: list) -> Optional[frozenset]:
    """The characters ``items`` can start with, or ``_ANY`` when not simply known."""
    if not items:
        return _ANY  # an empty alternative matches where any other does
    op, av = items[0]
    if op is _c.LITERAL:
        return frozenset({chr(av)})
    if op is _c.IN and all(o is _c.LITERAL or (o is _c.RANGE and v[1] - v[0] < 1000) for o, v in av):
        chars: set[str] = set()
        for o, v in av:
            chars.update(map(chr, range(v[0], v[1] + 1)) if o is _c.RANGE else chr(v))
        return frozenset(chars)
    if op is _c.SUBPATTERN:
        return _first(list(av[-1]) + items[1:])
    if op in _REPEATS and av[0] >= 1:
        return _first(list(av[2]))
    return _ANY
