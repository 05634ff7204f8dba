"""The spaCy pipeline, built once per process and shared by rules and coverage.

Default: blank English + the sentencizer, with the lookup lemmas of
``spacy-lookups-data`` as every word's norm; no model download, no network. A user may name an installed
trained pipeline with the config key ``model:``; nothing depends on one.

Matching runs on ``Token.norm_``, set on the vocabulary to the lookup lemma of the
*lowercased* word. spaCy's own lookup is case-sensitive ("Refused" at the start of
a sentence stays "Refused"); lowercasing first makes "Refused", "refuses" and
"REFUSING" all read as ``refuse``.
"""

from __future__ import annotations

import re

import gc
import gzip
import json
import sys
import threading
import types
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:  # spaCy is imported lazily: a clean file never needs it
    from spacy.language import Language

__all__ = ["freeze_long_lived", "get_nlp", "install_norms", "keep_long_lived", "lemma_table", "norm", "forms_of", "parse_blocks", "sentence_starts", "sentences", "with_sentences"]

_lock = threading.Lock()


# Corrections to the lookup table where it picks a rarer word's lemma
# ("feed" -> "fee", "does" -> "doe"), which would split one verb into two keys.
_LEMMA_FIXES = {
    "feed": "feed", "feeds": "feed", "feeding": "feed", "fed": "feed",
    "putting": "put", "does": "do", "doing": "do",
    "as": "as",  # not "a": "as addicts" is not "an addict"
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
        # a typographic apostrophe (Word's "child’s") matches a rule written with "'"
        lower = text.lower().replace("\u2019", "'")
        return table.get(lower, lower)

    nlp.vocab.lex_attr_getters[NORM] = lookup_norm  # type: ignore[attr-defined]
    for lex in nlp.vocab:
        lex.norm_ = lookup_norm(lex.orth_)


def get_nlp(model: Optional[str] = None) -> "Language":
    """Return the shared pipeline (built on first use; thread-safe).

    Default: blank English and the sentencizer. The rules engine and coverage only
    need the tokenizer (norms, the lookup lemmas, are lexeme attributes) and sentence
    boundaries, which keeps them fast. (No lemmatizer: nothing reads ``Token.lemma_``,
    and loading its table was a tenth of a commit-time check.)
    """
    return _build_nlp(model or None)


_PACKAGE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _import_spacy() -> None:
    """Import spaCy without its command-line interface.

    ``spacy/__init__`` imports ``spacy.cli.info`` only to re-export ``spacy.info``; that
    loads every spaCy command and what they use (typer, requests, jinja2, weasel...),
    about a fifth of spaCy's import time, paid by every commit-time check with a
    finding. Stand-ins for the two modules serve that one import and are removed at
    once, so a later ``import spacy.cli`` loads the real package as usual;
    ``spacy.info`` loads the real function when it is called."""
    if "spacy" in sys.modules or "spacy.cli" in sys.modules:
        return

    def info(*args: Any, **kwargs: Any) -> Any:
        from spacy.cli.info import info as real

        return real(*args, **kwargs)

    cli, stub = types.ModuleType("spacy.cli"), types.ModuleType("spacy.cli.info")
    cli.__path__ = []  # a package to the import system, holding nothing
    stub.info = info  # type: ignore[attr-defined]
    sys.modules["spacy.cli"], sys.modules["spacy.cli.info"] = cli, stub
    try:
        import spacy  # noqa: F401
    except (ImportError, AttributeError):
        # a spaCy whose start-up wants more of its CLI than ``info``: forget the half
        # import and import it as it is, slower but never broken
        for name in [n for n in sys.modules if n == "spacy" or n.startswith("spacy.")]:
            del sys.modules[name]
    finally:
        for name, module in (("spacy.cli", cli), ("spacy.cli.info", stub)):
            if sys.modules.get(name) is module:
                del sys.modules[name]
        package = sys.modules.get("spacy")
        if package is not None and getattr(package, "cli", None) is cli:
            del package.cli


@lru_cache(maxsize=4)  # called with one positional argument only, so one cache key per model
def _build_nlp(model: Optional[str]) -> "Language":
    # the collector is paused meanwhile: importing spaCy and building the pipeline make
    # hundreds of thousands of objects and no garbage, and each full collection on the
    # way walked them all (some 30-50 ms of a commit-time check's start-up)
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build_nlp_now(model)
    finally:
        if collecting:
            gc.enable()


def installed_pipeline(model: str) -> bool:
    """``model`` may name an installed pipeline package (checked without importing spaCy;
    never a folder). Whether it loads as a pipeline is known only when it is loaded."""
    from importlib import metadata

    if not _PACKAGE_NAME.fullmatch(model):
        return False
    try:
        metadata.distribution(model)
    except metadata.PackageNotFoundError:
        return False
    return True


def _build_nlp_now(model: Optional[str]) -> "Language":
    with _lock:
        _import_spacy()
        import spacy

        from .regexsafe import use_linear_engine

        use_linear_engine()  # before any Matcher compiles a REGEX
        if model:
            # only an installed pipeline package: spacy.load() would also load a folder
            # of that name, and a folder in a repository is code anyone could plant
            if not _PACKAGE_NAME.fullmatch(model) or not spacy.util.is_package(model):
                raise ValueError(f"spaCy pipeline '{model}' is not an installed pipeline package")
            try:
                nlp = spacy.load(model, exclude=["ner"])
            except Exception as exc:  # installed, but not a pipeline (e.g. model: pip)
                raise ValueError(f"'{model}' is not a usable spaCy pipeline ({exc.__class__.__name__})") from None
            if not (nlp.has_pipe("parser") or nlp.has_pipe("senter") or nlp.has_pipe("sentencizer")):
                nlp.add_pipe("sentencizer")
        else:
            nlp = spacy.blank("en")
            nlp.add_pipe("sentencizer")
        install_norms(nlp)
        return nlp


_FREEZE = False  # set by a process that runs one batch and exits (the tilint command)


def freeze_long_lived(enabled: bool = True) -> None:
    """Let :func:`keep_long_lived` freeze. Only for a process that checks one batch and
    exits (the ``tilint`` command, the bench): ``gc.freeze`` also freezes whatever the
    caller holds at that moment, and a frozen cycle is never collected, so a language
    server or a library caller would keep every such cycle for good."""
    global _FREEZE
    _FREEZE = enabled


def keep_long_lived() -> None:
    """Move every object alive now out of the collector's reach (``gc.freeze``), when
    :func:`freeze_long_lived` allowed it; called once the pipeline, the lemma tables and
    the matchers are built. Each full collection otherwise walked them all again: a fifth
    of ``check --coverage``'s CPU time and a tenth of ``check``'s on 2 MB of policy text.
    Frozen objects are still freed when their last reference goes; a cycle alive now is
    kept until the process ends."""
    if _FREEZE:
        gc.freeze()


def parse_blocks(blocks, nlp: "Language"):
    """``(block, Doc)`` pairs: each block tokenised once per document, then reused.

    Only the tokenizer runs (norms live on the vocabulary); call
    :func:`with_sentences` on the docs that need sentence boundaries.
    """
    todo = [b for b in blocks if b.parsed is None or b.parsed.vocab is not nlp.vocab]
    for block, doc in zip(todo, nlp.tokenizer.pipe((b.text for b in todo), batch_size=256)):  # type: ignore[union-attr]
        block.parsed = doc
    return [(b, b.parsed) for b in blocks]


def with_sentences(doc, nlp: "Language"):
    """Add sentence boundaries unless the doc has them already.

    Same rule as spaCy's sentencizer (a sentence ends after its punctuation
    characters, at the next token that is not punctuation), computed on token
    attribute arrays: the sentencizer builds a Python Token object per token, which
    made it the slowest step of a check. tests/test_sentences.py checks they agree.
    """
    if not doc.has_annotation("SENT_START") and len(doc):
        _set_sentences(doc, nlp)
    return doc


_NOT_START = 2**64 - 1  # -1 as spaCy stores it in a uint64 array


def _set_sentences(doc, nlp: "Language") -> list[int]:
    """Set the boundaries of :func:`with_sentences` on ``doc``; return where its
    sentences start. Only the tokens after a sentence-ending character are looked
    at: most blocks hold one or two."""
    import numpy
    from spacy.attrs import ORTH, SENT_START

    punct = _punct_hashes(nlp)
    orths = doc.to_array(ORTH).tolist()
    starts = [0]
    n, i = len(orths), 0
    for p in [k for k, orth in enumerate(orths) if orth in punct]:
        if p < i:
            continue  # within the run of punctuation that ended the last sentence
        i = p + 1
        while i < n and (orths[i] in punct or doc[i].is_punct):  # IS_PUNCT, read for these tokens only
            i += 1
        if i < n:
            starts.append(i)
    flags = numpy.full((n, 1), _NOT_START, dtype="uint64")  # 1 = starts a sentence, -1 (wrapped) = does not
    flags[starts] = 1
    doc.from_array([SENT_START], flags)
    return starts


def sentences(doc, nlp: "Language") -> list:
    """The sentence spans of ``doc`` (added if missing), read from the attribute array
    rather than through ``Doc.sents``, which builds a Token object per token."""
    starts = sentence_starts(doc, nlp)
    return [doc[a:b] for a, b in zip(starts, [*starts[1:], len(doc)])]


def sentence_starts(doc, nlp: "Language") -> list[int]:
    """Where the sentences of ``doc`` start (boundaries added if missing); [] for an
    empty doc. Cheaper than :func:`sentences` when only a few sentences are needed."""
    from spacy.attrs import SENT_START

    if not len(doc):
        return []
    if doc.has_annotation("SENT_START"):
        flags = doc.to_array([SENT_START]).tolist()
        return [i for i, flag in enumerate(flags) if flag == 1] or [0]
    return _set_sentences(doc, nlp)


def _punct_hashes(nlp: "Language") -> frozenset[int]:
    cached = getattr(nlp, "_tilint_punct", None)
    if cached is None:
        chars = nlp.get_pipe("sentencizer").punct_chars if nlp.has_pipe("sentencizer") else {".", "!", "?"}  # type: ignore[attr-defined]
        cached = frozenset(nlp.vocab.strings.add(c) for c in chars)
        nlp._tilint_punct = cached  # type: ignore[attr-defined]
    return cached
