"""The command line: output formats, exit codes, and bad input that never stops a run."""

from __future__ import annotations

import json

import pytest

from .conftest import ENGINE_PACK, local_engine_pack

ZZ = ("--rules", str(ENGINE_PACK), "--select", "ZZ")


def test_json_schema_of_a_finding(run_cli, write):
    write("p.md", "# Policy\n\nThe patient refused food.\n")
    res = run_cli("check", "--format", "json", *ZZ, "p.md")
    assert res.code == 0  # ZZ002 is info, below the default fail-on
    data = res.json()
    assert data["version"] == 1
    (file,) = data["files"]
    assert file["path"] == "p.md" and file["errors"] == []
    (f,) = file["findings"]
    assert {k: f[k] for k in ("rule_id", "name", "category", "severity", "match", "line", "column", "end_line", "end_column", "context", "suggestions")} == {
        "rule_id": "ZZ002",
        "name": "refused-person",
        "category": "engine-test",
        "severity": "info",
        "match": "refused",
        "line": 3,
        "column": 13,
        "end_line": 3,
        "end_column": 20,
        "context": "The patient refused food.",
        "suggestions": ["declined", "chose not to"],
    }
    assert f["message"] == "'refused' frames a person's choice as defiance."
    assert f["sources"][0]["id"] == "VA" and f["sources"][0]["url"].startswith("https://")
    assert set(f["sources"][0]) >= {"id", "title", "url"}


@pytest.mark.parametrize(
    "text,fail_on,code",
    [
        ("All clear here.\n", None, 0),
        ("The patient refused.\n", None, 0),  # info is below the default threshold
        ("The patient refused.\n", "info", 1),
        ("The addict left.\n", None, 1),  # warning
        ("The addict left.\n", "error", 0),
    ],
)
def test_exit_codes_follow_fail_on(run_cli, write, text, fail_on, code):
    write("p.md", text)
    args = ["check", *ZZ, "p.md"] + (["--fail-on", fail_on] if fail_on else [])
    assert run_cli(*args).code == code


def test_select_and_ignore_by_id_prefix_and_category(run_cli, write):
    write("p.md", "The patient refused. The addict left.\n")

    def ids(*extra):
        return [f["rule_id"] for f in run_cli("check", "--format", "json", "--rules", str(ENGINE_PACK), *extra, "p.md").json()["files"][0]["findings"]]

    assert ids("--select", "ZZ") == ["ZZ002", "ZZ001"]  # in text order
    assert ids("--select", "ZZ002") == ["ZZ002"]
    assert ids("--select", "engine-test", "--ignore", "ZZ001") == ["ZZ002"]


def test_bad_inputs_each_get_one_line_and_exit_2_while_others_are_checked(run_cli, write, tmp_path):
    write("good.md", "The addict left.\n")
    write("empty.md", "")
    write("binary.txt", b"\x00\x01\x02PK\x03\x04" * 20)
    write("latin.txt", "Caf\xe9: the addict left.\n".encode("cp1252"))
    write("utf16.txt", "The addict left.\n".encode("utf-16"))
    res = run_cli("check", *ZZ, "--format", "json", ".", "missing.md")
    assert res.code == 2
    files = {f["path"]: f for f in res.json()["files"]}
    assert files["empty.md"]["errors"] == [{"message": "file is empty"}]
    assert files["binary.txt"]["errors"] == [{"message": "binary file, not text"}]
    assert files["missing.md"]["errors"] == [{"message": "no such file or directory"}]
    for name in ("good.md", "latin.txt", "utf16.txt"):
        assert files[name]["errors"] == [] and [f["match"] for f in files[name]["findings"]] == ["addict"], name
    assert files["latin.txt"]["findings"][0]["column"] == 11


def test_text_output_errors_are_one_line_each_without_traceback(run_cli, write):
    write("empty.md", "")
    res = run_cli("check", *ZZ, "--color", "never", "empty.md")
    assert res.code == 2
    assert "empty.md: error: file is empty" in res.out
    assert "Traceback" not in res.out + res.err


def test_text_output_groups_by_file_and_shows_sentence_suggestion_source(run_cli, write):
    write("a.md", "Intro.\n\nThe addict left early.\n")
    res = run_cli("check", *ZZ, "--color", "never", "a.md")
    lines = res.out.splitlines()
    assert lines[0] == "a.md"
    assert lines[1] == "a.md:3:5: warning ZZ001 'addict' defines a person by their drug use."
    assert lines[2] == "    │ The addict left early."
    assert lines[3] == '    → try: "person who uses drugs"'
    assert lines[4].startswith("    source: ")
    assert lines[-2:] == ["1 finding (1 warning) in 1 of 1 file checked.", "by category: engine-test 1"]


def test_include_and_exclude_globs(run_cli, write):
    write("docs/a.md", "The addict.\n")
    write("docs/b.txt", "The addict.\n")
    write("docs/drafts/c.md", "The addict.\n")
    res = run_cli("check", *ZZ, "--format", "json", "--include", "*.md", "--exclude", "*/drafts/*", "docs")
    assert [f["path"] for f in res.json()["files"]] == ["docs/a.md"]


def test_broken_rule_file_is_a_clear_error(run_cli, write):
    write("bad.yaml", "pack: x\nprefix: XX\ncategory: x\ndescription: a broken pack here\nrules:\n  - id: XX001\n    name: x\n")
    res = run_cli("check", "--rules", "bad.yaml", "--select", "XX", ".")
    assert res.code == 2
    assert res.err.strip().startswith("tilint: error: bad.yaml:6: rule XX001: ")
    assert "Traceback" not in res.err


def test_pattern_spacy_refuses_is_a_clear_error(run_cli, write):
    # an unquoted YAML word ("on") inside an IN list passes the schema; spaCy refuses the
    # pattern when rules compile, in the worker process, and the error must still come
    # back as one line naming the file, with exit code 2
    write("p.md", "Go to at once.\n")
    write("bad.yaml", "pack: x\nprefix: XX\ncategory: x\ndescription: a broken pack here\nrules:\n"
          "  - id: XX001\n    name: x-rule\n    severity: info\n    message: \"'{match}' x\"\n"
          "    patterns:\n      - tokens: [{LOWER: {IN: [to, on]}}, {LOWER: at}]\n    suggestions: [y]\n"
          "    rationale: a long enough rationale for the schema\n    sources: [VA]\n"
          "    examples: {fail: [\"to at\"], pass: [\"no\"]}\n")
    res = run_cli("check", "--isolated", "--no-cache", "--rules", "bad.yaml", "p.md")
    assert res.code == 2
    assert res.err.strip().startswith("tilint: error: bad.yaml:6: rule XX001: patterns[0]: invalid pattern")
    assert len(res.err.strip().splitlines()) == 1 and "internal error" not in res.err


def test_broken_config_is_a_clear_error(run_cli, write):
    write(".tilint.yaml", "fail-on: [\n")
    res = run_cli("check", ".")
    assert res.code == 2 and res.err.startswith("tilint: error: ") and ".tilint.yaml" in res.err and "invalid YAML" in res.err


def test_usage_error_exits_2(run_cli):
    with pytest.raises(SystemExit) as exc:
        run_cli("check", "--fail-on", "never")
    assert exc.value.code == 2


def test_rules_json_and_explain(run_cli):
    data = run_cli("rules", "--format", "json", *ZZ).json()
    assert [r["id"] for r in data["rules"]] == ["ZZ001", "ZZ002", "ZZ003", "ZZ004", "ZZ005", "ZZ006", "ZZ007", "ZZ008", "ZZ009"]
    assert data["rules"][0]["sources"][0]["id"] == "VA"
    res = run_cli("explain", "zz002", "--rules", str(ENGINE_PACK))
    assert res.code == 0 and res.out.startswith("ZZ002 refused-person")
    assert "The application was refused." in res.out and "declined" in res.out
    missing = run_cli("explain", "QQ123")
    assert missing.code == 2 and "unknown rule id, prefix or category 'QQ123' in `tilint explain`" in missing.err


def test_output_file(run_cli, write, tmp_path):
    write("p.md", "The addict.\n")
    res = run_cli("check", *ZZ, "--format", "json", "--output", "report.json", "p.md")
    assert res.code == 1 and res.out == ""
    assert json.loads((tmp_path / "report.json").read_text())["files"][0]["findings"][0]["rule_id"] == "ZZ001"


def test_parallel_and_serial_scans_give_identical_output(run_cli, write):
    for i in range(12):
        write(f"docs/{i:02d}.md", f"# Doc {i}\n\nThe addict number {i} left.\n\nThe patient refused.\n")
    write("docs/empty.md", "")
    serial = run_cli("check", *ZZ, "--format", "json", "-j", "1", "docs")
    parallel = run_cli("check", *ZZ, "--format", "json", "-j", "2", "docs")
    assert serial.code == parallel.code == 2
    assert serial.out == parallel.out
    assert len(serial.json()["files"]) == 13


def test_check_with_coverage_reports_missing_required_principles(run_cli, write):
    write(".tilint.yaml", "coverage:\n  require: [realise, resist]\n")
    write("p.md", "# Policy\n\nStaff will only use restraint as a last resort and will always debrief afterwards.\n")
    res = run_cli("check", "--format", "json", "--select", "CV", "p.md")
    (file,) = res.json()["files"]
    assert [f["rule_id"] for f in file["findings"]] == ["CV101"]
    assert {p["id"]: p["status"] for p in file["coverage"]["principles"]} == {"realise": "missing", "recognise": "missing", "respond": "missing", "resist": "partial"}
    assert res.code == 1


def test_coverage_flag_and_framework_option(run_cli, write):
    write("docs/p.md", "# Policy\n\nWe keep records.\n")
    flag = run_cli("check", "--isolated", "--coverage", "--format", "json", "docs").json()
    assert flag["files"][0]["coverage"]["framework"] == "samhsa-4r"
    named = run_cli("check", "--isolated", "--framework", "ohid-6", "--format", "json", "docs").json()
    assert named["files"][0]["coverage"]["framework"] == "ohid-6"


def test_coverage_and_meta_findings_are_reported_unless_ignored(run_cli, write):
    write(".tilint.yaml", "coverage:\n  require: [realise]\n")
    write("p.md", "<!-- tilint-disable-next-line XX999 -->\nThe addict left.\n")

    def ids(*args):
        return [f["rule_id"] for f in run_cli("check", "--format", "json", "--rules", str(ENGINE_PACK), *args, "p.md").json()["files"][0]["findings"]]

    assert ids("--select", "ZZ") == ["CV101", "TIL001", "ZZ001"]
    assert ids("--select", "ZZ", "--ignore", "TIL001,coverage") == ["ZZ001"]
    assert ids("--select", "ZZ", "--ignore", "CV") == ["TIL001", "ZZ001"]


def test_unwritable_output_file_is_a_clear_error(run_cli, write):
    write("p.md", "Fine text.\n")
    res = run_cli("check", "--output", "no/such/folder/report.json", "p.md")
    assert res.code == 2
    assert res.err.strip() == "tilint: error: cannot write no/such/folder/report.json: No such file or directory"


def test_folder_scan_skips_hidden_and_package_folders(run_cli, write):
    write("policies/a.md", "The addict.\n")
    for folder in (".git", ".venv", "node_modules/pkg", "lib/site-packages/x"):
        write(f"policies/{folder}/README.md", "The addict.\n")
    res = run_cli("check", *ZZ, "--format", "json", "policies")
    assert [f["path"] for f in res.json()["files"]] == ["policies/a.md"]


def test_per_file_ignores_and_severity_overrides_from_config(run_cli, write, tmp_path):
    local_engine_pack(tmp_path)
    write(".tilint.yaml", "extra-rules: [zz-pack.yaml]\nselect: [ZZ]\nper-file-ignores:\n  'archive/*': [ZZ001]\nseverity: {ZZ002: error}\n")
    write("archive/old.md", "The addict left. The patient refused.\n")
    write("current.md", "The addict left. The patient refused.\n")
    files = {f["path"]: f["findings"] for f in run_cli("check", "--format", "json", ".").json()["files"]}
    assert [(f["rule_id"], f["severity"]) for f in files["archive/old.md"]] == [("ZZ002", "error")]
    assert [(f["rule_id"], f["severity"]) for f in files["current.md"]] == [("ZZ001", "warning"), ("ZZ002", "error")]
    assert run_cli("check", "--fail-on", "error", "archive").code == 1
