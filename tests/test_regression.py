"""Regression corpus: sentences written for tilint, each with its exact expected findings.

tests/data/regression.yaml and regression-families.yaml hold sentences modelled on real
policy wording (GP DNA policies, hostel rules, care home medicines policies, school
behaviour and HR absence policies...) and many look-alikes that must stay clean. Each sentence must produce exactly the listed (rule, match) pairs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import tilint
from tilint.ruleset import load_ruleset

DATA = Path(__file__).parent / "data"
# regression-families.yaml: the issue-11 families (behaviour, punitive, attendance...)
FILES = ("regression.yaml", "regression-families.yaml")
CASES = [case for name in FILES for case in yaml.safe_load((DATA / name).read_text(encoding="utf-8"))]
RULE_IDS = {r.id for r in load_ruleset()}


def test_corpus_is_large_and_well_formed():
    assert len(CASES) >= 80
    texts = [c["text"] for c in CASES]
    assert len(texts) == len(set(texts)), "duplicate sentence"
    for case in CASES:
        assert set(case) == {"text", "models", "expect"}, case
        assert case["models"].strip(), case
        for exp in case["expect"]:
            assert set(exp) == {"rule", "match"}, exp
            assert exp["rule"] in RULE_IDS, f"unknown rule {exp['rule']}"
            assert exp["match"] in case["text"], exp
    # the corpus must exercise look-alikes as well as true findings
    assert sum(1 for c in CASES if not c["expect"]) >= 30


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["text"][:60])
def test_sentence_gives_exactly_the_expected_findings(case):
    got = sorted((f.rule_id, f.match) for f in tilint.lint_text(case["text"], format="text"))
    want = sorted((e["rule"], e["match"]) for e in case["expect"])
    assert got == want, f"{case['models']}: {case['text']!r}"
