"""Suggestions that read right in the sentence.

A rule's suggestions are templates. For each hit, :func:`fit_suggestions` fits them to the
matched words and their sentence, so that putting a suggestion in place of the match
gives a grammatical sentence that means what the writer meant:

* **sense**: a template may say where it fits (``when:``: words that must or must not
  follow or precede the match, words the sentence must have or lack, and ``role``:
  ``person`` when the match is said *of* someone, "who are no-shows", or ``thing``
  otherwise). A template that does not fit is not offered;
* **number**: a plural match ("no-shows", "three no-shows") gets a plural suggestion
  (the template's ``plural:``, or its head noun inflected, with a verb in a following
  "who" clause agreeing);
* **article**: a template's own "a"/"an"/"the" is dropped when a determiner already
  precedes the match (no "a a letter"); "a"/"an" inside the suggestion agrees with the
  next word (:func:`indefinite_article`; ``tilint --fix`` fixes one just before the match);
* **person and tense**: ``{you}``/``{your}`` become "you"/"your" only where the sentence
  speaks to the reader, else "them"/"their"; a template using plain "you" is not offered
  in a sentence that does not; a template that starts with a verb takes the tense of a
  matched verb ("fails to attend" -> "misses the appointment");
* **case**: the match's capitalisation is kept (:func:`match_case`).

Inflection comes from LemmInflect's lexicon (no network, no model), through the table of
:mod:`tilint.inflection` for the rules' own words; lemmas of the
sentence's own words come from the lookup lemmas spaCy already set as ``NORM``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterable, Optional, Sequence

from . import inflection

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from .ruleset import Rule

__all__ = ["Template", "fit_suggestions", "suggestion_text", "is_advice", "match_case", "indefinite_article", "article_edit"]

_DETERMINERS = {"a", "an", "the", "this", "that", "these", "those", "his", "her", "their", "my", "your", "our", "its", "any", "each", "every", "no", "another", "such"}
_SINGULAR = {"a", "an", "one", "each", "every", "this", "that", "another", "single"}
_PLURAL = {"these", "those", "many", "several", "few", "both", "all", "multiple", "numerous", "various", "repeated", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}
_BE = {"is", "are", "was", "were", "be", "been", "being", "am", "'s", "'re", "become", "becomes", "became", "remain", "remains", "remained"}
_SKIP_TO_COPULA = {"a", "an", "the", "not", "never", "often", "always", "repeatedly", "still", "now", "also", "just", "frequent", "persistent", "regular", "known", "serial", "habitual", "chronic"}
_BASE_CUES = {"to", "will", "would", "can", "could", "may", "might", "must", "shall", "should", "not", "n't", "do", "does", "did", "who", "that", "they", "we", "you", "i"}
_PLURAL_SUBJECT_CUES = {"who", "that", "they", "we", "you", "i"}
_CLAUSE_MARKERS = {"who", "that", "which", "whose", "with", "of", "for", "from", "in", "on", "at", "to", "as", "where", "when", "because", "about"}
_VERB_OBJECT_CUES = {"to", "the", "a", "an", "his", "her", "their", "our", "my", "your", "its", "this", "these", "those", "him", "them", "it", "me", "us", "any", "all"}
_VERB_SUBJECT_CUES = {"who", "that", "he", "she", "it", "they", "and", "often", "repeatedly", "never", "also"}
_MODALS = {"can", "could", "may", "might", "must", "shall", "should", "will", "would"}  # no -ing, -ed or -s form
_FINITE_AUX = {"was", "were", "is", "are", "has", "have", "had", "did", "does", "do", "will", "would", "can", "cannot", "could", "should", "must"}
_IRREGULAR_PLURALS = {"person": "people", "child": "children", "woman": "women", "man": "men", "is": "are", "was": "were", "has": "have"}
_IRREGULAR_SINGULARS = {v: k for k, v in _IRREGULAR_PLURALS.items()}
_PERSON_NOUNS = {"people", "person", "children", "child", "men", "man", "women", "woman"}  # never verbs here ("people leaving")
# nouns that stay singular when the match is plural ("used equipment", "needs support")
_UNCOUNTABLE = {"support", "use", "dependence", "treatment", "advice", "information", "care", "help", "abuse", "exploitation", "material", "harm", "housing", "homelessness", "insecurity", "equipment", "evidence", "recovery", "time", "attention", "research", "staff", "training", "education", "employment", "work", "distress", "behaviour", "behavior", "accommodation", "medication", "income", "poverty", "risk"}
_SECOND_PERSON = re.compile(r"\b(you|your|yours|yourself|yourselves)\b", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\{(you|your|yours|yourself|You|Your)\}")
_THIRD = {"you": "them", "your": "their", "yours": "theirs", "yourself": "themselves", "You": "They", "Your": "Their"}
# "an" before a vowel sound; these spellings start with a consonant sound or the reverse
_AN_EXCEPTIONS = re.compile(r"^(uni|use|usu|ura|uro|eu|ewe|one|once|u\b)", re.IGNORECASE)
_AN_SILENT_H = re.compile(r"^(hour|honest|honou?r|heir)", re.IGNORECASE)


@dataclass(frozen=True)
class Template:
    """One suggestion of a rule, with where it fits. Built from a YAML string or mapping."""

    text: str
    plural: Optional[str] = None
    when: dict = field(default_factory=dict)

    @classmethod
    def of(cls, spec: Any) -> "Template":
        if isinstance(spec, str):
            return cls(spec)
        return cls(spec["text"], spec.get("plural"), dict(spec.get("when", {})))


_ADVICE = re.compile(r"^\(|\.\.\.|…|^(describe|say|state|explain|name|use the|ask|base|take)\b", re.IGNORECASE)


def is_advice(suggestion: str) -> bool:
    """True for a suggestion that tells the writer what to do ("describe the behaviour",
    "(say what review comes first)", "person with ...") rather than words to put in place."""
    return bool(_ADVICE.search(suggestion.strip()))


def suggestion_text(spec: Any) -> str:
    """The plain text of a suggestion spec (a string, or a mapping with ``text``)."""
    return spec if isinstance(spec, str) else spec["text"]


# -- the sentence around the match ----------------------------------------------------
def _words(phrase: str) -> list[str]:
    return [w for w in re.split(r"[\s]+", phrase.lower().strip()) if w]


def _seq_at(tokens: "Doc | Sequence[Token]", i: int, words: list[str]) -> bool:
    if i < 0 or i + len(words) > len(tokens):
        return False
    return all(t.lower_ == w or t.norm_ == w for t, w in zip(tokens[i : i + len(words)], words))


def _near(doc_tokens: "Doc | Sequence[Token]", start: int, end: int, phrases: Iterable[str], window: int, after: bool) -> bool:
    for phrase in phrases:
        words = _words(phrase)
        if not words:
            continue
        if after:
            starts = range(end, min(end + window, len(doc_tokens)))
        else:
            starts = range(max(0, start - window - len(words) + 1), start - len(words) + 1)
        if any(_seq_at(doc_tokens, i, words) for i in starts):
            return True
    return False


def _in_sentence(sent: "Span", phrases: Iterable[str]) -> bool:
    tokens = list(sent)
    return any(_seq_at(tokens, i, _words(p)) for p in phrases for i in range(len(tokens)))


def _is_person_predicate(span: "Span") -> bool:
    """'who are no-shows', 'is a no-show', 'was labelled a time waster': said *of* someone."""
    doc, i = span.doc, span.start - 1
    while i >= 0 and doc[i].lower_ in _SKIP_TO_COPULA:
        i -= 1
    if i < 0:
        return False
    word = doc[i].lower_
    return word in _BE or doc[i].norm_ in {"label", "call", "describe", "class", "classify", "deem", "consider"} or word == "as"


def _fits(t: Template, span: "Span", sent: "Span", second_person: bool) -> bool:
    when = t.when
    doc = span.doc
    window = int(when.get("window", 3))
    if "followed_by" in when and not _near(doc, span.start, span.end, when["followed_by"], window, after=True):
        return False
    if "not_followed_by" in when and _near(doc, span.start, span.end, when["not_followed_by"], window, after=True):
        return False
    if "preceded_by" in when and not _near(doc, span.start, span.end, when["preceded_by"], window, after=False):
        return False
    if "not_preceded_by" in when and _near(doc, span.start, span.end, when["not_preceded_by"], window, after=False):
        return False
    if "sentence_has" in when and not _in_sentence(sent, when["sentence_has"]):
        return False
    if "sentence_lacks" in when and _in_sentence(sent, when["sentence_lacks"]):
        return False
    role = when.get("role")
    if role and (role == "person") != _is_person_predicate(span):
        return False
    # a suggestion addressing the reader does not fit a sentence about someone else
    if not second_person and _SECOND_PERSON.search(_PLACEHOLDER.sub("", t.text)):
        return False
    return True


# -- inflection ----------------------------------------------------------------------
def _inflect(lemma: str, tag: str) -> Optional[str]:
    if tag == "NNS" and lemma in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[lemma]
    if lemma == "be" and tag == "VBP":
        return "are"
    forms = inflection.inflections(lemma, tag)
    return forms[0] if forms else None


def _is_plural_form(word: str, lemma: str) -> bool:
    """Is ``word`` a plural of the noun ``lemma``?"""
    return word in inflection.inflections(lemma, "NNS") or _IRREGULAR_PLURALS.get(lemma) == word


def _word_number(word: str) -> Optional[str]:
    """'plural', 'singular' or None for one noun (the last part of a hyphenated word)."""
    w = word.split("-")[-1].lower()
    if not w.isalpha():
        return None
    if w in _IRREGULAR_SINGULARS:
        return "plural"
    lemma = inflection.noun_lemma(w) or inflection.noun_lemma_guess(w)
    if not lemma:
        return None
    return "singular" if lemma == w else "plural"


# Fitting reads a few words around the match, so its answers are kept by those words
# (the same term in the same setting recurs throughout a document): exact, as each
# cached function sees nothing but its arguments.
_FIT_CACHE = 16384


def _match_number(span: "Span", sent: "Span") -> Optional[str]:
    """'plural', 'singular', or None when the match has no noun head we are sure of."""
    before = span.doc[span.start - 1] if span.start > 0 else None
    # a numeral opening the sentence numbers a section or an item ("4 Zero tolerance"),
    # it does not count the words after it
    counts = before is not None and before.like_num and before.i != sent.start
    return _number_of(before.lower_ if before is not None else None, counts, span.text)


@lru_cache(maxsize=_FIT_CACHE)
def _number_of(before: Optional[str], counted: bool, text: str) -> Optional[str]:
    """:func:`_match_number` of a match ``text`` after the word ``before`` (lowercase),
    ``counted`` when that word is a numeral counting the match."""
    if before is not None:
        if before in _SINGULAR or before == "1":
            return "singular"
        if before in _PLURAL or (counted and before not in {"one", "1"}):
            return "plural"
    words = text.split()
    if words and words[0].lower() in _SINGULAR:
        return "singular"
    head = _head(words, fallback=True)
    if head is None:
        return None
    # a plural head makes the suggestion plural; a singular one changes nothing without a
    # determiner to confirm it ("the poor" has no number, "behaviours of concern" stays)
    return "plural" if _word_number(words[head]) == "plural" else None


def _match_tense(span: "Span") -> Optional[str]:
    """The Penn tag of a matched verb at the start of the match (VBD, VBZ, VBG, VB, VBP), else None."""
    first, doc = span[0], span.doc
    after = doc[span.start + 1].lower_ if span.start + 1 < len(doc) else ""
    before = doc[span.start - 1].lower_ if span.start > 0 else ""
    return _tense_of(first.lower_, first.norm_, first.is_alpha, before, after)


@lru_cache(maxsize=_FIT_CACHE)
def _tense_of(word: str, lemma: str, is_alpha: bool, before: str, after: str) -> Optional[str]:
    """:func:`_match_tense` of a match whose first word is ``word`` (lowercase, with its
    norm ``lemma``), between the words ``before`` and ``after`` (lowercase, or "")."""
    if not is_alpha or (inflection.verb_lemma(word) is None and word == lemma):
        return None
    if word != lemma and _is_plural_form(word, lemma) and not (after in _VERB_OBJECT_CUES or before in _VERB_SUBJECT_CUES):
        return None  # "shows", "abuses": a plural noun as likely as a verb
    for tag in ("VBD", "VBZ", "VBG"):
        if word in inflection.inflections(lemma, tag):
            return tag
    if word == lemma and before in _BASE_CUES:
        return "VBP" if before in _PLURAL_SUBJECT_CUES else "VB"
    return None


def _is_plural_word(word: str) -> bool:
    w = word.lower()
    if w in _IRREGULAR_SINGULARS:
        return True
    lemma = inflection.noun_lemma(w)
    return lemma is not None and lemma != w


def _head(words: list[str], fallback: bool = False) -> Optional[int]:
    """Index of the head noun of a noun phrase: 'person experiencing homelessness' -> 0,
    'missed appointment' -> 1, 'child sexual abuse material' -> 3; None if not a noun phrase
    (with ``fallback``, the last word, for matched words the lexicon may not know)."""
    if not words or words[0].lower() in _FINITE_AUX:
        return None
    for i, w in enumerate(words):
        part = w.split("-")[-1]
        if not w.replace("-", "").replace("'", "").isalpha() or inflection.noun_lemma(part) is None or part.lower().endswith("ed"):
            continue
        nxt = words[i + 1].lower() if i + 1 < len(words) else ""
        if not nxt or nxt in _CLAUSE_MARKERS or nxt.endswith(("ing", "ed")) or nxt in {"only", "now", "again"}:
            return i
    if fallback and words[-1].replace("-", "").isalpha():
        return len(words) - 1
    return None


def _with_number(text: str, plural: bool) -> Optional[str]:
    """'a person who uses drugs' <-> 'people who use drugs'; None if it cannot be done."""
    words = text.split()
    lead = words[0].lower() if words else ""
    if plural and lead in {"a", "an"}:
        words = words[1:]
    head = _head(words)
    if head is None:
        return None
    word = words[head]
    last = word.split("-")[-1]
    if last.lower() in _UNCOUNTABLE:
        return " ".join(words)
    if _is_plural_word(last) == plural:
        return " ".join(words)  # already in the number wanted
    if plural:
        lemma = inflection.noun_lemma(last) or last.lower()
        form = _inflect(lemma, "NNS")
    else:
        form = _IRREGULAR_SINGULARS.get(last.lower()) or inflection.noun_lemma(last)
    if not form:
        return None
    words[head] = word[: len(word) - len(last)] + form
    rel = head + 1
    if rel < len(words) - 1 and words[rel].lower() in {"who", "that", "which"}:
        words[rel + 1] = _verb_agreeing(words[rel + 1], plural)
    return " ".join(words)


def _verb_agreeing(verb: str, plural: bool) -> str:
    v = verb.lower()
    if plural:
        if v in _IRREGULAR_PLURALS:
            return _IRREGULAR_PLURALS[v]
        lemma = inflection.verb_lemma(v)
        if lemma and v in inflection.inflections(lemma, "VBZ"):
            return _inflect(lemma, "VBP") or verb
        return verb
    if v in _IRREGULAR_SINGULARS:
        return _IRREGULAR_SINGULARS[v]
    lemma = inflection.verb_lemma(v)
    if lemma and v == lemma:
        return _inflect(lemma, "VBZ") or verb
    return verb


def _retense(text: str, tag: str) -> str:
    words = text.split()
    lemma = inflection.verb_lemma(words[0])
    form = _inflect(lemma, tag) if lemma else None
    if form:
        words[0] = form
    return " ".join(words)


# -- articles and case ---------------------------------------------------------------
def indefinite_article(word: str) -> str:
    """'a' or 'an' for the sound that ``word`` starts with (a heuristic good for English prose)."""
    w = word.lstrip("\"'“‘(")
    if not w:
        return "a"
    if _AN_SILENT_H.match(w):
        return "an"
    if w[0].lower() in "aeiou" and not _AN_EXCEPTIONS.match(w):
        return "an"
    if w.isupper() and len(w) > 1 and w[0] in "AEFHILMNORSX":  # initialisms read letter by letter: an NHS
        return "an"
    return "a"


def _agree_articles(text: str) -> str:
    def fix(m: "re.Match[str]") -> str:
        article, word = m.group(1), m.group(2)
        want = indefinite_article(word)
        want = want.capitalize() if article[0].isupper() else want
        return f"{want} {word}"

    return re.sub(r"\b([Aa]n?)\s+([\w\"'“‘(]+)", fix, text)


def article_edit(before: str, replacement: str) -> Optional[tuple[int, str]]:
    """If ``before`` (the text up to the match) ends with an article that disagrees with the
    replacement's first word, return (how many characters to take back, the article to write)."""
    m = re.search(r"(?<![\w'])([Aa]n?)(\s+)$", before)
    first = replacement.split(maxsplit=1)[0] if replacement.strip() else ""
    if not m or not first:
        return None
    want = indefinite_article(first)
    if want == m.group(1).lower():
        return None
    want = want.capitalize() if m.group(1)[0].isupper() else want
    return len(m.group(0)), want + m.group(2)


def match_case(replacement: str, original: str, sentence_start: Optional[bool] = None) -> str:
    """Give ``replacement`` the capitalisation pattern of ``original``. An acronym ("NEET",
    "BAME") is not shouting: its replacement is capitalised only at the start of a sentence
    (when ``sentence_start`` is known)."""
    letters = [c for c in original if c.isalpha()]
    first_word = original.split()[0] if original.split() else ""
    stem = first_word[:-1] if first_word.endswith("s") else first_word  # "NEETs"
    acronym = len(stem) > 1 and stem.isalpha() and stem.isupper()
    if acronym and len(original.split()) == 1 and sentence_start is not None:
        return replacement[:1].upper() + replacement[1:] if sentence_start else replacement
    if len(letters) > 1 and all(c.isupper() for c in letters):
        if sentence_start is not None and len(original.split()) == 1:
            return replacement[:1].upper() + replacement[1:] if sentence_start else replacement
        return replacement.upper()
    if acronym and sentence_start is False:
        return replacement  # "an IV drug user": the capital belongs to the acronym
    if letters and original.lstrip()[:1].isupper() and not replacement[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


# -- the entry point -----------------------------------------------------------------
def _fit_one(t: Template, span: "Span", sent: "Span", second_person: bool, number: Optional[str], tense: Optional[str]) -> Optional[str]:
    before = span.doc[span.start - 1].lower_ if span.start > 0 else ""
    return _fitted(t.text, t.plural, span.text, span.start == sent.start, before, second_person, number, tense)


@lru_cache(maxsize=_FIT_CACHE)
def _fitted(text: str, plural: Optional[str], matched: str, at_start: bool, before: str, second_person: bool, number: Optional[str], tense: Optional[str]) -> Optional[str]:
    """:func:`_fit_one` of the template ``text``/``plural`` for the words ``matched``
    (opening their sentence or not) after the word ``before`` (lowercase, or "")."""
    if is_advice(text):
        return match_case(text, matched, at_start)  # advice is not inflected
    first = text.split()[0].lower()
    if tense and first not in _MODALS and inflection.verb_lemma(first) is not None and first not in _PERSON_NOUNS:
        text = _retense(text, tense)  # "fails to attend" -> "misses the appointment"
    elif number == "plural" and plural:
        text = plural
    elif number == "plural" and text.split()[0].lower() in _FINITE_AUX:
        return None  # a verb phrase ("was unable to attend") cannot stand for a plural noun
    elif number is not None:
        text = _with_number(text, number == "plural") or text
    text = _PLACEHOLDER.sub(lambda m: m.group(1) if second_person else _THIRD[m.group(1)], text)
    words = text.split(maxsplit=1)
    if before in _DETERMINERS and len(words) == 2 and words[0].lower() in {"a", "an", "the"}:
        text = words[1]  # "receive a [warning letter]" -> not "a a letter"
    text = _agree_articles(text)
    return match_case(text, matched, at_start)


_TEMPLATES: dict[int, tuple[Any, list[Template], bool]] = {}


def _templates(specs: Any) -> tuple[list[Template], bool]:
    """The templates of a rule's suggestion specs (built once per specs object), and
    whether any speaks to the reader (only then does the sentence's person matter)."""
    cached = _TEMPLATES.get(id(specs))
    if cached is None or cached[0] is not specs:
        templates = [Template.of(s) for s in specs]
        addressed = any(_SECOND_PERSON.search(x) or _PLACEHOLDER.search(x) for t in templates for x in (t.text, t.plural or ""))
        if len(_TEMPLATES) >= 20_000:  # rule sets reloaded many times (a language server)
            _TEMPLATES.clear()
        cached = _TEMPLATES[id(specs)] = (specs, templates, addressed)
    return cached[1], cached[2]


def fit_suggestions(rule: "Rule", pattern_index: Optional[int], span: "Span", sent: "Span") -> tuple[str, ...]:
    """The suggestions of ``rule`` for the matched ``span`` in ``sent``, fitted to them;
    templates that do not fit the sentence are left out (the result may be empty)."""
    specs = (rule.patterns[pattern_index].get("suggest") if pattern_index is not None else None) or getattr(rule, "suggestion_specs", ()) or rule.suggestions
    templates, addressed = _templates(specs)
    second_person = addressed and bool(_SECOND_PERSON.search(sent.text))  # Span.text is built token by token
    number = _match_number(span, sent)
    tense = _match_tense(span)
    out: list[str] = []
    for t in templates:
        if not _fits(t, span, sent, second_person):
            continue
        fitted = _fit_one(t, span, sent, second_person, number, tense)
        if fitted and fitted not in out:
            out.append(fitted)
    return tuple(out)


_CONJUNCTION_WORDS = frozenset({"and", "or", "&", "/", "and/or", "nor"})


def coordinate(suggestions: Sequence[str], span: "Span", phrase_words: int) -> tuple[str, ...]:
    """Suggestions for a phrase matched through a coordination of its first word.

    "Drug and alcohol misuse" matched by the phrase "drug misuse" was fitted as if it were
    "drug misuse"; a suggestion that starts with that word keeps the coordination
    ("drug use" -> "Drug and alcohol use"), and one that does not ("harmful drinking")
    cannot be said of both and is left out. ``phrase_words`` is the length of the phrase
    the rule wrote; a span no longer than it is not a coordination.
    """
    if len(span) <= phrase_words or span[1].lower_ not in _CONJUNCTION_WORDS:
        return tuple(suggestions)
    first = span[0].text
    joined = span[: len(span) - phrase_words + 1].text  # "Drug and alcohol"
    out = []
    for s in suggestions:
        head, _, rest = s.partition(" ")
        if head.lower() == first.lower() and not (_CONJUNCTION_WORDS & set(s.lower().split())):
            out.append(f"{joined} {rest}" if rest else joined)
    return tuple(out)
