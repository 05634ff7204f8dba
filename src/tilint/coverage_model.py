"""The learned sentence classifier of coverage: which of the four Rs a sentence evidences.

A spaCy ``textcat_multilabel`` pipeline (labels ``realise``, ``recognise``, ``respond``,
``resist``), trained from scratch by ``make train`` on the project's own corpus
(``training/coverage/*.yaml``, conventions in ``docs/labelling.md``) and shipped inside the
package (``tilint/_coverage_model``). It is loaded on first use only: a check without
coverage, or with a framework that does not use it, never imports it.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence, Union

from .nlp import keep_long_lived

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Span

__all__ = ["MODEL_DIR", "LABELS", "Classifier", "load_classifier", "classify"]

MODEL_DIR = Path(__file__).resolve().parent / "_coverage_model"
LABELS = ("realise", "recognise", "respond", "resist")
BATCH_SIZE = 256
#: The layers of a bag-of-words model, which reads nothing but ORTH hashes.
_BOW_LAYERS = {"extract_ngrams", "sparse_linear", "logistic"}

#: Scores sentences (texts, or spans already tokenised by :func:`tilint.nlp.get_nlp`): one
#: ``{label: probability}`` per sentence, in order.
Classifier = Callable[[Sequence[Union[str, "Span"]]], list[dict[str, float]]]

_lock = threading.Lock()


@lru_cache(maxsize=2)
def _load(path: str) -> "Language":
    with _lock:
        import spacy

        if not (Path(path) / "config.cfg").is_file():
            raise FileNotFoundError(f"coverage model not found at {path} (run `make train`)")
        nlp = spacy.load(path)
        keep_long_lived()  # loaded once per process
        return nlp


def load_classifier(path: Optional[str | Path] = None) -> "Language":
    """The trained pipeline (cached per process; ``path`` defaults to the shipped model)."""
    return _load(str(Path(path).resolve()) if path else str(MODEL_DIR))


def pipeline_classifier(nlp: "Language") -> Classifier:
    """A :data:`Classifier` over any pipeline with a ``textcat_multilabel`` component
    (used by the evaluation to score a model trained on some folds only)."""

    def run(sents: Sequence[Union[str, "Span"]]) -> list[dict[str, float]]:
        spans = [s for s in sents if not isinstance(s, str)]
        if spans and len(spans) == len(sents) and _reads_orth_only(nlp):
            return _predict_spans(nlp, spans)
        texts = (s if isinstance(s, str) else s.text for s in sents)
        return [dict(doc.cats) for doc in nlp.pipe(texts, batch_size=BATCH_SIZE)]

    return run


@lru_cache(maxsize=4)
def _reads_orth_only(nlp: "Language") -> bool:
    """Is the classifier a bag of words over ORTH hashes? (Another architecture may read
    other attributes, and NORM differs between vocabularies: it is given texts.)"""
    from spacy.attrs import ORTH

    leaves = [layer for layer in nlp.get_pipe("textcat_multilabel").model.walk() if not layer.layers]  # type: ignore[attr-defined]
    return not {layer.name for layer in leaves} - _BOW_LAYERS and all(layer.attrs.get("attr", ORTH) == ORTH for layer in leaves)


def _predict_spans(nlp: "Language", spans: Sequence["Span"]) -> list[dict[str, float]]:
    """Scores for spans the shared pipeline has already tokenised, without a second
    tokenisation or a Doc per sentence: the component's model reads only the hashes of
    the tokens' text (``Span.to_array``), the same in every vocabulary, and both pipelines
    use spaCy's English tokenizer (tests/test_coverage_model.py checks that texts and
    spans score alike)."""
    from spacy.attrs import ORTH

    arrays: dict[int, Any] = {}  # one ORTH array per doc, sliced per sentence
    tokens = []
    for span in spans:
        arr = arrays.get(id(span.doc))
        if arr is None:
            arr = arrays[id(span.doc)] = span.doc.to_array(ORTH)
        tokens.append(arr[span.start : span.end])
    labels, scores = predict_orths(nlp, tokens)
    return [dict(zip(labels, row)) for row in scores.tolist()]


def predict_orths(nlp: "Language", orths: Sequence[Any]) -> tuple[list[str], Any]:
    """The labels and the scores (one row per sentence) of a bag-of-words classifier
    (see :func:`_reads_orth_only`) for sentences given as their tokens' ORTH hashes
    (numpy arrays, at least one token each). A sentence's scores do not depend on the
    others of its batch."""
    import numpy

    textcat = nlp.get_pipe("textcat_multilabel")
    model = textcat.model  # type: ignore[attr-defined]
    labels = list(textcat.labels)  # type: ignore[attr-defined]
    rows = []
    layers = _bow_layers(model)
    for start in range(0, len(orths), BATCH_SIZE):
        batch = orths[start : start + BATCH_SIZE]
        if layers is not None and all(len(o) >= layers[0] for o in batch):
            size, linear, output = layers
            rows.append(output.predict(linear.predict(_ngram_features(batch, size, model.ops))))
        else:
            rows.append(model.predict([_Orths(o) for o in batch]))
    return labels, numpy.concatenate(rows) if rows else numpy.zeros((0, len(labels)), dtype="f")


def _bow_layers(model: Any) -> Optional[tuple[int, Any, Any]]:
    """(n-gram size, the sparse linear layer, the output layer) of a TextCatBOW model as
    spaCy builds it (``extract_ngrams >> sparse_linear`` then ``logistic``), or None."""
    try:
        (_, output), (inner,) = model.layers, model.layers[0].layers
        ngrams, linear = inner.layers
    except (ValueError, IndexError, AttributeError):  # not the standard bag-of-words layout
        return None
    if ngrams.name != "extract_ngrams" or linear.name not in ("sparse_linear", "resizable(sparse_linear)") or output.name != "with_cpu(logistic)":
        return None
    return int(ngrams.attrs["ngram_size"]), linear, output


def _ngram_features(orths: Sequence[Any], size: int, ops: Any) -> tuple[Any, Any, Any]:
    """What spaCy's ``extract_ngrams`` gives for these sentences (each its tokens' ORTH
    hashes, at least ``size`` of them): per sentence its distinct n-gram keys in order, with
    their counts. Worked out for the whole batch at once: ``extract_ngrams`` calls
    ``numpy.unique`` once per sentence, which was two thirds of the classifier's time."""
    import numpy

    lengths = numpy.array([len(o) for o in orths])
    flat = numpy.concatenate(orths)
    owner = numpy.repeat(numpy.arange(len(orths)), lengths)
    keys, owners = [flat], [owner]
    for n in range(2, size + 1):
        grams = ops.ngrams(n, flat)  # grams[i] hashes flat[i : i + n]: keep those inside one sentence
        inside = owner[: len(grams)] == owner[n - 1 :]
        keys.append(grams[inside])
        owners.append(owner[: len(grams)][inside])
    key, own = numpy.concatenate(keys), numpy.concatenate(owners)
    order = numpy.lexsort((key, own))  # by sentence, then key (numpy.unique sorts the keys)
    key, own = key[order], own[order]
    first = numpy.ones(len(key), dtype=bool)
    first[1:] = (key[1:] != key[:-1]) | (own[1:] != own[:-1])
    at = numpy.flatnonzero(first)
    counts = numpy.diff(numpy.append(at, len(key)))
    per_sentence = numpy.bincount(own[at], minlength=len(orths))
    return key[at], ops.asarray(counts, dtype="f"), ops.asarray(per_sentence, dtype="int32")


class _Orths:
    """What the bag-of-words model reads of a sentence: its tokens' ORTH hashes."""

    __slots__ = ("orths",)

    def __init__(self, orths):
        self.orths = orths

    def to_array(self, attrs):
        return self.orths


def classify(sents: Sequence[Union[str, "Span"]]) -> list[dict[str, float]]:
    """Scores of the shipped model for ``sents`` (texts or spans), batched."""
    if not sents:
        return []
    return pipeline_classifier(load_classifier())(sents)
