"""CI output formats: SARIF (validated against the official schema), GitHub annotations, JUnit XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from tilint.formatters import FORMATS, Report
from tilint.formatters._paths import artifact_uri, relative_path
from tilint.formatters.github import escape_data, escape_property
from tilint.formatters.junit import to_element
from tilint.models import FileError, FileResult, Finding
from tilint.ruleset import RuleSet

from .conftest import DATA, local_engine_pack

SARIF_SCHEMA = DATA / "sarif-schema-2.1.0.json"
ODD = "docs/100%,a:b.md"  # a name with every character GitHub needs escaped in a property


@pytest.fixture
def tree(write, tmp_path):
    """Four files: findings of three severities, a clean file, an unreadable file, a bad suppression."""
    local_engine_pack(tmp_path)
    write(".tilint.yaml", "extra-rules: [zz-pack.yaml]\nselect: [ZZ]\nseverity: {ZZ004: error}\n")
    write(ODD, "# Policy\n\nThe patient refused food.\n\nPatients who fail to attend will be discharged.\n")
    write("docs/clean.md", "All clear here.\n")
    write("docs/notes.txt", b"\x00\x01\x02\x03binary")
    write("docs/sup.md", "<!-- tilint-disable-next-line NOPE -->\nAddicts wait.\n")


def _validator():
    """Draft-07 validator over the shipped schema; the registry holds only local resources."""
    from jsonschema import Draft7Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    resource = Resource.from_contents(schema, default_specification=DRAFT7)
    registry = Registry().with_resource(schema["id"], resource)  # nothing else can be resolved
    return Draft7Validator(schema, registry=registry, format_checker=Draft7Validator.FORMAT_CHECKER)


def test_schema_is_the_official_one_and_fully_local():
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert schema["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    refs = [line.split('"$ref":')[1].strip() for line in SARIF_SCHEMA.read_text(encoding="utf-8").splitlines() if '"$ref":' in line]
    assert refs and all(ref.startswith('"#/') for ref in refs)


def test_sarif_is_valid_and_exact(run_cli, tree):
    res = run_cli("check", "docs", "--format", "sarif")
    assert res.code == 2  # the unreadable file
    sarif = res.json()
    validator = _validator()
    errors = sorted(validator.iter_errors(sarif), key=str)
    assert not errors, [e.message for e in errors[:5]]
    broken = json.loads(res.out)
    broken["runs"][0]["results"][0]["level"] = "info"  # our name for it, not SARIF's
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startColumn"] = 0
    assert len(list(validator.iter_errors(broken))) == 2  # the validator does bite
    assert sarif["version"] == "2.1.0"
    (run,) = sarif["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "tilint" and driver["version"]
    ids = [r["id"] for r in driver["rules"]]
    assert ids == ["ZZ001", "ZZ002", "ZZ003", "ZZ004", "ZZ005", "ZZ006", "ZZ007", "ZZ008", "ZZ009", "TIL001"]  # selected rules, then meta findings
    zz4 = driver["rules"][3]
    assert zz4["name"] == "failed-to-attend"
    assert zz4["shortDescription"]["text"] == "'…' blames the person for a missed appointment."
    assert zz4["fullDescription"]["text"] == "A test rule for lemma matching across line breaks and hyphen variants."
    assert zz4["help"]["text"].startswith("Suggestions: missed the appointment\nSource: NSPCC Learning")
    assert zz4["helpUri"] == "https://learning.nspcc.org.uk/news?type=26003"  # the series index
    assert zz4["properties"]["tags"] == ["engine-test"]
    rows = [
        (
            r["ruleId"],
            driver["rules"][r["ruleIndex"]]["id"],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            tuple(r["locations"][0]["physicalLocation"]["region"][k] for k in ("startLine", "startColumn", "endLine", "endColumn")),
        )
        for r in run["results"]
    ]
    assert rows == [
        ("ZZ002", "ZZ002", "note", "docs/100%25%2Ca%3Ab.md", (3, 13, 3, 20)),
        ("ZZ004", "ZZ004", "error", "docs/100%25%2Ca%3Ab.md", (5, 14, 5, 28)),
        ("TIL001", "TIL001", "error", "docs/sup.md", (1, 1, 1, 39)),
        ("ZZ001", "ZZ001", "warning", "docs/sup.md", (2, 1, 2, 8)),
    ]
    assert run["results"][1]["message"]["text"] == "'fail to attend' blames the person for a missed appointment."
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and note["message"]["text"] == "docs/notes.txt: binary file, not text"
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "docs/notes.txt"


def test_sarif_information_uri_comes_from_the_package_metadata(run_cli, tree, monkeypatch):
    import tilint.formatters.sarif as sarif

    monkeypatch.setattr(sarif, "_homepage", lambda: "https://example.org/tilint")
    data = run_cli("check", "docs/clean.md", "--format", "sarif").json()
    assert data["runs"][0]["tool"]["driver"]["informationUri"] == "https://example.org/tilint"
    assert not list(_validator().iter_errors(data))


def test_sarif_of_a_clean_run(run_cli, tree):
    res = run_cli("check", "docs/clean.md", "--format", "sarif")
    assert res.code == 0
    (run,) = res.json()["runs"]
    assert run["results"] == [] and run["invocations"][0] == {"executionSuccessful": True, "toolExecutionNotifications": []}
    assert not list(_validator().iter_errors(res.json()))


def test_github_annotations_are_exact(run_cli, tree):
    res = run_cli("check", "docs", "--format", "github")
    assert res.code == 2
    odd = "docs/100%25%2Ca%3Ab.md"
    assert res.out.splitlines() == [
        f"::notice file={odd},line=3,col=13,endLine=3,endColumn=20,title=ZZ002::'refused' frames a person's choice as defiance.%0ATry: \"declined\", \"chose not to\"",
        f"::error file={odd},line=5,col=14,endLine=5,endColumn=28,title=ZZ004::'fail to attend' blames the person for a missed appointment.%0ATry: \"miss the appointment\"",
        "::error file=docs/notes.txt::binary file, not text",
        "::error file=docs/sup.md,line=1,col=1,endLine=1,endColumn=39,title=TIL001::unknown rule id, prefix or category 'NOPE' in this suppression comment; known prefixes: AT, BH, BL, CE, CO, CS, CV, DG, FM, ID, IX, LB, MH, PU, RK, RL, RP, SH, SU, TIL, VV, ZZ (see `tilint rules`)%0ATry: \"check the id with `tilint rules`\"",
        "::warning file=docs/sup.md,line=2,col=1,endLine=2,endColumn=8,title=ZZ001::'Addicts' defines a person by their drug use.%0ATry: \"People who use drugs\"",
    ]


def test_github_escaping():
    assert escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert escape_property("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext%3A a%2C b"


def test_junit_counts_and_cases(run_cli, tree):
    res = run_cli("check", "docs", "--format", "junit")
    assert res.code == 2
    assert res.out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(res.out.encode("utf-8"))
    assert root.tag == "testsuites" and (root.get("tests"), root.get("failures"), root.get("errors")) == ("6", "4", "1")
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert list(suites) == [ODD, "docs/clean.md", "docs/notes.txt", "docs/sup.md"]
    counts = {name: (s.get("tests"), s.get("failures"), s.get("errors")) for name, s in suites.items()}
    assert counts == {ODD: ("2", "2", "0"), "docs/clean.md": ("1", "0", "0"), "docs/notes.txt": ("1", "0", "1"), "docs/sup.md": ("2", "2", "0")}
    (clean,) = suites["docs/clean.md"]
    assert clean.get("name") == "no findings" and len(clean) == 0
    failures = [(c.get("name"), c.find("failure").get("type"), c.find("failure").get("message")) for c in suites[ODD]]
    assert failures == [
        ("ZZ002 refused-person at 3:13", "info", "'refused' frames a person's choice as defiance."),
        ("ZZ004 failed-to-attend at 5:14", "error", "'fail to attend' blames the person for a missed appointment."),
    ]
    assert suites[ODD][1].find("failure").text.startswith(f"{ODD}:5:14: error ZZ004 ")
    (error,) = suites["docs/notes.txt"].iter("error")
    assert error.get("message") == "binary file, not text"


def test_junit_escapes_markup_and_drops_characters_xml_cannot_hold():
    nasty = 'a <b> & "c" \x0c\x00 \ud800'
    finding = Finding(
        rule_id="ZZ001", name="addict-label", category="t", severity="warning", message=nasty, match=nasty,
        line=1, column=1, end_line=1, end_column=2, context=nasty,
    )
    report = Report(results=[FileResult(path="a&b.md", findings=[finding], errors=[FileError(nasty)])], rules=RuleSet([]))
    root = ET.fromstring(ET.tostring(to_element(report), encoding="unicode"))
    case = root.find("testsuite/testcase[failure]")
    assert case.find("failure").get("message") == 'a <b> & "c" \ufffd\ufffd \ufffd'
    assert root.find("testsuite").get("name") == "a&b.md"
    assert root.find("testsuite/testcase/error").text == 'a <b> & "c" \ufffd\ufffd \ufffd'


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_output_file_holds_exactly_what_stdout_would(run_cli, tree, tmp_path, fmt):
    to_stdout = run_cli("check", "docs", "--format", fmt)
    to_file = run_cli("check", "docs", "--format", fmt, "--output", "report.out")
    assert to_file.code == to_stdout.code == 2
    assert to_file.out == ""
    assert (tmp_path / "report.out").read_text(encoding="utf-8") == to_stdout.out
    assert to_stdout.out.strip()


def test_paths_are_relative_with_forward_slashes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert relative_path("./docs/a.md") == "docs/a.md"
    assert relative_path(str(tmp_path / "docs" / "a b.md")) == "docs/a b.md"
    assert artifact_uri("docs/a b.md") == "docs/a%20b.md"
    outside = tmp_path.parent / "elsewhere.md"
    assert relative_path(str(outside)) == outside.as_posix()
    assert artifact_uri(str(outside)) == outside.as_uri()
