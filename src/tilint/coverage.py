"""Coverage of trauma-informed principles: which principles a policy evidences, and where.

A *framework* (``rules/frameworks/<name>.yaml``, validated against
``schemas/framework.schema.json``) lists principles, each with weighted indicators,
the evidence needed for ``partial`` and ``covered``, a suggestion and its sources.
The default is ``samhsa-4r`` (realise, recognise, respond, resist re-traumatisation).

Every sentence of every non-heading block is scored against every principle. A sentence
is evidence only when it is a real statement by the organisation; the shared cue lists
in ``rules/frameworks/_cues.yaml`` decide that:

* hypothetical ("if resources allow", "could", "we aim to") and definitional
  ("Trauma results from...") sentences never count; advice to others ("services can
  consider...") never counts as a commitment;
* in ``commitment`` principles an indicator in the scope of a negation ("we do not
  currently train staff") does not count, unless the indicator says ``negation: require``
  (a commitment *not* to do harm: "we never ask people to repeat their story") or
  ``negation: ignore`` ("an interview that does not re-traumatise");
* ``commitment`` principles also need a commitment cue ("we will", "staff are trained",
  "the service provides"...), while ``acknowledgement`` principles (realise) only need
  the statement of fact.

A sentence's score is the sum of the weights of the distinct indicators it matches
(capped); a principle's status comes from the total and the number of evidence sentences.
Frameworks and their compiled matchers are cached per process.

Principles with a ``model:`` (the four Rs) also read the learned classifier
(:mod:`tilint.coverage_model`, loaded on first use): the indicators propose, the
classifier alone proposes only the sentences it is very confident about that state the
organisation's own practice (paraphrase), and the cues veto both. Each evidence sentence
carries its score and ``why`` it counts. See docs/coverage.md.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import operator
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, AbstractSet, Any, Container, Iterable, Optional, Sequence

from .document import Block, Document
from .models import Finding, Source
from .nlp import get_nlp, keep_long_lived, norm, parse_blocks, sentences
from .prefilter import _WORD_START, GatedMatcher, Prefilter, Requirement, pattern_requirements, places_of, requirement, variants, words_of
from .regexsafe import compile_predicate
from .ruleset import load_sources, rules_dir
from .yamlutil import DataError, load_validated, node_line

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

    from .coverage_model import Classifier

__all__ = [
    "Evidence",
    "PrincipleResult",
    "CoverageReport",
    "Framework",
    "Principle",
    "check_coverage",
    "check_document",
    "load_framework",
    "available_frameworks",
    "coverage_findings",
    "DEFAULT_FRAMEWORK",
]

DEFAULT_FRAMEWORK = "samhsa-4r"
FRAMEWORKS_DIR = "frameworks"
CUES_FILE = "_cues.yaml"
_CLAUSE_BREAKS = {",", ";", ":", "(", ")", "—", "–"}
_CLOSERS = {'"', "'", "”", "’", ")", "]"}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def _plain(text: str) -> str:
    """Text compared for identity: lowercase words only."""
    return " ".join(re.findall(r"\w+", text.lower()))


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Evidence:
    """One sentence that evidences a principle, with its source position."""

    line: int
    column: int
    text: str
    score: float
    section: str = ""
    location: dict = field(default_factory=dict)  # page / paragraph / table cell, as in findings
    why: tuple[str, ...] = ()  # why it counts: the classifier's score, indicators and cues that matched

    def to_dict(self) -> dict:
        out = {"line": self.line, "column": self.column, "text": self.text, "score": self.score, "why": list(self.why)}
        if self.section:
            out["section"] = self.section
        if self.location:
            out["location"] = dict(self.location)
        return out

    @property
    def where(self) -> str:
        """``L12``, or ``p3 L12`` in a PDF (lines restart on each page)."""
        page = self.location.get("page")
        return f"p{page} L{self.line}" if page is not None else f"L{self.line}"


@dataclass
class PrincipleResult:
    """How well a document covers one principle.

    ``score`` is 0..1: the share of the evidence needed for ``covered`` that was found
    (both the total evidence score and the number of sentences count; 1 = covered).
    """

    id: str
    name: str
    status: str  # covered | partial | missing
    score: float
    evidence: list[Evidence]
    suggestion: str
    sources: list[Source]
    rule_id: str

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "status": self.status,
            "score": self.score,
            "evidence": [e.to_dict() for e in self.evidence],
            "suggestion": self.suggestion,
            "sources": [s.to_dict() for s in self.sources],
            "rule_id": self.rule_id,
        }


@dataclass
class CoverageReport:
    """Coverage of every principle of one framework by one document."""

    framework: str
    principles: list[PrincipleResult]
    _framework: Optional["Framework"] = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict:
        return {"framework": self.framework, "principles": [p.to_dict() for p in self.principles]}

    def get(self, principle: str) -> PrincipleResult:
        """The result for a principle id or alias (``realize`` finds ``realise``)."""
        pid = self._framework.principle(principle).id if self._framework else principle
        for result in self.principles:
            if result.id == pid:
                return result
        raise KeyError(principle)


# ------------------------------------------------------------------------ frameworks


@dataclass(frozen=True)
class Threshold:
    """Evidence needed for a status: a total score and a number of sentences."""

    score: float
    sentences: int

    def met(self, total: float, count: int) -> bool:
        return total >= self.score and count >= self.sentences

    def progress(self, total: float, count: int) -> float:
        """0..1: how far the evidence goes towards this threshold (the lesser of both parts)."""
        return round(min(1.0, total / self.score, count / self.sentences), 2)


@dataclass(frozen=True)
class ModelSpec:
    """How a principle reads the learned classifier (``model:`` in the framework file).

    A sentence an indicator proposes is evidence when the classifier's probability for
    ``label`` reaches ``with_indicator`` (the classifier does not contradict it) and none of
    the ``vetoes`` applies. The classifier proposes on its own only when ``threshold`` is
    set: at that probability, and (``alone_needs_commitment``) with a commitment cue."""

    label: str
    with_indicator: float
    vetoes: tuple[str, ...]
    threshold: Optional[float] = None
    alone_needs_commitment: bool = True


#: The default vetoes: cue lists of ``_cues.yaml`` a sentence may not match, whatever the
#: classifier says. "no-commitment" (a commitment cue is required) is available but not a
#: default: in grouped cross-validation it cost more recall on paraphrased commitments than
#: it saved in precision.
VETOES = ("definition", "hypothetical", "advice", "research", "exclude", "negation")
#: The least score of a sentence that an indicator and the classifier agree on (two of
#: them make a principle ``covered``, as two indicator sentences did before the model).
INDICATOR_SCORE = 0.75


@dataclass(frozen=True, eq=False)  # identity hash: frameworks key the matcher cache
class Principle:
    """One principle of a framework, as loaded (indicators stay raw until compiled)."""

    id: str
    name: str
    aliases: tuple[str, ...]
    rule_id: str
    description: str
    needs_commitment: bool
    indicators: tuple[dict, ...]
    exclude: tuple[Any, ...]
    does_not_count: tuple[str, ...]
    sentence_min: float
    partial: Threshold
    covered: Threshold
    suggestion_text: str
    example: str
    sources: tuple[Source, ...]
    model: Optional[ModelSpec] = None

    @property
    def suggestion(self) -> str:
        """What to add, with the example sentences."""
        return self.suggestion_for(())

    def suggestion_for(self, evidence: Iterable[str]) -> str:
        """What to add to a document whose evidence sentences are ``evidence``: the example
        sentences it does not already contain (a sentence counted as evidence is never
        suggested again)."""
        have = {_plain(text) for text in evidence}
        todo = [s for s in _SENTENCE_END.split(self.example.strip()) if _plain(s) not in have]
        if not todo:
            return self.suggestion_text.strip()
        return f'{self.suggestion_text.strip()} For example: "{" ".join(todo)}"'

    def status(self, total: float, count: int) -> str:
        if self.covered.met(total, count):
            return "covered"
        if self.partial.met(total, count):
            return "partial"
        return "missing"


@dataclass(frozen=True, eq=False)
class Framework:
    """A loaded framework: its principles in document order."""

    name: str
    title: str
    description: str
    path: str
    sources: tuple[Source, ...]
    sentence_cap: float
    principles: tuple[Principle, ...]

    def principle(self, key: str) -> Principle:
        """Look a principle up by id or alias; ``KeyError`` names the valid ids."""
        for p in self.principles:
            if key == p.id or key in p.aliases:
                return p
        valid = ", ".join(p.id for p in self.principles)
        raise KeyError(f"unknown principle '{key}' for framework {self.name} (valid: {valid})")


def _frameworks_dir() -> Path:
    return rules_dir() / FRAMEWORKS_DIR


def available_frameworks() -> list[str]:
    """Names of the built-in frameworks (``samhsa-4r``, ``samhsa-6``, ``ohid-6``...)."""
    return sorted(p.stem for p in _frameworks_dir().glob("*.yaml") if not p.name.startswith("_"))


def load_framework(name_or_path: str | Path = DEFAULT_FRAMEWORK) -> Framework:
    """Load a built-in framework by name, or a framework file by path (cached).

    Raises :class:`~tilint.yamlutil.DataError` (``path:line: principle ID: problem``)
    for an invalid file and ``ValueError`` for an unknown name.
    """
    text = str(name_or_path)
    if text.endswith((".yaml", ".yml")) or "/" in text or "\\" in text:
        return _load_framework_file(str(Path(text).resolve()))
    path = _frameworks_dir() / f"{text}.yaml"
    if not path.is_file():
        raise ValueError(f"unknown framework '{text}' (available: {', '.join(available_frameworks())})")
    return _load_framework_file(str(path))


def _principle_where(data: Any, path: list) -> tuple[str, list]:
    """Name the principle an error path points into (for DataError messages)."""
    if len(path) >= 2 and path[0] == "principles" and isinstance(path[1], int):
        try:
            return f"principle {data['principles'][path[1]]['id']}", path[2:]
        except (KeyError, IndexError, TypeError):
            return f"principle #{path[1] + 1}", path[2:]
    return "", path


@lru_cache(maxsize=None)
def _load_framework_file(path_text: str) -> Framework:
    path = Path(path_text)
    data, node = load_validated(path, "framework.schema.json", where=_principle_where)
    registry = load_sources()
    cues = load_cues()

    def fail(problem: str, where: list, label: str = "") -> DataError:
        return DataError(path_text, problem, node_line(node, where), label)

    for j, key in enumerate(data["sources"]):
        if key not in registry:
            raise fail(f"unknown source '{key}' (not in sources.yaml)", ["sources", j])
    seen_ids: dict[str, str] = {}
    seen_rules: set[str] = set()
    principles = []
    for i, raw in enumerate(data["principles"]):
        label = f"principle {raw['id']}"
        for key in (raw["id"], *raw.get("aliases", ())):
            if key in seen_ids:
                raise fail(f"id or alias '{key}' is already used by principle {seen_ids[key]}", ["principles", i, "id"], label)
            seen_ids[key] = raw["id"]
        if raw["rule_id"] in seen_rules:
            raise fail(f"duplicate rule_id '{raw['rule_id']}'", ["principles", i, "rule_id"], label)
        seen_rules.add(raw["rule_id"])
        for j, key in enumerate(raw["sources"]):
            if key not in registry:
                raise fail(f"unknown source '{key}' (not in sources.yaml)", ["principles", i, "sources", j], label)
        for j, ind in enumerate(raw["indicators"]):
            for group in (w[1:] for w in ind.get("with", ()) if w.startswith("@")):
                if group not in cues["terms"]:
                    raise fail(f"unknown term group '@{group}' (not in {CUES_FILE})", ["principles", i, "indicators", j, "with"], label)
        principles.append(_principle_from(raw, registry))
    framework = Framework(
        name=data["framework"],
        title=data["title"],
        description=data["description"],
        path=path_text,
        sources=tuple(registry[k] for k in data["sources"]),
        sentence_cap=float(data.get("sentence_cap", 2)),
        principles=tuple(principles),
    )
    _check_patterns(framework, node)
    return framework


def _principle_from(raw: dict, registry: dict[str, Source]) -> Principle:
    ev = raw["evidence"]
    return Principle(
        id=raw["id"],
        name=raw["name"],
        aliases=tuple(raw.get("aliases", ())),
        rule_id=raw["rule_id"],
        description=raw["description"].strip(),
        needs_commitment=raw["evidence_type"] == "commitment",
        indicators=tuple(raw["indicators"]),
        exclude=tuple(raw.get("exclude", ())),
        does_not_count=tuple(raw["does_not_count"]),
        sentence_min=float(ev["sentence"]),
        partial=Threshold(float(ev["partial"]["score"]), ev["partial"]["sentences"]),
        covered=Threshold(float(ev["covered"]["score"]), ev["covered"]["sentences"]),
        suggestion_text=raw["suggestion"]["text"],
        example=raw["suggestion"]["example"],
        sources=tuple(registry[k] for k in raw["sources"]),
        model=_model_spec(raw["model"]) if "model" in raw else None,
    )


def _model_spec(raw: dict) -> ModelSpec:
    return ModelSpec(
        label=raw["label"],
        with_indicator=float(raw.get("with_indicator", 0.0)),
        vetoes=tuple(raw.get("vetoes", VETOES)),
        threshold=float(raw["threshold"]) if "threshold" in raw else None,
        alone_needs_commitment=bool(raw.get("alone_needs_commitment", True)),
    )


def _check_patterns(framework: Framework, node) -> None:
    """Compile the framework now, so a bad token pattern is reported with its line."""
    from spacy.errors import MatchPatternError

    try:
        _compiled(framework)
    except MatchPatternError as exc:
        key = re.search(r"rule '([^']+)'", str(exc))
        kind, pid, *rest = (key.group(1) if key else "cue:?").split(":")
        if kind == "cue":
            raise DataError(str(_frameworks_dir() / CUES_FILE), f"invalid token pattern in {pid}") from None
        index = [i for i, p in enumerate(framework.principles) if p.id == pid][0]
        where = ["principles", index, *(["indicators", int(rest[0])] if rest else ["exclude"])]
        field = f"indicators[{rest[0]}]{'.with' if kind == 'with' else ''}" if rest else "exclude"
        raise DataError(framework.path, f"{field}: invalid token pattern", node_line(node, where), f"principle {pid}") from None


@lru_cache(maxsize=1)
def load_cues() -> dict:
    """The shared cue lists of ``rules/frameworks/_cues.yaml`` (validated, cached)."""
    data, _ = load_validated(_frameworks_dir() / CUES_FILE, "framework-cues.schema.json")
    return data


# -------------------------------------------------------------------------- matching

_SPELLING = [
    (re.compile(r"is(e|ed|es|ing|ation|ations)$"), r"iz\1"),
    (re.compile(r"iz(e|ed|es|ing|ation|ations)$"), r"is\1"),
    (re.compile(r"(?<=[a-z]{2})our(s|al|ed|ing)?$"), r"or\1"),  # colour, behaviour; not our, your, four
]


def _respellings(word: str) -> set[str]:
    """A word and its other British/American spelling (organise/organize, behaviour/behavior)."""
    lower = word.lower()
    return {lower} | {pattern.sub(repl, lower) for pattern, repl in _SPELLING if pattern.search(lower)}


def _phrase_texts(phrase: str) -> list[str]:
    """Every surface variant of a phrase: either spelling of each word, hyphen kept,
    spaced or closed up. They go to a PhraseMatcher on lemma norms."""
    options = [sorted(_respellings(w)) for w in phrase.split()]
    return [v for combo in itertools.product(*options) for v in variants(" ".join(combo))]


def _norm_token(token: dict) -> dict:
    """Let data write ``NORM`` values as plain words: "training" becomes its key ``train``."""
    value = token.get("NORM")
    if isinstance(value, str):
        return {**token, "NORM": norm(value)}
    if isinstance(value, dict):
        return {**token, "NORM": {op: sorted({norm(w) for w in words}) if isinstance(words, list) else words for op, words in value.items()}}
    return token


@dataclass(frozen=True)
class _Indicator:
    key: str
    weight: float
    with_key: Optional[str]
    negation: str  # block | ignore | require


class _Compiled:
    """The matchers of a framework: its indicators, ``with`` lists, excludes and the cues.

    Every list is registered under a string key; entries marked ``at_start`` get keys
    ending in ``^`` and only count as the first token of a sentence. Phrases go to one
    PhraseMatcher on lemma norms (hash lookups); token patterns to a GatedMatcher that
    runs each only where its anchor word occurs.
    """

    lazy_cues = True  # False: every cue list is matched in every sentence with an indicator (the plain path, for tests)
    array_matching = True  # False: token patterns run in spaCy's Matchers (the plain path, for tests)
    scan_arrays = True  # False: every block gets a Doc and its sentences spans before classifying (the plain path, for tests)

    def __init__(self, framework: Framework, cues: dict):
        self.phrases: dict[str, list[str]] = {}
        self.tokens: dict[str, list[list[dict]]] = {}
        for name in ("commitment", "permissive", "advice", "hypothetical", "definition", "research"):
            self._add(f"cue:{name}", cues.get(name, ()))
        self._add("cue:negation", cues["negation"]["cues"])
        self.window: int = cues["negation"]["window"]
        self.auxiliaries = {norm(w) for w in cues["negation"]["auxiliaries"]}
        self.with_window: int = cues["with_window"]
        self.indicators: dict[str, list[_Indicator]] = {}
        self.indicator_keys: list[tuple[str, Optional[str]]] = []
        for p in framework.principles:
            self.indicators[p.id] = [self._indicator(p.id, j, ind, cues["terms"]) for j, ind in enumerate(p.indicators)]
            self.indicator_keys += [(ind.key, ind.with_key) for ind in self.indicators[p.id]]
            if p.exclude:
                self._add(f"exclude:{p.id}", list(p.exclude))
        # each indicator key: its principle, and its place in the principle's list
        self.indicator_at = {ind.key: (pid, j) for pid, inds in self.indicators.items() for j, ind in enumerate(inds)}
        self._compile()

    def _compile(self) -> None:
        from spacy.matcher import PhraseMatcher

        nlp = get_nlp()
        self.vocab = nlp.vocab
        self.phrase_matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        for key, texts in self.phrases.items():
            self.phrase_matcher.add(key, [nlp.make_doc(t) for t in texts])
        # indicators first; cue, `with` and exclude patterns only matter (and only run)
        # in sentences that have an indicator
        self.indicator_matcher = GatedMatcher(nlp.vocab)
        self.support_matcher = GatedMatcher(nlp.vocab)
        for key, patterns in self.tokens.items():
            (self.indicator_matcher if key.startswith("ind:") else self.support_matcher).add(key, patterns)
        # the keys whose token patterns run when first asked for (see _Found)
        support = {k.rstrip("^") for k in self.tokens if not k.startswith("ind:")}
        self.lazy_keys = {k: self.support_matcher.ids(k) + self.support_matcher.ids(k + "^") for k in support}
        # the same token patterns, matched on token attributes (the GatedMatchers stay as
        # the reference, and for patterns it does not implement)
        self.token_patterns = _TokenPatterns(nlp.vocab, self.tokens)
        index = self.token_patterns.index
        self.indicator_patterns = {i for k, i in index.items() if k.startswith("ind:")}
        self.support_patterns = {i for k, i in index.items() if not k.startswith("ind:")}
        # text holding no indicator with its `with` words cannot give evidence: blocks
        # without are skipped unparsed, sentences without unmatched ("staff" alone is
        # common; "staff" near a trauma word is not)
        self.prefilter = _IndicatorGate(
            [(self._requirements(key), self._requirements(with_key) if with_key else None) for key, with_key in self.indicator_keys]
        )

    def _requirements(self, key: str) -> list[Requirement]:
        """The required words of every pattern registered under ``key`` (or ``key^``)."""
        keys = (key, key + "^")
        reqs = [r for k in keys for t in self.phrases.get(k, ()) for r in pattern_requirements({"phrase": t})]
        return reqs + [requirement(p) for k in keys for p in self.tokens.get(k, ())]

    def _add(self, key: str, entries: Sequence[Any]) -> None:
        for entry in entries:
            k = key + "^" if isinstance(entry, dict) and entry.get("at_start") else key
            if isinstance(entry, str) or "phrase" in entry:
                self.phrases.setdefault(k, []).extend(_phrase_texts(entry if isinstance(entry, str) else entry["phrase"]))
            else:
                self.tokens.setdefault(k, []).append([_norm_token(t) for t in entry["tokens"]])

    def _indicator(self, pid: str, j: int, raw: dict, terms: dict) -> _Indicator:
        key = f"ind:{pid}:{j}"
        self._add(key, [raw])
        with_key = None
        if raw.get("with"):
            with_key = f"with:{pid}:{j}"
            phrases = [t for w in raw["with"] for t in (terms[w[1:]] if w.startswith("@") else [w])]
            self._add(with_key, phrases)
        return _Indicator(key, float(raw["weight"]), with_key, raw.get("negation", "block"))

    def sentence_hits(
        self, doc: "Doc", sents: list["Span"], keep: Container[int] = (), *, text: Optional[str] = None, anchored: Optional[bool] = None
    ) -> Iterable["_Hits"]:
        """Per sentence of ``doc`` that has an indicator (or starts at a token in ``keep``),
        its matches (sentence-relative).

        ``text`` is the doc's text when the caller has it (``Doc.text`` is rebuilt from
        the tokens on every access), ``anchored`` the gate's answer for the whole of it
        (a sentence that is the whole text is not looked at again). Phrases are matched
        once per doc; token patterns per sentence, each only in sentences holding its
        anchor, which keeps the Matcher's work small."""
        live = []
        full = doc.text if text is None else text
        for sent in sents:
            text = full[sent.start_char : sent.end_char]
            words = words_of(text)
            whole = anchored is not None and len(text) == len(full)
            if sent.start in keep or (anchored if whole else self.prefilter.check(words, text)):
                live.append((sent, text, words))
        if not live:
            return
        strings = self.vocab.strings
        phrases = sorted(self.phrase_matcher(doc), key=lambda m: m[1])
        patterns = self.token_patterns if self.array_matching and self.token_patterns.supported else None
        pairs: Optional[list[tuple[int, int]]] = None
        for sent, text, words in live:
            inside = [(m, s - sent.start, e - sent.start) for m, s, e in phrases if s >= sent.start and e <= sent.end]
            tokens = places = None
            if patterns is not None:
                if pairs is None:
                    pairs = patterns.pairs(doc)
                tokens = patterns.sentence(pairs[sent.start : sent.end])
                inside += patterns.run(tokens, self.indicator_patterns)
            else:
                places = places_of(sent, text)  # where each word stands: shared by both matchers
                inside += self.indicator_matcher.run(sent, words, text, places=places)
            if sent.start in keep or any(strings[m].startswith("ind:") for m, _, _ in inside):
                if tokens is not None:  # matched on token attributes, every list costs little: no need to wait
                    yield self.hits(sent, inside + patterns.run(tokens, self.support_patterns))  # type: ignore[union-attr]
                    continue
                if not self.lazy_cues:
                    yield self.hits(sent, inside + self.support_matcher.run(sent, words, text, places=places))
                    continue
                hits = self.hits(sent, inside)
                hits.found = _Found(hits.found, self, sent, words, text, places)
                yield hits

    def hits(self, sent: "Span", matches: list[tuple[int, int, int]]) -> "_Hits":
        """Every match inside one sentence, by key (at-start keys already filtered)."""
        found: dict[str, list[tuple[int, int]]] = {}
        self._collect(found, sent, matches)
        return _Hits(sent, found, self)

    def _collect(self, found: dict[str, list[tuple[int, int]]], sent: "Span", matches: list[tuple[int, int, int]]) -> None:
        strings = self.vocab.strings
        first = None
        for match_id, start, end in matches:
            key = strings[match_id]
            if key.endswith("^"):
                first = _first_word(sent) if first is None else first
                if start != first:
                    continue
                key = key[:-1]
            found.setdefault(key, []).append((start, end))


class _Found(dict):
    """A sentence's matches by key, where the token patterns of the cue, ``with`` and
    exclude lists run only when their key is first asked for: a sentence that fails an
    early test (no commitment cue) never runs the rest. The lists are those the eager
    path builds, in the same order: a key's phrase matches, then its Matchers' matches
    in Matcher order."""

    def __init__(self, eager: dict, compiled: "_Compiled", sent: "Span", words: AbstractSet[str], text: str, places: Any):
        super().__init__(eager)
        self._args = (compiled, sent, words, text, places)
        self._candidates: Optional[set[int]] = None
        self._pending = dict(compiled.lazy_keys)  # key -> its Matchers (and its at-start key's)

    def _load(self, key: str) -> None:
        ids = self._pending.pop(key)
        compiled, sent, words, text, places = self._args
        matcher = compiled.support_matcher
        if self._candidates is None:
            self._candidates = set(matcher.candidates(words, text))
        todo = sorted(i for i in ids if i in self._candidates)
        if todo:
            own = {compiled.vocab.strings[key], compiled.vocab.strings[key + "^"]}  # a Matcher holds one key; be sure
            compiled._collect(self, sent, [m for m in matcher.run(sent, words, text, places=places, only=todo) if m[0] in own])

    def get(self, key: str, default: Any = None) -> Any:
        if key in self._pending:
            self._load(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        if key in self._pending:
            self._load(key)
        return super().__contains__(key)

    def __getitem__(self, key: str) -> Any:
        if key in self._pending:
            self._load(key)
        return super().__getitem__(key)


# spaCy Matcher quantifiers and actions (spacy/matcher/matcher.pyx), for _TokenPatterns
_ZERO, _ONE, _ZERO_ONE, _ZERO_PLUS = "!", "1", "?", "*"
_REJECT, _MATCH, _ADVANCE, _RETRY, _RETRY_ADVANCE, _RETRY_EXTEND, _MATCH_EXTEND, _MATCH_REJECT, _MATCH_DOUBLE = range(9)
_FLAGS = frozenset({"IS_ALPHA", "IS_ASCII", "IS_DIGIT", "IS_LOWER", "IS_PUNCT", "IS_SPACE", "IS_TITLE", "IS_UPPER", "LIKE_URL",
                    "LIKE_NUM", "LIKE_EMAIL", "IS_STOP", "IS_BRACKET", "IS_QUOTE", "IS_LEFT_PUNCT", "IS_RIGHT_PUNCT", "IS_CURRENCY"})


def _quantifiers(op: Any) -> Optional[tuple[str, ...]]:
    """What spaCy's Matcher makes of a token's ``OP`` (``{0,4}`` is four optional tokens);
    None for one it would refuse."""
    if op is None:
        return (_ONE,)
    simple = {"*": (_ZERO_PLUS,), "+": (_ONE, _ZERO_PLUS), "?": (_ZERO_ONE,), "1": (_ONE,), "!": (_ZERO,)}
    if op in simple:
        return simple[op]
    if not (isinstance(op, str) and op.startswith("{") and op.endswith("}")):
        return None
    inner = op[1:-1] if "," in op else f"{op[1:-1]},{op[1:-1]}"
    least, _, most = inner.partition(",")
    if not all(x.isdecimal() for x in (least, most) if x) or not (least or most) or (least and most and int(least) > int(most)):
        return None
    return (_ONE,) * int(least or 0) + ((_ZERO_ONE,) * (int(most) - int(least or 0)) if most else (_ZERO_PLUS,))


_TokenEntry = tuple[int, tuple[tuple[int, int], ...], bool]  # a token's condition bits, the patterns it can start, is_alpha
_TOKEN_CACHE = 200_000  # distinct words kept (about 70 MB at most for the rules' port)


class _TokenPatterns:
    """Coverage's token patterns (cues, indicators, ``with`` and exclude lists) matched on
    each token's ORTH and NORM hashes instead of by spaCy's Matcher, with the same results
    in the same order.

    spaCy's Matcher makes a Python Token object per token and calls back into Python for
    every ``IN``/``NOT_IN``/``REGEX`` predicate of every pattern at every token: most of
    coverage's time. Here every condition a pattern token sets is worked out once per
    distinct (ORTH, NORM) pair and kept as bits of an int, with the patterns each such
    token can start; a sentence's matches then come from a port of the Matcher's own state
    machine, run only from the tokens a pattern can start at. ``supported`` is False when
    some pattern uses what this does not implement (the GatedMatchers then run).
    tests/test_coverage_fast_path.py checks the reports against spaCy's Matcher."""

    def __init__(self, vocab: Any, entries: dict[str, list[list[dict]]]):
        self.vocab = vocab
        self.keys = list(entries)  # in the GatedMatchers' order (one Matcher per key)
        self.ids = [vocab.strings.add(k) for k in self.keys]
        self.index = {k: i for i, k in enumerate(self.keys)}
        self._bits: dict[tuple, int] = {}  # (attr, test, value) -> its bit
        self._equal: dict[str, dict[int, int]] = {"ORTH": {}, "LOWER": {}, "NORM": {}}  # value -> bits of IN / == conditions
        self._not_in: dict[str, dict[int, int]] = {"ORTH": {}, "LOWER": {}, "NORM": {}}  # value -> bits of NOT_IN conditions it fails
        self._not_in_all = {"ORTH": 0, "LOWER": 0, "NORM": 0}
        self._regex: list[tuple[str, re.Pattern[str], int]] = []
        self._flags: list[tuple[str, int, int]] = []  # (lexeme attribute, wanted value, bit)
        self.supported = True
        # per key, per pattern: ((quantifier, spec bits), ...) and the specs that can start it
        self.patterns: list[list[tuple[tuple[str, int], ...]]] = []
        self.required: list[list[int]] = []  # per key, per pattern: the bits its required tokens need
        self._openers: list[tuple[int, int, tuple[int, ...]]] = []  # (key, pattern, specs of its start)
        self.anywhere: dict[int, list[int]] = {}  # per key: patterns that can start at any token
        self.at_start = [key.endswith("^") for key in self.keys]  # counted only from a sentence's first word
        for k, key in enumerate(self.keys):
            compiled, required, anywhere = [], [], []
            for j, pattern in enumerate(entries[key]):
                steps = self._steps(pattern)
                if steps is None:
                    self.supported = False
                    steps = ()
                compiled.append(steps)
                required.append(functools.reduce(operator.or_, (spec for quant, spec in steps if quant == _ONE), 0))
                opener = self._opener(steps)
                if opener is None:
                    anywhere.append(j)
                else:
                    self._openers.append((k, j, opener))
            self.patterns.append(compiled)
            self.required.append(required)
            if anywhere:
                self.anywhere[k] = anywhere
        self._tokens: dict[tuple[int, int], _TokenEntry] = {}

    # -- compiling ----------------------------------------------------------------------
    def _bit(self, cond: tuple) -> int:
        bit = self._bits.get(cond)
        if bit is None:
            bit = self._bits[cond] = 1 << len(self._bits)
            attr, test, value = cond
            if test == "equal":
                self._equal[attr][value] = self._equal[attr].get(value, 0) | bit
            elif test == "in":  # one condition, met by any of its values
                for v in value:
                    self._equal[attr][v] = self._equal[attr].get(v, 0) | bit
            elif test == "not_in":
                self._not_in_all[attr] |= bit
                for v in value:
                    self._not_in[attr][v] = self._not_in[attr].get(v, 0) | bit
            elif test == "regex":
                self._regex.append((attr, compile_predicate(value), bit))  # RE2 where installed, as spaCy's
            else:
                self._flags.append((attr.lower(), value, bit))
        return bit

    def _spec(self, token: dict) -> Optional[int]:
        """The condition bits a token must all have to match ``token`` (None: unsupported)."""
        from spacy.strings import get_string_id

        bits = 0
        for raw, value in token.items():
            attr = str(raw).upper()
            if attr == "OP":
                continue
            attr = "ORTH" if attr == "TEXT" else attr
            if attr in _FLAGS and isinstance(value, (bool, int)):
                bits |= self._bit((attr, "flag", int(value)))
            elif attr not in self._equal:
                return None
            elif isinstance(value, (str, int)) and not isinstance(value, bool):
                bits |= self._bit((attr, "equal", get_string_id(value) if isinstance(value, str) else value))
            elif isinstance(value, dict) and value and set(value) <= {"IN", "NOT_IN", "REGEX"}:
                for test, arg in value.items():
                    if test == "REGEX":
                        if not isinstance(arg, str):
                            return None
                        bits |= self._bit((attr, "regex", arg))
                    elif isinstance(arg, list) and all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in arg):
                        ids = frozenset(get_string_id(v) for v in arg)
                        bits |= self._bit((attr, "not_in" if test == "NOT_IN" else "in", ids))
                    else:
                        return None
            else:
                return None
        return bits

    def _steps(self, pattern: list[dict]) -> Optional[tuple[tuple[str, int], ...]]:
        steps: list[tuple[str, int]] = []
        for token in pattern:
            op = next((v for k, v in token.items() if str(k).upper() == "OP"), None)
            quants, spec = _quantifiers(op), self._spec(token)
            if quants is None or spec is None:
                return None
            steps += [(q, spec) for q in quants]
        return tuple(steps) or None

    @staticmethod
    def _opener(steps: tuple[tuple[str, int], ...]) -> Optional[tuple[int, ...]]:
        """The specs one of which a token must meet for the pattern to do anything there
        (those of its optional head and its first required token); None: any token."""
        specs = []
        for quant, spec in steps:
            if quant == _ZERO or not spec:
                return None
            specs.append(spec)
            if quant == _ONE:
                return tuple(specs)
        return None  # nothing required: every token

    # -- tokens -------------------------------------------------------------------------
    @staticmethod
    def pairs(doclike: Any) -> list[tuple[int, int]]:
        """The ORTH and NORM hashes of each token of a Doc or Span, as :meth:`sentence` reads them."""
        from spacy.attrs import NORM, ORTH

        orths, norms = doclike.to_array([ORTH, NORM]).reshape(-1, 2).T.tolist()
        return list(zip(orths, norms))

    def sentence(self, pairs: Iterable[tuple[int, int]]) -> "_Sentence":
        """A sentence given as its tokens' ORTH and NORM hashes, ready for :meth:`run`."""
        # one pass, looking further only at the few tokens with a condition bit (only
        # they can open a pattern: a pattern that any token opens is in `anywhere`)
        get, work_out = self._tokens.get, self._token
        tokens: list[_TokenEntry] = []
        present, first, opening = 0, -1, []
        for i, pair in enumerate(pairs):
            entry = get(pair) or work_out(pair)
            tokens.append(entry)
            if entry[0]:
                present |= entry[0]
                if entry[1]:
                    opening.append(i)
            if first < 0 and entry[2]:
                first = i
        first = max(first, 0)  # as _first_word
        # where each key's patterns can start: a pattern one of whose required tokens the
        # sentence lacks matches nothing, and an at-start key's matches count only from
        # the first word (the others are dropped by _Compiled._collect)
        starts: dict[int, dict[int, list[int]]] = {}
        required, at_start = self.required, self.at_start
        for i in opening:
            for k, j in tokens[i][1]:
                if not required[k][j] & ~present and (i == first or not at_start[k]):
                    starts.setdefault(k, {}).setdefault(i, []).append(j)
        for k, patterns in self.anywhere.items():
            live = [j for j in patterns if not required[k][j] & ~present]
            if live and tokens:
                at = starts.setdefault(k, {})
                for i in [first] if at_start[k] else range(len(tokens)):
                    at[i] = sorted({*at.get(i, ()), *live})
        return _Sentence(tokens, starts)

    def _token(self, pair: tuple[int, int]) -> _TokenEntry:
        """A token's condition bits, the (key, pattern) pairs it can start and whether it
        is a word (``is_alpha``): worked out once per distinct ORTH and NORM."""
        orth, norm_ = pair
        lex = self.vocab[orth]
        values = {"ORTH": orth, "LOWER": lex.lower, "NORM": norm_}
        bits = 0
        for attr, value in values.items():
            bits |= self._equal[attr].get(value, 0) | (self._not_in_all[attr] & ~self._not_in[attr].get(value, 0))
        strings = self.vocab.strings
        for attr, regex, bit in self._regex:
            if regex.search(strings[values[attr]]):
                bits |= bit
        for name, wanted, bit in self._flags:
            if int(getattr(lex, name)) == wanted:
                bits |= bit
        starts = self._starts(bits)
        if len(self._tokens) >= _TOKEN_CACHE:  # a document of random strings must not grow it without end
            self._tokens.clear()
        entry = self._tokens[pair] = (bits, starts, lex.is_alpha)
        return entry

    def _starts(self, bits: int) -> tuple[tuple[int, int], ...]:
        """The (key, pattern) pairs a token with these condition bits can start."""
        return tuple((k, j) for k, j, specs in self._openers if any(bits & s == s for s in specs))

    # -- matching -----------------------------------------------------------------------
    def run(self, sentence: "_Sentence", keys: Container[int]) -> list[tuple[int, int, int]]:
        """``(key id, start, end)`` of the patterns of ``keys`` (indices) in a sentence, key
        by key in the GatedMatchers' order: what each key's spaCy Matcher gives, less
        matches that cannot count (see :meth:`sentence`)."""
        out: list[tuple[int, int, int]] = []
        for k in sorted(k for k in sentence.starts if k in keys):
            key_id = self.ids[k]
            out += [(key_id, s, e) for s, e in _run_states(self.patterns[k], sentence.starts[k], sentence.tokens)]
        return out


@dataclass
class _Sentence:
    tokens: list[_TokenEntry]
    starts: dict[int, dict[int, list[int]]]  # key -> token -> patterns that can start there


def _action(quant: str, spec: int, final: bool, bits: int) -> int:
    """spaCy's ``get_action``: what a pattern state does at a token."""
    match = bits & spec == spec
    if quant == _ZERO:
        match, quant = not match, _ONE
    if quant == _ONE:
        return (_MATCH if final else _ADVANCE) if match else _REJECT
    if quant == _ZERO_PLUS:
        return (_MATCH_EXTEND if final else _RETRY_EXTEND) if match else (_MATCH_REJECT if final else _RETRY)
    return (_MATCH_DOUBLE if final else _RETRY_ADVANCE) if match else (_MATCH_REJECT if final else _RETRY)


def _run_states(patterns: list[tuple[tuple[str, int], ...]], starts: dict[int, list[int]], tokens: list) -> list[tuple[int, int]]:
    """spaCy's ``find_matches`` for one key over one sentence: states start only at the
    tokens in ``starts`` (elsewhere a state dies at once, having done nothing), and the
    states advance token by token as in ``transition_states``; matches in the order
    found, repeats and empty matches dropped. (A gap of optional tokens, ``{0,10}``, makes
    spaCy's states multiply; identical ones are kept once here.)"""
    found: list[tuple[int, int]] = []
    states: list[tuple[int, int, int, int]] = []  # (pattern, step, start, length)
    order = sorted(starts)
    n, p, i = len(tokens), 0, order[0]
    while i < n:
        if p < len(order) and order[p] == i:
            states += [(j, 0, i, 0) for j in starts[i]]
            p += 1
        elif not states:
            if p == len(order):
                break
            i = order[p]
            continue
        bits = tokens[i][0]
        kept: list[tuple[int, int, int, int]] = []
        new: list[tuple[int, int, int, int]] = []
        for j, k, start, length in states:
            steps = patterns[j]
            last = len(steps) - 1
            action = _action(*steps[k], k == last, bits)
            while action in (_RETRY, _RETRY_ADVANCE, _RETRY_EXTEND):
                if action == _RETRY_EXTEND:
                    new.append((j, k, start, length + 1))
                elif action == _RETRY_ADVANCE:
                    new.append((j, k + 1, start, length + 1))
                k += 1
                action = _action(*steps[k], k == last, bits)
            if action == _ADVANCE:
                kept.append((j, k + 1, start, length + 1))
            elif action == _MATCH:
                found.append((start, length + 1))
            elif action == _MATCH_DOUBLE:
                if length > 0:
                    found.append((start, length))
                found.append((start, length + 1))
            elif action == _MATCH_REJECT:
                found.append((start, length))
            elif action == _MATCH_EXTEND:
                found.append((start, length))
                kept.append((j, k, start, length + 1))
        # a state twice is the same future twice (spaCy keeps both; the second's matches
        # repeat the first's, later in the same step, and are dropped): keep the first
        states = list(dict.fromkeys(kept + new)) if new else kept
        i += 1
    for j, k, start, length in states:  # spaCy's finish_states: patterns ending in optional tokens
        steps = patterns[j]
        while steps[k][0] in (_ZERO_PLUS, _ZERO_ONE):
            if k == len(steps) - 1:
                found.append((start, length))
                break
            k += 1
    seen: set[tuple[int, int]] = set()
    out = []
    for start, length in found:
        if length > 0 and (start, length) not in seen:
            seen.add((start, length))
            out.append((start, start + length))
    return out


class _IndicatorGate:
    """Could some indicator, with its ``with`` words, match in a text? Exact in one
    direction (never False when one could). The ``with`` words (trauma, restraint...) are
    rarer than the words of the indicators that need them ("staff", "policy"), so they are
    looked up first, and an indicator's own words only where its ``with`` words are."""

    def __init__(self, indicators: list[tuple[list[Requirement], Optional[list[Requirement]]]]):
        self.alone = Prefilter(r for reqs, with_reqs in indicators if with_reqs is None for r in reqs)
        paired = [(i, reqs, with_reqs) for i, (reqs, with_reqs) in enumerate(indicators) if with_reqs is not None]
        self.with_words = Prefilter((w for _, _, with_reqs in paired for w in with_reqs), (i for i, _, with_reqs in paired for _ in with_reqs))
        self.own_words = {i: Prefilter(reqs) for i, reqs, _ in paired}
        self.bypass = False  # True: every text is a candidate (the plain path, for tests)
        # what the prefilters look for in a text beyond its words (see texts()): forms that
        # are not letter runs, found by substring, and regexes (an anchor holds where its
        # regex matches; the prefilters' looser screens only decide whether to look)
        looked = {a for reqs, with_reqs in indicators for req in (*reqs, *(with_reqs or ())) for a in req if a.odd or a.regex}
        self._odd = sorted({f for a in looked for f in a.odd})
        regexes = [re.compile(r, re.I) for r in sorted({a.regex for a in looked if a.regex})]
        # a regex that starts a word and matches letters only matches where a word of the
        # text starts with what it matches: it is looked for in the words; the others in
        # the text, by their body (which a search can skip ahead for) then whole
        self._word_regexes = [re.compile(r.pattern.removeprefix(_WORD_START), re.I) for r in regexes if _letters_only(r.pattern)]
        self._text_regexes = [(re.compile(r.pattern.removeprefix(_WORD_START), re.I), r) for r in regexes if not _letters_only(r.pattern)]
        self._word_hits: dict[str, bool] = {}
        # a regex whose matches depend on what surrounds them (but for the start of a word,
        # which a text's start and the line break before it in the joined texts both are),
        # or that matches nothing, cannot be looked for in all the texts at once
        self._per_text = "" in self._odd or any(
            r.search("") is not None or any(mark in r.pattern.removeprefix(_WORD_START) for mark in _CONTEXT_MARKS) for r in regexes
        )

    def check(self, words: AbstractSet[str], text: str) -> bool:
        return self.bypass or self.alone.check(words, text) or any(self.own_words[i].check(words, text) for i in self.with_words.tags(words, text))

    def __call__(self, text: str) -> bool:
        return self.check(words_of(text), text)

    def texts(self, texts: Sequence[str]) -> list[str]:
        """What :meth:`check` must read of each of ``texts`` besides its words: the text
        where a form or regex the prefilters look for in it could be, else "" (where none
        can be, "" gets the same answers). Forms and the regexes looked for in the text
        are looked for once in all the texts joined, a regex at every place it matches,
        and each match marks every text it overlaps; the other regexes in each text's
        words, each word once per process."""
        if self._per_text:
            return list(texts)
        lowers = [t.lower() for t in texts]  # what the prefilters search
        joined = "\n".join(lowers)
        starts = list(itertools.accumulate((len(t) + 1 for t in lowers[:-1]), initial=0))
        marked: set[int] = set()

        def mark(start: int, end: int) -> None:
            marked.update(range(bisect.bisect_right(starts, start) - 1, bisect.bisect_right(starts, max(start, end - 1))))

        for form in self._odd:
            at = joined.find(form)
            while at >= 0:
                mark(at, at + len(form))
                at = joined.find(form, at + 1)
        for body, whole in self._text_regexes:
            found = body.search(joined)
            while found is not None:
                at = found.start()
                m = whole.match(joined, at)
                if m is not None:
                    mark(at, m.end())
                found = body.search(joined, at + 1)
        if self._word_regexes:
            hits = self._word_hits
            if len(hits) >= _TOKEN_CACHE:  # a document of random strings must not grow it without end
                hits.clear()
            for k, text in enumerate(texts):
                if k not in marked:
                    for w in words_of(text):
                        hit = hits.get(w)
                        if hit is None:
                            hit = hits[w] = any(r.match(w) for r in self._word_regexes)
                        if hit:
                            marked.add(k)
                            break
        return [t if k in marked else "" for k, t in enumerate(texts)]


#: What makes a regex's match depend on the text around it (anchors, word boundaries, lookarounds).
# atomic groups and possessive repeats too: what follows a match can take it away
_CONTEXT_MARKS = ("^", "$", "\\A", "\\Z", "\\b", "\\B", "(?=", "(?!", "(?<", "(?P=", "(?(", "(?>", "*+", "++", "?+", "}+")
_LETTER_REGEX = re.compile(r"[A-Za-z()|?\[\]*+]+")


def _letters_only(regex: str) -> bool:
    """Does the regex match only at the start of a word and only letters (its body made
    of ASCII letters, groups, alternatives, classes of letters and repeats)?"""
    return regex.startswith(_WORD_START) and _LETTER_REGEX.fullmatch(regex.removeprefix(_WORD_START).replace("(?:", "(")) is not None


def _first_word(sent: "Span") -> int:
    """Index (within the sentence) of its first word, skipping list markers and quotes."""
    for i, tok in enumerate(sent):
        if tok.is_alpha:
            return i
    return 0


@dataclass
class _Hits:
    sent: "Span"
    found: dict[str, list[tuple[int, int]]]
    compiled: _Compiled

    def near(self, key: Optional[str], start: int, end: int) -> bool:
        """Is there a match of ``key`` within the ``with`` window of the span? (None: yes)"""
        if key is None:
            return True
        window = self.compiled.with_window
        return any(s < end + window and e > start - window for s, e in self.found.get(key, ()))

    def committed(self) -> bool:
        """A commitment cue not directly after a permissive one ("may be offered" is not)
        or a determiner ("the work they do" is a noun)."""
        hedges = {end for _, end in self.found.get("cue:permissive", ())}
        return any(start not in hedges for start, _ in self.found.get("cue:commitment", ()))

    def negated(self, start: int, end: int) -> bool:
        """Is the span in the scope of a negation cue of the same clause?"""
        toks = self.sent
        for n_start, n_end in self.found.get("cue:negation", ()):
            if n_end <= start and start - n_end < self.compiled.window:
                between = toks[n_end:start]
            elif n_start >= end and n_start - end <= 3 and n_start > 0 and toks[n_start - 1].norm_ in self.compiled.auxiliaries:
                between = toks[end:n_start]  # "training is not provided"
            else:
                continue
            if not any(t.text in _CLAUSE_BREAKS for t in between):
                return True
        return False


@lru_cache(maxsize=None)
def _compiled(framework: Framework) -> _Compiled:
    compiled = _Compiled(framework, load_cues())
    keep_long_lived()  # the framework's matchers, built once per process
    return compiled


def _sentence_score(p: Principle, ind_list: list[_Indicator], hits: _Hits, cap: float) -> float:
    """Score of one sentence for one principle (0 when it cannot be evidence)."""
    if f"exclude:{p.id}" in hits.found:
        return 0.0
    if p.needs_commitment and (not hits.committed() or "cue:advice" in hits.found or "cue:research" in hits.found):
        return 0.0
    # the indicators that matched, in the list's order (the order the weights add up in):
    # indicator keys are always matched at once, so the sentence's keys name them all
    matched: Iterable[int] = range(len(ind_list))
    if ind_list is hits.compiled.indicators.get(p.id):
        at = hits.compiled.indicator_at
        matched = sorted(at[key][1] for key in hits.found if key in at and at[key][0] == p.id)
    score = 0.0
    for j in matched:
        ind = ind_list[j]
        spans = hits.found.get(ind.key, ())
        if any(hits.near(ind.with_key, s, e) and _counts(ind, p, hits, s, e) for s, e in spans):
            score += ind.weight
    return min(score, cap)


def _counts(ind: _Indicator, p: Principle, hits: _Hits, start: int, end: int) -> bool:
    """Does this indicator match count, given negation? (Acknowledgements ignore negation:
    "survivors often do not attend screening" still acknowledges the impact of trauma.)"""
    if ind.negation == "ignore" or not p.needs_commitment:
        return ind.negation != "require" or hits.negated(start, end)
    return hits.negated(start, end) == (ind.negation == "require")


def _disqualified(hits: _Hits) -> bool:
    """Hypothetical and definitional sentences are never evidence."""
    return bool(hits.found.get("cue:hypothetical") or hits.found.get("cue:definition"))


# --------------------------------------------------------------------------- checking


def check_document(
    doc: Document, *, framework: str | Framework = DEFAULT_FRAMEWORK, classifier: Optional["Classifier"] = None
) -> CoverageReport:
    """Score every principle of ``framework`` against the prose blocks of ``doc``.

    Principles with a ``model:`` read the learned classifier (``classifier``, by default
    the shipped model, loaded on first use); the others read their indicators only."""
    fw = framework if isinstance(framework, Framework) else load_framework(framework)
    compiled = _compiled(fw)
    found: dict[str, list[Evidence]] = {p.id: [] for p in fw.principles}
    learned = [p for p in fw.principles if p.model]
    lexical = [p for p in fw.principles if not p.model]
    # a heading alone is never evidence; without the classifier, a block holding no
    # indicator anchor cannot give evidence either and is skipped unparsed
    blocks = [b for b in doc.blocks if b.kind != "heading" and (learned or compiled.prefilter(b.text))]
    nlp = get_nlp()
    if learned and not lexical and classifier is None and compiled.scan_arrays:
        candidates = _scanned(blocks, nlp, compiled, learned)
        if candidates is not None:  # None: the shipped model is not a bag of words
            _learned_evidence(fw, learned, compiled, candidates, found)
            return CoverageReport(fw.name, [_result(p, found[p.id]) for p in fw.principles], fw)
    # tokenizer + sentences is all we need (norms live on the vocabulary); a block the
    # rules engine already tokenised is not tokenised again
    parsed = [(block, d, sentences(d, nlp)) for block, d in parse_blocks(blocks, nlp)]
    if lexical:
        for block, d, sents in parsed:
            if compiled.prefilter(block.text):
                for hits in compiled.sentence_hits(d, sents, text=block.text, anchored=True):
                    if _disqualified(hits):
                        continue
                    for p in lexical:
                        score = _sentence_score(p, compiled.indicators[p.id], hits, fw.sentence_cap)
                        if score >= p.sentence_min:
                            found[p.id].append(_evidence(block, hits.sent, score, _lexical_why(p, compiled, hits)))
    if learned:
        _learned_evidence(fw, learned, compiled, _classified(parsed, compiled, classifier), found)
    return CoverageReport(fw.name, [_result(p, found[p.id]) for p in fw.principles], fw)


def _worth_classifying(doc: "Doc", sents: list["Span"]) -> list["Span"]:
    """Sentences of three words or more (a label, a date or a list marker says nothing);
    counted on the attribute array, without a Token object per token."""
    from spacy.attrs import IS_ALPHA

    if not len(doc):
        return []
    alpha = doc.to_array(IS_ALPHA)
    return [s for s in sents if alpha[s.start : s.end].sum() >= 3]


#: A block that can give evidence from the classifier: its doc, the sentences the
#: classifier read (three words or more) with their scores, and whether an indicator
#: could match in it (the indicator gate).
_Candidate = tuple[Block, "Doc", list["Span"], dict[int, dict[str, float]], bool]


def _classified(parsed: list[tuple[Block, "Doc", list["Span"]]], compiled: "_Compiled", classifier: Optional["Classifier"]) -> list[_Candidate]:
    """Every block with a sentence the classifier reads (the plain route: a Doc and
    sentence spans per block, every sentence classified through ``classifier``)."""
    if classifier is None:
        from .coverage_model import classify

        classifier = classify
    todo = [(i, sent) for i, (_, d, sents) in enumerate(parsed) for sent in _worth_classifying(d, sents)]
    cats = classifier([sent for _, sent in todo])
    probs: dict[tuple[int, int], dict[str, float]] = {(i, sent.start): c for (i, sent), c in zip(todo, cats)}
    out = []
    for i, (block, d, sents) in enumerate(parsed):
        # a sentence the classifier did not read (under three words) is never evidence
        read = [s for s in sents if (i, s.start) in probs]
        if read:
            out.append((block, d, read, {s.start: probs[i, s.start] for s in read}, compiled.prefilter(block.text)))
    return out


_SEPARATOR = "\n\n"  # between the blocks of one tokenised text: whitespace, a token of its own


def _scanned(blocks: list[Block], nlp: Any, compiled: "_Compiled", learned: list[Principle]) -> Optional[list[_Candidate]]:
    """The blocks that can give evidence, found on token arrays (the fast route of the
    shipped bag-of-words classifier; None for another model).

    The blocks of a document are tokenised as one text (spaCy's tokenizer splits at
    whitespace before anything else, so each block's tokens are those it has alone; the
    joins are checked), split into sentences and classified on the attribute arrays of
    that one Doc. Only a block where an indicator could match or the classifier alone is
    confident about a sentence is then tokenised on its own (unless the rules engine
    did) for matching: most blocks never get a Doc, a Span or a dict of their own.
    Sentences and scores are those of :func:`_classified`
    (tests/test_coverage_fast_path.py)."""
    import numpy

    from .coverage_model import _reads_orth_only, load_classifier, predict_orths

    model = load_classifier()
    if not _reads_orth_only(model):
        return None
    orth, alpha, bounds, sent_bounds = _sentence_arrays(blocks, nlp)
    counts = numpy.concatenate(([0], numpy.cumsum(alpha)))
    worth = numpy.flatnonzero(counts[sent_bounds[:, 1]] - counts[sent_bounds[:, 0]] >= 3)
    labels, scores = predict_orths(model, [orth[a:b] for a, b in sent_bounds[worth].tolist()])
    confident = numpy.zeros(len(worth), dtype=bool)
    for p in learned:
        spec = p.model
        if spec is not None and spec.threshold is not None:  # as _alone, in double precision
            column = scores[:, labels.index(spec.label)].astype(numpy.float64) if spec.label in labels else numpy.zeros(len(worth))
            confident |= column >= spec.threshold
    # per block, the classified sentences: their rows in `worth` run from first[k] to first[k + 1]
    owner = numpy.searchsorted(bounds[:, 1], sent_bounds[worth, 0], side="right")
    first = numpy.searchsorted(owner, numpy.arange(len(blocks) + 1))
    running = numpy.concatenate(([0], numpy.cumsum(confident)))
    hot = running[first[1:]] > running[first[:-1]]  # the block has a sentence the classifier is confident about
    chosen = []
    gate = compiled.prefilter
    texts = gate.texts([b.text for b in blocks])
    for k in numpy.flatnonzero(first[1:] > first[:-1]).tolist():
        anchored = gate.check(words_of(blocks[k].text), texts[k])
        if anchored or hot[k]:
            chosen.append((k, anchored))
    if not chosen:
        return []
    rows = scores.tolist()
    out: list[_Candidate] = []
    docs = parse_blocks([blocks[k] for k, _ in chosen], nlp)
    for (k, anchored), (block, d) in zip(chosen, docs):
        start, end = bounds[k].tolist()
        mine = range(first[k], first[k + 1])
        if len(d) != end - start:  # never seen (a Doc with other tokens than the scan read): the plain route
            out += _classified([(block, d, sentences(d, nlp))], compiled, None)
            continue
        read = [d[a - start : b - start] for a, b in sent_bounds[worth[mine.start : mine.stop]].tolist()]
        out.append((block, d, read, {s.start: dict(zip(labels, rows[j])) for s, j in zip(read, mine)}, anchored))
    return out


def _sentence_arrays(blocks: list[Block], nlp: Any) -> tuple[Any, Any, Any, Any]:
    """The blocks' tokens as one array: ORTH and IS_ALPHA columns, each block's
    ``(start, end)`` token offsets and its sentences' (in order, as
    :func:`tilint.nlp.sentences` splits them). A block the rules engine tokenised is
    read from its Doc; the others are tokenised together, one separator token between
    two, but for a text that begins or ends with whitespace (which would merge with the
    separator), tokenised alone."""
    import numpy
    from spacy.attrs import IDX, IS_ALPHA, IS_PUNCT, LENGTH, ORTH

    from .nlp import _punct_hashes

    columns = [ORTH, IS_ALPHA, IS_PUNCT]
    pieces: list[Any] = [None] * len(blocks)
    together: list[int] = []
    for k, block in enumerate(blocks):
        text, doc = block.text, block.parsed
        if doc is not None and doc.vocab is nlp.vocab:
            pieces[k] = doc.to_array(columns).reshape(-1, 3)
        elif text and not text[0].isspace() and not text[-1].isspace():
            together.append(k)
        else:
            pieces[k] = nlp.tokenizer(text).to_array(columns).reshape(-1, 3)
    if together:
        texts = [blocks[k].text for k in together]
        arr = nlp.tokenizer(_SEPARATOR.join(texts)).to_array([*columns, IDX, LENGTH])
        starts = numpy.cumsum([0] + [len(t) + len(_SEPARATOR) for t in texts[:-1]])
        ends = starts + numpy.array([len(t) for t in texts])
        idx, length = arr[:, 3].astype(numpy.int64), arr[:, 4].astype(numpy.int64)
        lo, hi = numpy.searchsorted(idx, starts), numpy.searchsorted(idx, ends)
        # each block's tokens start at its first character and end at its last, and one
        # token (the separator) stands between two blocks; else each is tokenised alone
        aligned = len(idx) == hi[-1] and bool((lo < hi).all())
        aligned = aligned and bool((idx[lo] == starts).all() and (idx[hi - 1] + length[hi - 1] == ends).all() and (lo[1:] == hi[:-1] + 1).all())
        for j, k in enumerate(together):
            pieces[k] = arr[lo[j] : hi[j], :3] if aligned else nlp.tokenizer(texts[j]).to_array(columns).reshape(-1, 3)
    sizes = numpy.array([len(piece) for piece in pieces], dtype=numpy.int64)
    arr = numpy.concatenate(pieces) if pieces else numpy.zeros((0, 3), dtype=numpy.uint64)
    bounds = numpy.stack([numpy.cumsum(sizes) - sizes, numpy.cumsum(sizes)], axis=1).reshape(-1, 2)
    return arr[:, 0], arr[:, 1].astype(bool), bounds, _sentence_bounds(arr, bounds, _punct_hashes(nlp))


def _sentence_bounds(arr: Any, bounds: Any, punct: frozenset[int]) -> Any:
    """``(start, end)`` of every sentence of every block, by the rule of
    :func:`tilint.nlp.with_sentences`, for all tokens at once: a block's first token
    starts a sentence, and so does a token that is not punctuation after a run of
    punctuation (inside its block) holding a sentence-ending character."""
    import numpy

    n = len(arr)
    if not n:
        return numpy.zeros((0, 2), dtype=numpy.int64)
    ends = numpy.isin(arr[:, 0], numpy.array(sorted(punct), dtype=numpy.uint64))
    skip = ends | arr[:, 2].astype(bool)
    pos = numpy.arange(n)
    last_end = numpy.concatenate(([-1], numpy.maximum.accumulate(numpy.where(ends, pos, -1))[:-1]))
    last_word = numpy.concatenate(([-1], numpy.maximum.accumulate(numpy.where(skip, -1, pos))[:-1]))
    nonempty = bounds[bounds[:, 1] > bounds[:, 0]]
    block_of = numpy.searchsorted(nonempty[:, 1], pos, side="right")  # the block each token is in (or the one after)
    inside = (block_of < len(nonempty)) & (pos >= nonempty[numpy.minimum(block_of, len(nonempty) - 1), 0])
    head = nonempty[numpy.minimum(block_of, len(nonempty) - 1), 0]
    start = inside & ~skip & (last_end > last_word) & (last_end >= head)
    start[nonempty[:, 0]] = True
    starts = numpy.flatnonzero(start)
    owner = block_of[starts]
    stops = numpy.minimum(numpy.append(starts[1:], n), nonempty[owner, 1])
    return numpy.stack([starts, stops], axis=1)


def _learned_evidence(
    fw: Framework,
    learned: list[Principle],
    compiled: _Compiled,
    candidates: list[_Candidate],
    found: dict[str, list[Evidence]],
) -> None:
    """The indicators propose; the classifier proposes only when confident; the cues veto.

    * a sentence whose indicators give evidence (as without a model) counts unless the
      classifier contradicts it (probability < ``with_indicator``; 0 by default: as a
      filter the classifier cost recall on real text for little precision);
    * a sentence without one counts when the classifier is confident (probability >=
      ``threshold``) and the sentence states the organisation's own practice (a
      commitment cue): paraphrase the indicators do not know, not what others should do;
    * either way, no veto cue may apply (definition, hypothetical, advice...).

    The classifier reads every sentence in one batched call; cues and indicators are
    matched only in the sentences that could still count, so reading stays cheap."""
    for block, d, read, probs, anchored in candidates:
        # sentences with an indicator anchor, and those the classifier is confident about
        confident = {s.start for s in read if any(_alone(p.model, probs[s.start]) for p in learned if p.model)}
        if not (anchored or confident):
            continue
        chosen = read if anchored else [s for s in read if s.start in confident]
        for hits in compiled.sentence_hits(d, chosen, keep=confident, text=block.text, anchored=anchored):
            sent_probs = probs.get(hits.sent.start)
            if sent_probs is None:
                continue
            for p in learned:
                spec = p.model
                assert spec is not None
                prob = float(sent_probs.get(spec.label, 0.0))
                indicator = _sentence_score(p, compiled.indicators[p.id], hits, fw.sentence_cap) >= p.sentence_min
                if indicator:
                    if prob < spec.with_indicator:
                        continue
                # alone: a commitment, or for an acknowledgement a statement (a commitment
                # cue does not make "Check in with others who may have been affected" one)
                elif not _alone(spec, sent_probs) or not (hits.committed() if spec.alone_needs_commitment else _statement(hits.sent)):
                    continue
                if _veto(p, hits, compiled.indicators[p.id]):
                    continue
                why = [f"classifier: {spec.label} {prob:.2f}"]
                if indicator:
                    why += _lexical_why(p, compiled, hits)
                elif spec.alone_needs_commitment:
                    why += _commitment_why(hits)
                # two agreeing signals: an indicator sentence scores at least INDICATOR_SCORE
                score = max(prob, INDICATOR_SCORE) if indicator else prob
                found[p.id].append(_evidence(block, hits.sent, score, why))


def _statement(sent: "Span") -> bool:
    """Is the sentence a statement: does it start with a capital or a figure and end as a
    sentence does (".", "!", "?")? The classifier alone proposes an acknowledgement
    (realise) only when it is one. A list fragment names things ("Loud music, radio, or
    instrument"; "Check in with the others who may have been affected") and one that
    starts in lower case continues a lead-in the reader cannot see ("they feel they have
    little say over ..."): neither acknowledges anything on its own. (Commitments are
    another matter: "We will:" and a list of steps commits to every step.)"""
    last = next((t for t in reversed(sent) if not t.is_space and t.text not in _CLOSERS), None)
    first = next((t for t in sent if t.is_alpha or t.is_digit), None)
    return last is not None and last.text in (".", "!", "?") and first is not None and not first.text[0].islower()


def _alone(spec: ModelSpec, probs: dict[str, float]) -> bool:
    """Is the classifier confident enough to propose a sentence no indicator proposes?"""
    return spec.threshold is not None and probs.get(spec.label, 0.0) >= spec.threshold


def _veto(p: Principle, hits: "_Hits", indicators: list[_Indicator]) -> Optional[str]:
    """Why the sentence cannot be evidence for ``p`` whatever the classifier says (or None)."""
    assert p.model is not None
    vetoes = p.model.vetoes
    if "negation" in vetoes and p.needs_commitment and _only_negated(indicators, hits):
        return "negated"
    if "definition" in vetoes and hits.found.get("cue:definition"):
        return "definition"
    if "hypothetical" in vetoes and hits.found.get("cue:hypothetical"):
        return "hypothetical"
    if "exclude" in vetoes and f"exclude:{p.id}" in hits.found:
        return "excluded"
    if p.needs_commitment:
        if "advice" in vetoes and "cue:advice" in hits.found:
            return "advice to others"
        if "research" in vetoes and "cue:research" in hits.found:
            return "reported research"
        if "no-commitment" in vetoes and not hits.committed():
            return "no commitment"
    return None


def _only_negated(indicators: list[_Indicator], hits: "_Hits") -> bool:
    """Does the sentence name the practice only to deny it ("restraint is not used as a
    last resort")? Every match of a blocking indicator is in the scope of a negation."""
    spans = [(s, e) for ind in indicators if ind.negation == "block" for s, e in hits.found.get(ind.key, ())]
    return bool(spans) and all(hits.negated(s, e) for s, e in spans)


def _lexical_why(p: Principle, compiled: _Compiled, hits: "_Hits") -> list[str]:
    """The indicators and the commitment cue that matched, quoted from the sentence."""
    why = []
    for ind in compiled.indicators[p.id]:
        for s, e in hits.found.get(ind.key, ())[:1]:
            why.append(f"indicator: '{hits.sent[s:e].text}'")
    return why + _commitment_why(hits) if p.needs_commitment else why


def _commitment_why(hits: "_Hits") -> list[str]:
    """The first commitment cue not hedged by a permissive one, quoted."""
    hedges = {end for _, end in hits.found.get("cue:permissive", ())}
    for s, e in hits.found.get("cue:commitment", ()):
        if s not in hedges:
            return [f"commitment: '{hits.sent[s:e].text}'"]
    return []


def check_coverage(
    text: str,
    *,
    framework: str | Framework = DEFAULT_FRAMEWORK,
    format: str = "markdown",
    classifier: Optional["Classifier"] = None,
) -> CoverageReport:
    """Coverage of a text given as a string (``format``: markdown, text, rst or html)."""
    from .readers import read_text

    return check_document(read_text(text, format=format, path="<text>"), framework=framework, classifier=classifier)


def _evidence(block: Block, sent: "Span", score: float, why: Sequence[str] = ()) -> Evidence:
    line, column = block.position(sent.start_char)
    location = {k: v for k, v in block.location.to_dict().items() if k != "section"}
    return Evidence(line, column, sent.text.strip(), round(score, 2), " > ".join(block.location.section), location, tuple(why))


def _result(p: Principle, evidence: list[Evidence]) -> PrincipleResult:
    evidence = sorted(evidence, key=lambda e: (-e.score, e.line, e.column))
    # a sentence said twice (a running footer, a box repeated on every page) is one piece
    # of evidence: the status counts distinct sentences, each at its best score
    best: dict[str, float] = {}
    for e in evidence:
        best.setdefault(_plain(e.text), e.score)
    total, count = sum(best.values()), len(best)
    return PrincipleResult(
        id=p.id,
        name=p.name,
        status=p.status(total, count),
        score=p.covered.progress(total, count),
        evidence=evidence,
        suggestion=p.suggestion_for(e.text for e in evidence),
        sources=list(p.sources),
        rule_id=p.rule_id,
    )


# --------------------------------------------------------------------------- findings


def coverage_findings(report: CoverageReport, require: Iterable[str], path: Optional[str] = None) -> list[Finding]:
    """One warning per required principle that is ``missing`` (ids or aliases; unknown ids raise)."""
    fw = report._framework or load_framework(report.framework)
    findings = []
    for key in require:
        p = fw.principle(key)
        result = report.get(p.id)
        if result.status != "missing":
            continue
        findings.append(
            Finding(
                rule_id=p.rule_id,
                name=f"missing-{p.id}",
                category="coverage",
                severity="warning",
                message=f"The document does not cover the principle '{p.name}' ({fw.name}).",
                match="",
                line=1,
                column=1,
                end_line=1,
                end_column=1,
                context="",
                suggestions=(result.suggestion,),
                sources=tuple(result.sources),
                path=path,
            )
        )
    return findings
