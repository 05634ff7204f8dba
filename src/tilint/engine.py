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
import gc
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Optional, Sequence

from .document import Block
from .nlp import get_nlp, keep_long_lived, norm, parse_blocks, sentence_starts
from .prefilter import GatedMatcher, Prefilter, pattern_requirements, rule_requirements, variants, words_of
from .ruleset import Rule, RuleSet, load_context
from .spelling import respell_tokens
from .suggest import coordinate, fit_suggestions
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
_LIST_WINDOW = 14  # tokens from a cue to the last term of a list it introduces
_REJECT_WINDOW = 3  # tokens between "cannot be", "is not"... and the label it rejects
_PROHIBIT_WINDOW = 8  # tokens between a practice and the cue that forbids it
_TERM_LIST = {"like", "such", "including", "include", "namely", "e.g.", "eg", ":", "-", "–", "—"}
_NEGATED_BEFORE = re.compile(r"(?:\bnot|\bnever|n't)(?:\s+[^\W\d_]+)?\s*$", re.I)  # a quote after this is rejected wording
_LIST_JOINS = {",", "or", "and", "/", "&", "and/or", "nor"}
_QUOTE_CHARS = {'"', "'", "“", "”", "‘", "’"}
_FILLERS = {"a", "an", "the", "simply", "just", "merely", "being", "really", "somehow", "any", "form", "of", "kind", "type", "physical"}
# words that start a new clause: a cue on one side does not reach a hit on the other
_CLAUSE_WORDS = {"when", "if", "who", "which", "that", "because", "while", "where", "unless", "until", "after", "before", "so", "but"}
_SENTENCE_ENDS = {".", "!", "?", ";", ")"}
_USE_VERBS = {"use", "employ", "apply", "subject", "practise", "practice", "carry", "resort", "operate", "adopt"}
# what may follow "X is prohibited" when X is the practice forbidden ("... in our homes")
_AFTER_PROHIBITION = {"in", "on", "at", "within", "under", "by", "here", "there", "anywhere", "and", "or", "for", "across", "throughout", "whatever", "whenever"}
_OPENER_ENDS = {"circumstance", "circumstances", "time"}  # "under no circumstances", "at no time"
_SUBJECT_WINDOW = 8  # tokens to look back for a person subject
_CONJUNCTIONS = ["or", "and", "/", "&", "and/or", "nor"]
_NOT_COORDINATED = {"the", "and", "not", "for", "was", "are", "has", "had", "who", "his", "her", "its", "our", "you", "they", "their", "any", "all"}
_ENGINE_LISTS = ("protected", "mention_cues", "term_nouns", "avoid_cues", "rejection_cues", "prohibits_following", "prohibits_preceding", "prohibition_exceptions", "language_words", "person", "category_nouns")
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
        required = [(i, r) for i, reqs in enumerate(rule_requirements(list(ruleset))) for r in reqs]
        self.prefilter = Prefilter((r for _, r in required), (i for i, _ in required))  # tag: the rule's index
        self._wide_gates: Optional[dict[str, Prefilter]] = None  # see _wide_phrases
        self._by_norm: Any = None  # PhraseMatcher on lemma norms, built by _compile()
        self._by_lower: Any = None  # PhraseMatcher on exact lowercase forms
        self._keys: dict[int, tuple[str, Optional[int]]] = {}  # match id -> parsed key
        self._by_tokens: Any = None  # GatedMatcher for token patterns
        # context phrases, matched only in blocks where a rule matched: the engine's
        # lists (one matcher) and each rule's own lists (one matcher per rule, run only
        # for the rules that matched; most context matches belong to rules that did not)
        self._engine_lists: Any = None
        self._rule_lists: dict[str, Any] = {}
        # rules are compiled on demand while the engine is young: a commit-time check of
        # one file compiles only the rules its text could match (see _compile_for)
        self._compiled: set[str] = set()
        self._lazy_blocks = _LAZY_BLOCKS

    # -- prefilter -------------------------------------------------------------------
    def is_candidate(self, text: str) -> bool:
        """Could any rule match in ``text``? (Never False when one could.)"""
        return self.prefilter(text)

    # -- compile ---------------------------------------------------------------------
    @property
    def nlp(self):
        return get_nlp(self.model)

    def _add_phrases(self, key: str, phrases: Iterable[str], exact: bool = False, matcher: Any = None) -> list["Doc"]:
        """Add every variant of ``phrases`` under ``key`` (to ``matcher``, by default the
        rules' matcher for the attribute); return their docs."""
        matcher = matcher if matcher is not None else self._by_lower if exact else self._by_norm
        docs = [self.nlp.make_doc(v) for p in phrases for v in variants(p)]
        if any(len(d) == 0 for d in docs):
            raise ValueError("empty phrase")
        matcher.add(key, docs)
        return docs

    @staticmethod
    def _coordinations(docs: Iterable["Doc"], exact: bool) -> list[list[dict]]:
        """Token patterns for phrases whose first word is coordinated with another:
        "alcohol abuse" also matches "alcohol or drug abuse", "alcohol and/or solvent
        abuse"; "failed to attend" matches "failed or refused to attend"."""
        attr = "LOWER" if exact else "NORM"
        out: list[list[dict]] = []
        for doc in docs:
            if len(doc) < 2 or not (doc[0].is_alpha and doc[1].is_alpha) or len(doc[0]) < 3 or doc[0].lower_ in _NOT_COORDINATED:
                continue
            words = [{attr: t.lower_ if exact else t.norm_} for t in doc]
            out.append([words[0], {"LOWER": {"IN": _CONJUNCTIONS}, "OP": "+"}, {"IS_ALPHA": True}, {"IS_ALPHA": True, "OP": "?"}, *words[1:]])
        return out

    def _compile(self, rules: Optional[Iterable[Rule]] = None) -> None:
        """Phrases go to two PhraseMatchers (by lemma, by exact form): hash lookups,
        far faster than a Matcher state machine. Token patterns use spaCy's Matchers until
        every rule is compiled, then a port of their state machine (``GatedMatcher``).
        ``rules``: compile only these (and the engine's own lists); default all.

        The garbage collector is paused meanwhile: compiling makes tens of thousands of
        small objects and no cycles, and each full collection walks the lemma tables
        (it cost four fifths of the compile time)."""
        collecting = gc.isenabled()
        gc.disable()
        try:
            if self._by_norm is None:
                self._compile_base()
            for rule in self.ruleset if rules is None else rules:
                if rule.id not in self._compiled:
                    self._compile_rule(rule)
                    self._compiled.add(rule.id)
            if len(self._compiled) == len(self.ruleset):
                self._by_tokens.use_state_machine()  # built once, with every pattern in
        finally:
            keep_long_lived()  # what was just built lives as long as the engine
            if collecting:
                gc.enable()

    def _compile_for(self, blocks: Sequence[Block], prefilter: bool) -> None:
        """Compile the rules that could match in ``blocks`` (exact: a rule whose
        requirement holds in no block has no match there), or every rule once the
        engine has seen enough text that compiling all of them costs less."""
        if len(self._compiled) == len(self.ruleset):
            return
        self._lazy_blocks -= len(blocks)
        if not prefilter or self.prefilter.bypass or self.prefilter.open or self._lazy_blocks < 0:
            self._compile()
            return
        rules = list(self.ruleset)
        tags = set().union(*(self.prefilter.tags(words_of(b.text), b.text) for b in blocks))
        self._compile([rules[i] for i in sorted(tags)])

    def _compile_base(self) -> None:
        vocab = self.nlp.vocab  # first: get_nlp() imports spaCy as it should be (nlp._import_spacy)
        from spacy.matcher import PhraseMatcher

        self._by_norm = PhraseMatcher(vocab, attr="NORM")
        self._by_lower = PhraseMatcher(vocab, attr="LOWER")
        self._by_tokens = GatedMatcher(vocab, states=True)
        self._engine_lists = PhraseMatcher(vocab, attr="NORM")
        self._rule_lists = {}
        for name in _ENGINE_LISTS:
            self._add_phrases(f"!{name}", self.context_words[name], matcher=self._engine_lists)
        self._passive = {norm(w) for w in self.context_words["passive_auxiliaries"]}
        self._introducers = {norm(w) for w in self.context_words["term_introducers"]}
        self._name_heads = {norm(v) for w in self.context_words["name_heads"] for v in variants(w)}

    def _compile_rule(self, rule: Rule) -> None:
        """One rule's patterns (to the shared matchers) and its context lists."""
        from spacy.matcher import PhraseMatcher

        vocab = self.nlp.vocab
        coordinated: list[tuple[str, list[list[dict]]]] = []  # one Matcher per rule
        for i, pat in enumerate(rule.patterns):
            key = f"{rule.id}#{i}"
            try:
                if "phrase" in pat:
                    docs = self._add_phrases(key, [pat["phrase"]], pat.get("exact", False))
                    coordinated.append((key, self._coordinations(docs, pat.get("exact", False))))
                else:
                    self._by_tokens.add(key, [respell_tokens(pat["tokens"], norm)])
            except (ValueError, KeyError, TypeError) as exc:
                problem = str(exc).strip().splitlines()
                raise DataError(rule.path, f"patterns[{i}]: invalid pattern ({problem[-1] if problem else exc})", rule.line, f"rule {rule.id}") from None
        self._by_tokens.add_many([(k, p) for k, p in coordinated if p], validate=False)
        lists = {f: rule.context[f] for f in _CONTEXT_LISTS if f in rule.context}
        if rule.exceptions:
            lists["exceptions"] = rule.exceptions
        for field, phrases in lists.items():
            # the section/document-wide lists are looked for in every block
            own = None if field in _WIDE else self._rule_lists.get(rule.id)
            if own is None and field not in _WIDE:
                own = self._rule_lists[rule.id] = PhraseMatcher(vocab, attr="NORM")
            try:
                self._add_phrases(f"!{field}:{rule.id}", phrases, matcher=own)
            except ValueError:
                raise DataError(rule.path, f"{field}: every phrase needs at least one word", rule.line, f"rule {rule.id}") from None

    def matches(self, doc: "Doc", text: Optional[str] = None) -> list[tuple[int, int, int]]:
        """All (match_id, start, end) of rule patterns and section/document-wide context
        phrases in ``doc``; ``text`` is ``doc.text`` when the caller has it (rebuilding it
        from the tokens was a tenth of a check)."""
        if self._by_norm is None:
            self._compile()
        text = doc.text if text is None else text
        return self._by_norm(doc) + self._by_lower(doc) + self._by_tokens.run(doc, words_of(text), text)

    def context_matches(self, doc: "Doc", rule_ids: Iterable[str]) -> list[tuple[int, int, int]]:
        """(match_id, start, end) of the engine's context lists and of the lists of the
        rules ``rule_ids``."""
        found = self._engine_lists(doc)
        for rule_id in rule_ids:
            lists = self._rule_lists.get(rule_id)
            if lists is not None:
                found += lists(doc)
        return found

    # -- analyse ---------------------------------------------------------------------
    def analyse(self, blocks: Sequence[Block], *, mentions: str = "skip", prefilter: bool = True) -> list[Hit]:
        """Hits for every block, in block order; ``mentions='report'`` keeps mentions.

        ``prefilter=False`` sends every block through spaCy (the plain path the
        tests compare the fast path against).
        """
        candidates = [b for b in blocks if not prefilter or self.is_candidate(b.text)]
        if not candidates:
            return []
        self._compile_for(candidates, prefilter)
        hits: list[Hit] = []
        present: dict[str, list[tuple[str, ...]]] = {}  # wide-list key -> sections it occurs in
        leads: dict[int, str] = {}
        scopes = _list_scopes(blocks, leads)
        for block, doc in self._parsed(candidates):
            hits.extend(self._hits_in(block, doc, mentions, present, scopes.get(id(block)), leads.get(id(block))))
        pending = {f"!{f}:{h.rule.id}" for h in hits for f in _WIDE if f in h.rule.context} - set(present)
        if pending and len(candidates) < len(blocks):
            skipped = [b for b in blocks if not self.is_candidate(b.text)]
            for key, sections in self._wide_phrases(skipped, pending).items():
                present.setdefault(key, []).extend(sections)
        return _most_specific([h for h in hits if not self._safeguarded(h, present)])

    def _wide_phrases(self, blocks: Sequence[Block], keys: set[str]) -> dict[str, list[tuple[str, ...]]]:
        """Where ``section_lacks``/``document_lacks`` lists occur in blocks the prefilter skipped."""
        if self._wide_gates is None:  # built when first needed: most checks never need them
            self._wide_gates = {
                f"!{field}:{rule.id}": Prefilter(r for p in rule.context[field] for r in pattern_requirements({"phrase": p}))
                for rule in self.ruleset
                for field in _WIDE
                if field in rule.context
            }
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

    @property
    def is_built(self) -> bool:
        """Has :meth:`warm` (or a first use) loaded spaCy and compiled the matchers?"""
        return self._by_norm is not None

    def load(self) -> None:
        """Load spaCy and build the shared matchers; rules are still compiled as text needs them."""
        if self._by_norm is None:
            self._compile(())

    def warm(self) -> None:
        """Load spaCy and compile the matchers now (they are otherwise built on first use)."""
        if len(self._compiled) < len(self.ruleset) or self._by_norm is None:
            self._compile()

    def _key(self, match_id: int) -> tuple[str, Optional[int]]:
        """``("!person", None)`` for a context list, ``("BL001", 2)`` for pattern 2 of a rule."""
        key = self._keys.get(match_id)
        if key is None:
            text = self.nlp.vocab.strings[match_id]
            rule_id, _, idx = text.partition("#")
            key = self._keys[match_id] = (rule_id, int(idx) if idx else None)
        return key

    def _hits_in(self, block: Block, doc: "Doc", mentions: str, present: dict[str, list[tuple[str, ...]]], scope: Optional[str] = None, lead: Optional[str] = None) -> list[Hit]:
        """Hits in one block; ``scope`` is what its lead-in or column header makes of it
        ("forbidden": practices named to forbid them; "terms": words under discussion);
        ``lead`` is the lead-in sentence of a list item (without its colon)."""
        by_rule: dict[str, list[tuple[int, int, int]]] = {}
        aux: dict[str, list[tuple[int, int]]] = {}
        for match_id, start, end in self.matches(doc, block.text):
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
        for match_id, start, end in self.context_matches(doc, by_rule):
            aux.setdefault(self._key(match_id)[0], []).append((start, end))
        quotes = [m.span() for m in _QUOTES.finditer(block.text)]
        # Span.sent walks the whole doc on every call: find sentences once, and make a
        # span only of those that hold a hit
        starts = sentence_starts(doc, self.nlp)
        ends = [*starts[1:], len(doc)]
        sents: dict[int, "Span"] = {}
        out = []
        for rule_id, spans in by_rule.items():
            rule = self.ruleset.by_id[rule_id]
            for start, end, idx in _longest(spans):
                span = doc[start:end]
                k = bisect.bisect_right(starts, start) - 1
                sent = sents.get(k)
                if sent is None:
                    sent = sents[k] = doc[starts[k] : ends[k]]
                fragment = block.kind in ("list_item", "table_cell")
                # a list's lead-in, or "X is never used: A, B" in the sentence (which needs a colon before the hit)
                here = scope or (_inline_scope(span, sent) if ":" in block.text[sent.start_char : span.start_char] else None)
                if self._excluded(rule, span, sent, aux, fragment) or self._rejected(span, sent, aux, here) or self._in_name(span, sent):
                    continue
                if lead and "not_preceded_by" in rule.context and _lead_ends_with(lead, span, rule.context["not_preceded_by"]):
                    continue  # "You have the right to:" / "- refuse treatment": the lead-in precedes the item
                if _TOPIC_ONLY.intersection(rule.context) and (block.kind == "heading" or _title(sent)):
                    continue  # a heading or a title ("Restraint Form") names the topic; it describes no use
                # a wording listed under "must never be used:" is a word not to use: a mention
                mention = here == "terms" or (here == _FORBIDDEN_USE and rule.prohibitions == "report") or self._is_mention(span, sent, aux, quotes)
                if rule.prohibitions == "skip" and self._forbidden(span, sent, aux, here):  # a mention too: "we never use: X"
                    continue
                if mention and mentions == "skip" and rule.mentions == "skip":
                    continue
                suggest = fit_suggestions(rule, idx, span, sent)
                phrase = rule.patterns[idx].get("phrase") if idx is not None else None
                if phrase:  # "drug and alcohol misuse" found through "drug misuse"
                    suggest = coordinate(suggest, span, len(phrase.split()))
                context = block.text[sent.start_char : sent.end_char].strip()
                out.append(Hit(rule, block, span.start_char, span.end_char, context, tuple(suggest), mention))
        return out

    # -- context ---------------------------------------------------------------------
    @staticmethod
    def _within(spans: Iterable[tuple[int, int]], start: int, end: int) -> bool:
        return any(s <= start and end <= e for s, e in spans)

    def _excluded(self, rule: Rule, span: "Span", sent: "Span", aux: dict, fragment: bool = False) -> bool:
        """Does the rule's own context (or a protected term) rule the hit out? ``fragment``:
        the hit's block is a list item or table cell, where a sentence may have no subject."""
        start, end = span.start, span.end
        correct = (*aux.get("!protected", ()), *aux.get(f"!exceptions:{rule.id}", ()))
        if self._within(correct, start, end):
            return True
        if any(t.lower_ in _CONJUNCTIONS for t in span[1:-1]) and any(start < s and e == end for s, e in correct):
            return True  # "alcohol and domestic abuse": the second conjunct is a correct term
        ctx = rule.context
        if not ctx:
            return False
        window = ctx.get("window", 1)

        def spans(field: str) -> list[tuple[int, int]]:
            return aux.get(f"!{field}:{rule.id}", [])

        doc = span.doc

        def near(a: int, b: int, leading_join: bool) -> bool:
            """``doc[a:b]`` is within the window, or a coordinated list of words between the
            hit and its neighbour ("suffering from physical, sexual or emotional abuse")."""
            return 0 <= b - a < window or (b - a <= _LIST_WINDOW and _coordinated(doc[a:b], leading_join=leading_join))

        def before(field: str) -> bool:
            # "decide to grant or refuse": the neighbour governs both verbs; a hyphen binds
            # only its own compound ("drug-users or alcoholics": "-" is no neighbour of the second)
            return any(s >= sent.start and (near(e, start, True) or doc[e - 1].is_alpha and _conjunct(doc[e:start])) for s, e in spans(field))

        def after(field: str) -> bool:
            # a proper name counts as one word: "non-compliance with the Education
            # (Early Childhood Services) Regulations 2008" reaches "regulations"
            return any(e <= sent.end and (near(end, s, False) or _name_between(doc, end, s, window)) for s, e in spans(field))

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
        # a fragment that opens with the hit ("Out of control; needs space") describes the
        # person the form or list is about: its subject is implicit
        implicit = fragment and all(not t.is_alpha for t in span.doc[sent.start : span.start]) and _describes(span, sent)
        if "subject" in ctx and (implicit or self._has_person_subject(span, sent, aux)) != (ctx["subject"] == "person"):
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
        if i >= sent_start and doc[i].lower_ in ("or", "and"):
            budget *= 2  # a second verb shares the first one's subject: "an employee does not ... or refuses"
        while i >= sent_start and budget > 0:
            if doc[i].text == "," and i + 2 < span.start and doc[i + 1].lower_ in ("or", "and") and doc[i + 2].lower_ in _RELATIVE:
                # ", or who ...": a second relative clause on the same antecedent; go on
                # from the word before the first "who"
                first = next((j for j in range(i - 1, max(sent_start, i - 16) - 1, -1) if doc[j].lower_ in _RELATIVE), None)
                i = (first if first is not None else i) - 1
                continue
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
        """Is the hit a term under discussion rather than a use of it?"""
        doc, start = span.doc, span.start

        def cues(name: str) -> Iterable[tuple[int, int]]:
            return ((s, e) for s, e in aux.get(name, ()) if s >= sent.start and 0 <= start - e <= _LIST_WINDOW)

        for qs, qe in quotes:
            if qs < span.start_char and span.end_char < qe:
                # a mention: someone's own words (a long quote), one of two quoted terms
                # side by side ("say 'X', not 'Y'"), a quoted name ('Zero Tolerance'
                # policies), rejected wording (not 'X'), or a quote in a sentence about
                # language. A short quote in running prose ("these 'difficult' families")
                # is a scare quote: still a use.
                others = sum(sent.start_char <= a and b <= sent.end_char for a, b in quotes) > 1
                words = doc.text[qs + 1 : qe - 1].split()
                name = len(words) >= 2 and all(w[:1].isupper() for w in words)
                contrast = _NEGATED_BEFORE.search(doc.text[sent.start_char : qs]) is not None  # 'not "X"', "do not have 'X'"
                if len(words) > 4 or others or name or contrast or _others_approach(doc, qe, sent) or self._about_language(sent, aux):
                    return True
        if _defined(span, sent):
            return True
        for s, e in cues("!mention_cues"):
            if start - e <= _MENTION_WINDOW and not _breaks(doc, e, start):
                return True
        for s, e in cues("!term_nouns"):
            if self._names_terms(doc, s, e, start):
                return True
        for s, e in cues("!avoid_cues"):
            if self._terms_follow(doc, s, e, span, sent):
                return True
        # a category noun may stand a clause before its list: "verdicts can be returned, including"
        for s, e in aux.get("!category_nouns", ()):
            if s >= sent.start and 0 <= start - e <= 2 * _LIST_WINDOW and _names_category(doc, e, span, sent):
                return True
        return False

    def _about_language(self, sent: "Span", aux: dict) -> bool:
        """Does the sentence talk about words (a mention cue, a word noun, an avoid cue)?"""
        return any(
            sent.start <= s and e <= sent.end for name in ("!mention_cues", "!term_nouns", "!avoid_cues", "!language_words") for s, e in aux.get(name, ())
        )

    def _names_terms(self, doc: "Doc", s: int, e: int, start: int) -> bool:
        """After a word noun: "terms like X", "words such as X, Y", "labels: X" (a list of
        terms follows), or "the term X" (the noun is itself the term under discussion)."""
        gap = doc[e:start]
        if len(gap) and gap[0].lower_ in _TERM_LIST:
            return not _breaks(doc, e + 1, start, commas=False)
        if any(t.text not in _QUOTE_CHARS for t in gap):
            return False
        return s == 0 or doc[s - 1].norm_ in self._introducers or doc[s - 1].text in _QUOTE_CHARS

    def _terms_follow(self, doc: "Doc", s: int, e: int, span: "Span", sent: "Span") -> bool:
        """After "avoid", "do not use", "rather than"...: is what follows a term?

        A colon-led list, a list of short terms ("avoid addict, junkie or user"), or, for
        the cues of using and replacing (not "avoid"), a bare term that ends the clause.
        """
        start = span.start
        if start > e and doc[e].text == ":":  # "avoid: X" (a colon-led list)
            return not _breaks(doc, e + 1, start, commas=False)
        if _breaks(doc, e, start, commas=False):
            return False
        if any(t.lower_ in _DETERMINERS for t in doc[e:start]):
            return False  # "avoid any substance or drug abuse": a practice; terms take no article
        stop = e
        while stop < sent.end and doc[stop].text not in _SENTENCE_ENDS and doc[stop].text != ":" and doc[stop].lower_ not in _CLAUSE_WORDS:
            stop += 1
        items, size = 0, 0
        for k, tok in enumerate(doc[e:stop], e):
            if span.start < k < span.end:
                continue  # the hit is one item, however coordinated ("alcohol or drug abuse")
            if tok.lower_ in _LIST_JOINS:
                items, size = items + (size > 0), 0
                continue
            size += 1
            if size > 3:
                return False
        items += size > 0
        if items >= 2:
            return True
        bare = start - e <= 1 and span.end == stop
        return bare and doc[e - 1].norm_ not in ("avoid", "from")

    def _in_name(self, span: "Span", sent: "Span") -> bool:
        """Is the hit part of a proper name ("Female Offender Strategy", "Not Guilty by
        Reason of Insanity (NGRI)")? Every word of the hit is capitalised, in a run of at
        least two capitalised words that ends at a name head or an acronym in brackets."""
        doc = span.doc
        if not all(t.is_title or t.is_upper or t.lower_ in _NAME_JOINS for t in span if t.is_alpha):
            return False
        # a line in Title Case throughout (a heading, a checkbox option) says nothing
        # about names, unless the run after the hit ends in a name head ("☐ Sex
        # Offender Support Services", "Addicts Outreach Team")
        title_line = _all_capitalised(sent)
        i, capitals = span.end, sum(t.is_alpha for t in span)
        while i < sent.end and (doc[i].is_title or doc[i].lower_ in _NAME_JOINS):
            capitals += doc[i].is_title
            i += 1
        j = span.start - 1
        while j >= sent.start and (doc[j].is_title or doc[j].lower_ in _NAME_JOINS) and j > sent.start:
            capitals += doc[j].is_title
            j -= 1
        if capitals < 2:
            return False
        if title_line:
            return any(t.norm_ in self._name_heads for t in doc[span.end : i])
        # the head ends the run, or follows it in lower case ("the Troubled Families
        # national programme"); not "policy": "the Zero Tolerance policy" is a stance the
        # document takes, a use
        if any(t.norm_ in self._name_heads and not (t.is_lower and t.norm_ in _STANCES) for t in doc[span.start : min(i + 2, sent.end)]):
            return True
        # or it opens the name before the hit: "the Standing Conference on Drug Abuse",
        # "the National Institute on Drug Abuse"
        if any(doc[k].norm_ in self._name_heads and not doc[k].is_lower and doc[k + 1].lower_ in _HEAD_LINKS for k in range(j + 1, span.start - 1)):
            return True
        # an acronym in brackets after a long name ("... Mentally Ill (NAMI)"); a short
        # term with its acronym ("Looked After Child (LAC)") is the term, defined
        return capitals >= 4 and i + 2 < sent.end and doc[i].text == "(" and doc[i + 1].is_upper and len(doc[i + 1]) >= 2 and doc[i + 2].text == ")"

    def _rejected(self, span: "Span", sent: "Span", aux: dict, scope: Optional[str] = None) -> bool:
        """A label named to reject it: "a child cannot be a prostitute", "she is not an
        addict", "not as attention-seeking but as distress", "we never describe a child as
        naughty" (see :func:`_named_to_reject`)."""
        doc, start = span.doc, span.start
        if _named_to_reject(span, sent, forbidden=scope in ("forbidden", _FORBIDDEN_USE)):
            return True
        for s, e in aux.get("!rejection_cues", ()):
            if s >= sent.start and 0 <= start - e <= _REJECT_WINDOW and all(t.lower_ in _FILLERS for t in doc[e:start]):
                return True
        i = start - 1
        while i >= sent.start and doc[i].lower_ in _FILLERS:
            i -= 1
        if i >= sent.start and doc[i].norm_ == "not":  # "not X but Y"
            return any(t.lower_ == "but" for t in doc[span.end : min(sent.end, span.end + 8)])
        return False

    def _forbidden(self, span: "Span", sent: "Span", aux: dict, scope: Optional[str]) -> bool:
        """Is the hit named to forbid it, in its sentence or by its list's lead-in?"""
        if scope in ("forbidden", _FORBIDDEN_USE) and not self._allows(sent, aux, sent.start):
            # a lead-in that forbids *using* what follows names practices; "The following
            # are not allowed:" may list people's conduct, which it does not redeem
            if scope == _FORBIDDEN_USE or not self._conduct(span, aux):
                return True
        return self._prohibited(span, sent, aux)

    @staticmethod
    def _allows(sent: "Span", aux: dict, after: int) -> bool:
        """Does the sentence, from token ``after`` on, allow the practice after all
        ("unless", "except", "only", "as a punishment")?"""
        return any(after <= s and e <= sent.end for s, e in aux.get("!prohibition_exceptions", ()))

    def _prohibited(self, span: "Span", sent: "Span", aux: dict) -> bool:
        """A practice named to forbid it, in its sentence: "we never use seclusion",
        "corporal punishment is prohibited", "under no circumstances should staff use
        restraint". Not when the sentence allows it after all ("unless", "only")."""
        doc, start, end = span.doc, span.start, span.end

        def allowed(after: int) -> bool:
            return self._allows(sent, aux, after)

        for s, e in aux.get("!prohibits_following", ()):
            if s < sent.start or e > start or start - e > _PROHIBIT_WINDOW or allowed(e):
                continue
            first = e + 1 if e < start and doc[e].text == ":" else e  # "we never use: X"
            if _breaks(doc, first, start, words=True):
                continue
            if doc[e - 1].lower_ in _OPENER_ENDS and not any(t.norm_ in _USE_VERBS for t in doc[e:start]):
                continue  # "under no circumstances" forbids what is used, not whatever follows
            return True
        for s, e in aux.get("!prohibits_preceding", ()):
            if s < end or e > sent.end or s - end > _PROHIBIT_WINDOW or allowed(e) or _breaks(doc, end, s, commas=False, words=True):
                continue
            if e < sent.end and doc[e].lower_ not in _AFTER_PROHIBITION and not doc[e].is_punct:
                continue  # "residents are not allowed to...", "inmates were not allowed visitors": people, not a practice
            if not any(t.norm_ == "use" for t in doc[s:e]) and self._conduct(span, aux):
                continue  # "disruptive behaviour is not permitted": a rule for people, not a practice forbidden
            return True
        return False

    @staticmethod
    def _conduct(span: "Span", aux: dict) -> bool:
        """Does the hit name people or their conduct ("drunk residents", "disruptive
        behaviour")? Forbidding those is a rule for people, which does not redeem the
        wording; only what staff *use* is a practice a prohibition redeems."""
        if any(span.start <= s and e <= span.end for s, e in aux.get("!person", ())):
            return True
        return any(t.norm_ in _CONDUCT for t in span)


_CONDUCT = {"behaviour", "behavior", "conduct", "attitude", "attitudes", "act", "actions"}


def _describes(span: "Span", sent: "Span") -> bool:
    """Is a fragment that opens with the hit a description ("Refuses food at lunch",
    "Out of control; needs space") rather than a code or a name ("REFUSED", "Lazy
    loading")? Three words or more, or the hit followed by punctuation after two."""
    words = sum(t.is_alpha for t in sent)
    after = span.doc[span.end] if span.end < sent.end else None
    return words >= 3 or (words >= 2 and after is not None and after.is_punct)


# rules that look for safeguards around a description of a practice
_TOPIC_ONLY = {"block_lacks", "section_lacks", "document_lacks"}


def _title(sent: "Span") -> bool:
    """A short fragment in Title Case: the name of a form, a link to another policy."""
    words = 0
    for t in sent:  # stops at the seventh word or the first in lower case
        if t.is_alpha:
            words += 1
            if words > 6 or not (t.is_title or t.is_upper or len(t) <= 3):
                return False
    return words >= 2


_NAME_JOINS = {"of", "for", "the", "and", "by", "on", "in", "with", "to", "&", "-", "/"}
_HEAD_LINKS = {"on", "for", "of", "against"}  # "Conference on ...", "Alliance for ...", "Day against ..."
_STANCES = {"policy", "policies"}  # a lower-case head that is the document's own stance, not a name


def _all_capitalised(sent: "Span") -> bool:
    """A sentence in Title Case or capitals throughout (a heading, a shouted rule) says
    nothing about names."""
    words = 0
    for t in sent:  # stops at the first long word in lower case
        if t.is_alpha and len(t) > 3:
            if not (t.is_title or t.is_upper):
                return False
            words += 1
    return words >= 2


# approaches in the plural: other people's policies, a movement written about
_APPROACHES = {"policies", "approaches", "regimes", "laws", "cultures", "strategies", "stances", "tactics"}


def _others_approach(doc: "Doc", quote_end: int, sent: "Span") -> bool:
    """Does a quoted wording name approaches in the plural ('"zero tolerance" policies',
    "their 'zero tolerance' disciplinary policies")? Quoted, and in the plural, the
    wording names a movement written about, not the writer's own rule: "our 'zero
    tolerance' policy" is still a use."""
    after = [t for t in doc[sent.start : sent.end] if t.idx >= quote_end and t.is_alpha][:2]
    return any(t.lower_ in _APPROACHES for t in after)


_VERB_JOINS = {"or", "and", "and/or", "nor", "/"}  # not a comma: "If provided, you must"


def _conjunct(tokens: "Span") -> bool:
    """Is ``tokens`` one word and a join ("grant or"), a first conjunct before the hit?"""
    return len(tokens) == 2 and tokens[0].is_alpha and tokens[1].lower_ in _VERB_JOINS


def _name_between(doc: "Doc", a: int, b: int, window: int) -> bool:
    """Does ``doc[a:b]`` hold a few words and then a capitalised name that the word at
    ``b`` ends ("with the Education (Early Childhood Services)" before "Regulations")?
    The name counts as one word, so a neighbour list reaches its head."""
    if not a < b <= a + _LIST_WINDOW or not (doc[b].is_title or doc[b].is_upper):
        return False
    first = next((k for k in range(a, b) if doc[k].is_title or doc[k].is_upper), b)
    if first - a >= window or first == b or _breaks(doc, a, first):
        return False
    return all(t.is_title or t.is_upper or t.like_num or t.lower_ in _NAME_JOINS or t.text in ("(", ")") for t in doc[first:b])


def _coordinated(tokens: "Span", *, leading_join: bool) -> bool:
    """One-word items joined by commas, "and", "or", "/": "physical, sexual or emotional"
    (after a hit, before its neighbour) or ", sexual or child" (after a neighbour, before
    the hit: ``leading_join``)."""
    if not len(tokens) or tokens[-1].lower_ in _LIST_JOINS or (tokens[0].lower_ in _LIST_JOINS) != leading_join:
        return False
    if not any(t.lower_ in _LIST_JOINS for t in tokens):
        return False  # one word with no join is no list: "problems in the classroom"
    previous_word = False
    for tok in tokens:
        if tok.lower_ in _LIST_JOINS:
            previous_word = False
        elif tok.is_alpha and not previous_word:
            previous_word = True
        else:
            return False
    return True


def _breaks(doc: "Doc", a: int, b: int, *, commas: bool = True, words: bool = False) -> bool:
    """Does a clause break lie in ``doc[a:b]``? Commas count unless ``commas=False``
    (lists); ``words=True`` also counts words that open a clause ("when", "if")."""
    for tok in doc[a:b]:
        if tok.text in _CLAUSE_BREAKS and (commas or tok.text != ",") or tok.text in _SENTENCE_ENDS:
            return True
        if words and tok.lower_ in _CLAUSE_WORDS:
            return True
    return False


# Verbs that name or judge someone as something: "describe X as Y", "refer to X as Y",
# "think of X as Y". With a negation they reject the label after "as".
_NAMING_VERBS = {
    "see", "describe", "call", "label", "refer", "regard", "treat", "think", "view", "speak", "talk", "portray",
    "characterise", "characterize", "brand", "class", "classify", "categorise", "categorize", "consider", "perceive", "dismiss", "write",
}
# verbs that name without "as": "call a child naughty", "be labelled disruptive"
_DIRECT_NAMING = {"call", "label", "brand", "dub"}  # not "term", "name": nouns far more often
_NEGATIONS = {"not", "never", "no", "avoid", "refrain", "stop"}  # norms; "n't" reads as "not"
_OBJECT_WINDOW = 8  # tokens between a naming verb and the "as" of its label
_NEGATION_WINDOW = 5  # tokens between a negation and the naming verb it negates
_QUESTION_WORDS = {"why", "how", "what", "whether"}  # "we do not know why staff described him as..."


def _named_to_reject(span: "Span", sent: "Span", *, forbidden: bool = False) -> bool:
    """Is the hit the label in a negated naming construction: "we never describe a child
    as naughty", "staff should not refer to people as addicts", "we avoid labelling
    pupils as disruptive", "children are not to be called troublemakers", "never call a
    child lazy"? The label must be the complement (after "as", or after the object of a
    verb that names directly), never the object: "we will not see addicts after 5pm" and
    "we do not call addicts back" still use the word. ``forbidden``: the hit is in a list
    under a prohibiting lead-in ("Staff must never:"), which supplies the negation."""
    doc = span.doc
    k = span.start - 1
    while k >= sent.start and doc[k].lower_ in _FILLERS:
        k -= 1
    if k < sent.start:
        return False
    if doc[k].lower_ in _LIST_JOINS:  # a later item of the label list: "as drunks or alcoholics"
        j = next((j for j in range(k - 1, max(sent.start, k - _LIST_WINDOW) - 1, -1) if doc[j].lower_ == "as" or not (doc[j].is_alpha or doc[j].lower_ in _LIST_JOINS)), None)
        if j is None or doc[j].lower_ != "as":
            return False
        k = j
    verb = None
    if doc[k].lower_ == "as" and not (k > sent.start and doc[k - 1].lower_ in ("such", "well", "so")):  # not "such as", "as well as"
        for j in range(k - 1, max(sent.start, k - _OBJECT_WINDOW) - 1, -1):
            tok = doc[j]
            if tok.is_punct:
                break
            if tok.norm_ in _NAMING_VERBS or tok.norm_ in _DIRECT_NAMING:
                verb = j
                break
    elif doc[k].norm_ in _DIRECT_NAMING and _passive_participle(doc, k, sent.start):
        verb = k  # "to be called troublemakers"
    else:  # "call a child naughty": a short object between the verb and the label
        for j in range(k - 1, max(sent.start, k - 4) - 1, -1):
            tok = doc[j]
            if not tok.is_alpha:
                break
            if tok.norm_ in _DIRECT_NAMING:
                between = doc[j + 1 : k + 1]
                if any(t.lower_ not in _FILLERS for t in between) and not _passive_participle(doc, j, sent.start):
                    verb = j
                break
    if verb is None:
        return False
    if forbidden:
        return True
    for j in range(verb - 1, max(sent.start, verb - _NEGATION_WINDOW) - 1, -1):
        tok = doc[j]
        if tok.is_punct or tok.lower_ in _CLAUSE_WORDS or tok.lower_ in _QUESTION_WORDS:
            return False
        if tok.norm_ in _NEGATIONS:
            return True
    return False


def _passive_participle(doc: "Doc", i: int, floor: int) -> bool:
    """Is ``doc[i]`` after a form of "be" ("is called", "be labelled", "being branded")?"""
    j = i - 1
    while j >= floor and doc[j].norm_ in _ADVERBS:
        j -= 1
    return j >= floor and doc[j].norm_ == "be"


_DETERMINERS = {"a", "an", "the", "any", "all", "some", "their", "his", "her", "your", "our", "its", "this", "these", "those", "such"}
_QUANTIFIERS = {"all", "every", "any", "some", "no", "our", "these", "those", "many", "most"}


def _defined(span: "Span", sent: "Span") -> bool:
    """Is the hit the term a glossary entry defines: "Relapse: a return to use after a
    period of abstinence", "Absconding – leaving without telling staff"? The hit ends
    a short term that opens its sentence (markup aside), and a definition of three
    words or more follows a colon or a dash. A bare lead-in ("Absenteeism:")
    defines nothing, and a statement is no term ("No exceptions will be made: ...")."""
    doc = span.doc
    # the defined term: the hit, and at most two words before it ("Glue abuse:")
    before = []
    for t in doc[sent.start : span.start]:
        if t.is_alpha:
            before.append(t)
            if len(before) > 2:
                return False
    if any(t.lower_ in _QUANTIFIERS for t in before) or len(span) > 3 or any(t.norm_ in _MODALS for t in span):
        return False  # "All addicts: see the nurse" speaks to people
    k = span.end
    while k < sent.end and doc[k].text in _MARKUP:
        k += 1
    if k + 1 >= sent.end or doc[k + 1].lower_ in _NOT_DEFINITION:
        return False  # "Addicts: please wait outside" addresses people, defines nothing
    # a colon or a dash, not "means": "every wasted appointment means..." is a consequence
    return doc[k].text in (":", "—", "–", "-") and sum(t.is_alpha for t in doc[k + 1 : sent.end]) >= 3


_MARKUP = {"*", "**", "_", "__", '"', "'", "’", "”", ")"}
# words that open an instruction or a clause, not a definition
_NOT_DEFINITION = {"please", "you", "we", "they", "he", "she", "it", "do", "don't", "must", "should", "will", "can", "may", "are", "is", "wait", "go", "stay", "report",
                   "any", "all", "every", "no", "if", "when", "where", "whenever", "anyone"}  # "Child X: any resident found with..." is a rule


_NOT_IN_NAME = {"on", "against", "to", "for", "with", "by", "at", "in", "towards", "from", "of", "and", "or"}


def _names_category(doc: "Doc", e: int, span: "Span", sent: "Span") -> bool:
    """Is the hit the name of an official category after a category noun ending at
    ``e``: "a verdict of X", "the offence of being X", "conclusions include X and Y",
    "verdicts may be returned, including X"? Such names (an inquest's short-form
    conclusions, an offence in law) are the law's wording, quoted, not the writer's.
    After "of" the hit comes at once ("being" aside); after "include", "such as" or ":"
    it is one of a list of short items ("the offence of assault on drunk people" is not)."""
    start = span.start
    marker = next((m for m in range(e, min(start, e + 9)) if doc[m].lower_ in _TERM_LIST or doc[m].norm_ in ("of", "include")), None)
    if marker is None:
        return False
    # between the noun and its marker: one clause at most ("verdicts can be returned, including")
    stop = marker - 1 if marker > e and doc[marker - 1].text == "," else marker
    if _breaks(doc, e, stop, words=True):
        return False
    if doc[marker].lower_ == "of":  # the hit is the name, or ends it: "of being X", "of glue X"
        name = [t for t in doc[marker + 1 : start] if t.lower_ not in ("being", "a", "an", "the")]
        return len(name) <= 2 and all(t.is_alpha and t.lower_ not in _NOT_IN_NAME for t in name)
    size = 0
    for tok in doc[marker + 1 : start]:
        if tok.lower_ in _LIST_JOINS or tok.text in ("/", "(", ")"):
            size = 0
            continue
        if tok.is_punct and tok.text not in ("-",):
            return False
        size += 1
        if size > 4:
            return False
    return True


_LEAD_IN = re.compile(r"\b(?:never|not|n't|no longer)\b|\b(?:prohibited|forbidden|banned|avoid|refrain from)\b", re.I)
_LEAD_IN_NOT = re.compile(r"\b(?:unless|except|only|tolerat\w*|acceptable|result|lead to|grounds|sanction\w*|disciplin\w*|dismiss\w*|exclu\w*|evict\w*)\b", re.I)
# a lead-in or column header about words: what is listed under it is under discussion
_ABOUT_TERMS = re.compile(r"(?<![-\w])(?<!short )(?<!long )(?<!autumn )(?<!spring )(?<!summer )(?<!fixed )"
                          r"(?:terms?|words?|phrases?|labels?|language|expressions?|acronyms?|do not say|don't say|outdated)\b", re.I)


def _list_scopes(blocks: Sequence[Block], leads: Optional[dict[int, str]] = None) -> dict[int, str]:
    """What a lead-in makes of the list items or table under it, and a column header of
    the cells under it: ``"terms"`` ("Avoid these terms:", a "Term to avoid" column) or
    ``"forbidden"`` ("The following must never be used:", "Staff must not:", a
    "Never used" column). Keyed by ``id(block)``. ``leads`` receives each list item's
    lead-in sentence, without its colon."""
    out: dict[int, str] = {}
    lead: Optional[str] = None
    lead_text: Optional[str] = None
    headers: dict[tuple[int, int], Optional[str]] = {}  # (table, cell) -> its header's scope
    for block in blocks:
        loc = block.location
        if block.kind == "list_item" and lead_text is not None and leads is not None:
            leads[id(block)] = lead_text
        if block.kind in ("list_item", "table_cell") and lead is not None:
            out[id(block)] = lead  # a list or table right under the lead-in
            continue
        if block.kind == "list_item":
            continue
        lead = lead_text = None
        if block.kind == "table_cell" and loc.table is not None and loc.cell is not None:
            key = (loc.table, loc.cell)
            if key not in headers:
                headers[key] = _scope(block.text.rstrip(":") + ":")
            elif headers[key] is not None:
                out[id(block)] = headers[key]  # type: ignore[assignment]
        elif block.kind != "heading" and block.text.rstrip().endswith(":"):
            lead = _scope(block.text)
            lead_text = _LAST_SENTENCE.split(block.text.strip())[-1].rstrip(":")
    return out


def _lead_ends_with(lead: str, span: "Span", phrases: Sequence[str]) -> bool:
    """A list item that opens with the hit continues its lead-in's sentence: does the
    lead-in end in one of the rule's ``not_preceded_by`` phrases ("You have the right
    to:", "The board can:")?"""
    if any(t.is_alpha for t in span.doc[: span.start]):
        return False
    words = [norm(w) for w in re.findall(r"[\w']+", lead.replace("\u2019", "'"))]
    return any(words[-len(p):] == p for p in ([norm(w) for w in re.findall(r"[\w']+", phrase)] for phrase in phrases) if p)


def _scope(text: str) -> Optional[str]:
    # the lead-in is the sentence that ends in the colon, not the paragraph before it
    text = _LAST_SENTENCE.split(text.strip())[-1]
    if _ABOUT_TERMS.search(text):
        return "terms"
    if _LEAD_IN.search(text) and not _LEAD_IN_NOT.search(text):
        return _FORBIDDEN_USE if _USING.search(text) else "forbidden"
    return None


_LAST_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“‘(])")
_FORBIDDEN_USE = "forbidden-use"  # a lead-in that forbids using what follows: "must never be used:"
_USING = re.compile(r"\b(?:use[ds]?|using|employ(?:s|ed|ing)?|appl(?:y|ied|ies))\b", re.I)
_MODALS = {"be", "may", "will", "can", "should", "must", "could", "would", "might", "shall", "have", "do"}


def _inline_scope(span: "Span", sent: "Span") -> Optional[str]:
    """What a lead-in inside the sentence makes of the hit: "The following are never
    used: seclusion, prone restraint and mechanical restraint." reads like a list under
    "The following are never used:". The lead-in is one clause (no "if", "when"...) and
    what follows the colon is a list of names, not a clause of its own ("If restraint is
    not possible: seclusion may be used." is no prohibition)."""
    doc = span.doc
    colon = next((j for j in range(span.start - 1, sent.start, -1) if doc[j].text == ":"), None)
    if colon is None or _breaks(doc, colon + 1, span.start, commas=False):
        return None
    # the lead-in is the clause before the colon ("Staff never shout; the following are used:")
    first = next((j + 1 for j in range(colon - 1, sent.start - 1, -1) if doc[j].text in _SENTENCE_ENDS or doc[j].text in ("—", "–")), sent.start)
    if first >= colon or any(t.lower_ in _CLAUSE_WORDS for t in doc[first:colon]):
        return None
    if any(t.norm_ in _MODALS for t in doc[colon + 1 : sent.end]):
        return None
    return _scope(doc.text[doc[first].idx : doc[colon].idx] + ":")


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


_SEVERITY_RANK = {"error": 2, "warning": 1, "info": 0}


def _most_specific(hits: list[Hit]) -> list[Hit]:
    """One finding per span: where hits of different rules cover the same words, or one
    lies inside another ("refuse to engage" and "refuse"; CO003 and PU001 on one
    sanction), keep the hit of higher severity, then the longer (more specific) one, then
    the lower rule id. Hits that only overlap in part are both kept. The rank uses each
    rule's declared severity, so the choice does not depend on the user's config.

    Runs after the section and document conditions: a hit those conditions cancel
    shadows nothing. Suppression comments act later, on the finding that won: a comment
    that silences the winner silences the span (the loser does not come back), while
    ``--ignore``/``--select`` decide which rules run at all, so ignoring the winner lets
    the loser report."""
    if len(hits) < 2:
        return hits
    by_block: dict[int, list[int]] = {}
    for i, hit in enumerate(hits):
        by_block.setdefault(id(hit.block), []).append(i)
    dropped: set[int] = set()
    for indices in by_block.values():
        if len(indices) < 2:
            continue
        ranked = sorted(indices, key=lambda i: (-_SEVERITY_RANK.get(hits[i].rule.severity, 0), hits[i].start - hits[i].end, hits[i].rule.id, hits[i].start))
        kept: list[Hit] = []
        for i in ranked:
            hit = hits[i]
            if any(k.rule.id != hit.rule.id and _nested(k, hit) for k in kept):
                dropped.add(i)
            else:
                kept.append(hit)
    return [h for i, h in enumerate(hits) if i not in dropped]


def _nested(a: Hit, b: Hit) -> bool:
    """Does one hit's span lie within the other's (equal spans included)?"""
    return (a.start <= b.start and b.end <= a.end) or (b.start <= a.start and a.end <= b.end)


_ENGINES: dict[tuple, Engine] = {}
_LAZY_BLOCKS = 200  # candidate blocks an engine analyses compiling only the rules they need


def get_engine(ruleset: RuleSet, *, model: Optional[str] = None) -> Engine:
    """The compiled engine for a rule selection, built once per process."""
    # id(rule): a reloaded (edited) pack gives new Rule objects and so a new engine;
    # the cached engine keeps its rules alive, so their ids stay unique
    key = (tuple((r.id, id(r)) for r in ruleset), model)
    engine = _ENGINES.get(key)
    if engine is None:
        engine = _ENGINES[key] = Engine(ruleset, model=model)
    return engine
