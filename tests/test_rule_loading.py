"""Strict rule loading: each defect gives `file:line: rule ID: problem`."""

from __future__ import annotations

import pytest

from tilint.engine import Engine
from tilint.ruleset import load_ruleset
from tilint.yamlutil import DataError

HEAD = "pack: demo\nprefix: DM\ncategory: demo\ndescription: A pack for loader tests.\nrules:\n"
RULE = """  - id: DM001
    name: demo-rule
    severity: warning
    message: "'{match}' is a demo."
    patterns:
      - phrase: demo word
    suggestions: [other]
    rationale: Exists to test the loader's messages.
    sources: [VA]
    examples: {fail: ["a demo word"], pass: ["nothing"]}
"""


def load(write, body: str):
    path = write("pack.yaml", HEAD + body)
    return path, load_ruleset(extra=[path], builtin=False)


def test_valid_pack_loads(write):
    _, rules = load(write, RULE)
    assert [r.id for r in rules] == ["DM001"]


@pytest.mark.parametrize(
    "body,expected",
    [
        (RULE.replace("    severity: warning\n", "    severity: warning\n    colour: red\n"), "9: rule DM001: unknown key 'colour'"),
        (RULE.replace("    rationale: Exists to test the loader's messages.\n", ""), "6: rule DM001: 'rationale' is required"),
        (RULE.replace("severity: warning", "severity: high"), "8: rule DM001: severity: 'high' is not one of error, warning, info"),
        (RULE.replace("sources: [VA]", "sources: [NOPE]"), "14: rule DM001: unknown source 'NOPE' (not in sources.yaml)"),
        (RULE.replace("id: DM001", "id: XY001"), "6: rule XY001: id must start with the pack prefix 'DM'"),
        (RULE.replace("- phrase: demo word", "- phrase: demo word\n        tokens: [{LOWER: x}]"), "11: rule DM001: patterns[0]: must have exactly one of 'phrase' or 'tokens'"),
        (RULE.replace("- phrase: demo word", "- tokens: [{COLOUR: red}]"), "11: rule DM001: patterns[0].tokens[0]: unknown key 'COLOUR'"),
        (RULE + RULE, "16: rule DM001: duplicate id"),
    ],
)
def test_defects_name_file_line_and_rule(write, body, expected):
    with pytest.raises(DataError) as err:
        load(write, body)
    message = str(err.value)
    assert message.startswith(f"{write('pack.yaml', HEAD + body)}:")
    assert expected in message, message


def test_bad_token_pattern_detected_by_spacy_at_compile(write):
    body = RULE.replace("- phrase: demo word", "- tokens: [{LOWER: {IN: x}}]")
    with pytest.raises(DataError) as err:
        _, rules = load(write, body)
        Engine(rules).warm()
    assert "rule DM001" in str(err.value) and "patterns[0]" in str(err.value)


def test_invalid_yaml_gives_line(write):
    with pytest.raises(DataError) as err:
        load(write, RULE + "  - id: [unclosed\n")
    assert "invalid YAML" in str(err.value) and ":17:" in str(err.value)


def test_yaml_booleans_in_token_patterns_get_a_helpful_message(write):
    with pytest.raises(DataError) as err:
        load(write, RULE.replace("- phrase: demo word", "- tokens: [{NORM: kick}, {LOWER: off}]"))
    assert "patterns[0].tokens[1].LOWER: must be a string, not false (quote YAML words such as off, no, yes)" in str(err.value)


@pytest.mark.parametrize(
    "regex, problem",
    [
        ("(a+)+$", "nests a repeat inside a repeat"),
        ("(.*)*x", "nests a repeat inside a repeat"),
        ("^(\\\\w{2,})*!", "nests a repeat inside a repeat"),
        ("(a|a)*b", "repeats alternatives that can match the same text"),
        ("^(care|carer)+$", "repeats alternatives that can match the same text"),
        ("(unclosed", "does not compile: missing ), unterminated subpattern"),
    ],
)
def test_a_regex_that_can_backtrack_catastrophically_is_refused_at_load(write, regex: str, problem: str):
    body = RULE.replace("- phrase: demo word", f'- tokens: [{{LOWER: {{REGEX: "{regex}"}}}}]')
    with pytest.raises(DataError) as err:
        load(write, body)
    message = str(err.value)
    assert message.startswith(f"{write('pack.yaml', HEAD + body)}:11: rule DM001: patterns[0].tokens[0].LOWER.REGEX: "), message
    assert problem in message and "\n" not in message


@pytest.mark.parametrize("regex", ["^re-?traumati[sz]", "^[a-z-]+(ed|en|wn|ught)$", "^(cat|dog)+$", "^(ab|cd){1,3}$", "(x|\\\\w)+"])
def test_a_safe_regex_still_loads(write, regex: str):
    _, rules = load(write, RULE.replace("- phrase: demo word", f'- tokens: [{{LOWER: {{REGEX: "{regex}"}}}}]'))
    assert rules.get("DM001").patterns[0]["tokens"][0]["LOWER"]["REGEX"] == regex.replace("\\\\", "\\")


def test_data_error_survives_pickling():
    # a worker process sends its DataError back to the parent by pickle
    import pickle

    err = pickle.loads(pickle.dumps(DataError("rules/x.yaml", "bad pattern", 12, "rule XX001")))
    assert (err.path, err.problem, err.line, err.where) == ("rules/x.yaml", "bad pattern", 12, "rule XX001")
    assert str(err) == "rules/x.yaml:12: rule XX001: bad pattern"
