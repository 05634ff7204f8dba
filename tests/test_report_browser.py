"""The governance report in a real browser: Debian's Chromium driven by Playwright.

No browser is downloaded (``playwright install`` is never run): ``.ci/run`` installs
the ``chromium`` package when it is missing, and these tests launch /usr/bin/chromium.
Full-page screenshots and a print PDF are kept in ``tests/artifacts/report/``
(or ``$TILINT_ARTIFACTS``) for a person to look at.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from tilint.cli import main
from tilint.formatters.report import build_model, render_html
from tilint.models import Source

from .reportkit import POLICIES, estate

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
HOSTILE_NAME = "<img src=x onerror=alert(5)>.md"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason=f"Chromium is not installed at {CHROMIUM} (.ci/run installs the Debian package)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra: pip install -e '.[dev]'")


@pytest.fixture(scope="module")
def artifacts() -> Path:
    folder = Path(os.environ.get("TILINT_ARTIFACTS", Path(__file__).parent / "artifacts")) / "report"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """``tilint report`` on a copy of the fixture policies, plus a policy whose file name is markup."""
    root = tmp_path_factory.mktemp("estate")
    shutil.copytree(POLICIES, root / "policies")
    (root / "policies" / HOSTILE_NAME).write_text("Staff who abscond are disciplined.\n", encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(root)
    try:
        code = main(["report", "policies", "-o", "report.html", "-q"])
    finally:
        os.chdir(cwd)
    assert code == 2  # the damaged Word file, reported in the page
    return root / "report.html"


class Watched:
    """A page with everything it does recorded: console messages, script errors,
    dialogs (alert/confirm) and every request (anything but the report is aborted)."""

    def __init__(self, browser, url: str):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.console: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.context.route("**/*", lambda route: route.continue_() if route.request.url == url else route.abort())
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("popup", lambda p: self.requests.append(f"popup {p.url}"))
        self.url = url
        self.page.goto(url, wait_until="load")

    def quiet(self) -> None:
        """Nothing went wrong and nothing left the page."""
        assert self.console == []
        assert self.dialogs == []
        assert self.requests == [self.url]

    def rows(self) -> list[str]:
        return self.page.eval_on_selector_all("#matrix-table tbody tr:not([hidden]) th a", "els => els.map(e => e.textContent.split('/').pop())")


@pytest.fixture
def watched(browser, report):
    w = Watched(browser, report.as_uri())
    yield w
    w.context.close()


def test_opens_with_summary_matrix_and_no_requests(watched, artifacts):
    page = watched.page
    assert page.locator("h1").inner_text() == "Trauma-informed policy review"
    kpis = page.locator(".kpis li").all_inner_texts()
    assert [" ".join(k.split()) for k in kpis] == ["6 documents checked", "1 could not be read", "1 skipped (not a supported type)", "13 findings"]
    assert page.locator("#matrix-table tbody tr").count() == 7
    assert page.locator("#shown").inner_text() == "7 of 7 documents shown"
    page.screenshot(path=str(artifacts / "report-full.png"), full_page=True)
    watched.quiet()


def test_sort_matrix_with_the_column_buttons(watched):
    page = watched.page
    assert watched.rows()[0] == HOSTILE_NAME  # by name: "<" sorts first
    page.get_by_role("button", name="Findings").click()
    assert page.locator("th:has(button[data-sort=findings])").get_attribute("aria-sort") == "descending"
    assert watched.rows()[:2] == ["housing-allocations.md", "hostile-notice.md"]  # 5 and 4 findings
    page.get_by_role("button", name="Findings").click()
    assert page.locator("th:has(button[data-sort=findings])").get_attribute("aria-sort") == "ascending"
    assert watched.rows()[0] == "broken-policy.docx"  # 0 findings (not read), then by name
    page.get_by_role("button", name="Coverage").click()
    assert watched.rows()[:2] == ["trauma-informed-care.md", "visiting-policy.md"]  # 4 covered; then 1 partial
    assert watched.rows()[-1] == "broken-policy.docx"
    assert page.locator("th:has(button[data-sort=findings])").get_attribute("aria-sort") == "none"
    page.get_by_role("button", name="Document").click()  # another column: names start at A again
    assert watched.rows()[0] == HOSTILE_NAME
    page.get_by_role("button", name="Document").click()  # the same column again: reversed
    assert page.locator("th:has(button[data-sort=name])").get_attribute("aria-sort") == "descending"
    assert watched.rows()[0] == "visiting-policy.md"
    watched.quiet()


def test_filter_box(watched):
    page = watched.page
    page.get_by_label("Filter documents by name").fill("HOSTILE")
    assert watched.rows() == ["hostile-notice.md", "hostile-notice.txt"]
    assert page.locator("#shown").inner_text() == "2 of 7 documents shown"
    page.get_by_label("Filter documents by name").fill("no such policy")
    assert watched.rows() == []
    page.get_by_label("Filter documents by name").fill("")
    assert len(watched.rows()) == 7
    watched.quiet()


def test_keyboard_sorts_and_opens_a_drill_down(watched, artifacts):
    page = watched.page
    page.focus("#filter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.sort") == "name"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # sort by findings
    assert watched.rows()[0] == "housing-allocations.md"
    page.keyboard.press("Tab")  # coverage button
    page.keyboard.press("Tab")  # the first document link
    assert page.evaluate("document.activeElement.textContent").endswith("housing-allocations.md")
    drill = page.locator("article:has(h3:text-is('policies/housing-allocations.md')) details")
    assert drill.get_attribute("open") is None
    assert not page.get_by_text("removed from the register", exact=True).first.is_visible()
    page.keyboard.press("Enter")
    assert drill.get_attribute("open") == ""
    finding = drill.locator("li.finding").first
    assert finding.is_visible()
    assert " ".join(finding.inner_text().split()) .startswith("WARNING BL001 'fail to attend' puts the blame")
    assert "line 9, § Housing Allocations Policy > 2 Arrears and conduct" in finding.inner_text()
    assert drill.locator("mark").first.inner_text() == "fail to attend"
    assert drill.locator(".sources a").first.get_attribute("href").startswith("https://")
    assert drill.locator("table.evidence tbody tr").count() == 4
    # the summary of another drill-down is a keyboard control too
    summary = page.locator("article:has(h3:text-is('policies/trauma-informed-care.md')) summary")
    summary.focus()
    page.keyboard.press("Enter")
    good = page.locator("article:has(h3:text-is('policies/trauma-informed-care.md')) details")
    assert good.get_attribute("open") == ""
    assert good.locator("table.evidence td.st-covered").count() == 4
    page.screenshot(path=str(artifacts / "report-drill-down.png"), full_page=True)
    watched.quiet()


def test_a_link_with_a_broken_or_foreign_fragment_raises_no_script_error(watched):
    """A board paper's link may be cut or mistyped (``report.html#doc-%E0``): the page stays quiet."""
    page = watched.page
    real = page.eval_on_selector("article.doc:has(details)", "a => a.id")
    for fragment in ("doc-%E0%A4%A", "%", "not-a-doc", real):
        page.evaluate("f => { location.hash = f; }", fragment)
        page.wait_for_function("f => location.hash === '#' + f", arg=fragment)
    page.wait_for_selector(f"#{real} details[open]", timeout=5000)  # the last one names a real document
    assert page.locator("details[open]").count() == 1
    watched.quiet()


def test_hostile_documents_render_as_inert_text(watched, artifacts):
    page = watched.page
    page.get_by_role("button", name="Open all").click()
    hostile = page.locator("article:has(h3:text-is('policies/hostile-notice.txt'))")
    text = hostile.inner_text()
    assert "<script>alert(1)</script>" in text
    assert "<img src=x onerror=alert(2)>" in text
    assert "[the rules](javascript:alert(3))" in text
    assert f"policies/{HOSTILE_NAME}" in page.locator("#matrix-table").inner_text()  # the file name, as text
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 1  # the page's own
    assert page.locator("a[href^='javascript' i]").count() == 0
    assert page.eval_on_selector_all("a[href]", "els => els.every(a => /^(#|https?:)/.test(a.getAttribute('href')))")
    hostile.locator("ol.findings").screenshot(path=str(artifacts / "report-hostile-findings.png"))
    watched.quiet()  # no alert, no console error, no request


def test_javascript_source_url_is_not_a_link(browser, tmp_path):
    """Rule sources come from rule packs; one with a ``javascript:`` URL shows it as text."""
    from .reportkit import fixture_run

    results, skipped = fixture_run()
    model = build_model(results, skipped=skipped)
    evil = Source(id="EVIL", title="Guide", organisation="Mallory", year=2024, url="javascript:alert(7)")
    doc = next(d for d in model.documents if d.findings)
    model = replace(model, documents=[replace(doc, findings=[replace(f, sources=(evil,)) for f in doc.findings])], sources=[evil])
    path = tmp_path / "evil.html"
    path.write_text(render_html(model), encoding="utf-8")
    w = Watched(browser, path.as_uri())
    try:
        w.page.get_by_role("button", name="Open all").click()
        source = w.page.locator("li.finding .sources").first
        assert source.inner_text() == "Source: Mallory (2024)"
        assert source.locator("a").count() == 0
        w.page.get_by_text("javascript:alert(7)").first.click()  # in the Sources list, as text
        w.quiet()
    finally:
        w.context.close()


def test_print_is_a_board_paper(watched, artifacts):
    page = watched.page
    page.emulate_media(media="print")
    assert not page.locator("#filter").is_visible()
    assert not page.get_by_role("button", name="Open all").is_visible()
    assert not page.locator("nav").is_visible()
    # closed drill-downs print open (without their toggle), after the summary and matrix
    finding = page.locator("article:has(h3:text-is('policies/housing-allocations.md')) li.finding").first
    assert finding.is_visible()
    assert not page.locator(".doc summary").first.is_visible()
    assert page.get_by_text("1 file skipped (not a supported type)").is_visible()  # its list is labelled in print too
    order = page.evaluate("['summary','matrix','documents'].map(id => document.getElementById(id).getBoundingClientRect().top)")
    assert order == sorted(order)
    page.screenshot(path=str(artifacts / "report-print.png"), full_page=True)
    pdf = page.pdf(path=str(artifacts / "report-board-paper.pdf"), format="A4")
    assert pdf.startswith(b"%PDF")
    watched.quiet()


def test_thousand_document_report_loads(browser, tmp_path, artifacts):
    """Size and load time of a 1,000-document report. The time is recorded, not asserted
    (a shared CI machine's timing is no test); benchmarks track it."""
    path = tmp_path / "estate.html"
    path.write_text(render_html(build_model(estate(1000))), encoding="utf-8")
    w = Watched(browser, path.as_uri())
    try:
        timing = w.page.evaluate("(() => { const n = performance.getEntriesByType('navigation')[0]; return {load: n.loadEventEnd, dom: n.domContentLoadedEventEnd}; })()")
        assert w.page.locator("#matrix-table tbody tr").count() == 1000
        w.page.get_by_role("button", name="Coverage").click()
        w.page.get_by_label("Filter documents by name").fill("department-07/")
        assert w.page.locator("#shown").inner_text() == "25 of 1000 documents shown"
        w.quiet()
        figures = {"documents": 1000, "bytes": path.stat().st_size, "load_ms": round(timing["load"]), "dom_content_loaded_ms": round(timing["dom"])}
        (artifacts / "estate-1000.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        print(f"1,000-document report: {figures['bytes'] / 1e6:.1f} MB, load event at {figures['load_ms']} ms")
    finally:
        w.context.close()


# WCAG 2.1 contrast of what Chromium actually paints: each element's text colour against
# the first opaque background behind it (normal text needs 4.5:1)
CONTRAST_JS = """
(selectors) => {
  const channel = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const rgb = s => s.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = el => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c;
    }
    return [255, 255, 255];
  };
  const out = [];
  for (const sel of selectors) {
    for (const el of Array.from(document.querySelectorAll(sel)).slice(0, 5)) {
      const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
      out.push([sel, Math.round(100 * (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)) / 100]);
    }
  }
  return out;
}
"""
TEXT = [
    "h1", "h2", "p.meta", "nav a", ".kpis li", "caption", "thead th", "th button", "td.st-covered", "td.st-partial",
    "td.st-missing", "td.st-not-checked", "span.st", ".sev-error", ".sev-warning", ".sev-info", ".matrix th a", "summary",
    ".counts", ".error", "p.controls button", "label", "#shown", "footer p",
]  # fmt: skip


def test_text_contrast_meets_wcag_aa(watched):
    watched.page.get_by_role("button", name="Open all").click()
    selectors = [*TEXT, "mark", "blockquote", ".where", ".sources a"]  # inside the drill-downs
    ratios = watched.page.evaluate(CONTRAST_JS, selectors)
    assert {sel for sel, _ in ratios} == set(selectors)  # every kind of text was found and measured
    assert [(sel, r) for sel, r in ratios if r < 4.5] == []


def test_headings_and_tables_as_a_screen_reader_meets_them(watched):
    page = watched.page
    assert page.get_by_role("heading", level=1).all_inner_texts() == ["Trauma-informed policy review"]
    assert page.get_by_role("heading", level=2).all_inner_texts() == [
        "Summary", "Documents and principles", "Worst wording across the estate",
        "What to add, principle by principle", "Document by document", "Sources",
    ]  # fmt: skip
    assert len(page.get_by_role("heading", level=3).all_inner_texts()) == 1 + 4 + 7  # unreadable list, principles, documents
    matrix = page.get_by_role("table", name="Documents × principles", exact=False)
    assert matrix.count() == 1
    assert matrix.get_by_role("columnheader").all_inner_texts()[:3] == ["Document", "Findings", "Realise the widespread impact of trauma"]
    assert matrix.get_by_role("columnheader", name="Document").get_attribute("aria-sort") == "ascending"
    assert matrix.get_by_role("rowheader", name="policies/housing-allocations.md").count() == 1
    assert matrix.get_by_role("button").all_inner_texts() == ["Document", "Findings", "Coverage"]
    # a drill-down is a native disclosure: a focusable summary that reports its state
    summary = page.locator("article#doc-5 summary")
    assert summary.evaluate("el => el.tabIndex") == 0
    assert page.get_by_role("search").get_by_role("searchbox", name="Filter documents by name").count() == 1
    watched.quiet()


def test_works_without_javascript(browser, report):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(report.as_uri())
        assert page.locator("#matrix-table tbody tr").count() == 7
        drill = page.locator("article:has(h3:text-is('policies/housing-allocations.md')) details")
        drill.locator("summary").click()  # <details> needs no script
        assert drill.locator("li.finding").first.is_visible()
    finally:
        context.close()
