"""Coverage's fast path (a document's blocks tokenised, split and classified as one array,
block and sentence gates, token patterns matched on token attributes rather than by spaCy's
Matcher or, without them, cue lists matched only when asked for, the block's text reused)
gives exactly the reports of the plain path, where every block gets a Doc and sentence spans
and every sentence of every block is matched whole by every spaCy Matcher."""

from __future__ import annotations

import bisect
import contextlib
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tilint.coverage import _compiled, _Compiled, available_frameworks, check_coverage, check_document, load_framework
from tilint.prefilter import GatedMatcher
from tilint.readers import read_document

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
FRAMEWORKS = available_frameworks()


@contextlib.contextmanager
def plain_path():
    """Every block and sentence a candidate, every token Matcher over every token of each
    sentence, and each sentence's text cut from ``Doc.text`` and gated on its own."""
    compiled = [_compiled(load_framework(name)) for name in FRAMEWORKS]
    matchers = [m for c in compiled for m in vars(c).values() if isinstance(m, GatedMatcher)]
    fast_hits = _Compiled.sentence_hits

    def sentence_hits(self, doc, sents, keep=(), **_):
        return fast_hits(self, doc, sents, keep)

    _Compiled.sentence_hits = sentence_hits  # type: ignore[method-assign]
    for c in compiled:
        c.prefilter.bypass = True
        c.lazy_cues = False
        c.array_matching = False
        c.scan_arrays = False
    for m in matchers:
        m.plain = True
    try:
        yield
    finally:
        _Compiled.sentence_hits = fast_hits  # type: ignore[method-assign]
        for c in compiled:
            c.prefilter.bypass = False
            del c.lazy_cues
            del c.array_matching
            del c.scan_arrays
        for m in matchers:
            m.plain = False


def _reports(texts: list[str], framework: str) -> list[dict]:
    return [check_coverage(t, framework=framework).to_dict() for t in texts]


def _sentences() -> list[str]:
    """Coverage fixtures, language regression sentences, the framework examples and the
    project's own training corpus: the kinds of sentence coverage must judge."""
    texts = [c["text"] for c in yaml.safe_load((DATA / "coverage" / "sentences.yaml").read_text(encoding="utf-8"))]
    for name in ("regression.yaml", "regression-families.yaml"):
        texts += [c["text"] for c in yaml.safe_load((DATA / name).read_text(encoding="utf-8"))]
    texts += [p.example for name in FRAMEWORKS for p in load_framework(name).principles]
    for path in sorted((ROOT / "training" / "coverage").glob("*.yaml")):
        texts += [c["text"] for c in yaml.safe_load(path.read_text(encoding="utf-8")) if isinstance(c, dict) and c.get("text")]
    return texts


SENTENCES = _sentences()


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_fast_path_is_exact_over_every_sentence_we_have(framework):
    """One sentence a block, ten a paragraph (several sentences a block, some gated out)
    and twenty-five paragraphs a document."""
    texts = [s.replace("\n", " ") for s in SENTENCES]
    paragraphs = [" ".join(texts[i : i + 10]) for i in range(0, len(texts), 10)]
    documents = ["\n\n".join(texts[i : i + 25]) for i in range(0, len(texts), 25)]
    fast = _reports(paragraphs + documents, framework)
    with plain_path():
        plain = _reports(paragraphs + documents, framework)
    assert fast == plain
    evidence = sum(len(p["evidence"]) for r in fast for p in r["principles"])
    assert evidence > 300  # the comparison covers a lot of evidence, not only empty reports


def test_fast_path_with_spacys_matchers_is_exact(monkeypatch):
    """A framework whose token patterns use what the port does not implement keeps the
    GatedMatchers, with the cue lists matched only when a sentence's scoring asks."""
    texts = [s.replace("\n", " ") for s in SENTENCES]
    paragraphs = [" ".join(texts[i : i + 10]) for i in range(0, len(texts), 10)]
    monkeypatch.setattr(_Compiled, "array_matching", False)
    fast = _reports(paragraphs, "samhsa-4r")
    with plain_path():
        assert _reports(paragraphs, "samhsa-4r") == fast


def test_fast_path_is_exact_on_every_example_document_and_fixture_policy():
    paths = [p for p in sorted((ROOT / "examples").iterdir()) if p.suffix in (".md", ".txt", ".docx", ".pdf")]
    paths += sorted((DATA / "coverage" / "policies").glob("*.md"))
    assert len(paths) >= 10
    docs = [read_document(p) for p in paths]
    for framework in FRAMEWORKS:
        fast = [check_document(d, framework=framework).to_dict() for d in docs]
        with plain_path():
            plain = [check_document(read_document(p), framework=framework).to_dict() for p in paths]
        assert fast == plain, framework


FILLER = ["The service", "reviews this policy", "every year.", "Staff", "will", "not", "never", "can", "may", "could", "we", "our",
          "if", "is", "are trained", "\n", "\n\n", "- ", "# ", "**", '"', "(", ")", ",", ";", "can't", "won't", "co-", "re-", "Ç", "İ"]
pieces = st.one_of(st.sampled_from(SENTENCES), st.sampled_from(FILLER), st.text(alphabet="abcdefghijklmnopqrstuvwxyz -.,'\n", max_size=20))
casing = st.sampled_from([str, str.upper, str.lower, str.title])


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(pieces, casing), min_size=1, max_size=14), st.sampled_from(FRAMEWORKS))
def test_fast_path_is_exact_on_random_text(parts, framework):
    text = " ".join(case(p) for p, case in parts)
    fast = _reports([text], framework)
    with plain_path():
        assert _reports([text], framework) == fast


# Coverage's token patterns are matched by a port of spaCy's Matcher (_TokenPatterns): every
# operator, and the predicates it implements (values, IN, NOT_IN, REGEX, lexeme flags), against
# spaCy's own Matcher, match for match and in the same order.
PORT_PATTERNS = {
    "one": [[{"LOWER": "staff"}], [{"NORM": "train"}, {"LOWER": {"IN": ["in", "on"]}}], [{"ORTH": {"IN": [",", ")"]}}]],
    "gaps": [[{"LOWER": "we"}, {"OP": "{0,3}"}, {"NORM": {"IN": ["offer", "choice"]}}],
             [{"NORM": "trauma"}, {"IS_ALPHA": True, "OP": "{1,2}"}, {"LOWER": {"REGEX": "^(impact|effects?)$"}}]],
    "optional": [[{"LOWER": "not"}, {"LOWER": {"IN": ["always", "ever"]}, "OP": "?"}],
                 [{"LOWER": {"IN": ["can", "may"]}, "OP": "?"}, {"NORM": "choose"}],
                 [{"LOWER": "is"}, {"LOWER": {"NOT_IN": ["not", "never"]}, "OP": "*"}, {"LOWER": {"REGEX": "ed$"}}]],
    "plus": [[{"IS_ALPHA": True, "OP": "+"}, {"ORTH": "."}], [{"LIKE_NUM": True}, {"LOWER": "staff", "OP": "+"}]],
    "negated": [[{"LOWER": "we"}, {"LOWER": "will", "OP": "!"}, {"IS_ALPHA": True}], [{"TEXT": "We", "OP": "{2}"}]],
    "start^": [[{"IS_ALPHA": True, "OP": "{0,2}"}, {"LOWER": {"REGEX": "^trauma"}}, {"NORM": "be"}], [{"LOWER": {"REGEX": "ing$"}}]],
    "anywhere": [[{"LOWER": "not", "OP": "!"}, {"LOWER": "staff"}], [{"OP": "*"}, {"LOWER": "choice"}], [{"IS_DIGIT": True, "OP": "?"}]],
    "anywhere^": [[{"OP": "?"}, {"LOWER": "we"}]],
}
PORT_WORDS = ("we staff will not always can may choose offer offers choice trauma traumatic traumas is are was "
              "trained training impact effects the a , ) . 3 two ever never in on We Staff TRAUMA reviewed").split()
# pieces shaped like the patterns, so that most texts hold several overlapping matches
PORT_PIECES = ["not always", "not ever", "we will offer a choice", "we offer", "We We We", "can choose", "may choose",
               "trauma has an impact", "trauma is", "Traumatic experiences are", "is not reviewed", "is trained",
               "3 staff staff", "training in", "trained on", "we will", "reviewing"]


@pytest.fixture(scope="module")
def ported():
    from spacy.matcher import Matcher

    from tilint.coverage import _TokenPatterns
    from tilint.nlp import get_nlp

    nlp = get_nlp()
    matchers = {}
    for key, patterns in PORT_PATTERNS.items():
        matchers[key] = Matcher(nlp.vocab)
        matchers[key].add(key, patterns)
    port = _TokenPatterns(nlp.vocab, PORT_PATTERNS)
    assert port.supported
    return nlp, matchers, port


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.sampled_from(PORT_WORDS), st.sampled_from(PORT_PIECES)), min_size=1, max_size=10))
def test_token_patterns_match_as_spacys_matcher(ported, pieces):
    from spacy.attrs import NORM, ORTH
    from spacy.tokens import Doc

    nlp, matchers, port = ported
    words = " ".join(pieces).split()
    doc = Doc(nlp.vocab, words=words)
    sentence = port.sentence([tuple(p) for p in doc.to_array([ORTH, NORM]).tolist()])
    first = next((t.i for t in doc if t.is_alpha), 0)
    for k, key in enumerate(port.keys):
        expected = matchers[key](doc)
        if key.endswith("^"):  # an at-start key: only matches from the first word count
            expected = [m for m in expected if m[1] == first]
        assert port.run(sentence, {k}) == expected, (key, words)


def test_unsupported_token_patterns_fall_back_to_spacys_matcher():
    from tilint.coverage import _TokenPatterns
    from tilint.nlp import get_nlp

    vocab = get_nlp().vocab
    assert not _TokenPatterns(vocab, {"k": [[{"LENGTH": {">=": 3}}]]}).supported
    assert not _TokenPatterns(vocab, {"k": [[{"LOWER": {"FUZZY": "staff"}}]]}).supported
    assert _TokenPatterns(vocab, {"k": [[{"LOWER": "staff", "OP": "{1,3}"}]]}).supported


def test_batched_ngram_features_are_spacys(monkeypatch):
    """The classifier counts the n-grams of a whole batch of sentences at once: the same
    keys, counts and scores as spaCy's extract_ngrams sentence by sentence."""
    import numpy

    from tilint import coverage_model
    from tilint.nlp import get_nlp

    nlp = get_nlp()
    texts = SENTENCES[:600] + ["staff staff staff staff", "We will, we will, we will offer a choice."]
    spans = [doc[:] for doc in nlp.tokenizer.pipe(texts) if len(doc) >= 2]
    model = coverage_model.load_classifier().get_pipe("textcat_multilabel").model
    size, _, _ = coverage_model._bow_layers(model)
    ngrams = model.layers[0].layers[0].layers[0]
    orths = [span.doc.to_array("ORTH")[span.start : span.end] for span in spans]
    expected, _ = ngrams([coverage_model._Orths(o) for o in orths], is_train=False)
    for got, want in zip(coverage_model._ngram_features(orths, size, model.ops), expected):
        assert got.dtype == want.dtype and numpy.array_equal(got, want)
    batched = coverage_model.classify(spans)
    monkeypatch.setattr(coverage_model, "_bow_layers", lambda model: None)
    assert coverage_model.classify(spans) == batched


# A document's blocks are tokenised as one text and split into sentences on its arrays:
# each block gets the tokens and sentences it gets alone.
EDGES = ["", " ", "\n", "\xa0", "\t", " \n ", "  "]
BLOCK_PIECES = ["We will.", "Staff", "...", "?!", ")", '"', "“Yes.”", "e.g.", "a.m.", ":)", "U.K.", "Dr.", "can't", "co-design",
                "—", "…", "3.5", "etc.", "\n", " ", "\n\n", "(a)", "- ", "İ", "ΑΣ", "https://example.org/x.", "no.", "N.B."]


def _tokens_alone(texts):
    from tilint.nlp import get_nlp, sentences

    nlp = get_nlp()
    out = []
    for text in texts:
        doc = nlp.tokenizer(text)
        out.append(([t.orth for t in doc], [(s.start, s.end) for s in sentences(doc, nlp)]))
    return out


def _tokens_together(texts):
    from types import SimpleNamespace

    from tilint.coverage import _sentence_arrays
    from tilint.nlp import get_nlp

    nlp = get_nlp()
    # every third block as the rules engine left it, tokenised already
    blocks = [SimpleNamespace(text=t, parsed=nlp.tokenizer(t) if i % 3 == 1 else None) for i, t in enumerate(texts)]
    orth, alpha, bounds, sents = _sentence_arrays(blocks, nlp)
    assert len(alpha) == len(orth)
    by_block = {}
    for s, e in sents.tolist():
        by_block.setdefault(s, []).append((s, e))
    starts = sorted(by_block)
    out = []
    for a, b in bounds.tolist():
        mine = [(s - a, e - a) for start in starts[bisect.bisect_left(starts, a) : bisect.bisect_left(starts, b)] for s, e in by_block[start]]
        out.append((orth[a:b].tolist(), mine))
    return out


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.sampled_from(EDGES), st.lists(st.one_of(st.sampled_from(BLOCK_PIECES), st.sampled_from(SENTENCES[:400]),
                                                                    st.text(max_size=8)), max_size=6), st.sampled_from(EDGES)), max_size=8))
def test_blocks_tokenised_together_get_their_own_tokens_and_sentences(blocks):
    texts = [head + " ".join(body) + tail for head, body, tail in blocks]
    assert _tokens_together(texts) == _tokens_alone(texts)


def test_every_sentence_we_have_tokenised_together_as_alone():
    texts = [s.strip() for s in SENTENCES]
    paragraphs = [" ".join(texts[i : i + 3]) for i in range(0, len(texts), 3)]
    assert _tokens_together(texts + paragraphs) == _tokens_alone(texts + paragraphs)


# The indicator gate reads a block's text only where a form or regex it looks for in the text
# could be (found once in all of a document's blocks, or in the block's words).
GATE_PIECES = ["co-design", "co-", "-", "design", "trauma", "TRAUMATISED", "re-traumatise", "retraumatize", "aces", "services", "ACE",
               "debriefing", "we'll", "'cause", "100%", "well-being", "ΑΣ", "İ", "ſ", "\u212a", "\n", " ", "staff", "trained", "restraint"]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.lists(st.one_of(st.sampled_from(GATE_PIECES), st.sampled_from(SENTENCES[:300]), st.text(max_size=6)), max_size=5),
                max_size=10), st.sampled_from(FRAMEWORKS))
def test_gate_reads_the_texts_it_needs(blocks, framework):
    from tilint.prefilter import words_of

    gate = _compiled(load_framework(framework)).prefilter
    texts = ["".join(parts) for parts in blocks]
    assert [gate.check(words_of(t), seen) for t, seen in zip(texts, gate.texts(texts))] == [gate(t) for t in texts]


def test_gate_marks_only_texts_that_may_hold_a_form_or_regex():
    gate = _compiled(load_framework("samhsa-4r")).prefilter
    texts = ["We co-design services.", "Places and services", "ACEs screening", "nothing here", "", "Never retraumatise"]
    assert gate.texts(texts) == ["We co-design services.", "", "ACEs screening", "", "", "Never retraumatise"]


def test_only_regexes_of_letters_at_a_word_start_are_looked_for_in_words():
    from tilint.coverage import _letters_only
    from tilint.prefilter import _WORD_START

    assert _letters_only(_WORD_START + "(?:(trauma|traumati[sz]ed|aces?))")
    assert not _letters_only("(?:trauma)")  # anywhere in a word
    assert not _letters_only(_WORD_START + "(?:re-?traumati[sz])")  # a hyphen
    assert not _letters_only(_WORD_START + "(?:trauma\\w)") and not _letters_only(_WORD_START + "(?:[^a]x)") and not _letters_only(_WORD_START + "(?:a.b)")
