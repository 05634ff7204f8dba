"""The literal prefilter never changes findings (property-based, over the rules' own examples)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tilint.config import Config
from tilint.engine import Engine, get_engine
from tilint.linter import Linter
from tilint.prefilter import Anchor, GatedMatcher, Prefilter, words_of
from tilint.readers.markdown import parse_markdown
from tilint.spelling import spelling_variants

from .conftest import ENGINE_PACK, fresh_python

LINTER = Linter(Config(extra_rules=(str(ENGINE_PACK),)))
ENGINE = get_engine(LINTER.rules)
EXAMPLES = sorted({e if isinstance(e, str) else e["text"] for r in LINTER.rules for k in ("fail", "pass") for e in r.examples[k]})
FILLER = ["The service", "reviews this policy", "every year.", "Staff", "will", "support", "people", "\n", "\n\n", "- ", "# ", "**", "\"", "'", "(", ")"]
FILLER += ["didn't", "cannot", "can't", "won't", "gonna", "isn't", "-", "non", "re-", "50%", "’s"]  # tokenizer special cases
PHRASES = sorted({p["phrase"] for r in LINTER.rules for p in r.patterns if "phrase" in p})
# the other spelling of each respellable phrase, and coordinated forms ("alcohol or drug abuse")
PHRASES += sorted({v for p in PHRASES for v in spelling_variants(p)} - set(PHRASES))
FILLER += ["or", "and", "and/or", "/", "&", "alcohol or", "drug and", "is never used", "must not be used:", "cannot be a"]


def _key(hits):
    return [(h.rule.id, h.block.text, h.start, h.end, h.suggestions, h.mention) for h in hits]


pieces = st.one_of(
    st.sampled_from(EXAMPLES),
    st.sampled_from(PHRASES),
    st.sampled_from(FILLER),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz -.,'\n", max_size=20),
)
casing = st.sampled_from([str, str.upper, str.lower, str.title])


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(pieces, casing), min_size=1, max_size=12), st.sampled_from(["skip", "report"]))
def test_prefilter_gives_the_same_hits_as_the_plain_path(parts, mentions):
    text = " ".join(case(p) for p, case in parts)
    blocks = parse_markdown(text)
    fast = ENGINE.analyse(blocks, mentions=mentions)
    plain = ENGINE.analyse(blocks, mentions=mentions, prefilter=False)
    assert _key(fast) == _key(plain)
    ENGINE._by_tokens.plain = True  # every token Matcher over every token of every block
    try:
        assert _key(ENGINE.analyse(blocks, mentions=mentions, prefilter=False)) == _key(fast)
    finally:
        ENGINE._by_tokens.plain = False


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(pieces, casing), min_size=1, max_size=12))
def test_a_new_engine_compiling_only_the_rules_it_needs_gives_the_same_hits(parts):
    blocks = parse_markdown(" ".join(case(p) for p, case in parts))
    ENGINE.warm()  # every rule compiled
    fresh = Engine(LINTER.rules)  # compiles the rules these blocks could match
    assert _key(fresh.analyse(blocks, mentions="report")) == _key(ENGINE.analyse(blocks, mentions="report"))


def test_a_commit_time_check_compiles_few_rules():
    fresh = Engine(LINTER.rules)
    hits = fresh.analyse(parse_markdown("Patients who fail to attend twice are contacted."))
    assert ("BL001", 13, 27) in [(h.rule.id, h.start, h.end) for h in hits]
    assert 0 < len(fresh._compiled) < len(LINTER.rules) / 10
    assert not fresh._by_tokens._port_on  # token patterns on spaCy's Matchers: the port is built once all rules are in
    fresh.warm()
    assert len(fresh._compiled) == len(LINTER.rules) and fresh._by_tokens._port_on


def test_every_fail_example_is_a_prefilter_candidate():
    for rule in LINTER.rules:
        for e in rule.examples["fail"]:
            text = e if isinstance(e, str) else e["text"]
            assert ENGINE.is_candidate(text), (rule.id, text)


COVERAGE_TEXT = st.lists(st.one_of(st.sampled_from(EXAMPLES), st.sampled_from(FILLER), st.sampled_from([
    "All staff complete trauma-informed training every year.",
    "We will only use restraint as a last resort, and we always debrief afterwards.",
    "Most people who use our services have experienced trauma.",
    "If resources allow, we may train staff in future.",
    "A named lead oversees the policy, which was co-produced with people with lived experience.",
    "Staff can use the employee assistance programme and receive reflective supervision.",
])), min_size=1, max_size=10)


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(COVERAGE_TEXT)
def test_coverage_prefilter_gives_the_same_report(parts):
    from tilint.coverage import _compiled, check_coverage, load_framework

    text = "\n\n".join(parts)
    fast = check_coverage(text).to_dict()
    compiled = _compiled(load_framework())
    matchers = [m for m in vars(compiled).values() if isinstance(m, GatedMatcher)]
    assert matchers
    compiled.prefilter.bypass = True  # the plain path: every block is parsed,
    for m in matchers:
        m.plain = True  # every token Matcher scans every sentence whole
    try:
        plain = check_coverage(text).to_dict()
    finally:
        compiled.prefilter.bypass = False
        for m in matchers:
            m.plain = False
    assert fast == plain


# requirements with no plain anchor (hyphenated forms, "n't", regexes) are screened as a group
ODD_REQUIREMENTS = [
    (Anchor(frozenset({"long-term", "lasting"})), Anchor(regex=r"(?<![^\W\d_])(?:(trauma|traumatic|aces?))")),
    (Anchor(frozenset({"co-design", "co-produce"})),),
    (Anchor(regex=r"(?<![^\W\d_])(?:re-?traumati[sz])"),),
    (Anchor(frozenset({"n't"})), Anchor(frozenset({"attend", "attends"}))),
    (Anchor(frozenset({"staff"})), Anchor(regex=r"(?<![^\W\d_])(?:debrief)")),
]
ODD_PIECES = ["long-term", "Long-Term", "lasting", "Trauma", "traumatic", "aces", "faces", "co-design", "co-designed", "taco-design",
              "re-traumatised", "retraumatized", "didn't", "attend", "staff", "debriefing", "undebriefed", "long", "term", "co", "-"]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.sampled_from(ODD_PIECES), st.text(alphabet="acdefgilmnorstu-' ", max_size=8)), max_size=8))
def test_prefilter_tags_are_exactly_the_requirements_that_hold(parts):
    text = " ".join(parts)
    words, lower = words_of(text), text.lower()
    holding = {i for i, req in enumerate(ODD_REQUIREMENTS) if all(a.present(words, lower) for a in req)}
    assert Prefilter(ODD_REQUIREMENTS, range(len(ODD_REQUIREMENTS))).tags(words, text) == holding


def test_fast_path_is_exact_over_the_regression_corpus_and_every_example_in_long_paragraphs():
    """Every regression sentence and rule example, alone and run together ten to a
    paragraph (where a token Matcher scans only a stretch of the paragraph), gives the
    same hits with the prefilter, the rule gates and the windows as without any."""
    import yaml

    from .conftest import DATA

    sentences = [c["text"] for name in ("regression.yaml", "regression-families.yaml") for c in yaml.safe_load((DATA / name).read_text(encoding="utf-8"))]
    sentences += EXAMPLES
    paragraphs = [" ".join(sentences[i : i + 10]) for i in range(0, len(sentences), 10)]
    blocks = parse_markdown("\n\n".join(s.replace("\n", " ") for s in sentences + paragraphs))
    assert len(blocks) > 1000
    fast = ENGINE.analyse(blocks, mentions="report")
    ENGINE._by_tokens.plain = True
    try:
        plain = ENGINE.analyse(blocks, mentions="report", prefilter=False)
    finally:
        ENGINE._by_tokens.plain = False
    assert len(fast) > 500 and _key(fast) == _key(plain)


def test_windowed_token_matchers_find_what_whole_scans_find_in_docs_and_sentences():
    """Each GatedMatcher (the rules' and coverage's), over whole paragraphs and over each
    of their sentences, returns the same matches in the same order as when every
    Matcher scans every token."""
    import yaml

    from tilint.coverage import _compiled, load_framework
    from tilint.nlp import get_nlp, sentences

    from .conftest import DATA

    texts = [c["text"] for name in ("regression.yaml", "regression-families.yaml") for c in yaml.safe_load((DATA / name).read_text(encoding="utf-8"))]
    texts += EXAMPLES
    nlp = get_nlp()
    ENGINE.warm()
    compiled = _compiled(load_framework())
    matchers = [ENGINE._by_tokens, *(m for m in vars(compiled).values() if isinstance(m, GatedMatcher))]
    found = 0
    for i in range(0, len(texts), 8):
        doc = nlp.make_doc(" ".join(t.replace("\n", " ") for t in texts[i : i + 8]))
        for doclike in [doc, *sentences(doc, nlp)]:
            text = doc.text[doclike.start_char : doclike.end_char] if doclike is not doc else doc.text
            words = words_of(text)
            for m in matchers:
                fast = m.run(doclike, words, text)
                m.plain = True
                try:
                    assert m.run(doclike, words, text) == fast
                finally:
                    m.plain = False
                found += len(fast)
    assert found > 300


def test_cached_requirements_are_the_built_ones(tmp_path, monkeypatch):
    from tilint.prefilter import pattern_requirements, rule_requirements

    monkeypatch.setenv("TILINT_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("TILINT_NO_CACHE", raising=False)
    rules = list(LINTER.rules)
    built = [[r for pat in rule.patterns for r in pattern_requirements(pat)] for rule in rules]
    assert rule_requirements(rules) == built  # built, then written
    assert list(tmp_path.glob("prefilter-*.json"))
    assert rule_requirements(rules) == built  # read back
    assert rule_requirements(rules[::-1][:5]) == built[::-1][:5]  # a selection of rules


def test_a_linter_checking_one_finding_compiles_few_rules():
    # in a fresh process: this one's engine is shared and warm
    script = (
        "from tilint.linter import Linter; from tilint.engine import get_engine; linter = Linter(); "
        "print([f.rule_id for f in linter.lint_text('Patients who fail to attend twice are contacted.')], "
        "len(get_engine(linter.rules)._compiled), len(linter.rules))"
    )
    out = fresh_python(script).split()
    assert out[0] == "['BL001']" and 0 < int(out[1]) < int(out[2]) / 10


def test_words_cut_out_of_contractions_are_never_required():
    """"doesn't" is tokenised "does" + "n't" but holds no word "does": every such piece of
    spaCy's tokenizer exceptions must be in the list the prefilter never requires."""
    import re

    from spacy.attrs import ORTH
    from spacy.lang.en import English

    from tilint.prefilter import _SPLIT_PIECES

    letters = re.compile(r"[^\W\d_]+")
    cut = {
        piece[ORTH].lower()
        for text, pieces in English.Defaults.tokenizer_exceptions.items()
        if len(pieces) > 1
        for piece in pieces
        if len(piece[ORTH]) > 1 and letters.fullmatch(piece[ORTH]) and piece[ORTH].lower() not in words_of(text)
    }
    assert cut <= _SPLIT_PIECES, sorted(cut - _SPLIT_PIECES)


def test_a_pattern_through_a_contraction_is_found_by_the_gated_matcher():
    from spacy.matcher import Matcher

    pattern = [{"LOWER": "why"}, {"LOWER": {"IN": ["do", "does"]}}, {"NORM": "not", "OP": "?"}, {"LOWER": "she"}, {"LOWER": "leave"}]
    gated, plain = GatedMatcher(ENGINE.nlp.vocab), Matcher(ENGINE.nlp.vocab)
    gated.add("K", [pattern])
    plain.add("K", [pattern])
    for text in ("Why doesn't she leave?", "It is hard to ask. Why dont she leave?", "Why does she leave?"):
        doc = ENGINE.nlp.make_doc(text)
        assert [(s, e) for _, s, e in gated(doc)] == [(s, e) for _, s, e in plain(doc)] != []
    states = GatedMatcher(ENGINE.nlp.vocab, states=True)  # the engine's kind: the port of the state machine
    states.add("K", [pattern])
    states.use_state_machine()
    for text in ("Why doesn't she leave?", "Why dont she leave?"):
        doc = ENGINE.nlp.make_doc(text)
        assert states._state_machine() and [(s, e) for _, s, e in states(doc)] == [(s, e) for _, s, e in plain(doc)] != []


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(pieces, casing), min_size=1, max_size=16))
def test_the_rules_token_patterns_match_as_spacys_matchers_do(parts):
    """The engine's token patterns go through a port of spaCy's Matcher state machine:
    over random text built from the rules' examples, phrases and tokenizer special cases,
    it gives exactly the matches every spaCy Matcher gives scanning every token, in
    (start, end, key) order, for the doc and for each of its sentences."""
    from tilint.nlp import sentences

    ENGINE.warm()
    matcher = ENGINE._by_tokens
    assert matcher._port_on and matcher._state_machine()  # on once every rule is compiled; every bundled pattern is one it implements
    doc = ENGINE.nlp.make_doc(" ".join(case(p) for p, case in parts))
    for doclike in [doc, *sentences(doc, ENGINE.nlp)]:
        text = doclike.text
        fast = matcher.run(doclike, words_of(text), text)
        matcher.plain = True
        try:
            plain = matcher.run(doclike, words_of(text), text)
        finally:
            matcher.plain = False
        assert fast == plain


def test_a_pattern_the_port_does_not_implement_runs_on_spacys_matcher():
    """A user's pattern on an attribute the port has no test for (LENGTH) keeps its
    GatedMatcher on spaCy's Matchers, with the same matches."""
    from spacy.matcher import Matcher

    pattern = [{"LOWER": "refused"}, {"LENGTH": 2}]
    states, plain = GatedMatcher(ENGINE.nlp.vocab, states=True), Matcher(ENGINE.nlp.vocab)
    states.add("K", [pattern])
    plain.add("K", [pattern])
    states.use_state_machine()
    doc = ENGINE.nlp.make_doc("She refused to go. He refused it all.")
    assert states._state_machine() is False
    assert [(s, e) for _, s, e in states(doc)] == [(s, e) for _, s, e in plain(doc)] == [(1, 3), (6, 8)]
