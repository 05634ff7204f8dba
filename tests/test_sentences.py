"""tilint's sentence boundaries (computed on token arrays, tilint.nlp.with_sentences) are
spaCy's sentencizer's, on any text."""

from __future__ import annotations

import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from tilint.nlp import get_nlp, sentences

NLP = get_nlp()
SENTENCIZER = spacy.blank("en")
SENTENCIZER.add_pipe("sentencizer")
PIECES = ["Staff", "will", "help", "e.g.", "Mr.", "3.5", ".", "!", "?", "...", "…", "。", "!?", ")", "(", '"', "'", ",", ";", ":", "-", "\n", "\n\n", " ", "•"]


def _bounds(doc) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in doc.sents]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(PIECES), max_size=40), st.lists(st.booleans(), max_size=40))
def test_sentence_boundaries_are_the_sentencizers(pieces, spaces):
    text = "".join(p + (" " if s else "") for p, s in zip(pieces, spaces + [False] * len(pieces)))
    ours = [(s.start, s.end) for s in sentences(NLP.make_doc(text), NLP)]
    assert ours == _bounds(SENTENCIZER(text))


def test_examples():
    doc = NLP.make_doc('He left. "Why?" she asked... Fine!) Next')
    assert [s.text for s in sentences(doc, NLP)] == [s.text for s in SENTENCIZER('He left. "Why?" she asked... Fine!) Next').sents]
    assert sentences(NLP.make_doc(""), NLP) == []
