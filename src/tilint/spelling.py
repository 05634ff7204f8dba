"""British and American spellings of the words in rule patterns.

Rule authors write one spelling; the engine adds the other to every phrase and token
pattern (and to every context list), so "behaviour" also matches "behavior",
"criminalise" "criminalize", "counselling" "counseling" and so on.

The rewrite rules work on whole lowercase words and go both ways. They may make a
form that is not a word ("exercize"): harmless, as it never occurs in text. What they
must never make is a *different real word*, so each rule is kept narrow (a minimum
stem length, or a short list of stems): "four" never becomes "for", "filled" never
"filed", "timbre" never "timber".
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from typing import Callable, Iterable

__all__ = ["respellings", "spelling_variants", "respell_tokens", "to_american", "to_british"]

_WORD = re.compile(r"[^\W\d_]+")
_MAX_VARIANTS = 16  # per phrase: a phrase with many respellable words keeps the first 16
_SUFFIX = r"(?:s|ed|ing|al|ally|able|ably|ful|fully|less|ite|ites|ism|ist|ists|er|ers|y|ious|iously)?"

# (pattern, replacement) pairs applied to one lowercase word; each gives at most one form
_Rule = tuple[re.Pattern[str], "str | Callable[[re.Match[str]], str]"]


def _rules(pairs: Iterable[tuple[str, "str | Callable[[re.Match[str]], str]"]]) -> tuple[_Rule, ...]:
    return tuple((re.compile(p), r) for p, r in pairs)


_OR_STEMS = r"(?:behavi|col|hon|lab|neighb|fav|hum|rum|harb|vig|savi|arm|od|tum|vap|rig|clam|cand|ard|endeav|flav|parl|splend|val|demean)"
_TRE_STEMS = r"(?:cen|thea|me|li|lus|spec|scep|mi|ni)"
_BRE_STEMS = r"(?:fi|cali|som|sa)"
_OGUE_STEMS = r"(?:catal|dial|anal|prol|epil|monol)"
_AE_PAIRS = {  # American stem -> British stem (the -ae-/-oe- words of health and care)
    "pediatric": "paediatric", "anesthe": "anaesthe", "hemorrh": "haemorrh", "hematolog": "haematolog",
    "hemoglobin": "haemoglobin", "hemophil": "haemophil", "gynecolog": "gynaecolog", "leukemi": "leukaemi",
    "orthoped": "orthopaed", "fece": "faece", "fecal": "faecal", "cesarean": "caesarean", "etiolog": "aetiolog",
    "diarrhe": "diarrhoe", "fetus": "foetus", "fetal": "foetal", "edema": "oedema", "esophag": "oesophag",
    "estrogen": "oestrogen", "homeopath": "homoeopath", "celiac": "coeliac", "maneuver": "manoeuvr",
    "anemi": "anaemi", "septicemi": "septicaemi", "encyclopedi": "encyclopaedi",
}
_WORD_PAIRS = {  # whole words (and their inflections) with no general rule
    "program": "programme", "gray": "grey", "skeptic": "sceptic", "mold": "mould", "willful": "wilful",
    "skillful": "skilful", "aging": "ageing", "enrollment": "enrolment", "installment": "instalment",
    "fulfill": "fulfil", "enroll": "enrol", "practice": "practise", "aluminum": "aluminium", "cozy": "cosy",
    "plow": "plough", "mustache": "moustache", "pajamas": "pyjamas", "license": "licence",
}

_TO_US = _rules([
    (rf"(?:(?<=[a-z]{{3}})|(?<=^od))our(?={_SUFFIX}$)", "or"),  # behaviour, colourful, favourite (never four, hour, your)
    (r"(?<=[a-z]{3})is(?=(?:e|es|ed|ing|er|ers|ation|ations|ational|ationally)$)", "iz"),  # criminalise, organisation
    (r"(?<=[a-z]{2})ys(?=(?:e|es|ed|ing|er|ers)$)", "yz"),  # analyse, paralysed
    (r"dgement", "dgment"),  # judgement, acknowledgement
    (rf"^({_OGUE_STEMS})ogue(?=s?$)", r"\1og"),  # catalogue, dialogue
    (rf"^({_TRE_STEMS})tre(s|d)?$", lambda m: f"{m[1]}ter{'ed' if m[2] == 'd' else m[2] or ''}"),  # centre(d), theatre
    (rf"^({_BRE_STEMS})bre(s)?$", lambda m: f"{m[1]}ber{m[2] or ''}"),  # fibre, calibre (never timbre)
    (r"(?<=[aeiou])([^\W\d_aeiou]*[^\W\d_aeiouy][eao])ll(?=(?:ed|ing|er|ers|or|ors)$)", r"\1l"),  # counselling, labelled
    (r"(?:(?<=^def)|(?<=^off)|(?<=pret))ence", "ense"),  # defence, offence, pretence
])
_TO_UK = _rules([
    (rf"({_OR_STEMS})or(?={_SUFFIX}$)", r"\1our"),
    (r"(?<=[a-z]{3})iz(?=(?:e|es|ed|ing|er|ers|ation|ations|ational|ationally)$)", "is"),
    (r"(?<=[a-z]{2})yz(?=(?:e|es|ed|ing|er|ers)$)", "ys"),
    (r"dgment", "dgement"),
    (rf"^({_OGUE_STEMS})og(s)?$", lambda m: f"{m[1]}ogue{m[2] or ''}"),
    (rf"^({_TRE_STEMS})ter(s|ed)?$", lambda m: f"{m[1]}tre{'d' if m[2] == 'ed' else m[2] or ''}"),
    (rf"^({_BRE_STEMS})ber(s)?$", lambda m: f"{m[1]}bre{m[2] or ''}"),
    (r"(?<=[aeiou])([^\W\d_aeiou]*[^\W\d_aeiouy][eao])l(?=(?:ed|ing|er|ers|or|ors)$)", r"\1ll"),
    (r"(?:(?<=^def)|(?<=^off)|(?<=pret))ense", "ence"),
])


def _apply(rules: tuple[_Rule, ...], pairs: dict[str, str], word: str) -> str:
    """``word`` with every rule of one direction applied (the word itself if none fits)."""
    out = word
    for stem_from, stem_to in pairs.items():
        if out.startswith(stem_from) and not (len(stem_to) > len(stem_from) and out.startswith(stem_to)):
            out = stem_to + out[len(stem_from):]
            break
    for pattern, repl in rules:
        out = pattern.sub(repl, out)
    return out


_UK_AE = {uk: us for us, uk in _AE_PAIRS.items()}
_UK_WORDS = {uk: us for us, uk in _WORD_PAIRS.items()}


def to_american(word: str) -> str:
    """The American spelling of one lowercase word (itself when it has none)."""
    return _apply(_TO_US, {**_UK_AE, **_UK_WORDS}, word)


def to_british(word: str) -> str:
    """The British spelling of one lowercase word (itself when it has none)."""
    return _apply(_TO_UK, {**_AE_PAIRS, **_WORD_PAIRS}, word)


@lru_cache(maxsize=None)
def respellings(word: str) -> tuple[str, ...]:
    """``word`` and its other spellings, case kept (``Behaviour`` -> ``Behavior``)."""
    lower = word.lower()
    forms = dict.fromkeys([lower, to_american(lower), to_british(lower)])
    return tuple(_recase(f, word) for f in forms)


def _recase(form: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return form.upper()
    if like[:1].isupper():
        return form[:1].upper() + form[1:]
    return form


def spelling_variants(phrase: str) -> list[str]:
    """``phrase`` first, then each other combination of its words' spellings."""
    pieces = _WORD.split(phrase)
    words = _WORD.findall(phrase)
    choices = [respellings(w) for w in words]
    if all(len(c) == 1 for c in choices):
        return [phrase]
    out = []
    for combo in itertools.islice(itertools.product(*choices), _MAX_VARIANTS):
        out.append("".join(p + w for p, w in zip(pieces, combo)) + pieces[-1])
    return out


_TOKEN_TEXT = ("LOWER", "ORTH", "TEXT", "NORM", "LEMMA")


def respell_tokens(tokens: list[dict], norm: Callable[[str], str]) -> list[dict]:
    """A Matcher token pattern whose word values also accept the other spellings.

    ``{LOWER: behaviour}`` becomes ``{LOWER: {IN: [behaviour, behavior]}}``; ``NORM`` and
    ``LEMMA`` values get the matching key (``norm``) of each spelling. ``NOT_IN`` lists
    grow the same way, so an excluded word is excluded in both spellings.
    """
    out = []
    for tok in tokens:
        new = dict(tok)
        for attr in _TOKEN_TEXT:
            value = tok.get(attr)
            key: Callable[[str], str] = norm if attr in ("NORM", "LEMMA") else (lambda s: s)
            if isinstance(value, str):
                forms = _spread([value], key)
                new[attr] = forms[0] if len(forms) == 1 else {"IN": forms}
            elif isinstance(value, dict):
                new[attr] = {op: _spread(v, key) if op in ("IN", "NOT_IN") and _strings(v) else v for op, v in value.items()}
        out.append(new)
    return out


def _strings(values: object) -> bool:
    return isinstance(values, list) and all(isinstance(v, str) for v in values)


def _spread(values: list[str], key: Callable[[str], str]) -> list[str]:
    return list(dict.fromkeys(key(f) if f != v else v for v in values for f in respellings(v)))
