"""Markdown and text: what is linted, and exact positions in the original file."""

from __future__ import annotations

import pytest

from tilint.linter import Linter

DOC = """---
title: Addicts policy
owner: addicts team
---
# Addicts and services

Some text with `addicts` in code and <!-- addicts --> a comment.
See [the addicts page](https://example.org/addicts) and https://example.org/addicts.

```
addicts in a fence
```

    addicts in an indented block

- A list item about addicts.

| Term | Note |
|------|------|
| x    | addicts here |
"""


@pytest.fixture(scope="module")
def linter(zz_config):
    return Linter(zz_config)


def positions(linter, path):
    return [(f.match, f.line, f.column, f.end_line, f.end_column) for f in linter.lint_file(path).findings]


def test_code_front_matter_urls_and_comments_are_skipped(linter, write):
    path = write("policy.md", DOC)
    assert positions(linter, path) == [
        ("Addicts", 5, 3, 5, 10),
        ("addicts", 8, 10, 8, 17),
        ("addicts", 16, 21, 16, 28),
        ("addicts", 20, 10, 20, 17),
    ]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_crlf_gives_the_same_positions(linter, write, newline):
    path = write("crlf.md", "# Title\n\nLine one.\nThe patient\nrefused it.\n", newline=newline)
    (f,) = linter.lint_file(path).findings
    assert (f.line, f.column, f.end_line, f.end_column) == (5, 1, 5, 8)
    assert f.match == "refused"


def test_match_is_exact_source_text_across_lines(linter, write):
    path = write("wrap.md", "Patients who fail to\n  attend are contacted.\n")
    (f,) = linter.lint_file(path).findings
    assert f.match == "fail to\n  attend"
    assert (f.line, f.column, f.end_line, f.end_column) == (1, 14, 2, 9)


def test_plain_text_masks_urls_only(linter, write):
    path = write("notes.txt", "Visit http://x.org/addicts now.\n`addicts` here.\n")
    assert positions(linter, path) == [("addicts", 2, 2, 2, 9)]


def test_sections_name_the_heading_path(linter, write):
    path = write("sections.md", "# Policy\n\n## Missed appointments\n\nThe addict left.\n")
    (f,) = linter.lint_file(path).findings
    assert f.location == {"section": "Policy > Missed appointments"}


def test_emphasis_does_not_break_a_phrase(linter, write):
    path = write("em.md", "People who **fail to attend** are called.\n")
    (f,) = linter.lint_file(path).findings
    assert (f.match, f.column, f.end_column) == ("fail to attend", 14, 28)


def test_a_link_destination_wrapped_over_lines_is_not_prose(linter, write):
    # web pages exported to Markdown wrap long link targets; the words in the target
    # ("...-addicts-...") are part of the address, not the policy's wording
    text = ("Read [the guidance\n](https://example.org/services/support-for-\n"
            "addicts-and-families/) and the addicts page.\n\n"
            "[Not a link](https://example.org/\nwhere addicts wait) here.\n")
    path = write("wrapped.md", text)
    assert positions(linter, path) == [
        ("addicts", 3, 32, 3, 39),
        ("addicts", 6, 7, 6, 14),
    ]


def test_a_backslash_hard_line_break_ends_the_sentence_before_it(linter, write):
    # converters write "text.\" at the end of a line; the backslash is markup, and the
    # sentence after it is a sentence of its own (sentence context must not leak)
    path = write("hardbreak.md", "Addicts wait in the hall.\\\nStaff review each case.\n")
    (f,) = linter.lint_file(path).findings
    assert (f.match, f.line, f.column, f.context) == ("Addicts", 1, 1, "Addicts wait in the hall.")
