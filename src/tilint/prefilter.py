"""The literal prefilter: what could possibly match, decided without spaCy.

Each pattern gets an *anchor*: its most selective token, as the set of lowercase
surface forms it can match (every word whose lemma key equals the pattern's), or,
for a ``REGEX`` token anchored at the start, that regular expression. Text holding
no anchor cannot match, so it is never tokenised, and a token pattern's Matcher
only runs on docs that hold its anchor. The forms come from the same lemma table
the matchers use, so skipping is exact: it never changes a result
(tests/test_prefilter.py checks this property).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Optional

from .nlp import forms_of, norm

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

__all__ = ["Anchor", "Prefilter", "GatedMatcher", "token_forms", "phrase_forms", "anchor", "pattern_anchor", "variants", "LETTERS"]

_WORD = re.compile(r"[A-Za-z]{2,}")
LETTERS = re.compile(r"[^\W\d_]+")
_TEXT_ATTRS = ("LOWER", "ORTH", "TEXT")


@dataclass(frozen=True)
class Anchor:
    """Surface forms (lowercase) a token can take, or a regex for forms that can't be listed."""

    forms: frozenset[str] = frozenset()
    regex: Optional[str] = None

    def weight(self) -> tuple[int, int]:
        """Higher is more selective: listed word forms beat regexes beat punctuation."""
        if self.forms and all(_WORD.search(f) for f in self.forms):
            return (2, min(map(len, self.forms)))
        if self.regex:
            return (1, len(self.regex))
        return (0, 0)


def variants(phrase: str) -> list[str]:
    """A hyphenated phrase also matches its spaced and closed-up forms."""
    if not re.search(r"\w-\w", phrase):
        return [phrase]
    return [phrase, phrase.replace("-", " "), phrase.replace("-", "")]


def token_forms(tok: dict) -> Optional[set[str]]:
    """Every lowercase surface form one Matcher token can match, or None if it can't be listed."""
    if tok.get("OP") in ("?", "*", "!") or str(tok.get("OP", "")).startswith("{0"):
        return None
    for attr in (*_TEXT_ATTRS, "NORM", "LEMMA"):
        if attr not in tok:
            continue
        value = tok[attr]
        values = value.get("IN") if isinstance(value, dict) else [value]
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            return None
        if attr in ("NORM", "LEMMA"):
            return {f for v in values for f in forms_of(v.lower())} | {v.lower() for v in values}
        return {v.lower() for v in values}
    return None


def _token_anchor(tok: dict) -> Optional[Anchor]:
    forms = token_forms(tok)
    if forms:
        return Anchor(frozenset(forms))
    if tok.get("OP") in ("?", "*", "!") or str(tok.get("OP", "")).startswith("{0"):
        return None
    for attr in _TEXT_ATTRS:  # a start-anchored REGEX on the text: "^debrief", "^re-?traumati[sz]"
        value = tok.get(attr)
        if isinstance(value, dict) and isinstance(value.get("REGEX"), str) and value["REGEX"].startswith("^"):
            body = value["REGEX"][1:]
            body = body[:-1] if body.endswith("$") and not body.endswith("\\$") else body
            return Anchor(regex=body)
    return None


def anchor(tokens: Iterable[dict]) -> Optional[Anchor]:
    """The most selective token of a token pattern, or None if no token is usable."""
    best: Optional[Anchor] = None
    for tok in tokens:
        a = _token_anchor(tok)
        if a is not None and (best is None or a.weight() > best.weight()):
            best = a
    return best


def phrase_forms(phrase: str, exact: bool) -> list[Optional[set[str]]]:
    """Per word of a phrase, the surface forms it matches (by lemma unless ``exact``)."""
    words = _WORD.findall(phrase)
    return [{w.lower()} if exact else forms_of(norm(w)) for w in words if len(w) >= 3] or [None]


def _phrase_anchor(phrase: str, exact: bool) -> Optional[Anchor]:
    options = [Anchor(frozenset(f)) for f in phrase_forms(phrase, exact) if f]
    return max(options, key=Anchor.weight) if options else None


def pattern_anchor(pattern: dict) -> list[Optional[Anchor]]:
    """Anchors of a rule pattern (``phrase`` or ``tokens``); one per phrase variant."""
    if "phrase" in pattern:
        return [_phrase_anchor(v, pattern.get("exact", False)) for v in variants(pattern["phrase"])]
    return [anchor(pattern["tokens"])]


def _odd_regex(forms: Iterable[str], regexes: Iterable[str]) -> Optional[re.Pattern[str]]:
    parts = [re.escape(f) for f in sorted(forms, key=lambda f: (-len(f), f))] + [f"(?:{r})" for r in sorted(regexes)]
    return re.compile(r"(?<![^\W\d_])(?:" + "|".join(parts) + ")", re.I) if parts else None


class Prefilter:
    """Could any of a set of patterns match in a text? A word set plus one regex."""

    def __init__(self, anchors: Iterable[Optional[Anchor]]):
        forms: set[str] = set()
        regexes: set[str] = set()
        self.open = False  # some pattern has no anchor: every text is a candidate
        for a in anchors:
            if a is None:
                self.open = True
                break
            forms |= a.forms
            if a.regex:
                regexes.add(a.regex)
        self.words = frozenset(f for f in forms if LETTERS.fullmatch(f))
        self.odd = _odd_regex(forms - self.words, regexes)

    def __call__(self, text: str) -> bool:
        """Could a pattern match in ``text``? (Never False when one could.)"""
        if self.open:
            return True
        if not self.words.isdisjoint(LETTERS.findall(text.lower())):
            return True
        return self.odd is not None and self.odd.search(text) is not None


class GatedMatcher:
    """Token patterns, one spaCy Matcher per key, each run only where its anchors occur.

    A Matcher's cost grows with every pattern it holds and every token it scans;
    most patterns are irrelevant to most texts, so each key is skipped unless one
    of its patterns' anchors is in the doc.
    """

    def __init__(self, vocab: "Vocab"):
        self.vocab = vocab
        self._entries: list[tuple[Optional[set[int]], Optional[re.Pattern[str]], object]] = []

    def add(self, key: str, patterns: list[list[dict]]) -> None:
        from spacy.matcher import Matcher

        matcher = Matcher(self.vocab, validate=True)
        matcher.add(key, patterns)
        anchors = [anchor(p) for p in patterns]
        if any(a is None for a in anchors):
            self._entries.append((None, None, matcher))
            return
        hashes = {self.vocab.strings.add(f) for a in anchors for f in a.forms}  # type: ignore[union-attr]
        regex = _odd_regex((), [a.regex for a in anchors if a and a.regex])
        self._entries.append((hashes, regex, matcher))

    def __len__(self) -> int:
        return len(self._entries)

    def __call__(self, doc: "Doc") -> list[tuple[int, int, int]]:
        if not self._entries:
            return []
        from spacy.attrs import LOWER

        return self.run(doc, set(doc.to_array(LOWER).tolist()))

    def run(self, doclike, words: set[int]) -> list[tuple[int, int, int]]:
        """Matches in ``doclike`` (a Doc, or a Span: offsets then relative to it);
        ``words`` holds the LOWER hashes of its tokens (no Token objects are built)."""
        out: list[tuple[int, int, int]] = []
        for hashes, regex, matcher in self._entries:
            if hashes is None or not words.isdisjoint(hashes) or (regex is not None and regex.search(doclike.text)):
                out += matcher(doclike)  # type: ignore[operator]
        return out
