"""The literal prefilter: what could possibly match, decided without spaCy.

Every pattern becomes a *requirement*: the words it cannot match without. Each
required word is an :class:`Anchor`, the set of lowercase surface forms it can take
(every word whose lemma key equals the pattern's), or, for a ``REGEX`` token anchored
at the start, that regular expression. Text that lacks any required word of every
pattern cannot match, so it is never tokenised; a token pattern's Matcher only runs
where its requirement holds.

The forms come from the same lemma table the matchers use, so the filter is exact:
skipping never changes a result (tests/test_prefilter.py checks this property).
Words shorter than three letters, and the pieces spaCy splits from a longer word
("cannot" -> "can" + "not"), are never required, since a token need not appear as a
word of its own in the text.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, AbstractSet, Any, Callable, Container, Iterable, Iterator, Optional, Sequence

from .nlp import forms_of, norm
from .spelling import respell_tokens, spelling_variants

if TYPE_CHECKING:
    from spacy.vocab import Vocab

__all__ = ["Anchor", "Prefilter", "GatedMatcher", "places_of", "requirement", "pattern_requirements", "rule_requirements", "variants", "words_of"]

LETTERS = re.compile(r"[^\W\d_]+")
_WORD = re.compile(r"[^\W\d_]{2,}")
_TEXT_ATTRS = ("LOWER", "ORTH", "TEXT")
# words a hyphen never joins to a neighbour in a rule's phrase ("a-bipolar", "the-addict")
_FUNCTION_WORDS = frozenset(
    "the and for who are was were not our you your their they has had have with from that this will may must can".split()
)
_WORD_START = r"(?<![^\W\d_])"  # a regex anchor's match starts a word
# words spaCy's English tokenizer exceptions cut out of a longer word ("does" from "doesn't",
# "do" from "dont"): the text never holds them as words of their own, so they are never
# required by a token pattern (tests/test_prefilter.py checks the list against spaCy's exceptions)
_SPLIT_PIECES = frozenset(
    {
        "ai", "all", "are", "ca", "can", "could", "dare", "did", "do", "does", "dun", "gim", "gon", "got",
        "had", "has", "have", "he", "how", "is", "it", "lem", "ll", "may", "might", "must", "na", "need",
        "nna", "not", "nt", "on", "ought", "re", "sha", "she", "should", "ta", "that", "there", "these",
        "they", "this", "those", "ve", "wan", "was", "we", "were", "what", "when", "where", "who", "why",
        "wo", "would", "you"
    }
)
# the pieces a phrase's word is never required as: a phrase matches the words as written
# ("you are", not "you're"), so only one-word spellings of two words ("cannot") count
_PHRASE_PIECES = frozenset({"can", "not", "gon", "got", "wan", "lem", "gim", "dun", "nna"})


def words_of(text: str) -> frozenset[str]:
    """The lowercase letter runs of ``text`` (what the prefilter compares forms with).
    Cached for paragraphs of usual length: a block's words are asked for by the
    prefilter, then by the matchers (the cache holds at most a few megabytes)."""
    return _words_of(text) if len(text) <= 2000 else frozenset(LETTERS.findall(text.lower()))


@lru_cache(maxsize=4096)
def _words_of(text: str) -> frozenset[str]:
    return frozenset(LETTERS.findall(text.lower()))


@dataclass(frozen=True)
class Anchor:
    """A required word: its lowercase surface forms, or a regex when they can't be listed."""

    forms: frozenset[str] = frozenset()
    regex: Optional[str] = None

    def __post_init__(self) -> None:
        # forms that are not plain letter runs ("n't", "%") are found by substring
        object.__setattr__(self, "odd", tuple(f for f in self.forms if not LETTERS.fullmatch(f)))

    @property
    def plain(self) -> bool:
        """All forms are letter runs: the anchor can be looked up in a word set."""
        return bool(self.forms) and self.regex is None and not self.odd  # type: ignore[attr-defined]

    def weight(self) -> int:
        """Selectivity: longer shortest forms are rarer words."""
        return min(map(len, self.forms)) if self.forms else 0

    def present(self, words: AbstractSet[str], lower: str) -> bool:
        if not self.forms.isdisjoint(words):
            return True
        if any(f in lower for f in self.odd):  # type: ignore[attr-defined]
            return True  # substring: never too strict
        return self.regex is not None and _compiled(self.regex).search(lower) is not None


@lru_cache(maxsize=None)
def _compiled(regex: str) -> re.Pattern[str]:
    return re.compile(regex, re.I)


Requirement = tuple[Anchor, ...]  # every anchor must be present; () means "always a candidate"


def variants(phrase: str) -> list[str]:
    """Every form a phrase matches: a hyphenated phrase also in its spaced and closed-up
    forms, a spaced one with a hyphen at each gap between two content words ("rough-sleepers"),
    and each of those in British and American spelling."""
    if re.search(r"\w-\w", phrase):
        hyphens = [phrase, phrase.replace("-", " "), phrase.replace("-", "")]
    else:
        words = list(LETTERS.finditer(phrase))
        hyphens = [phrase] + [
            phrase[: a.end()] + "-" + phrase[b.start() :]
            for a, b in zip(words, words[1:])
            if phrase[a.end() : b.start()] == " " and min(len(a[0]), len(b[0])) >= 3 and not {a[0].lower(), b[0].lower()} & _FUNCTION_WORDS
        ]
    return list(dict.fromkeys(v for h in hyphens for v in spelling_variants(h)))


def _optional(tok: dict) -> bool:
    op = str(tok.get("OP", ""))
    return op in ("?", "*", "!") or op.startswith("{0") or op.startswith("{,")


def _token_anchor(tok: dict) -> Optional[Anchor]:
    """The anchor of one Matcher token, or None when it cannot be required."""
    if _optional(tok):
        return None
    for attr in (*_TEXT_ATTRS, "NORM", "LEMMA"):
        if attr not in tok:
            continue
        value = tok[attr]
        if isinstance(value, dict) and attr in _TEXT_ATTRS and isinstance(value.get("REGEX"), str) and value["REGEX"].startswith("^"):
            body = value["REGEX"][1:]  # "^debrief" -> a word starting "debrief"
            body = body[:-1] if body.endswith("$") and not body.endswith("\\$") else body
            return Anchor(regex=rf"{_WORD_START}(?:{body})")
        values = value.get("IN") if isinstance(value, dict) else [value]
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            return None
        lowered = {v.lower() for v in values}
        if attr in ("NORM", "LEMMA"):
            lowered |= {f for v in lowered for f in forms_of(v)}
        if any(f in _SPLIT_PIECES or len(f) < 2 for f in lowered if LETTERS.fullmatch(f)):
            return None
        return Anchor(frozenset(lowered))
    return None


def requirement(tokens: Sequence[dict]) -> Requirement:
    """The required words of a token pattern."""
    return tuple(a for a in map(_token_anchor, tokens) if a is not None)


def _phrase_requirement(phrase: str, exact: bool) -> Requirement:
    words = [w for w in _WORD.findall(phrase) if len(w) >= 3 and w.lower() not in _PHRASE_PIECES]
    anchors = []
    for w in words:
        forms = {w.lower()} if exact else forms_of(norm(w)) | {w.lower()}
        if any(f in _PHRASE_PIECES for f in forms):
            continue
        anchors.append(Anchor(frozenset(forms)))
    return tuple(anchors)


def pattern_requirements(pattern: dict) -> list[Requirement]:
    """Requirements of a rule pattern (``phrase`` or ``tokens``); one per phrase variant."""
    if "phrase" in pattern:
        return [_phrase_requirement(v, pattern.get("exact", False)) for v in variants(pattern["phrase"])]
    return [requirement(respell_tokens(pattern["tokens"], norm))]


def rule_requirements(rules: Sequence[Any]) -> list[list[Requirement]]:
    """The requirements of each rule's patterns (:func:`pattern_requirements`), from
    the on-disk cache when the rule packs, the lemma table and this code are unchanged
    (working them out is a tenth of a commit-time check)."""
    from importlib.resources import files

    from .cache import cached

    ids = [r.id for r in rules]
    here = Path(__file__).parent
    lemmas = Path(str(files("spacy_lookups_data") / "data" / "en_lemma_lookup.json.gz"))
    inputs = [*sorted({Path(r.path) for r in rules}), lemmas, *(here / f for f in ("prefilter.py", "spelling.py", "nlp.py"))]

    def build() -> dict[str, list[Requirement]]:
        return {r.id: [req for pat in r.patterns for req in pattern_requirements(pat)] for r in rules}

    def dump(reqs: dict[str, list[Requirement]]) -> dict:
        return {rid: [[[sorted(a.forms), a.regex] for a in req] for req in rr] for rid, rr in reqs.items()}

    def load(data: Any) -> dict[str, list[Requirement]]:
        if not isinstance(data, dict) or not set(ids) <= set(data):
            raise ValueError("other rules")
        return {
            rid: [tuple(Anchor(frozenset(map(str, forms)), None if regex is None else str(regex)) for forms, regex in req) for req in data[rid]] for rid in ids
        }

    reqs = cached("prefilter", inputs, build, dump, load)
    return [reqs[i] for i in ids]


class Prefilter:
    """Which of a set of requirements could hold in a text?

    Requirements are indexed by the forms of their most selective plain anchor, so a
    check looks only at the requirements whose rarest word occurs in the text. Each
    requirement carries a tag (the caller's pattern or matcher index).
    """

    def __init__(self, requirements: Iterable[Requirement], tags: Optional[Iterable[int]] = None):
        self._always: set[int] = set()  # tags whose requirement is empty: always candidates
        # each requirement as (its tags, the form sets of its plain anchors but the one it is
        # indexed by, which holds when it is looked at, and its other anchors, each with
        # the number of its slot: one anchor shared by several requirements, such as a
        # regex, is looked for once per text)
        # requirements alike but for their tag (a pattern's spelling and hyphen variants,
        # a rule's several patterns around one word) share one entry: a tuple of tags
        index: dict[str, dict[tuple, list[int]]] = {}
        self._unindexed: list[tuple[tuple[int, ...], tuple[frozenset[str], ...], tuple[tuple[int, Anchor], ...]]] = []
        slots: dict[Anchor, int] = {}
        for tag, req in zip(tags if tags is not None else itertools.repeat(0), requirements):
            if not req:
                self._always.add(tag)
                continue
            plain = [a for a in req if a.plain]
            others = tuple((slots.setdefault(a, len(slots)), a) for a in sorted((a for a in req if not a.plain), key=lambda a: a.regex is not None))  # regexes last: the dearest look
            if not plain:
                self._unindexed.append(((tag,), (), others))
                continue
            key = max(plain, key=Anchor.weight)
            entry = (tuple(dict.fromkeys(a.forms for a in plain if a.forms != key.forms)), others)
            for form in key.forms:
                index.setdefault(form, {}).setdefault(entry, []).append(tag)
        self._index = {form: [(tuple(alike), *entry) for entry, alike in entries.items()] for form, entries in index.items()}
        self._keys = frozenset(self._index)
        self._screen = _screen(self._unindexed)
        self.bypass = False  # True: every text is a candidate (the plain path, for tests)

    @property
    def open(self) -> bool:
        """Some requirement is empty: every text is a candidate."""
        return bool(self._always)

    def _holding(self, words: AbstractSet[str], text: str, found: Optional[set[int]] = None) -> Iterator[int]:
        """Tags of the requirements that hold, lazily; tags in ``found`` are not
        checked again (a tag may repeat otherwise)."""
        yield from self._always
        lower: Optional[str] = None
        seen: dict[int, bool] = {}  # slot -> is the anchor present (looked for once per text)
        candidates = (entry for form in self._keys.intersection(words) for entry in self._index[form])
        for tags, plain, others in itertools.chain(candidates, self._unindexed if self._screen(words, text) else ()):
            if found is not None and found.issuperset(tags):
                continue
            for forms in plain:
                if forms.isdisjoint(words):
                    break
            else:
                for slot, a in others:  # most often one of its plain forms is there
                    if a.forms.isdisjoint(words):
                        here = seen.get(slot)
                        if here is None:
                            lower = text.lower() if lower is None else lower
                            here = seen[slot] = a.present(words, lower)
                        if not here:
                            break
                else:
                    yield from tags

    def tags(self, words: AbstractSet[str], text: str) -> set[int]:
        """Tags of the requirements that hold, given the text's :func:`words_of`."""
        found: set[int] = set()
        for tag in self._holding(words, text, found):
            found.add(tag)
        return found

    def check(self, words: AbstractSet[str], text: str) -> bool:
        """Could any requirement hold? (``words`` = the text's :func:`words_of`.)"""
        return self.bypass or next(self._holding(words, text), None) is not None

    def __call__(self, text: str) -> bool:
        """Could a pattern match in ``text``? (Never False when one could.)"""
        return self.bypass or bool(self._always) or self.check(words_of(text), text)


def _screen(unindexed: Sequence[tuple[tuple[int, ...], tuple[frozenset[str], ...], tuple[tuple[int, Anchor], ...]]]) -> Callable[[AbstractSet[str], str], bool]:
    """A test that is False only for texts where none of the ``unindexed`` requirements
    (no plain anchor: each needs a hyphenated form, "n't" or a regex) can hold: each one's
    rarest anchor, all of them looked for at once (their letter-run forms in one word-set
    lookup, then their other forms as substrings and their regexes, each once). Most
    blocks then skip them all instead of searching the text for each requirement."""
    chosen = [min((a for _, a in others), key=lambda a: (len(a.forms) - len(a.odd), a.regex is not None)) for _, _, others in unindexed]  # type: ignore[attr-defined]
    if not chosen:
        return lambda words, text: False
    words_needed = frozenset(f for a in chosen for f in a.forms if f not in a.odd)  # type: ignore[attr-defined]
    odd = tuple(dict.fromkeys(f for a in chosen for f in a.odd))  # type: ignore[attr-defined]
    # without the look-behind that a word starts there: looser, but a literal start lets
    # the search skip ahead
    regexes = tuple(_compiled(r.removeprefix(_WORD_START)) for r in dict.fromkeys(a.regex for a in chosen if a.regex is not None))

    def could(words: AbstractSet[str], text: str) -> bool:
        if not words_needed.isdisjoint(words):
            return True
        lower = text.lower()
        for f in odd:
            if f in lower:
                return True
        for regex in regexes:
            if regex.search(lower) is not None:
                return True
        return False

    return could


_OP_RANGE = re.compile(r"\{(\d*)(,?)(\d*)\}")

Bound = tuple[Anchor, Optional[int], Optional[int]]  # a required word, most tokens before it, after it (None: no limit)


def _most(tok: dict) -> Optional[int]:
    """The most tokens one pattern token can take (None: no limit)."""
    op = str(tok.get("OP", ""))
    if op in ("+", "*"):
        return None
    m = _OP_RANGE.fullmatch(op)
    if m:
        least, comma, most = m.groups()
        return int(least or 0) if not comma else int(most) if most else None
    return 1


def _sum(counts: Sequence[Optional[int]]) -> Optional[int]:
    return None if None in counts else sum(counts)  # type: ignore[arg-type]


def bounds(tokens: Sequence[dict], unsafe: frozenset[str] = frozenset()) -> list[Bound]:
    """Where a match of a token pattern can lie around each of its required words.

    For every required token whose anchor is a plain word set (its text, lowercased,
    is one of the forms) and not a norm some tokenizer exception gives a token of other
    text (``unsafe``): the anchor, and the most tokens the pattern can take before and
    after it."""
    counts = [_most(t) for t in tokens]
    out = []
    for k, tok in enumerate(tokens):
        if "LEMMA" in tok:
            continue
        anchor = _token_anchor(tok)
        if anchor is not None and anchor.plain and anchor.forms.isdisjoint(unsafe):
            out.append((anchor, _sum(counts[:k]), _sum(counts[k + 1 :])))
    return out


class _Places:
    """Token indices at which a word can stand in one doc: its case-insensitive
    occurrences in the text (a superset of the tokens whose lowercase text it is)."""

    def __init__(self, doclike, text: str):
        from spacy.attrs import IDX

        self.lower = text.lower()
        self.n = len(doclike)
        base = getattr(doclike, "start_char", 0)  # a Span's text starts there
        self.starts = [i - base for i in doclike.to_array([IDX]).ravel().tolist()] if self.n else []
        self._cache: dict[str, list[int]] = {}

    def of(self, form: str) -> list[int]:
        found = self._cache.get(form)
        if found is None:
            found, i = [], self.lower.find(form)
            while i >= 0:
                found.append(bisect.bisect_right(self.starts, i) - 1)
                i = self.lower.find(form, i + 1)
            self._cache[form] = found
        return found

    def window(self, patterns: Sequence[list[Bound]], words: AbstractSet[str]) -> Optional[tuple[int, int]]:
        """The token range holding every possible match of ``patterns`` (each a list of
        bounds), or None when it is the whole doc (or cannot be narrowed)."""
        lo, hi = self.n, 0
        for pattern in patterns:
            if not pattern:
                return None  # no anchor to place it by
            a, b = 0, self.n
            for anchor, before, after in pattern:
                places = [t for f in anchor.forms & words for t in self.of(f)]
                if not places:
                    a, b = 0, 0  # this word is absent: the pattern cannot match
                    break
                a = max(a, 0 if before is None else min(places) - before)
                b = min(b, self.n if after is None else max(places) + 1 + after)
            if a < b:
                lo, hi = min(lo, a), max(hi, b)
            if lo <= 0 and hi >= self.n:
                return None
        return (lo, hi) if lo < hi else (0, 0)


def places_of(doclike, text: str) -> Optional[_Places]:
    """Where each word of ``doclike`` (whose text is ``text``) stands, for
    :meth:`GatedMatcher.run`; None when lowercasing moves the text's offsets."""
    return _Places(doclike, text) if len(text.lower()) == len(text) else None


class GatedMatcher:
    """Token patterns, one spaCy Matcher per key, each run only where it could match.

    A Matcher's cost grows with every pattern it holds and every token it scans (it
    makes a Python Token object per token, twice); most patterns are irrelevant to
    most texts, so one shared index of required words picks the keys whose patterns
    could match, and only their Matchers run, each over the stretch of tokens where
    its required words stand (:func:`bounds`): the rest of the text holds no match.
    """

    def __init__(self, vocab: "Vocab", *, states: bool = False):
        self.vocab = vocab
        self._matchers: list[object] = []
        self._requirements: list[tuple[int, Requirement]] = []
        self._gate: Optional[Prefilter] = None
        self._bounds: list[list[list[Bound]]] = []  # per Matcher, per pattern
        self._ids: dict[str, list[int]] = {}  # key -> the Matchers holding its patterns
        self.plain = False  # True: every Matcher scans the whole text (the plain path, for tests)
        # states=True: matches in (start, end, key) order, and from a port of the
        # Matcher's state machine run on per-word condition bits once use_state_machine()
        # is called (see _state_machine)
        self._states = states
        self._port_on = False
        self._entries: dict[str, list[list[dict]]] = {}  # every key's patterns, for the port
        self._keys: list[list[str]] = []  # per Matcher, its keys
        self._port: Any = None  # built on first use; False when a pattern needs spaCy's Matcher
        self._port_keys: list[list[int]] = []  # per Matcher, the port's indices of its keys

    def add(self, key: str, patterns: list[list[dict]]) -> None:
        self.add_many([(key, patterns)])

    def add_many(self, entries: list[tuple[str, list[list[dict]]]], *, validate: bool = True) -> None:
        """One Matcher for several keys (run when any of their patterns could match).
        ``validate=False`` for patterns the engine generates itself."""
        from spacy.matcher import Matcher

        if not entries:
            return
        matcher = Matcher(self.vocab, validate=validate)
        unsafe = _exception_norms()
        for key, patterns in entries:
            matcher.add(key, patterns)
            self._ids.setdefault(key, []).append(len(self._matchers))
            self._requirements += [(len(self._matchers), requirement(p)) for p in patterns]
            self._entries.setdefault(key, []).extend(patterns)
        self._bounds.append([bounds(p, unsafe) for _, patterns in entries for p in patterns])
        self._keys.append([key for key, _ in entries])
        self._matchers.append(matcher)
        self._gate = None
        self._port = None

    def __len__(self) -> int:
        return len(self._matchers)

    def __call__(self, doclike) -> list[tuple[int, int, int]]:
        """Matches in ``doclike`` (a Doc, or a Span: offsets are then relative to it)."""
        return self.run(doclike, words_of(doclike.text), doclike.text) if self._matchers else []

    def ids(self, key: str) -> list[int]:
        """The Matchers holding the patterns of ``key`` (for ``run(only=...)``)."""
        return self._ids.get(key, [])

    def candidates(self, words: AbstractSet[str], text: str) -> list[int]:
        """The Matchers that could match in a text (ascending), given its :func:`words_of`."""
        if self.plain:
            return list(range(len(self._matchers)))
        if self._gate is None:
            self._gate = Prefilter((r for _, r in self._requirements), (i for i, _ in self._requirements))
        return sorted(self._gate.tags(words, text))

    def run(
        self, doclike, words: AbstractSet[str], text: str, places: Optional[_Places] = None, only: Optional[Iterable[int]] = None
    ) -> list[tuple[int, int, int]]:
        """:meth:`__call__` with the text (``Span.text`` is slow to build) and its
        :func:`words_of` already computed (and, to share it between matchers, its
        :func:`places_of`). ``only``: these of the :meth:`candidates`, in this order."""
        if not self._matchers:
            return []
        if self._states:
            port = self._state_machine() if self._port_on and not self.plain else False
            if port:  # no gate: the port skips patterns whose required words are absent itself
                return self._states_run(port, doclike, None if only is None else set(only))
            return sorted(self._run(doclike, words, text, places, only), key=_by_place)
        return self._run(doclike, words, text, places, only)

    def _run(self, doclike, words: AbstractSet[str], text: str, places: Optional[_Places], only: Optional[Iterable[int]]) -> list[tuple[int, int, int]]:
        """:meth:`run` by spaCy's Matchers."""
        out: list[tuple[int, int, int]] = []
        unplaced = places is None and not self.plain  # placed at the first Matcher that runs
        for i in self.candidates(words, text) if only is None else only:
            matcher = self._matchers[i]
            if unplaced:
                places, unplaced = places_of(doclike, text), False
            window = places.window(self._bounds[i], words) if places is not None and not self.plain else None
            if window is None:
                out += matcher(doclike)  # type: ignore[operator]
            elif window[0] < window[1]:
                lo, hi = window
                out += [(m, s + lo, e + lo) for m, s, e in matcher(doclike[lo:hi])]  # type: ignore[operator]
        return out

    def use_state_machine(self) -> None:
        """Match with the port of the state machine from now on (built now, so forked
        workers share it). Building it costs as much as a few hundred blocks of matching:
        worth it once every pattern is in (the engine calls this when all rules are
        compiled), not for a commit-time check of one file. Only with ``states=True``."""
        if self._states:
            self._port_on = True
            self._state_machine()

    def _state_machine(self) -> Any:
        """The port of spaCy's Matcher that coverage uses (``coverage._TokenPatterns``,
        tested match for match against spaCy's Matcher) over every key's patterns; False
        when some pattern uses what it does not implement (the Matchers then run).

        spaCy's Matcher makes a Python Token object per token, twice, on every call: most
        of the rules' matching time. The port works out each distinct word's conditions
        once, as bits, and steps the same state machine only from the tokens where a
        pattern can start."""
        if self._port is None:
            port = _indexed_patterns()(self.vocab, self._entries)
            self._port = port if port.supported and not any(k.endswith("^") for k in port.keys) else False
            if self._port:
                self._port_keys = [[port.index[k] for k in keys] for keys in self._keys]
        return self._port

    def _states_run(self, port: Any, doclike, only: Optional[set[int]]) -> list[tuple[int, int, int]]:
        """Matches of the port's keys (of the Matchers ``only``; default all) in ``doclike``."""
        keys: Container[int] = range(len(port.keys)) if only is None else {k for i in only for k in self._port_keys[i]}
        if not keys or not len(doclike):
            return []
        return sorted(port.run(port.sentence(port.pairs(doclike)), keys), key=_by_place)


def _by_place(match: tuple[int, int, int]) -> tuple[int, int, int]:
    return match[1], match[2], match[0]


@lru_cache(maxsize=1)
def _indexed_patterns() -> type:
    """``coverage._TokenPatterns`` with its patterns' openers indexed by condition bit.

    The port works out, once per distinct word, which patterns the word can start; it
    tests every pattern for that. The rules hold thousands of patterns (each phrase's
    coordinated form is one), so each word is tested only against the patterns whose
    opening condition includes one of its bits (a word's own ``LOWER``/``NORM`` values
    where a pattern names one).

    It reads the base class's ``_bits`` and ``_openers`` and answers its ``_starts`` hook;
    tests/test_prefilter.py checks its matches against spaCy's Matchers."""
    from .coverage import _TokenPatterns

    class IndexedPatterns(_TokenPatterns):
        _openers: list[tuple[int, int, tuple[int, ...]]]  # (key, pattern, specs of its start), as the base class keeps them

        def __init__(self, vocab: Any, entries: dict[str, list[list[dict]]]):
            super().__init__(vocab, entries)
            selective = 0  # bits of conditions on a word's value (few words meet each)
            for (_, test, _), bit in self._bits.items():
                if test in ("equal", "in"):
                    selective |= bit
            self._index: dict[int, list[int]] = {}  # a bit -> openers (indices) keyed by it
            for n, (_, _, specs) in enumerate(self._openers):
                for spec in specs:
                    own = spec & selective or spec
                    key = own & -own  # one bit the spec needs: its lowest selective one
                    self._index.setdefault(key, []).append(n)
            self._indexed = sum(self._index)  # distinct single bits: their sum is their union

        def _starts(self, bits: int) -> tuple[tuple[int, int], ...]:
            found: set[int] = set()
            todo = bits & self._indexed
            while todo:
                low = todo & -todo
                found.update(self._index[low])
                todo ^= low
            openers = self._openers
            return tuple((openers[n][0], openers[n][1]) for n in sorted(found) if any(bits & s == s for s in openers[n][2]))

    return IndexedPatterns


@lru_cache(maxsize=1)
def _exception_norms() -> frozenset[str]:
    """Norms that English tokenizer exceptions give tokens of other text ("'ll" -> "will")."""
    from spacy.attrs import NORM, ORTH
    from spacy.lang.en import English

    return frozenset(
        t[NORM].lower() for pieces in English.Defaults.tokenizer_exceptions.values() for t in pieces if NORM in t and t[NORM].lower() != t[ORTH].lower()
    )
