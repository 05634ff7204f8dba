"""The sources registry is something a reviewer can check: every source is one openable
document (deep address, never a home page or a copy on a document-sharing site) with its
title, organisation, year, supporting section and the date it was last read; caveats meant
for maintainers (``note``) never reach users; ``tilint explain`` shows section and link."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest

from tilint.ruleset import load_ruleset, load_sources, rules_dir
from tilint.yamlutil import load_yaml

SOURCES = load_sources()
RULES = load_ruleset()

# Document-sharing mirrors and content farms that re-host other people's documents, and
# secondary reports that were once cited in place of the primary document.
DENIED_DOMAINS = {
    "docsbay.net", "fayllar.org", "psmag.com", "slidelegend.com", "studylib.net", "scribd.com",
    "docplayer.net", "dokumen.tips", "yumpu.com", "docslib.org", "paperzz.com", "doczz.net",
    "vdocuments.net", "vdocuments.mx", "vdocuments.us", "vdocument.in", "pdfslide.net", "pdfslide.us",
    "readkong.com", "healthdocbox.com", "vibdoc.com", "123doc.net", "documentine.com", "kipdf.com",
    "info.5y1.org", "coalition.org.mk",
}
# Paths that are a site's front door rather than a document.
LANDING_PATHS = {"", "index.html", "index.htm", "home", "en", "en-gb", "en-us", "uk", "default.aspx"}


def _host(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host[4:] if host.startswith("www.") else host


def is_home_page(url: str) -> bool:
    """True for a bare domain or a site's landing page (``https://samaritans.org/en/``)."""
    parts = urlsplit(url)
    return parts.path.strip("/").lower() in LANDING_PATHS and not parts.query


def is_denied(url: str) -> bool:
    host = _host(url)
    return any(host == d or host.endswith("." + d) for d in DENIED_DOMAINS)


@pytest.mark.parametrize(
    "url,home",
    [
        ("https://learning.nspcc.org.uk/", True),
        ("https://www.samaritans.org", True),
        ("https://www.pa.gov/en/", True),
        ("https://example.org/index.html", True),
        ("https://learning.nspcc.org.uk/news/why-language-matters/looked-after-children", False),
        ("https://learning.nspcc.org.uk/news?type=26003", False),
        ("https://doi.org/10.1001/jama.2016.11874", False),
    ],
)
def test_home_page_check_tells_a_landing_page_from_a_document(url, home):
    assert is_home_page(url) is home


@pytest.mark.parametrize(
    "url,denied",
    [("https://docsbay.net/doc/123", True), ("http://fayllar.org/kate-sewel/x.html", True),
     ("https://ru.scribd.com/document/1", True), ("https://www.childrenssociety.org.uk/information/x", False)],
)
def test_deny_list_catches_mirrors_and_their_subdomains(url, denied):
    assert is_denied(url) is denied


@pytest.mark.parametrize("key", sorted(SOURCES))
def test_every_source_is_one_openable_document(key):
    s = SOURCES[key]
    assert s.url.startswith("https://"), s.url
    assert not is_home_page(s.url), f"{key}: {s.url} is a home page, not the document"
    assert not is_denied(s.url), f"{key}: {s.url} is a mirror or secondary report"
    for field in ("title", "organisation", "section", "check_method"):
        assert isinstance(getattr(s, field), str) and len(getattr(s, field).strip()) >= 3, f"{key}: no {field}"
    assert s.year == "n.d." or (isinstance(s.year, int) and 1900 < s.year <= 2026), f"{key}: year {s.year!r}"  # n.d.: an undated page
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", s.checked or ""), f"{key}: checked {s.checked!r}"


def test_the_registry_file_itself_has_no_mirror_or_home_page_address():
    # also guards entries that fail to load into Source objects
    data, _ = load_yaml(rules_dir() / "sources.yaml")
    urls = [entry["url"] for entry in data["sources"].values()]
    assert urls and not [u for u in urls if is_denied(u) or is_home_page(u)]


@pytest.mark.parametrize("rule", list(RULES), ids=lambda r: r.id)
def test_every_rule_cites_a_source_and_weak_sources_mean_info(rule):
    assert rule.sources, f"{rule.id} has no source"
    if all(s.confidence != "confirmed" for s in rule.sources):
        assert rule.severity == "info", f"{rule.id} rests on weak sources but is {rule.severity}"


def test_maintainer_notes_never_reach_output(run_cli):
    noted = [s for s in SOURCES.values() if s.note]
    assert noted, "the registry has notes to guard"
    cited = {s.id for r in RULES for s in r.sources}
    rule_json = run_cli("rules", "--format", "json").json()
    markdown = run_cli("rules", "--format", "markdown").out
    for s in noted:
        assert s.note not in json.dumps(rule_json) and s.note not in markdown
        assert "note" not in s.to_dict()
    for rule in RULES:
        if any(s.note for s in rule.sources):
            out = run_cli("explain", rule.id).out
            assert all(s.note not in out for s in rule.sources if s.note)
    assert cited & {s.id for s in noted}


def test_explain_prints_section_link_and_checked_date(run_cli):
    rule = RULES.get("BL002")
    out = run_cli("explain", "BL002").out
    for s in rule.sources:
        assert s.section and s.section in out
        assert s.url in out
        assert f"Checked {s.checked}" in out


def test_explain_marks_a_weak_source(run_cli):
    (weak,) = [r for r in RULES if any(s.confidence == "secondary" for s in r.sources) and r.id == "CS017"]
    assert "(2023) [secondary]" in run_cli("explain", weak.id).out


def test_finding_sources_carry_section_and_checked_date(run_cli, write):
    write("p.md", "Patients who are no-shows will be discharged.\n")
    data = run_cli("check", "--format", "json", "--select", "BL002", "p.md").json()
    (finding,) = [f for r in data["files"] for f in r["findings"]]
    (source,) = finding["sources"]
    assert source["id"] == "PA" and source["section"] == SOURCES["PA"].section
    assert source["checked"] == SOURCES["PA"].checked and "check_method" not in source
