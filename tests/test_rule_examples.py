"""Every rule's own examples, driven from the YAML: fail examples flag it, pass examples do not,
and a fixable rule's fail examples become exactly their ``fixed:`` sentence under ``--fix``.

Also the pack-level guarantees: at least two examples of each kind for built-in rules,
unique ids with the pack prefix, and weak sources => severity info, said in the rationale.
"""

from __future__ import annotations


import pytest

from tilint.fix import plan_fixes
from tilint.ruleset import load_ruleset

from .conftest import ENGINE_PACK

BUILTIN = load_ruleset()
ALL = load_ruleset(extra=[ENGINE_PACK])


def _text(example) -> tuple[str, str | None]:
    return (example, None) if isinstance(example, str) else (example["text"], example.get("match"))


def _cases(kind: str):
    for rule in ALL:
        for i, example in enumerate(rule.examples[kind]):
            yield pytest.param(rule.id, *_text(example), id=f"{rule.id}-{kind}-{i}")


@pytest.fixture(scope="module")
def linter(rule_linter):
    return rule_linter


@pytest.mark.parametrize("rule_id,text,match", list(_cases("fail")))
def test_fail_example_is_flagged(linter, rule_id, text, match):
    found = [f for f in linter(rule_id).lint_text(text, format="text") if f.rule_id == rule_id]
    assert found, f"{rule_id} did not flag: {text!r}"
    if match is not None:
        assert match in [f.match for f in found], f"{rule_id} flagged {[f.match for f in found]}, expected {match!r}"


@pytest.mark.parametrize("rule_id,text,match", list(_cases("pass")))
def test_pass_example_is_not_flagged(linter, rule_id, text, match):
    found = [f.match for f in linter(rule_id).lint_text(text, format="text") if f.rule_id == rule_id]
    assert found == [], f"{rule_id} wrongly flagged {found} in {text!r}"


@pytest.mark.parametrize("rule", list(BUILTIN), ids=lambda r: r.id)
def test_builtin_rule_has_two_examples_of_each_kind(rule):
    assert len(rule.examples["fail"]) >= 2 and len(rule.examples["pass"]) >= 2


@pytest.mark.parametrize("rule", list(BUILTIN), ids=lambda r: r.id)
def test_weak_sources_mean_info_and_say_so(rule):
    if all(s.confidence != "confirmed" for s in rule.sources):
        assert rule.severity == "info"
        assert "unconfirmed" in rule.rationale.lower() or "secondary" in rule.rationale.lower()


def test_builtin_ids_carry_their_pack_prefix_and_are_unique():
    ids = [r.id for r in BUILTIN]
    assert len(ids) == len(set(ids))
    assert all(r.id.startswith(r.prefix) for r in BUILTIN)


def _fix_cases():
    for rule in ALL:
        for i, example in enumerate(rule.examples["fail"]):
            if isinstance(example, dict) and "fixed" in example:
                yield pytest.param(rule.id, example["text"], example["fixed"], id=f"{rule.id}-fixed-{i}")


@pytest.mark.parametrize("rule_id,text,fixed", list(_fix_cases()))
def test_fix_turns_the_fail_example_into_its_fixed_sentence(linter, tmp_path, rule_id, text, fixed):
    path = tmp_path / "example.txt"
    path.write_text(text + "\n", encoding="utf-8")
    (result,) = linter(rule_id).lint_paths([str(path)])
    result.findings = [f for f in result.findings if f.rule_id == rule_id]  # this rule's fix alone
    plan = plan_fixes(result, max_bytes=1 << 20)
    if fixed == text:  # a form the first suggestion does not fit: reported, never rewritten
        assert result.findings and plan is None
        return
    assert plan is not None, f"{rule_id} offered no fix for {text!r}"
    assert plan.new_source == fixed + "\n"


@pytest.mark.parametrize("rule", list(ALL), ids=lambda r: r.id)
def test_fixable_rules_prove_every_fail_example_and_only_they_claim_fixes(rule):
    has_fixed = [isinstance(e, dict) and "fixed" in e for e in rule.examples["fail"]]
    if rule.fixable:
        assert all(has_fixed), f"{rule.id} is fixable: every fail example needs a fixed: sentence"
    else:
        assert not any(has_fixed), f"{rule.id} is not fixable but its examples claim fixes"


def test_at_least_forty_builtin_rules_are_fixable():
    assert sum(r.fixable for r in BUILTIN) >= 40
