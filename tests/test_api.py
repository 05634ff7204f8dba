"""The public Python API: result objects match the documented JSON, docs/api.md runs, types ship."""

from __future__ import annotations

import json
import re

import pytest

import tilint
from tilint.coverage import CoverageReport, check_coverage
from tilint.models import Finding

from .checkout import CHECKOUT
from .conftest import ENGINE_PACK

DOCS = CHECKOUT / "docs"


def _documented_finding_fields() -> set[str]:
    """Field names from the table in docs/json-schema.md (``line``, ``column`` share a row)."""
    text = (DOCS / "json-schema.md").read_text(encoding="utf-8")
    table = text.split("## Fields of a finding", 1)[1].split("\n## ", 1)[0]
    return {name for row in table.splitlines() if row.startswith("| `") for name in re.findall(r"`(\w+)`", row.split("|")[1])}


@pytest.fixture(scope="module")
def zz() -> tilint.Config:
    return tilint.Config(extra_rules=(str(ENGINE_PACK),), select=("ZZ",))


def test_finding_to_dict_has_exactly_the_documented_fields(zz):
    (finding,) = tilint.lint_text("## Intake\n\nAddicts wait outside.\n", config=zz)
    data = finding.to_dict()
    assert set(data) == _documented_finding_fields()  # location is set: under a heading
    assert data["location"] == {"section": "Intake"}
    assert json.loads(json.dumps(data)) == data
    assert set(data["sources"][0]) <= {"id", "title", "organisation", "year", "url", "confidence", "section", "checked"}


def test_file_result_to_dict_is_the_json_output(zz, run_cli, write):
    write("p.md", "Patients who fail to attend will be discharged.\n")
    write("empty.md", "")
    cli = run_cli("check", "--format", "json", "--rules", str(ENGINE_PACK), "--select", "ZZ", "p.md", "empty.md").json()
    results = tilint.lint_paths(["p.md", "empty.md"], config=zz)  # run_cli left us in its folder
    assert [r.to_dict() for r in results] == cli["files"]
    assert results[0].to_dict() == {"path": "empty.md", "findings": [], "errors": [{"message": "file is empty"}]}
    assert [f["rule_id"] for f in results[1].to_dict()["findings"]] == ["ZZ004"]


def test_coverage_report_to_dict_matches_the_documented_shape():
    report = tilint.check_coverage("Staff are trained to recognise the signs of trauma.")
    assert isinstance(report, CoverageReport)
    data = report.to_dict()
    assert set(data) == {"framework", "principles"} and data["framework"] == "samhsa-4r"
    for p in data["principles"]:
        assert set(p) == {"id", "name", "status", "score", "evidence", "suggestion", "sources", "rule_id"}
        assert p["status"] in ("covered", "partial", "missing")
        assert all({"line", "text"} <= set(e) for e in p["evidence"])
    assert json.loads(json.dumps(data)) == data
    assert data == check_coverage("Staff are trained to recognise the signs of trauma.").to_dict()


def test_public_names():
    assert {"Finding", "FileResult", "FileError", "Source", "Config", "lint_text", "lint_paths", "check_coverage", "load_config"} <= set(tilint.__all__)
    assert all(hasattr(tilint, name) for name in tilint.__all__)
    assert Finding.__dataclass_params__.frozen


def test_package_is_typed():
    assert (CHECKOUT / "src" / "tilint" / "py.typed").is_file()


@pytest.mark.parametrize("index", range(len(re.findall(r"```python\n", (DOCS / "api.md").read_text(encoding="utf-8")))))
def test_docs_api_examples_run(index, monkeypatch, capsys):
    """Every Python block of docs/api.md runs as written (from the repository root)."""
    blocks = re.findall(r"```python\n(.*?)```", (DOCS / "api.md").read_text(encoding="utf-8"), re.S)
    monkeypatch.chdir(CHECKOUT)
    exec(compile(blocks[index], f"docs/api.md[{index}]", "exec"), {})
    assert capsys.readouterr().out.strip() or "print(" not in blocks[index]
