"""Inline suppression: block, next-line, same-line and text-file directives."""

from __future__ import annotations

import pytest

from tilint.linter import Linter


@pytest.fixture(scope="module")
def lint(zz_config):
    linter = Linter(zz_config)
    return lambda text, fmt="markdown": [(f.rule_id, f.line) for f in linter.lint_text(text, format=fmt)]


def test_disable_and_enable_a_block(lint):
    text = "The addict.\n\n<!-- tilint-disable ZZ001 -->\nThe addict.\n\nThe patient refused.\n<!-- tilint-enable ZZ001 -->\n\nThe addict.\n"
    assert lint(text) == [("ZZ001", 1), ("ZZ002", 6), ("ZZ001", 9)]


def test_disable_without_rules_disables_everything_until_enable(lint):
    text = "<!-- tilint-disable -->\nThe addict refused.\n<!-- tilint-enable -->\n\nThe addict.\n"
    assert lint(text) == [("ZZ001", 5)]


def test_disable_next_line_covers_only_the_next_line(lint):
    text = "<!-- tilint-disable-next-line ZZ001 -->\nThe addict.\nThe addict.\n"
    assert lint(text) == [("ZZ001", 3)]


def test_selectors_by_prefix_and_category(lint):
    assert lint("<!-- tilint-disable-next-line ZZ -->\nThe addict.\n") == []
    assert lint("<!-- tilint-disable-next-line engine-test -->\nThe addict.\n") == []


def test_text_file_ignore_comment_covers_its_line(lint):
    text = "The addict. tilint: ignore ZZ001\nThe addict.\n"
    assert lint(text, "text") == [("ZZ001", 2)]


def test_unknown_rule_in_a_suppression_is_reported(zz_config):
    findings = Linter(zz_config).lint_text("<!-- tilint-disable-next-line XX999 -->\nThe addict.\n")
    assert [(f.rule_id, f.line, f.column, f.match) for f in findings] == [
        ("TIL001", 1, 1, "<!-- tilint-disable-next-line XX999 -->"),
        ("ZZ001", 2, 5, "addict"),
    ]
    assert findings[0].severity == "error"
    assert findings[0].message == "unknown rule id, prefix or category 'XX999' in this suppression comment; known prefixes: AT, BH, BL, CE, CO, CS, CV, DG, FM, ID, IX, LB, MH, PU, RK, RL, RP, SH, SU, TIL, VV, ZZ (see `tilint rules`)"


def test_disable_file_covers_every_line_wherever_it_stands(lint):
    text = "The addict.\n\nThe patient refused.\n\n<!-- tilint-disable-file ZZ001 -->\n"
    assert lint(text) == [("ZZ002", 3)]
