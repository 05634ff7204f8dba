"""The spaCy pipeline, built once per process and shared by rules and coverage.

Default: blank English + the lookup lemmatizer (tables from ``spacy-lookups-data``)
+ the sentencizer; no model download, no network. A user may name an installed
trained pipeline with the config key ``model:``; nothing depends on one.

Matching runs on ``Token.norm_``, set on the vocabulary to the lookup lemma of the
*lowercased* word. spaCy's own lookup is case-sensitive ("Refused" at the start of
a sentence stays "Refused"); lowercasing first makes "Refused", "refuses" and
"REFUSING" all read as ``refuse``.
"""

from __future__ import annotations

import gzip
import json
import threading
from functools import lru_cache
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:  # spaCy is imported lazily: a clean file never needs it
    from spacy.language import Language

__all__ = ["get_nlp", "install_norms", "lemma_table", "norm", "forms_of"]

_lock = threading.Lock()


# Corrections to the lookup table where it picks a rarer word's lemma
# ("feed" -> "fee", "does" -> "doe"), which would split one verb into two keys.
_LEMMA_FIXES = {
    "feed": "feed", "feeds": "feed", "feeding": "feed", "fed": "feed",
    "putting": "put", "does": "do", "doing": "do",
}


@lru_cache(maxsize=1)
def lemma_table() -> dict[str, str]:
    """English lookup lemmas (surface form -> lemma) straight from spacy-lookups-data.

    Read as plain JSON so the prefilter can use it without importing spaCy.
    """
    from importlib.resources import files

    path = files("spacy_lookups_data") / "data" / "en_lemma_lookup.json.gz"
    with path.open("rb") as fh:
        table = json.loads(gzip.decompress(fh.read()))
    table.update(_LEMMA_FIXES)
    return table


def norm(word: str) -> str:
    """The matching key of a word: lowercase, then its lookup lemma."""
    lower = word.lower()
    return lemma_table().get(lower, lower)


@lru_cache(maxsize=1)
def _reverse_table() -> dict[str, list[str]]:
    rev: dict[str, list[str]] = {}
    for form, lemma in lemma_table().items():
        rev.setdefault(lemma, []).append(form)
    return rev


def forms_of(key: str) -> set[str]:
    """Every lowercase surface form whose :func:`norm` is ``key``."""
    table = lemma_table()
    out = set(_reverse_table().get(key, ()))
    if table.get(key, key) == key:
        out.add(key)
    return out


def install_norms(nlp: "Language") -> None:
    """Make every lexeme's NORM the lookup lemma of its lowercase form.

    Set once on the vocabulary (existing lexemes now, new ones through the NORM
    getter), so tokens cost nothing extra at run time; token-level norms from
    tokenizer exceptions ("n't" -> "not") still apply.
    """
    from spacy.attrs import NORM

    table = lemma_table()

    def lookup_norm(text: str) -> str:
        lower = text.lower()
        return table.get(lower, lower)

    nlp.vocab.lex_attr_getters[NORM] = lookup_norm
    for lex in nlp.vocab:
        lex.norm_ = lookup_norm(lex.orth_)


@lru_cache(maxsize=4)
def get_nlp(model: Optional[str] = None) -> "Language":
    """Return the shared pipeline (built on first use; thread-safe).

    Default: blank English, the lookup lemmatizer and the sentencizer. The rules
    engine itself only needs the tokenizer (norms are lexeme attributes) and runs
    the sentencizer on the few blocks that have a hit, which keeps it fast.
    """
    with _lock:
        import spacy

        if model:
            try:
                nlp = spacy.load(model, exclude=["ner"])
            except OSError as exc:
                raise ValueError(f"spaCy pipeline '{model}' is not installed ({exc.__class__.__name__})") from None
            if not (nlp.has_pipe("parser") or nlp.has_pipe("senter") or nlp.has_pipe("sentencizer")):
                nlp.add_pipe("sentencizer")
        else:
            from spacy.lookups import Lookups

            nlp = spacy.blank("en")
            lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
            nlp.add_pipe("sentencizer")
            # the same spacy-lookups-data table the norms use, read once (not twice)
            lookups = Lookups()
            lookups.add_table("lemma_lookup", lemma_table())
            lemmatizer.initialize(lookups=lookups)
        install_norms(nlp)
        return nlp
