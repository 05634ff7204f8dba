"""The NLP engine: rules compiled once into one spaCy Matcher, then context filters.

Flow for a list of blocks:

1. **Prefilter** (no spaCy): one regular expression of every surface form of each
   pattern's anchor word. Blocks without a candidate cannot match and are skipped.
   It is exact by construction (the forms come from the same lemma table the
   matcher uses), so skipping never changes the findings.
2. **Match**: candidate blocks go through the pipeline in batches; a single
   Matcher holds every rule pattern plus the context phrases (mention cues, person
   words, protected terms, each rule's neighbour lists and exceptions).
3. **Filter**: per rule, the longest non-overlapping hits survive, then the
   engine-wide context (protected terms, exceptions, quotes and mention cues) and
   the rule's own ``context`` conditions decide what is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Optional, Sequence

from .document import Block
from .nlp import forms_of, get_nlp, norm
from .ruleset import Rule, RuleSet, load_context
from .yamlutil import DataError

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

__all__ = ["Hit", "Engine", "get_engine"]

_CLAUSE_BREAKS = {",", ";", ":", "(", ")", "—", "–", "\u2022"}
_ADVERBS = {"not", "never", "also", "often", "always", "then", "already", "just", "repeatedly", "subsequently"}
_QUOTES = re.compile(r"\"[^\"\n]{1,60}\"|“[^”\n]{1,60}”|‘[^’\n]{1,60}’|(?<!\w)'[^'\n]{1,60}'(?!\w)")
_WORD = re.compile(r"[A-Za-z]{2,}")
_MENTION_WINDOW = 4  # tokens between a mention cue and the term
_SUBJECT_WINDOW = 8  # tokens to look back for a person subject
_CONTEXT_LISTS = ("preceded_by", "not_preceded_by", "followed_by", "not_followed_by", "sentence_has", "sentence_lacks", "block_lacks")


@dataclass(frozen=True)
class Hit:
    """A reported match: character offsets in ``block.text`` plus what to say about it."""

    rule: Rule
    block: Block
    start: int
    end: int
    sentence: str
    suggestions: tuple[str, ...]
    mention: bool = False


def _variants(phrase: str) -> list[str]:
    """A hyphenated phrase also matches its spaced and closed-up forms."""
    if not re.search(r"\w-\w", phrase):
        return [phrase]
    return [phrase, phrase.replace("-", " "), phrase.replace("-", "")]


def _token_forms(tok: dict) -> Optional[set[str]]:
    """Every lowercase surface form one Matcher token can match, or None if open-ended."""
    if tok.get("OP") in ("?", "*", "!"):
        return None
    for attr in ("LOWER", "ORTH", "TEXT", "NORM", "LEMMA"):
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


def _anchor(forms_per_token: Iterable[Optional[set[str]]]) -> Optional[set[str]]:
    """Pick the most selective token (longest shortest-form) as the prefilter anchor."""
    best: Optional[set[str]] = None
    for forms in forms_per_token:
        if not forms or not all(_WORD.search(f) for f in forms):
            continue
        if best is None or min(map(len, forms)) > min(map(len, best)):
            best = forms
    return best


def _phrase_forms(phrase: str, exact: bool) -> list[Optional[set[str]]]:
    words = _WORD.findall(phrase)
    return [{w.lower()} if exact else forms_of(norm(w)) for w in words if len(w) >= 3] or [None]


class Engine:
    """Compiled rules for one rule selection. Build with :func:`get_engine` (cached)."""

    def __init__(self, ruleset: RuleSet, *, model: Optional[str] = None):
        self.ruleset = ruleset
        self.model = model
        self.context_words = load_context()
        self.prefilter = self._build_prefilter()
        self._matcher = None

    # -- prefilter -------------------------------------------------------------------
    def _build_prefilter(self) -> Optional[re.Pattern[str]]:
        forms: set[str] = set()
        for rule in self.ruleset:
            for pat in rule.patterns:
                if "phrase" in pat:
                    anchors = [_anchor(_phrase_forms(v, pat.get("exact", False))) for v in _variants(pat["phrase"])]
                else:
                    anchors = [_anchor(_token_forms(t) for t in pat["tokens"])]
                if any(a is None for a in anchors):
                    return None  # an open-ended pattern: every block is a candidate
                for a in anchors:
                    forms |= a  # type: ignore[arg-type]
        if not forms:
            return re.compile(r"(?!)")
        alternation = "|".join(re.escape(f) for f in sorted(forms, key=lambda f: (-len(f), f)))
        return re.compile(rf"(?<![A-Za-z0-9])(?:{alternation})", re.IGNORECASE)

    def is_candidate(self, text: str) -> bool:
        return self.prefilter is None or self.prefilter.search(text) is not None

    # -- compile ---------------------------------------------------------------------
    @property
    def nlp(self):
        return get_nlp(self.model)

    def _phrase_pattern(self, phrase: str, exact: bool) -> list[dict]:
        tokens = self.nlp.make_doc(phrase)
        if exact:
            return [{"LOWER": t.lower_} for t in tokens]
        return [{"NORM": norm(t.text)} for t in tokens]

    def _add_phrases(self, matcher, key: str, phrases: Iterable[str]) -> None:
        matcher.add(key, [self._phrase_pattern(v, False) for p in phrases for v in _variants(p)])

    def _compile(self):
        from spacy.matcher import Matcher

        matcher = Matcher(self.nlp.vocab, validate=True)
        for rule in self.ruleset:
            for i, pat in enumerate(rule.patterns):
                key = f"{rule.id}#{i}"
                try:
                    if "phrase" in pat:
                        patterns = [self._phrase_pattern(v, pat.get("exact", False)) for v in _variants(pat["phrase"])]
                    else:
                        patterns = [pat["tokens"]]
                    matcher.add(key, patterns)
                except (ValueError, KeyError, TypeError) as exc:
                    problem = str(exc).strip().splitlines()
                    raise DataError(rule.path, f"patterns[{i}]: invalid token pattern ({problem[-1] if problem else exc})", rule.line, f"rule {rule.id}") from None
            lists = {f: rule.context[f] for f in _CONTEXT_LISTS if f in rule.context}
            if rule.exceptions:
                lists["exceptions"] = rule.exceptions
            for field, phrases in lists.items():
                try:
                    self._add_phrases(matcher, f"!{field}:{rule.id}", phrases)
                except ValueError:
                    raise DataError(rule.path, f"{field}: every phrase needs at least one word", rule.line, f"rule {rule.id}") from None
        self._add_phrases(matcher, "!protected", self.context_words["protected"])
        self._add_phrases(matcher, "!mention", self.context_words["mention_cues"])
        self._add_phrases(matcher, "!person", self.context_words["person"])
        self._passive = {norm(w) for w in self.context_words["passive_auxiliaries"]}
        return matcher

    @property
    def matcher(self):
        if self._matcher is None:
            self._matcher = self._compile()
        return self._matcher

    # -- analyse ---------------------------------------------------------------------
    def analyse(self, blocks: Sequence[Block], *, mentions: str = "skip") -> list[Hit]:
        """Hits for every block, in block order; ``mentions='report'`` keeps mentions."""
        candidates = [b for b in blocks if self.is_candidate(b.text)]
        if not candidates:
            return []
        matcher = self.matcher
        hits: list[Hit] = []
        for block, doc in zip(candidates, self.nlp.pipe((b.text for b in candidates), batch_size=64)):
            hits.extend(self._hits_in(block, doc, matcher, mentions))
        return hits

    def _hits_in(self, block: Block, doc: "Doc", matcher, mentions: str) -> list[Hit]:
        strings = doc.vocab.strings
        by_rule: dict[str, list[tuple[int, int, int]]] = {}
        aux: dict[str, list[tuple[int, int]]] = {}
        for match_id, start, end in matcher(doc):
            key = strings[match_id]
            if key.startswith("!"):
                aux.setdefault(key, []).append((start, end))
            else:
                rule_id, idx = key.split("#")
                by_rule.setdefault(rule_id, []).append((start, end, int(idx)))
        if not by_rule:
            return []
        quotes = [m.span() for m in _QUOTES.finditer(block.text)]
        out = []
        for rule_id, spans in by_rule.items():
            rule = self.ruleset.by_id[rule_id]
            for start, end, idx in _longest(spans):
                span = doc[start:end]
                if self._excluded(rule, span, aux):
                    continue
                mention = self._is_mention(span, aux, quotes)
                if mention and mentions == "skip" and rule.mentions == "skip":
                    continue
                suggest = rule.patterns[idx].get("suggest") or rule.suggestions
                out.append(Hit(rule, block, span.start_char, span.end_char, span.sent.text.strip(), tuple(suggest), mention))
        return out

    # -- context ---------------------------------------------------------------------
    @staticmethod
    def _within(spans: Iterable[tuple[int, int]], start: int, end: int) -> bool:
        return any(s <= start and end <= e for s, e in spans)

    def _excluded(self, rule: Rule, span: "Span", aux: dict) -> bool:
        start, end = span.start, span.end
        if self._within(aux.get("!protected", ()), start, end) or self._within(aux.get(f"!exceptions:{rule.id}", ()), start, end):
            return True
        ctx = rule.context
        if not ctx:
            return False
        sent = span.sent
        window = ctx.get("window", 1)

        def spans(field: str) -> list[tuple[int, int]]:
            return aux.get(f"!{field}:{rule.id}", [])

        def before(field: str) -> bool:
            return any(s >= sent.start and 0 <= start - e < window for s, e in spans(field))

        def after(field: str) -> bool:
            return any(e <= sent.end and 0 <= s - end < window for s, e in spans(field))

        def in_sentence(field: str) -> bool:
            return any(s >= sent.start and e <= sent.end for s, e in spans(field))

        checks = (
            ("preceded_by", lambda: before("preceded_by")),
            ("not_preceded_by", lambda: not before("not_preceded_by")),
            ("followed_by", lambda: after("followed_by")),
            ("not_followed_by", lambda: not after("not_followed_by")),
            ("sentence_has", lambda: in_sentence("sentence_has")),
            ("sentence_lacks", lambda: not in_sentence("sentence_lacks")),
            ("block_lacks", lambda: not spans("block_lacks")),
        )
        if not all(check() for field, check in checks if field in ctx):
            return True
        if "subject" in ctx and self._has_person_subject(span, aux) != (ctx["subject"] == "person"):
            return True
        passive = ctx.get("passive", "allow")
        if passive != "allow" and self._is_passive(span) != (passive == "only"):
            return True
        return False

    def _has_person_subject(self, span: "Span", aux: dict) -> bool:
        ends = {e for _, e in aux.get("!person", ())}
        doc, lower = span.doc, max(span.sent.start, span.start - _SUBJECT_WINDOW)
        for i in range(span.start - 1, lower - 1, -1):
            if doc[i].text in _CLAUSE_BREAKS:
                return False
            if i + 1 in ends:
                return True
        return False

    def _is_passive(self, span: "Span") -> bool:
        first = span[0].lower_
        if not (first.endswith(("ed", "en", "t")) or first in ("brought", "sent", "made", "kept", "seen")):
            return False
        i = span.start - 1
        while i >= span.sent.start and span.doc[i].norm_ in _ADVERBS:
            i -= 1
        return i >= span.sent.start and span.doc[i].norm_ in self._passive

    def _is_mention(self, span: "Span", aux: dict, quotes: list[tuple[int, int]]) -> bool:
        if any(qs < span.start_char and span.end_char < qe for qs, qe in quotes):
            return True
        start, sent_start = span.start, span.sent.start
        return any(s >= sent_start and 0 <= start - e <= _MENTION_WINDOW for s, e in aux.get("!mention", ()))


def _longest(spans: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Longest-first, non-overlapping (like spacy.util.filter_spans), in text order."""
    taken: set[int] = set()
    out = []
    for s, e, i in sorted(spans, key=lambda x: (-(x[1] - x[0]), x[0], x[2])):
        if not taken.intersection(range(s, e)):
            out.append((s, e, i))
            taken.update(range(s, e))
    return sorted(out)


_ENGINES: dict[tuple, Engine] = {}


def get_engine(ruleset: RuleSet, *, model: Optional[str] = None) -> Engine:
    """The compiled engine for a rule selection, built once per process."""
    key = (tuple((r.id, r.path) for r in ruleset), model)
    engine = _ENGINES.get(key)
    if engine is None:
        engine = _ENGINES[key] = Engine(ruleset, model=model)
    return engine
