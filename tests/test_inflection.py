"""The shipped inflection table is LemmInflect's own output for the bundled rules' words,
and a commit-time check with a finding does not load LemmInflect."""

from __future__ import annotations

import json

import lemminflect
import pytest

from tilint import inflection
from tilint.ruleset import load_ruleset

from .conftest import fresh_python


def test_every_shipped_answer_is_lemminflects():
    shipped = json.loads(inflection.TABLE_PATH.read_text(encoding="utf-8"))
    assert len(shipped["lemmas"]) > 1000
    assert {w: inflection._ask_lemmas(w) for w in shipped["lemmas"]} == shipped["lemmas"]
    assert {s: inflection._ask_inflections(s) for s in shipped["inflections"]} == shipped["inflections"]


def test_the_table_holds_the_bundled_rules_words():
    # a word missing is still answered (by LemmInflect, loaded then), only slower:
    # `make inflections` after editing the rules keeps the cold start free of it
    shipped = json.loads(inflection.TABLE_PATH.read_text(encoding="utf-8"))
    missing = inflection._rule_words(load_ruleset()) - set(shipped["lemmas"])
    assert not missing, f"run `make inflections`: {sorted(missing)[:10]}"


@pytest.mark.parametrize("word", ["addicts", "no-shows", "attends", "absconded", "xylophones", "quokkas", "misuses", "agressive", "behavoiurs", "zzqx", "aaron", "'d"])
def test_lookups_agree_with_lemminflect_inside_and_outside_the_table(word):
    noun = lemminflect.getAllLemmas(word, "NOUN").get("NOUN")
    verb = lemminflect.getAllLemmas(word, "VERB").get("VERB")
    guess = lemminflect.getLemma(word, upos="NOUN")
    assert inflection.noun_lemma(word.upper()) == (noun[0] if noun else None)
    assert inflection.verb_lemma(word) == (verb[0] if verb else None)
    assert inflection.noun_lemma_guess(word) == (guess[0] if guess else None)
    for lemma in {x for x in (noun and noun[0], verb and verb[0], word) if x}:
        for tag in inflection.TAGS:
            assert inflection.inflections(lemma, tag) == tuple(lemminflect.getInflection(lemma, tag) or ())


def test_the_lexicon_words_are_the_words_lemminflect_loads():
    from lemminflect.core.Lemmatizer import Lemmatizer

    lemmatizer = Lemmatizer()
    assert inflection._lexicon_words() == set(lemmatizer._getLemmaDict()) | set(lemmatizer._getOverridesDict())


def test_a_word_outside_the_lexicon_is_answered_without_loading_it():
    script = (
        "from tilint import inflection; from lemminflect.core.Lemmatizer import Lemmatizer; "
        "print(inflection._ask_lemmas('agressive'), hasattr(Lemmatizer(), 'lemma_dict'))"
    )
    out = fresh_python(script)
    assert out.split() == ["[None,", "None,", "'agressive']", "False"]


def test_a_finding_with_fitted_suggestions_does_not_load_lemminflect():
    script = (
        "import sys; from tilint.linter import Linter; "
        "fs = Linter().lint_text('Addicts who fail to attend twice are discharged.'); "
        "print(sorted((f.rule_id, f.suggestions) for f in fs)); print('lemminflect' in sys.modules)"
    )
    out = fresh_python(script).splitlines()
    assert "People who use drugs" in out[0] and out[-1] == "False"
