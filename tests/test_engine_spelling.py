"""British and American spellings: the engine adds the other spelling to every pattern.

Checked word by word (the rewrite rules, including the look-alike words they must leave
alone) and across the whole pack: every rule's fail examples, respelt, still fire.
"""

from __future__ import annotations

import re

import pytest

from tilint.linter import Linter
from tilint.prefilter import pattern_requirements, variants
from tilint.ruleset import load_ruleset
from tilint.spelling import respell_tokens, respellings, to_american, to_british

from .conftest import ENGINE_PACK


@pytest.mark.parametrize(
    "british,american",
    [
        ("behaviour", "behavior"), ("behavioural", "behavioral"), ("colourful", "colorful"), ("odour", "odor"),
        ("criminalised", "criminalized"), ("organisation", "organization"), ("analyse", "analyze"),
        ("paralysed", "paralyzed"), ("judgement", "judgment"), ("acknowledgement", "acknowledgment"),
        ("catalogue", "catalog"), ("centre", "center"), ("centred", "centered"), ("fibre", "fiber"),
        ("paediatric", "pediatric"), ("anaesthetist", "anesthetist"), ("oestrogen", "estrogen"),
        ("counselling", "counseling"), ("travelled", "traveled"), ("labelled", "labeled"), ("counsellor", "counselor"),
        ("offence", "offense"), ("defence", "defense"), ("programme", "program"), ("licence", "license"),
    ],
)
def test_each_word_has_its_other_spelling_both_ways(british, american):
    assert to_american(british) == american
    assert to_british(american) == british


@pytest.mark.parametrize("word", ["four", "hour", "your", "tour", "filled", "spelling", "feeling", "timbre", "raise", "for", "minor", "acre", "shoes", "heroes", "willing", "seize"])
def test_words_that_only_look_respellable_are_left_alone(word):
    assert respellings(word) == (word,)


def test_capitals_are_kept():
    assert respellings("Behaviour") == ("Behaviour", "Behavior")
    assert respellings("ORGANISATION") == ("ORGANISATION", "ORGANIZATION")


def test_phrase_variants_combine_hyphens_and_spellings():
    assert variants("anti-social behaviour") == [
        "anti-social behaviour", "anti-social behavior", "anti social behaviour", "anti social behavior",
        "antisocial behaviour", "antisocial behavior",
    ]


def test_spaced_phrases_also_match_hyphenated_between_content_words():
    assert variants("rough sleepers") == ["rough sleepers", "rough-sleepers"]
    assert variants("known drug users") == ["known drug users", "known-drug users", "known drug-users"]
    assert variants("a bipolar") == ["a bipolar"]  # never "a-bipolar"
    assert variants("the addict") == ["the addict"]


def test_a_bundled_rule_finds_its_phrase_hyphenated():
    from tilint.config import Config
    from tilint.linter import Linter

    found = Linter(Config()).lint_text("Beds for rough-sleepers and for rough sleepers.")
    assert [(f.rule_id, f.match, f.column) for f in found] == [("LB004", "rough-sleepers", 10), ("LB004", "rough sleepers", 33)]


def test_token_patterns_accept_both_spellings_and_the_prefilter_knows():
    norm = {"behaviour": "behaviour", "behavior": "behavior"}.get
    tokens = respell_tokens([{"LOWER": "bad"}, {"NORM": "behaviour"}, {"LOWER": {"NOT_IN": ["colour"]}}], lambda w: norm(w, w))
    assert tokens == [{"LOWER": "bad"}, {"NORM": {"IN": ["behaviour", "behavior"]}}, {"LOWER": {"NOT_IN": ["colour", "color"]}}]
    (req,) = pattern_requirements({"tokens": [{"LOWER": "bad"}, {"NORM": "behaviour"}]})
    assert {"behavior", "behaviors"} <= req[1].forms




def _respell(text: str, convert) -> str:
    """``text`` with each word in the other spelling (capitals kept)."""
    return re.sub(r"[^\W\d_]+", lambda m: next((f for f in respellings(m[0]) if f.lower() == convert(m[0].lower())), m[0]), text)


def _fail_cases():
    for rule in load_ruleset(extra=[ENGINE_PACK]):
        for i, example in enumerate(rule.examples["fail"]):
            text = example if isinstance(example, str) else example["text"]
            for name, convert in (("us", to_american), ("uk", to_british)):
                respelt = _respell(text, convert)
                if respelt != text:
                    yield pytest.param(rule.id, respelt, id=f"{rule.id}-{i}-{name}")


FAIL_CASES = list(_fail_cases())


def test_the_pack_has_respellable_examples():
    assert len(FAIL_CASES) >= 20  # the check below is not vacuous


@pytest.mark.parametrize("rule_id,text", FAIL_CASES)
def test_every_fail_example_respelt_still_fires(rule_linter, rule_id, text):
    assert rule_id in [f.rule_id for f in rule_linter(rule_id).lint_text(text, format="text")], text


def test_phrases_tokens_and_context_lists_match_either_spelling(zz_config):
    linter = Linter(zz_config)

    def found(text):
        return [(f.rule_id, f.match) for f in linter.lint_text(text, format="text")]

    assert found("Bad behavior is punished. Disruptive behaviors were recorded.") == [
        ("ZZ008", "Bad behavior"), ("ZZ008", "Disruptive behaviors"),
    ]
    assert found("The bad behavior program closed.") == []  # not_followed_by: [programme]
    assert found("The Bad Behavior Center opened.") == []  # exceptions: [bad behaviour centre]
    assert found("The bad behavior policy closed.") == [("ZZ008", "bad behavior")]
