"""Defects a QA pass found in the command line: a report written into the folder it
checks, specific selectors under broad ignores, and --show-config PATH."""

from __future__ import annotations

import json

import pytest

from .cli_run import ZZ

BAD = "The addict left.\n"


# -- `tilint check . -o report.txt` failed on every re-run (its last report was an input) ------


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github"])
def test_check_runs_again_over_its_own_report(run_cli, write, tmp_path, fmt):
    write("p.md", BAD)
    first = run_cli("check", *ZZ, "--format", fmt, ".", "-o", "report.txt")
    assert (first.code, first.out, first.err) == (1, "", "")
    report = (tmp_path / "report.txt").read_text(encoding="utf-8")
    again = run_cli("check", *ZZ, "--format", fmt, ".", "-o", "report.txt")
    assert (again.code, again.out, again.err) == (1, "", "")
    assert (tmp_path / "report.txt").read_text(encoding="utf-8") == report  # not a second input's findings


def test_a_named_output_or_a_document_found_as_the_output_is_still_refused(run_cli, write, tmp_path):
    write("p.md", BAD)
    run_cli("check", *ZZ, ".", "-o", "report.txt")
    named = run_cli("check", *ZZ, ".", "report.txt", "-o", "report.txt")
    assert (named.code, named.err) == (2, "tilint: error: --output report.txt is one of the files being checked (report.txt); refusing to overwrite it\n")
    found = run_cli("check", *ZZ, ".", "-o", "p.md")  # a policy, not an earlier report
    assert (found.code, found.err) == (2, "tilint: error: --output p.md is one of the files being checked (p.md); refusing to overwrite it\n")
    assert (tmp_path / "p.md").read_text() == BAD


def test_baseline_and_coverage_run_again_over_their_own_output(run_cli, write, tmp_path):
    write("p.md", BAD)
    assert run_cli("check", *ZZ, ".", "--write-baseline", "base.json").code == 0
    again = run_cli("check", *ZZ, ".", "--write-baseline", "base.json")
    assert (again.code, again.err) == (0, "tilint: recorded 1 finding in base.json\n")
    for fmt in ("text", "json"):
        assert run_cli("coverage", ".", "--format", fmt, "-o", "cov.txt").code == 0
        first = json.dumps((tmp_path / "cov.txt").read_text())
        res = run_cli("coverage", ".", "--format", fmt, "-o", "cov.txt")
        assert (res.code, res.err) == (0, "")
        assert json.dumps((tmp_path / "cov.txt").read_text()) == first
        (tmp_path / "cov.txt").unlink()
