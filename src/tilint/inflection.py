"""LemmInflect's answers for the words suggestions are fitted to, without loading it.

Fitting a suggestion (:mod:`tilint.suggest`) asks LemmInflect for the noun and verb
lemmas of matched and suggested words and for inflections of their lemmas. Loading
its lexicon takes over a second, which was most of the cold start of a commit-time
check with one finding. The words those questions are asked about are nearly all
known in advance: the surface forms of the bundled rules' patterns and the words of
their suggestions. Their answers are shipped in ``_inflections.json`` (rebuilt with
``make inflections``; tests/test_inflection.py checks it is current and equal to
LemmInflect's output). A word outside the table (a user's own pack, a word joined to
a match by "and"/"or") is asked of LemmInflect itself, so every answer is
LemmInflect's either way; a word its lexicon has no entry for (a misspelling) gets
only the out-of-vocabulary rules' guess, found without loading the lexicon.
"""

from __future__ import annotations

import gzip
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Optional

__all__ = ["noun_lemma", "verb_lemma", "noun_lemma_guess", "inflections", "build_table", "TABLE_PATH"]

TABLE_PATH = Path(__file__).with_name("_inflections.json")
TAGS = ("NNS", "VBD", "VBZ", "VBG", "VBP", "VB")
_SPLIT = re.compile(r"[\s]+")


@lru_cache(maxsize=1)
def _lemminflect() -> Any:
    import lemminflect  # only for a word outside the table: its lexicon takes a second to load

    return lemminflect


@lru_cache(maxsize=1)
def _table() -> dict[str, dict]:
    try:
        data = json.loads(TABLE_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    return {"lemmas": data.get("lemmas", {}), "inflections": data.get("inflections", {})}


@lru_cache(maxsize=1)
def _lexicon_words() -> frozenset[str]:
    """The words LemmInflect's lemma lexicon (or its overrides) has an entry for, read as
    the first column of its own data files: a tenth of the time loading the lexicon
    takes (0.2-0.4 s, paid again by every worker process)."""
    from lemminflect import config

    with open(config.lemma_lu_fn, "rb") as fh:
        lines = gzip.decompress(fh.read()).decode("utf-8").split("\n")
    with open(config.lemma_overrides_fn, encoding="utf-8") as fh:
        lines += [line for line in fh if not line.strip().startswith("#")]
    return frozenset(word for line in lines if (word := line.strip().partition(",")[0]))


def _ask_lemmas(word: str) -> list[Optional[str]]:
    """[noun lemma, verb lemma, LemmInflect's noun lemma guess] of a lowercase word."""
    lem = _lemminflect()
    if word not in _lexicon_words():  # no entry: no noun or verb lemma, only the rules' guess
        guess = lem.getAllLemmasOOV(word, "NOUN").get("NOUN")
        return [None, None, guess[0] if guess else None]
    noun = lem.getAllLemmas(word, "NOUN").get("NOUN")
    verb = lem.getAllLemmas(word, "VERB").get("VERB")
    guess = lem.getLemma(word, upos="NOUN")
    return [noun[0] if noun else None, verb[0] if verb else None, guess[0] if guess else None]


def _ask_inflections(lemma: str) -> dict[str, list[str]]:
    lem = _lemminflect()
    return {tag: list(lem.getInflection(lemma, tag) or ()) for tag in TAGS}


@lru_cache(maxsize=8192)
def _lemmas(word: str) -> tuple[Optional[str], ...]:
    known = _table()["lemmas"].get(word)
    return tuple(known if known is not None else _ask_lemmas(word))


@lru_cache(maxsize=8192)
def _inflections(lemma: str) -> dict[str, tuple[str, ...]]:
    known = _table()["inflections"].get(lemma)
    return {tag: tuple(forms) for tag, forms in (known if known is not None else _ask_inflections(lemma)).items()}


def noun_lemma(word: str) -> Optional[str]:
    """The first of LemmInflect's noun lemmas of ``word`` (lowercased), or None."""
    return _lemmas(word.lower())[0]


def verb_lemma(word: str) -> Optional[str]:
    """The first of LemmInflect's verb lemmas of ``word`` (lowercased), or None."""
    return _lemmas(word.lower())[1]


def noun_lemma_guess(word: str) -> Optional[str]:
    """``lemminflect.getLemma(word, upos="NOUN")[0]`` (lowercased word), or None."""
    return _lemmas(word.lower())[2]


def inflections(lemma: str, tag: str) -> tuple[str, ...]:
    """``lemminflect.getInflection(lemma, tag)`` (empty when it has none)."""
    return _inflections(lemma)[tag]


# -- the shipped table --------------------------------------------------------------------
def _words(text: str) -> set[str]:
    """A text's whitespace-separated words, lowercased, and their hyphenated parts."""
    out: set[str] = set()
    for w in _SPLIT.split(text.lower().strip()):
        if w:
            out.add(w)
            out.update(p for p in w.split("-") if p)
    return out


def _rule_words(rules: Iterable[Any]) -> set[str]:
    """Every word a suggestion for these rules may be fitted with: the surface forms of
    the patterns' words (any form of a word matched by its lemma) and the words of the
    suggestions and their plurals."""
    from .nlp import forms_of, norm
    from .prefilter import variants
    from .suggest import Template

    words: set[str] = set()
    for rule in rules:
        specs = list(getattr(rule, "suggestion_specs", ()) or rule.suggestions)
        for pat in rule.patterns:
            specs += list(pat.get("suggest") or ())
            if "phrase" in pat:
                words |= {w for v in variants(pat["phrase"]) for w in _words(v)}
            else:
                for tok in pat["tokens"]:
                    for attr in ("LOWER", "ORTH", "TEXT", "NORM", "LEMMA"):
                        value = tok.get(attr)
                        values = value.get("IN", []) if isinstance(value, dict) else [value]
                        words |= {w for v in values if isinstance(v, str) for w in _words(v)}
        for spec in specs:
            t = Template.of(spec)
            words |= _words(t.text) | (_words(t.plural) if t.plural else set())
    return words | {f for w in list(words) for f in forms_of(norm(w))} | {norm(w) for w in words}


def build_table(rules: Iterable[Any]) -> dict:
    """LemmInflect's answers for every word of ``rules`` (see :func:`_rule_words`)."""
    words = sorted(_rule_words(rules))
    lemmas = {w: _ask_lemmas(w) for w in words}
    stems = set(words) | {x for answer in lemmas.values() for x in answer if x}
    return {"lemmas": lemmas, "inflections": {s: _ask_inflections(s) for s in sorted(stems)}}


def main() -> int:
    """Rebuild ``_inflections.json`` from the bundled rule packs (``make inflections``)."""
    from .ruleset import load_ruleset

    table = build_table(load_ruleset())
    TABLE_PATH.write_text(json.dumps(table, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{TABLE_PATH}: {len(table['lemmas'])} words, {len(table['inflections'])} lemmas")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
