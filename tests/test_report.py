"""The governance report: its model (counts, matrix, worst wording, drill-downs), the
HTML it renders (escaping, CSP, links), the CSV exports and ``tilint report``.

Browser behaviour (sorting, filtering, keyboard, no network) is in test_report_browser.py.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import io
import re
from dataclasses import replace
from pathlib import Path

import pytest

from tilint.config import Config
from tilint.formatters.report import build_model, render_html, write_csv
from tilint.formatters.report.html import http_url
from tilint.formatters.report.model import split_context, where
from tilint.formatters.report.spreadsheet import COVERAGE_COLUMNS, FINDINGS_COLUMNS, escape_cell
from tilint.linter import Linter
from tilint.models import FileResult, Source

from .reportkit import GENERATED, POLICIES, estate, fixture_run

PRINCIPLES = ["realise", "recognise", "respond", "resist"]


@pytest.fixture(scope="module")
def model():
    results, skipped = fixture_run()
    return build_model(results, skipped=skipped, generated=GENERATED)


def doc(model, name):
    return next(d for d in model.documents if Path(d.path).name == name)


# ----------------------------------------------------------------------------- model


def test_summary_counts(model):
    assert [Path(d.path).name for d in model.documents] == [
        "broken-policy.docx", "hostile-notice.md", "hostile-notice.txt", "housing-allocations.md", "trauma-informed-care.md",
        "visiting-policy.md",
    ]  # fmt: skip
    assert (model.scanned, model.failed) == (5, 1)
    assert [Path(p).name for p in model.skipped] == ["register.csv"]
    assert model.severity_counts == {"error": 0, "warning": 10, "info": 2}
    assert model.total_findings == 12
    assert model.category_counts == [("blame-deficit", 6), ("care-experience", 2), ("coercive", 2), ("substance-use", 2)]
    assert model.framework == "samhsa-4r"
    # one document covers every principle, one partly covers realise, the damaged one is not counted
    assert [(p.id, p.covered, p.partial, p.missing) for p in model.principle_summary] == [
        ("realise", 1, 1, 3), ("recognise", 1, 0, 4), ("respond", 1, 0, 4), ("resist", 1, 0, 4),
    ]  # fmt: skip
    assert all(p.suggestion and p.sources for p in model.principle_summary)


def test_matrix_cells(model):
    good = doc(model, "trauma-informed-care.md")
    assert [(c.principle, c.status) for c in good.cells] == [(p, "covered") for p in PRINCIPLES]
    assert good.covered == 4 and good.coverage_score == 1.0 and good.todo == []
    bad = doc(model, "housing-allocations.md")
    assert [c.status for c in bad.cells] == ["missing"] * 4
    assert [p.id for p in bad.todo] == PRINCIPLES
    broken = doc(model, "broken-policy.docx")
    assert broken.failed and broken.errors == ["damaged Word document: not a valid zip container (truncated or corrupt file?)"]
    assert [c.status for c in broken.cells] == ["not checked"] * 4
    assert broken.coverage_score == -1.0  # sorts below every checked document
    partly = doc(model, "visiting-policy.md")
    assert [(c.status, c.score) for c in partly.cells] == [("partial", 0.5), ("missing", 0.0), ("missing", 0.0), ("missing", 0.0)]
    assert (partly.covered, partly.coverage_score) == (0, 0.125)
    assert partly.findings == [] and [p.id for p in partly.todo] == PRINCIPLES


def test_drill_down_findings(model):
    bad = doc(model, "housing-allocations.md")
    assert [(f.rule_id, f.line, f.column, f.match) for f in bad.findings] == [
        ("BL001", 9, 13, "fail to attend"),
        ("CO003", 9, 49, "removed from the register"),
        ("BL009", 10, 20, "non-compliant"),
        ("CO001", 11, 14, "zero tolerance"),
        ("SU001", 15, 1, "Addicts"),
    ]
    assert bad.severity_counts == {"error": 0, "warning": 3, "info": 2}
    assert bad.findings[0].location == {"section": "Housing Allocations Policy > 2 Arrears and conduct"}


def test_worst_wording_counts_rules_across_documents(model):
    rows = [(w.rule_id, w.count, w.severity, [(Path(d.path).name, n) for d, n in w.documents]) for w in model.worst_wording]
    assert rows == [
        ("BL001", 3, "warning", [("hostile-notice.md", 1), ("hostile-notice.txt", 1), ("housing-allocations.md", 1)]),
        ("BL009", 3, "warning", [("hostile-notice.md", 1), ("hostile-notice.txt", 1), ("housing-allocations.md", 1)]),
        ("CE001", 2, "warning", [("hostile-notice.md", 1), ("hostile-notice.txt", 1)]),
        ("SU001", 2, "warning", [("hostile-notice.md", 1), ("housing-allocations.md", 1)]),
        ("CO001", 1, "info", [("housing-allocations.md", 1)]),
        ("CO003", 1, "info", [("housing-allocations.md", 1)]),
    ]
    assert model.worst_wording[0].examples == ["fail to attend"]
    assert model.worst_wording[3].examples == ["addicts"]  # words are counted case-insensitively


def test_worst_wording_leaves_out_coverage_findings(tmp_path):
    (tmp_path / "a.md").write_text("Patients who fail to attend are discharged.\n", encoding="utf-8")
    config = Config(coverage={"framework": "samhsa-4r", "enabled": True, "require": ["realise"]})
    results = Linter(config).lint_paths([tmp_path])
    assert sorted(f.rule_id for f in results[0].findings) == ["BL001", "CV101"]
    m = build_model(results)
    assert [w.rule_id for w in m.worst_wording] == ["BL001"]
    assert m.category_counts == [("blame-deficit", 1), ("coverage", 1)]


def test_sources_are_listed_once(model):
    ids = [s.id for s in model.sources]
    assert len(ids) == len(set(ids))
    cited = {s.id for d in model.documents for f in d.findings for s in f.sources}
    cited |= {s.id for p in model.principle_summary for s in p.sources}
    assert set(ids) == cited


def test_empty_run_still_names_the_framework_columns():
    m = build_model([], framework="samhsa-6")
    assert m.framework == "samhsa-6" and len(m.principles) == 6
    assert (m.scanned, m.failed, m.total_findings, m.worst_wording) == (0, 0, 0, [])
    assert "0 of 0 documents shown" in render_html(m)


@pytest.mark.parametrize(
    ("location", "line", "expected"),
    [
        ({}, 4, "line 4"),
        ({"page": 3}, 12, "page 3, line 12"),
        ({"paragraph": 7, "section": "3 Procedure > 3.2"}, 7, "paragraph 7, § 3 Procedure > 3.2"),  # Word: no lines
        ({"table": 1, "row": 2, "cell": 3}, None, "table 1 row 2 cell 3"),
    ],
)
def test_where(location, line, expected):
    assert where(location, line) == expected


def test_word_and_pdf_findings_say_paragraph_and_page(tmp_path):
    from .fixtures_build import build_docx, build_pdf

    build_docx(tmp_path)
    build_pdf(tmp_path)
    page = render_html(build_model(Linter(Config(coverage={"framework": "samhsa-4r", "enabled": True})).lint_paths([tmp_path])))
    assert re.findall(r'<p class="where">(.*?)</p>', page) == [
        "paragraph 5, § 3 Procedure &gt; 3.2 Missed appointments",
        "paragraph 5, § 3 Procedure &gt; 3.2 Missed appointments",
        "page 1, line 2, § 3 Procedure",
        "page 1, line 3, § 3 Procedure",
    ]


@pytest.mark.parametrize(
    ("context", "match", "expected"),
    [
        ("Tenants who fail to attend lose it.", "fail to attend", ("Tenants who ", "fail to attend", " lose it.")),
        ("Tenants who FAIL to attend.", "fail to\n attend", ("Tenants who ", "FAIL to attend", ".")),  # case, line break
        ("Nothing here.", "absconded", ("Nothing here.", "", "")),
        ("Whole document.", "", ("Whole document.", "", "")),
        ("a " * 200 + "fail to attend" + " b" * 200, "fail to attend", ("…" + "a " * 80, "fail to attend", " b" * 80 + "…")),
        ("x" * 400, "", ("x" * 320 + "…", "", "")),
    ],
)
def test_split_context(context, match, expected):
    assert split_context(context, match) == expected


# ------------------------------------------------------------------------------ HTML


@pytest.fixture(scope="module")
def page(model):
    return render_html(model)


def test_document_text_is_escaped(page):
    assert "<script>alert" not in page and "<img" not in page and "onerror=alert" not in page.replace("onerror=alert(2)&gt;", "")
    # the hostile plain-text policy shows its markup as text, inside the context quote
    assert "fail to attend</mark> &lt;script&gt;alert(1)&lt;/script&gt; are discharged." in page
    assert "non-compliant</mark> &lt;img src=x onerror=alert(2)&gt; lose their room." in page
    assert "see [the rules](javascript:alert(3)) for details." in page
    assert 'href="javascript' not in page.lower()
    assert page.count("<script") == 1  # the page's own


def test_hostile_path_and_title_are_escaped():
    results = [FileResult(path='policies/<img src=x onerror=alert(1)>".md', coverage=None)]
    page = render_html(build_model(results, title="<b>Board</b> & 'review'"))
    assert "<img src=x" not in page and "<b>Board" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;&#34;.md" in page
    assert 'data-name="policies/&lt;img src=x onerror=alert(1)&gt;&#34;.md"' in page  # attribute stays closed
    assert "<title>&lt;b&gt;Board&lt;/b&gt; &amp; &#39;review&#39;</title>" in page


def test_csp_allows_exactly_the_inline_style_and_script(page):
    csp = html.unescape(re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page).group(1))
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)

    def sha(text):
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    assert directives["style-src"] == sha(style)
    assert directives["script-src"] == sha(script)
    tags = re.findall(r"<[a-zA-Z][^>]*>", page)
    assert not [t for t in tags if re.search(r"\son[a-z]+=", t)]  # no inline event handlers (CSP would block them)
    assert not [t for t in tags if " style=" in t]  # no style attributes either
    assert not re.search(r'(src|href)="(?!#|https?://)', page)  # only fragments and web links


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.nspcc.org.uk/x", "https://www.nspcc.org.uk/x"),
        ("http://example.org", "http://example.org"),
        ("javascript:alert(1)", ""),
        ("JaVaScRiPt:alert(1)", ""),
        (" java\tscript:alert(1)", ""),
        ("data:text/html,<script>alert(1)</script>", ""),
        ("vbscript:msgbox", ""),
        ("//evil.example/x", ""),
        ("https:alert(1)", ""),  # no host
        ("", ""),
        (None, ""),
    ],
)
def test_http_url(url, expected):
    assert http_url(url) == expected


def test_javascript_source_url_renders_as_text(model):
    evil = Source(id="EVIL", title="Evil <guide>", organisation="Mallory", year=2024, url="javascript:alert(document.domain)")
    first = model.documents[1]
    hostile = replace(first, findings=[replace(first.findings[0], sources=(evil,))])
    page = render_html(replace(model, documents=[hostile], sources=[evil]))
    assert "javascript:alert(document.domain)" in page  # shown, as text
    assert 'href="javascript' not in page
    assert "Evil &lt;guide&gt;" in page


def test_page_structure(page):
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"en-GB\">")
    # each section has a heading; the matrix has a caption, column and row headers
    for section in ("summary", "matrix", "wording", "guidance", "documents", "sources"):
        assert f'<section id="{section}" aria-labelledby="{section}-h">' in page
        assert f'<h2 id="{section}-h">' in page
    matrix = page[page.index('<table id="matrix-table"') : page.index("</table>", page.index('<table id="matrix-table"'))]
    assert "<caption>" in matrix
    assert matrix.count('<th scope="row">') == 6
    assert [b for b in re.findall(r'data-sort="(\w+)"', matrix)] == ["name", "findings", "coverage"]
    # a status is a symbol and a word, never colour alone
    assert '<td class="st st-covered"><span aria-hidden="true">✓</span> covered</td>' in matrix
    assert '<td class="st st-missing"><span aria-hidden="true">✗</span> missing</td>' in matrix
    # one drill-down per readable document; the damaged one shows its error
    assert page.count('<article class="doc"') == 6
    assert page.count("<details>\n<summary>Findings, coverage evidence and what to add</summary>") == 5
    assert "Could not be read: damaged Word document" in page


def test_charts_are_svg_drawn_from_the_counts(page):
    realise = page[page.index("<th scope=\"row\">Realise the widespread impact of trauma</th>") :]
    realise = realise[: realise.index("</tr>")]
    # 1 covered, 1 partial, 3 missing of 5 checked documents, on a 160 px bar
    assert re.findall(r'<rect class="fill-(\w+)" x="([\d.]+)" y="0" width="([\d.]+)"', realise) == [
        ("covered", "0", "32.0"), ("partial", "32.0", "32.0"), ("missing", "64.0", "96.0"),
    ]  # fmt: skip
    assert '<svg class="bar" width="160" height="14" viewBox="0 0 160 14" aria-hidden="true" focusable="false">' in realise
    warnings = page[page.index('<span class="sev sev-warning">warning</span></th>') :]
    assert re.search(r'<rect class="fill-warning" x="0" y="0" width="160.0"', warnings[: warnings.index("</tr>")])


def test_thousand_documents_stay_under_10_mb():
    results = estate(1000)
    m = build_model(results)
    html = render_html(m)
    size = len(html.encode("utf-8"))
    assert len(m.documents) == 1000 and m.total_findings > 4000
    assert size < 10_000_000, f"{size / 1e6:.1f} MB"
    assert html.count('<article class="doc"') == 1000


# ------------------------------------------------------------------------------- CSV


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("a = b", "a = b"),
        ("", ""),
        (3, 3),
        (0.5, 0.5),
    ],
)
def test_escape_cell(value, expected):
    assert escape_cell(value) == expected


def _read_csv(path: Path) -> list[dict]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_csv_exports(model, tmp_path):
    written = write_csv(model, tmp_path / "out")
    assert [p.name for p in written] == ["findings.csv", "coverage.csv"]
    findings = _read_csv(tmp_path / "out" / "findings.csv")
    assert list(findings[0]) == list(FINDINGS_COLUMNS)
    assert len(findings) == 12
    first = next(r for r in findings if r["document"].endswith("housing-allocations.md"))
    assert {k: first[k] for k in ("rule_id", "severity", "match", "line", "column", "section", "checked_on")} == {
        "rule_id": "BL001", "severity": "warning", "match": "fail to attend", "line": "9", "column": "13",
        "section": "Housing Allocations Policy > 2 Arrears and conduct", "checked_on": "2026-03-01",
    }  # fmt: skip
    assert first["sources"].startswith("https://")
    coverage = _read_csv(tmp_path / "out" / "coverage.csv")
    assert list(coverage[0]) == list(COVERAGE_COLUMNS)
    assert len(coverage) == 6 * 4  # one row per document and principle
    good = [r for r in coverage if r["document"].endswith("trauma-informed-care.md")]
    assert [(r["principle_id"], r["status"], r["what_to_add"]) for r in good] == [(p, "covered", "") for p in PRINCIPLES]
    assert all(r["best_evidence"] and r["best_evidence_line"].startswith("L") for r in good)
    broken = [r for r in coverage if r["document"].endswith("broken-policy.docx")]
    assert {r["status"] for r in broken} == {"not checked"} and "damaged Word document" in broken[0]["note"]
    missing = next(r for r in coverage if r["document"].endswith("housing-allocations.md"))
    assert missing["status"] == "missing" and missing["what_to_add"].startswith("State that trauma")


def test_csv_cells_from_a_document_cannot_be_formulas(tmp_path):
    (tmp_path / "p.txt").write_text("=1+1 patients who fail to attend are discharged.\n", encoding="utf-8")
    results = Linter(Config(coverage={"framework": "samhsa-4r", "enabled": True})).lint_paths([tmp_path / "p.txt"])
    write_csv(build_model(results), tmp_path)
    row = _read_csv(tmp_path / "findings.csv")[0]
    assert row["rule_id"] == "BL001"
    assert row["context"] == "'=1+1 patients who fail to attend are discharged."


# ------------------------------------------------------------------------------- CLI


def test_cli_report(run_cli, tmp_path):
    res = run_cli("report", str(POLICIES), "-o", "report.html", "--csv", "sheets")
    assert res.code == 2  # the damaged document; the report is still written
    assert res.err.splitlines()[0] == f"{POLICIES / 'broken-policy.docx'}: error: damaged Word document: not a valid zip container (truncated or corrupt file?)"
    assert "Traceback" not in res.err
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert html.count('<article class="doc"') == 6
    assert len(_read_csv(tmp_path / "sheets" / "findings.csv")) == 12
    assert len(_read_csv(tmp_path / "sheets" / "coverage.csv")) == 24
    assert res.err.splitlines()[1] == "5 documents checked, 1 could not be read, 12 findings; wrote report.html, sheets/findings.csv, sheets/coverage.csv"
    assert not list(tmp_path.glob(".*.tilint"))  # no temporary file left behind


def test_cli_report_applies_select_and_framework(run_cli, tmp_path):
    good = POLICIES / "housing-allocations.md"
    res = run_cli("report", str(good), "-o", "r.html", "--csv", ".", "--select", "BL", "--ignore", "BL009", "--framework", "samhsa-6")
    assert res.code == 0, res.err
    assert [r["rule_id"] for r in _read_csv(tmp_path / "findings.csv")] == ["BL001"]
    coverage = _read_csv(tmp_path / "coverage.csv")
    assert len(coverage) == 6 and {r["framework"] for r in coverage} == {"samhsa-6"}
    assert "ignored: BL009" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_cli_report_jobs_give_the_same_rows(run_cli, tmp_path):
    run_cli("report", str(POLICIES), "-o", "one.html", "--csv", "one", "-q")
    run_cli("report", str(POLICIES), "-o", "two.html", "--csv", "two", "-q", "-j", "2")
    for name in ("findings.csv", "coverage.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_cli_report_never_overwrites_an_input(run_cli, tmp_path):
    policy = tmp_path / "policy.md"
    policy.write_text("Patients who fail to attend are discharged.\n", encoding="utf-8")
    res = run_cli("report", str(tmp_path), "-o", str(policy))
    assert res.code == 2
    assert res.err == f"tilint: error: {policy} is one of the documents to check; choose another output\n"
    assert policy.read_text(encoding="utf-8") == "Patients who fail to attend are discharged.\n"
    res = run_cli("report", str(tmp_path), "-o", "out.html", "--csv", str(tmp_path))  # a CSV name that is free
    assert res.code == 0
    (tmp_path / "findings.csv").rename(tmp_path / "findings.txt")  # now an input with that name
    (tmp_path / "findings.csv").symlink_to(tmp_path / "findings.txt")
    res = run_cli("report", str(tmp_path), "-o", "out.html", "--csv", str(tmp_path))
    assert res.code == 2 and "findings.csv is one of the documents to check" in res.err


def test_cli_report_replaces_its_own_previous_report(run_cli, tmp_path):
    (tmp_path / "policy.md").write_text("Patients who fail to attend are discharged.\n", encoding="utf-8")
    assert run_cli("report", ".", "-o", "report.html", "-q").code == 0
    first = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert run_cli("report", ".", "-o", "report.html", "-q").code == 0  # report.html is now in the folder
    second = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert second.count('<article class="doc"') == first.count('<article class="doc"') == 1


def test_cli_report_unwritable_output(run_cli, tmp_path):
    (tmp_path / "policy.md").write_text("Hello.\n", encoding="utf-8")
    res = run_cli("report", "policy.md", "-o", "missing-folder/report.html", "-q")
    assert res.code == 0 and (tmp_path / "missing-folder" / "report.html").is_file()  # made, as ruff's --output-file does
    res = run_cli("report", "policy.md", "-o", "policy.md/report.html", "-q")
    assert (res.code, res.err) == (2, "tilint: error: cannot write policy.md/report.html: File exists\n")
    (tmp_path / "folder").mkdir()
    res = run_cli("report", "policy.md", "-o", "folder", "-q")
    assert (res.code, res.err) == (2, "tilint: error: cannot write folder: Is a directory\n")
    res = run_cli("report", "policy.md", "-o", "r.html", "--csv", "policy.md", "-q")  # a file, not a folder
    assert (res.code, res.err) == (2, "tilint: error: cannot write policy.md: File exists\n")
    assert (tmp_path / "policy.md").read_text(encoding="utf-8") == "Hello.\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "missing-folder", "policy.md", "r.html"]  # no temporary files
