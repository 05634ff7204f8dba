"""Defects a QA pass found in the command line: a report written into the folder it
checks, specific selectors under broad ignores, and --show-config PATH."""

from __future__ import annotations

import json

import pytest

from .cli_run import ZZ

BAD = "The addict left.\n"


# -- `tilint check . -o report.txt` failed on every re-run (its last report was an input) ------


@pytest.mark.parametrize("fmt", ["text", "concise", "json", "sarif", "junit", "github"])
def test_check_runs_again_over_its_own_report(run_cli, write, tmp_path, fmt):
    write("p.md", BAD)
    write("photo.png", b"\x89PNG")  # not checked: the text summary then ends otherwise
    first = run_cli("check", *ZZ, "--format", fmt, ".", "-o", "report.txt")
    assert (first.code, first.out, first.err) == (1, "", "")
    report = (tmp_path / "report.txt").read_text(encoding="utf-8")
    again = run_cli("check", *ZZ, "--format", fmt, ".", "-o", "report.txt")
    assert (again.code, again.out, again.err) == (1, "", "")
    assert (tmp_path / "report.txt").read_text(encoding="utf-8") == report  # not a second input's findings


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_statistics_run_again_over_their_own_output(run_cli, write, tmp_path, fmt):
    write("p.md", BAD + "The addicts left.\n")
    assert run_cli("check", *ZZ, "--statistics", "--format", fmt, ".", "-o", "stats.txt").code == 1
    report = (tmp_path / "stats.txt").read_text(encoding="utf-8")
    again = run_cli("check", *ZZ, "--statistics", "--format", fmt, ".", "-o", "stats.txt")
    assert (again.code, again.err) == (1, "")
    assert (tmp_path / "stats.txt").read_text(encoding="utf-8") == report


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


# -- `--select BL001 --ignore BL` enabled nothing: the more specific selector wins (as ruff) ----


def _ids(run_cli, *options: str) -> list[str]:
    res = run_cli("rules", "--format", "json", *options)
    assert res.code == 0, res.err
    return [r["id"] for r in json.loads(res.out)["rules"]]


def test_the_more_specific_selector_wins(run_cli, write):
    assert _ids(run_cli, "--select", "BL001", "--ignore", "BL") == ["BL001"]
    assert _ids(run_cli, "--select", "BL", "--ignore", "BL001") == [i for i in _ids(run_cli, "--select", "BL") if i != "BL001"]
    assert _ids(run_cli, "--select", "BL001", "--ignore", "BL001") == []  # equal specificity: ignore wins
    assert "BL001" not in _ids(run_cli, "--select", "BL0", "--ignore", "BL00") != []
    assert _ids(run_cli, "--select", "BL001", "--ignore", "blame-deficit") == ["BL001"]  # an id is more specific than a category
    write(".tilint.yaml", "select: [BL001]\nignore: [BL]\n")
    assert _ids(run_cli) == ["BL001"]
    write("p.md", "Patients who fail to attend are discharged.\n")
    res = run_cli("check", "--format", "json", "p.md")
    assert [f["rule_id"] for f in json.loads(res.out)["files"][0]["findings"]] == ["BL001"]


def test_per_file_ignores_still_remove_a_specifically_selected_rule(run_cli, write):
    write(".tilint.yaml", "select: [BL001]\nignore: [BL]\nper-file-ignores:\n  'old/*': [BL001]\n")
    write("p.md", "Patients who fail to attend are discharged.\n")
    write("old/p.md", "Patients who fail to attend are discharged.\n")
    res = run_cli("check", "--format", "json", ".")
    assert {f["path"]: [x["rule_id"] for x in f["findings"]] for f in json.loads(res.out)["files"]} == {"old/p.md": [], "p.md": ["BL001"]}


def test_coverage_findings_follow_the_same_specificity(run_cli, write):
    # coverage findings are asked for by `coverage.require`; a broad ignore still drops them
    # unless a selector names them more specifically, and a per-file-ignore always does
    write(".tilint.yaml", "coverage:\n  require: [realise, resist]\nper-file-ignores:\n  'old/*': [CV101]\n")
    write("p.md", "We keep records.\n")
    write("old/p.md", "We keep records.\n")

    def ids(*options: str) -> dict[str, list[str]]:
        res = run_cli("check", "--format", "json", *options, ".")
        return {f["path"]: [x["rule_id"] for x in f["findings"]] for f in json.loads(res.out)["files"]}

    assert ids() == {"old/p.md": ["CV104"], "p.md": ["CV101", "CV104"]}
    assert ids("--ignore", "CV") == {"old/p.md": [], "p.md": []}
    assert ids("--select", "CV101", "--ignore", "CV") == {"old/p.md": [], "p.md": ["CV101"]}
    assert ids("--select", "CV", "--ignore", "CV101") == {"old/p.md": ["CV104"], "p.md": ["CV104"]}


# -- `tilint check --show-config PATH` ignored PATH (ruff's --show-settings PATH does not) ------


def test_show_config_for_a_path_is_the_config_check_uses_there(run_cli, write, tmp_path):
    write(".tilint.yaml", "fail-on: error\n")
    write("org/.tilint.yaml", "fail-on: info\nignore: [BL001]\n")
    write("org/p.md", "Hello.\n")
    root, org = str(tmp_path / ".tilint.yaml"), str(tmp_path / "org" / ".tilint.yaml")
    for args, path, fail_on in [((), root, "error"), (("org/p.md",), org, "info"), (("org",), org, "info"), (("p.md",), root, "error"), (("org/p.md", "p.md"), org, "info")]:
        res = run_cli("check", "--show-config", *args)
        assert (res.code, res.err) == (0, "")
        assert (res.json()["config-file"], res.json()["fail-on"]) == (path, fail_on), args
    assert run_cli("check", "--show-config", "--ignore", "SU", "org").json()["ignore"] == ["BL001", "SU"]
    assert run_cli("check", "--show-config", "--isolated", "org").json()["config-file"] is None
    assert run_cli("check", "--show-config", "--config", ".tilint.yaml", "org/p.md").json()["fail-on"] == "error"
