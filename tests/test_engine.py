"""Engine behaviour on the ZZ test pack: lemma matching, context, mentions, exact positions."""

from __future__ import annotations

import pytest

from tilint.linter import Linter
from tilint.config import Config


@pytest.fixture(scope="module")
def lint(zz_config):
    linter = Linter(zz_config)
    return lambda text, fmt="markdown": [(f.rule_id, f.match, f.line, f.column, f.end_line, f.end_column) for f in linter.lint_text(text, format=fmt)]


def test_inflections_match_by_lemma_and_case_does_not_matter(lint):
    assert lint("She refuses. He REFUSED. They are refusing.") == [
        ("ZZ002", "refuses", 1, 5, 1, 12),
        ("ZZ002", "REFUSED", 1, 17, 1, 24),
        ("ZZ002", "refusing", 1, 35, 1, 43),
    ]


def test_person_subject_and_passive(lint):
    text = "The application was refused. The council refused it. The tenant, after a long wait, refused."
    assert lint(text) == []
    assert lint("The tenant refused the offer.") == [("ZZ002", "refused", 1, 12, 1, 19)]


def test_phrase_split_across_a_line_break_matches_with_exact_end(lint):
    assert lint("Patients who failed to\n   attend twice.") == [("ZZ004", "failed to\n   attend", 1, 14, 2, 10)]


def test_hyphen_variants(lint):
    found = lint("non-compliant, noncompliant and non compliant")
    assert [f[1] for f in found] == ["non-compliant", "noncompliant", "non compliant"]


def test_longest_pattern_wins_and_suggestion_fits_the_form(zz_config):
    findings = Linter(zz_config).lint_text("He is an addict. Addicts wait. The addict left.")
    assert [(f.match, f.suggestions) for f in findings] == [
        ("an addict", ("a person who uses drugs",)),
        ("Addicts", ("People who use drugs",)),  # case follows the match
        ("addict", ("person who uses drugs",)),
    ]


def test_neighbour_conditions_and_exceptions(lint):
    assert lint("Glue abuse. Domestic abuse. Child sexual abuse. An abuse of trust.") == [("ZZ003", "abuse", 1, 6, 1, 11)]


def test_protected_terms_are_never_flagged(lint):
    assert lint("We run a substance use service.") == []


@pytest.mark.parametrize(
    "text",
    [
        'Avoid terms like "addicts" in letters.',
        "We will not use the term addicts.",
        "Say people who use drugs rather than addicts.",
        "Use ‘person who uses drugs’, not ‘addict’.",
    ],
)
def test_mentions_are_not_reported(lint, text):
    assert lint(text) == []


def test_mentions_reported_when_asked(zz_config):
    linter = Linter(zz_config.merged(mentions="report"))
    assert [f.match for f in linter.lint_text('Avoid terms like "addicts".')] == ["addicts"]


def test_block_condition_looks_at_the_whole_paragraph(lint):
    text = "Staff may use restraint.\n\nStaff may use restraint. It is a last resort."
    assert lint(text) == [("ZZ005", "restraint", 1, 15, 1, 24)]


def test_sentence_context_and_suggestions_in_finding(zz_config):
    (f,) = Linter(zz_config).lint_text("Intro line.\n\nThe patient refused food. Then left.")
    assert f.context == "The patient refused food."
    assert f.suggestions == ("declined", "chose not to")
    assert f.sources[0].id == "VA"
    assert f.message == "'refused' frames a person's choice as defiance."


def test_document_condition_looks_at_every_block(lint):
    flagged = "# Seclusion\n\nSeclusion may be used.\n\nStaff record each use.\n"
    assert lint(flagged) == [("ZZ006", "Seclusion", 3, 1, 3, 10)]  # the heading names the topic only
    # the safeguard sits in a paragraph the prefilter skips (no rule word in it)
    assert lint(flagged + "\nIt is always the least restrictive option.\n") == []


def test_a_longer_hit_of_another_rule_wins(tmp_path):
    from tilint.config import Config

    pack = tmp_path / "nested.yaml"
    pack.write_text(
        """pack: nested
prefix: NE
category: nested
description: Two rules whose matches nest.
rules:
"""
        + "".join(
            f"""  - id: NE00{i}
    name: rule-{i}
    severity: warning
    message: "'{{match}}' test."
    patterns: [{{phrase: "{phrase}"}}]
    suggestions: [x]
    rationale: Exists to test nested hits of two rules.
    sources: [VA]
    examples: {{fail: ["{phrase}"], pass: ["nothing"]}}
"""
            for i, phrase in ((1, "refuse"), (2, "refuse to engage"))
        )
    )
    linter = Linter(Config(extra_rules=(str(pack),), select=("NE",)))
    assert [(f.rule_id, f.match) for f in linter.lint_text("They refuse to engage. They refuse.")] == [("NE002", "refuse to engage"), ("NE001", "refuse")]


def test_section_condition_looks_under_the_same_heading(lint):
    text = (
        "# Policy\n\n## Isolation room\n\nPupils may go to the isolation room.\n\n### Safeguards\n\nIt is a last resort.\n\n"
        "## Other rooms\n\nThe isolation room is also used for exams.\n"
    )
    # the first section (and its subsection) has the safeguard; the last one does not
    assert lint(text) == [("ZZ007", "isolation room", 13, 5, 13, 19)]


def test_a_library_caller_keeps_no_garbage_cycle_alive():
    """Building engines, compiling rules and loading coverage's model in a library or
    language-server process must not freeze the caller's objects (gc.freeze is for the
    tilint command only): a cycle dropped by the caller is collected."""
    import gc
    import weakref

    class Cycle:
        pass

    config = Config(coverage={"framework": "samhsa-4r", "enabled": True})
    refs = []
    for text in ("Addicts wait.", "The patient absconded.", "Zero tolerance applies. Staff understand trauma."):
        held = Cycle()
        held.me = held
        refs.append(weakref.ref(held))
        Linter(config).lint_text(text)
        del held
    gc.collect()
    assert [r() for r in refs] == [None, None, None]
