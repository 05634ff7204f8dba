"""The NLP engine: rules compiled once into spaCy matchers, then context filters.

Flow for a list of blocks:

1. **Prefilter** (no spaCy, see :mod:`tilint.prefilter`): blocks lacking a required
   word of every pattern cannot match and are skipped, exactly.
2. **Match**: candidate blocks are tokenised in batches; two PhraseMatchers (by
   lemma, by exact form) hold every phrase, including the context phrases (mention
   cues, person words, protected terms, each rule's neighbour lists and
   exceptions); token patterns run only where their required words occur.
3. **Filter**: per rule, the longest non-overlapping hits survive, then the
   engine-wide context (protected terms, exceptions, quotes and mention cues) and
   the rule's own ``context`` conditions decide what is reported; the
   ``section_lacks`` and ``document_lacks`` conditions are settled last, over the
   whole document.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Optional, Sequence

from .document import Block
from .nlp import get_nlp, norm, parse_blocks, sentences
from .prefilter import GatedMatcher, Prefilter, pattern_requirements, variants
from .ruleset import Rule, RuleSet, load_context
from .suggest import fit_suggestions
from .yamlutil import DataError

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

__all__ = ["Hit", "Engine", "get_engine"]

_CLAUSE_BREAKS = {",", ";", ":", "(", ")", "—", "–", "\u2022"}
_ADVERBS = {"not", "never", "also", "often", "always", "then", "already", "just", "repeatedly", "subsequently"}
# Quoted words are someone else's: a term under discussion or a person's own words.
# Straight single quotes double as apostrophes, so their spans are kept short.
_QUOTES = re.compile(r"\"[^\"\n]{1,400}\"|“[^”\n]{1,400}”|‘[^’\n]{1,200}’|(?<!\w)'[^'\n]{1,120}'(?!\w)")
_MENTION_WINDOW = 4  # tokens between a mention cue and the term
_SUBJECT_WINDOW = 8  # tokens to look back for a person subject
_CONTEXT_LISTS = ("preceded_by", "not_preceded_by", "followed_by", "not_followed_by", "sentence_has", "sentence_lacks", "block_lacks", "section_lacks", "document_lacks")
_WIDE = ("section_lacks", "document_lacks")  # settled after every block has been read


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


class Engine:
    """Compiled rules for one rule selection. Build with :func:`get_engine` (cached)."""

    def __init__(self, ruleset: RuleSet, *, model: Optional[str] = None):
        self.ruleset = ruleset
        self.model = model
        self.context_words = load_context()
        self.prefilter = Prefilter(r for rule in ruleset for pat in rule.patterns for r in pattern_requirements(pat))
        self._wide_gates = {
            f"!{field}:{rule.id}": Prefilter(r for p in rule.context[field] for r in pattern_requirements({"phrase": p}))
            for rule in ruleset
            for field in _WIDE
            if field in rule.context
        }
        self._by_norm: Any = None  # PhraseMatcher on lemma norms, built by _compile()
        self._by_lower: Any = None  # PhraseMatcher on exact lowercase forms
        self._keys: dict[int, tuple[str, Optional[int]]] = {}  # match id -> parsed key
        self._by_tokens: Any = None  # GatedMatcher for token patterns

    # -- prefilter -------------------------------------------------------------------
    def is_candidate(self, text: str) -> bool:
        """Could any rule match in ``text``? (Never False when one could.)"""
        return self.prefilter(text)

    # -- compile ---------------------------------------------------------------------
    @property
    def nlp(self):
        return get_nlp(self.model)

    def _add_phrases(self, key: str, phrases: Iterable[str], exact: bool = False) -> None:
        matcher = self._by_lower if exact else self._by_norm
        docs = [self.nlp.make_doc(v) for p in phrases for v in variants(p)]
        if any(len(d) == 0 for d in docs):
            raise ValueError("empty phrase")
        matcher.add(key, docs)

    def _compile(self) -> None:
        """Phrases go to two PhraseMatchers (by lemma, by exact form): hash lookups,
        far faster than a Matcher state machine. Token patterns use a Matcher."""
        from spacy.matcher import PhraseMatcher

        vocab = self.nlp.vocab
        self._by_norm = PhraseMatcher(vocab, attr="NORM")
        self._by_lower = PhraseMatcher(vocab, attr="LOWER")
        self._by_tokens = GatedMatcher(vocab)
        for rule in self.ruleset:
            for i, pat in enumerate(rule.patterns):
                key = f"{rule.id}#{i}"
                try:
                    if "phrase" in pat:
                        self._add_phrases(key, [pat["phrase"]], pat.get("exact", False))
                    else:
                        self._by_tokens.add(key, [pat["tokens"]])
                except (ValueError, KeyError, TypeError) as exc:
                    problem = str(exc).strip().splitlines()
                    raise DataError(rule.path, f"patterns[{i}]: invalid pattern ({problem[-1] if problem else exc})", rule.line, f"rule {rule.id}") from None
            lists = {f: rule.context[f] for f in _CONTEXT_LISTS if f in rule.context}
            if rule.exceptions:
                lists["exceptions"] = rule.exceptions
            for field, phrases in lists.items():
                try:
                    self._add_phrases(f"!{field}:{rule.id}", phrases)
                except ValueError:
                    raise DataError(rule.path, f"{field}: every phrase needs at least one word", rule.line, f"rule {rule.id}") from None
        for name in ("protected", "mention_cues", "person"):
            self._add_phrases(f"!{name}", self.context_words[name])
        self._passive = {norm(w) for w in self.context_words["passive_auxiliaries"]}

    def matches(self, doc: "Doc") -> list[tuple[int, int, int]]:
        """All (match_id, start, end) of rule patterns and context phrases in ``doc``."""
        if self._by_norm is None:
            self._compile()
        return self._by_norm(doc) + self._by_lower(doc) + self._by_tokens(doc)

    # -- analyse ---------------------------------------------------------------------
    def analyse(self, blocks: Sequence[Block], *, mentions: str = "skip", prefilter: bool = True) -> list[Hit]:
        """Hits for every block, in block order; ``mentions='report'`` keeps mentions.

        ``prefilter=False`` sends every block through spaCy (the plain path the
        tests compare the fast path against).
        """
        candidates = [b for b in blocks if not prefilter or self.is_candidate(b.text)]
        if not candidates:
            return []
        self.warm()
        hits: list[Hit] = []
        present: dict[str, list[tuple[str, ...]]] = {}  # wide-list key -> sections it occurs in
        for block, doc in self._parsed(candidates):
            hits.extend(self._hits_in(block, doc, mentions, present))
        pending = {f"!{f}:{h.rule.id}" for h in hits for f in _WIDE if f in h.rule.context} - set(present)
        if pending and len(candidates) < len(blocks):
            skipped = [b for b in blocks if not self.is_candidate(b.text)]
            for key, sections in self._wide_phrases(skipped, pending).items():
                present.setdefault(key, []).extend(sections)
        return [h for h in hits if not self._safeguarded(h, present)]

    def _wide_phrases(self, blocks: Sequence[Block], keys: set[str]) -> dict[str, list[tuple[str, ...]]]:
        """Where ``section_lacks``/``document_lacks`` lists occur in blocks the prefilter skipped."""
        gates = [self._wide_gates[k] for k in keys]
        chosen = [b for b in blocks if any(gate(b.text) for gate in gates)]
        strings = self.nlp.vocab.strings
        found: dict[str, list[tuple[str, ...]]] = {}
        for block, doc in self._parsed(chosen):
            for key in {strings[m] for m, _, _ in self._by_norm(doc)} & keys:
                found.setdefault(key, []).append(block.location.section)
        return found

    @staticmethod
    def _safeguarded(hit: Hit, present: dict[str, list[tuple[str, ...]]]) -> bool:
        """A ``document_lacks`` phrase anywhere, or a ``section_lacks`` phrase in the hit's
        section or one of its subsections, cancels the hit."""
        ctx, rid = hit.rule.context, hit.rule.id
        if "document_lacks" in ctx and present.get(f"!document_lacks:{rid}"):
            return True
        section = hit.block.location.section
        return "section_lacks" in ctx and any(s[: len(section)] == section for s in present.get(f"!section_lacks:{rid}", ()))

    def _parsed(self, blocks: Sequence[Block]) -> Iterable[tuple[Block, "Doc"]]:
        """Blocks with their docs. The default pipeline needs only the tokenizer here
        (norms live on the vocabulary; docs are shared with coverage); sentences are
        added later, for docs with hits. A named model runs whole."""
        if self.model:
            return zip(blocks, self.nlp.pipe((b.text for b in blocks), batch_size=64))
        return parse_blocks(blocks, self.nlp)

    def warm(self) -> None:
        """Load spaCy and compile the matchers now (they are otherwise built on first use)."""
        if self._by_norm is None:
            self._compile()

    def _key(self, match_id: int) -> tuple[str, Optional[int]]:
        """``("!person", None)`` for a context list, ``("BL001", 2)`` for pattern 2 of a rule."""
        key = self._keys.get(match_id)
        if key is None:
            text = self.nlp.vocab.strings[match_id]
            rule_id, _, idx = text.partition("#")
            key = self._keys[match_id] = (rule_id, int(idx) if idx else None)
        return key

    def _hits_in(self, block: Block, doc: "Doc", mentions: str, present: dict[str, list[tuple[str, ...]]]) -> list[Hit]:
        by_rule: dict[str, list[tuple[int, int, int]]] = {}
        aux: dict[str, list[tuple[int, int]]] = {}
        for match_id, start, end in self.matches(doc):
            name, idx = self._key(match_id)
            if idx is None:
                aux.setdefault(name, []).append((start, end))
            else:
                by_rule.setdefault(name, []).append((start, end, idx))
        for key in aux:
            if key.startswith(("!document_lacks:", "!section_lacks:")):
                present.setdefault(key, []).append(block.location.section)
        if not by_rule:
            return []
        quotes = [m.span() for m in _QUOTES.finditer(block.text)]
        # Span.sent walks the whole doc on every call: find sentences once
        sents = sentences(doc, self.nlp)
        starts = [s.start for s in sents]
        out = []
        for rule_id, spans in by_rule.items():
            rule = self.ruleset.by_id[rule_id]
            for start, end, idx in _longest(spans):
                span = doc[start:end]
                sent = sents[bisect.bisect_right(starts, start) - 1]
                if self._excluded(rule, span, sent, aux):
                    continue
                mention = self._is_mention(span, sent, aux, quotes)
                if mention and mentions == "skip" and rule.mentions == "skip":
                    continue
                suggest = fit_suggestions(rule, idx, span, sent)
                context = doc.text[sent.start_char : sent.end_char].strip()
                out.append(Hit(rule, block, span.start_char, span.end_char, context, tuple(suggest), mention))
        return _most_specific(out)

    # -- context ---------------------------------------------------------------------
    @staticmethod
    def _within(spans: Iterable[tuple[int, int]], start: int, end: int) -> bool:
        return any(s <= start and end <= e for s, e in spans)

    def _excluded(self, rule: Rule, span: "Span", sent: "Span", aux: dict) -> bool:
        start, end = span.start, span.end
        if self._within(aux.get("!protected", ()), start, end) or self._within(aux.get(f"!exceptions:{rule.id}", ()), start, end):
            return True
        ctx = rule.context
        if not ctx:
            return False
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
        if "subject" in ctx and self._has_person_subject(span, sent, aux) != (ctx["subject"] == "person"):
            return True
        passive = ctx.get("passive", "allow")
        if passive != "allow" and self._is_passive(span, sent) != (passive == "only"):
            return True
        return False

    def _has_person_subject(self, span: "Span", sent: "Span", aux: dict) -> bool:
        """A person word before the hit in its clause; a relative clause between commas
        ("The resident, who was upset, refused") is stepped over."""
        ends = {e for _, e in aux.get("!person", ())}
        doc, sent_start = span.doc, sent.start
        i, budget = span.start - 1, _SUBJECT_WINDOW
        while i >= sent_start and budget > 0:
            if doc[i].text in _CLAUSE_BREAKS:
                opening = _relative_clause_start(doc, i, sent_start)
                if opening is None:
                    return False
                i = opening - 1
                continue
            if i + 1 in ends:
                return True
            i -= 1
            budget -= 1
        return False

    def _is_passive(self, span: "Span", sent: "Span") -> bool:
        first = span[0]
        # a participle: an inflected verb form ("refused", "brought", "seen"), not an
        # adjective that happens to end like one ("adamant")
        if first.lower_.endswith("ing") or (first.norm_ == first.lower_ and not first.lower_.endswith("ed")):
            return False
        i = span.start - 1
        while i >= sent.start and span.doc[i].norm_ in _ADVERBS:
            i -= 1
        return i >= sent.start and span.doc[i].norm_ in self._passive

    def _is_mention(self, span: "Span", sent: "Span", aux: dict, quotes: list[tuple[int, int]]) -> bool:
        if any(qs < span.start_char and span.end_char < qe for qs, qe in quotes):
            return True
        start, sent_start, doc = span.start, sent.start, span.doc
        for s, e in aux.get("!mention_cues", ()):
            # a cue shortly before the term, in the same clause ("avoid terms like X")
            if s >= sent_start and 0 <= start - e <= _MENTION_WINDOW and not any(t.text in _CLAUSE_BREAKS for t in doc[e:start]):
                return True
        return False


_RELATIVE = {"who", "which", "whom", "whose", "that"}


def _relative_clause_start(doc: "Doc", comma: int, floor: int) -> Optional[int]:
    """If ``doc[comma]`` closes ", who ... ," return the index of the opening comma."""
    if doc[comma].text != ",":
        return None
    for j in range(comma - 1, max(floor, comma - 12) - 1, -1):
        if doc[j].text in _CLAUSE_BREAKS:
            if doc[j].text == "," and j + 1 < comma and doc[j + 1].lower_ in _RELATIVE:
                return j
            return None
    return None


def _longest(spans: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Longest-first, non-overlapping (like spacy.util.filter_spans), in text order."""
    taken: set[int] = set()
    out = []
    for s, e, i in sorted(spans, key=lambda x: (-(x[1] - x[0]), x[0], x[2])):
        if not taken.intersection(range(s, e)):
            out.append((s, e, i))
            taken.update(range(s, e))
    return sorted(out)


def _most_specific(hits: list[Hit]) -> list[Hit]:
    """Drop a hit whose span lies inside a longer hit of another rule: "refuse to
    engage" is one finding, not that one plus "refuse"."""
    return [
        h
        for h in hits
        if not any(o.rule.id != h.rule.id and o.start <= h.start and h.end <= o.end and o.end - o.start > h.end - h.start for o in hits)
    ]


_ENGINES: dict[tuple, Engine] = {}


def get_engine(ruleset: RuleSet, *, model: Optional[str] = None) -> Engine:
    """The compiled engine for a rule selection, built once per process."""
    # id(rule): a reloaded (edited) pack gives new Rule objects and so a new engine;
    # the cached engine keeps its rules alive, so their ids stay unique
    key = (tuple((r.id, id(r)) for r in ruleset), model)
    engine = _ENGINES.get(key)
    if engine is None:
        engine = _ENGINES[key] = Engine(ruleset, model=model)
    return engine
