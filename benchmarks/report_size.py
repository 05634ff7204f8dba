"""The governance report at estate scale: size and load time of a 1,000-document page.

The documents are the real results of ``examples/`` and ``tests/data/report/`` (findings,
coverage evidence, sources), repeated under 1,000 distinct paths. Prints, and writes to
benchmarks/out/report.json:

* the page's size (the issue's limit: 10 MB) and bytes per document and per finding;
* rendering time as a ratio to the JSON formatter on the same results;
* Chromium's DOMContentLoaded and load times, the median of 3 loads (the issue's aim:
  under 2 s), when /usr/bin/chromium and Playwright are installed.

Usage: ``python benchmarks/report_size.py [--documents 1000]``.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.reportkit import estate  # noqa: E402  (the same generated estate as the tests)
from tilint.formatters import Report  # noqa: E402
from tilint.formatters.json import render as render_json  # noqa: E402
from tilint.formatters.report import build_model, render_html  # noqa: E402
from tilint.linter import Linter  # noqa: E402
from _results import save  # noqa: E402  (benchmarks/ is the script's folder)

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]


def _best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _browser_times(path: Path) -> dict | None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not Path(CHROMIUM).exists():
        return None
    dom, load = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(3):
            page = browser.new_page()
            page.goto(path.as_uri(), wait_until="load")
            t = page.evaluate("(() => { const n = performance.getEntriesByType('navigation')[0]; return [n.domContentLoadedEventEnd, n.loadEventEnd]; })()")
            dom.append(t[0])
            load.append(t[1])
            page.close()
        browser.close()
    return {"dom_content_loaded_ms": round(statistics.median(dom)), "load_ms": round(statistics.median(load))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    args = parser.parse_args(argv)

    results = estate(args.documents)
    findings = sum(len(r.findings) for r in results)
    html = render_html(build_model(results))
    size = len(html.encode("utf-8"))
    rules = Linter().rules
    html_time = _best(lambda: render_html(build_model(results)))
    json_time = _best(lambda: render_json(Report(results=results, rules=rules), io.StringIO()))
    out = {
        "documents": args.documents,
        "findings": findings,
        "bytes": size,
        "bytes_per_document": round(size / args.documents),
        "bytes_per_finding": round(size / max(findings, 1)),
        "under_10_mb": size < 10_000_000,
        "render_vs_json_formatter": round(html_time / json_time, 2),
    }
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        browser = _browser_times(page)
    if browser:
        out.update(browser)
    print(json.dumps(out, indent=2))
    save("report", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
