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
from typing import TYPE_CHECKING, Callable, Optional, Sequence

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["MODEL_DIR", "LABELS", "Classifier", "load_classifier", "classify"]

MODEL_DIR = Path(__file__).resolve().parent / "_coverage_model"
LABELS = ("realise", "recognise", "respond", "resist")
BATCH_SIZE = 256

#: Scores texts: one ``{label: probability}`` per text, in order.
Classifier = Callable[[Sequence[str]], list[dict[str, float]]]

_lock = threading.Lock()


@lru_cache(maxsize=2)
def _load(path: str) -> "Language":
    with _lock:
        import spacy

        if not (Path(path) / "config.cfg").is_file():
            raise FileNotFoundError(f"coverage model not found at {path} (run `make train`)")
        return spacy.load(path)


def load_classifier(path: Optional[str | Path] = None) -> "Language":
    """The trained pipeline (cached per process; ``path`` defaults to the shipped model)."""
    return _load(str(Path(path).resolve()) if path else str(MODEL_DIR))


def pipeline_classifier(nlp: "Language") -> Classifier:
    """A :data:`Classifier` over any pipeline with a ``textcat_multilabel`` component
    (used by the evaluation to score a model trained on some folds only)."""

    def run(texts: Sequence[str]) -> list[dict[str, float]]:
        return [dict(doc.cats) for doc in nlp.pipe(texts, batch_size=BATCH_SIZE)]

    return run


def classify(texts: Sequence[str]) -> list[dict[str, float]]:
    """Scores of the shipped model for ``texts``, batched."""
    if not texts:
        return []
    return pipeline_classifier(load_classifier())(texts)
