"""Warm diagnostic latency of the language server (``tilint lsp``), as an editor sees it.

A 30 KB Markdown policy (built from examples/, repeated with numbered sections) is
opened in a real server over stdio; after warm-up edits, each sample is one edit
(``didChange``) and the time until the diagnostics of that version are published.
The debounce (100 ms by default) is included, as a writer experiences it.

Two cases, each the median of ``--samples`` edits:

* pause: one edit after the server is idle (the coverage pass of the last edit done);
* burst: five edits 40 ms apart (typing), timed from the last one.

The baseline, run in this process, is the same check through the library
(``Linter.lint_document``); the ratio latency/baseline shows what the server adds
(debounce, JSON-RPC, UTF-16 positions). The issue's target is 300 ms once warm.
Usage: ``python benchmarks/lsp_latency.py [--samples 15] [--kb 30]``; results also go to
benchmarks/out/lsp_latency.json.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from _results import save  # noqa: E402  (benchmarks/ is the script's folder)

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 300.0


def policy(kb: int) -> str:
    parts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").glob("*.md"))]
    text, i = "", 0
    while len(text.encode("utf-8")) < kb * 1000:
        text += f"\n\n## Section {i + 1}\n\n" + parts[i % len(parts)]
        i += 1
    return text


def baseline_ms(text: str, samples: int) -> float:
    from tilint.config import Config
    from tilint.linter import Linter
    from tilint.readers import read_text

    linter = Linter(Config())
    linter.lint_document(read_text(text, format="markdown", path="policy.md"))  # warm
    times = []
    for k in range(samples):
        t0 = time.perf_counter()
        linter.lint_document(read_text(text + f"\nEdit {k}.\n", format="markdown", path="policy.md"))
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def server_ms(text: str, samples: int) -> dict[str, float]:
    from tilint.lsp.client import StdioClient

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        client = StdioClient([sys.executable, "-m", "tilint", "lsp"], cwd=root)
        try:
            client.initialize(root)
            uri = (root / "policy.md").as_uri()
            client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}})
            version = 1

            def edit(k: int) -> float:
                nonlocal version
                version += 1
                t0 = time.perf_counter()
                client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                         "contentChanges": [{"text": text + f"\nEdit {k}.\n"}]})
                return t0

            def published(after: int) -> float:
                client.diagnostics(uri, version, after=after, timeout=120)
                return time.perf_counter()

            def settle() -> None:
                """Wait for the second publication of this version (the coverage pass): the worker is idle."""
                first, _ = client.diagnostics(uri, version, timeout=120)
                client.diagnostics(uri, version, after=first + 1, timeout=120)

            settle()
            for k in range(3):  # warm-up
                edit(k)
                settle()
            pause, burst = [], []
            for k in range(samples):
                n = len(client.messages)
                t0 = edit(100 + k)
                pause.append((published(n) - t0) * 1000)
                settle()
            for k in range(samples):
                n = len(client.messages)
                for j in range(5):
                    t0 = edit(1000 + 10 * k + j)
                    time.sleep(0.04)
                burst.append((published(n) - t0) * 1000)
                settle()
            client.shutdown()
        finally:
            client.close()
    return {"pause_ms": statistics.median(pause), "burst_ms": statistics.median(burst)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=15)
    parser.add_argument("--kb", type=int, default=30)
    args = parser.parse_args()
    from tilint.lsp import MISSING_MESSAGE, available

    if not available():
        print(f"lsp_latency: skipped: {MISSING_MESSAGE}")
        return 0
    text = policy(args.kb)
    base = baseline_ms(text, args.samples)
    lsp = server_ms(text, args.samples)
    results = {"document_bytes": len(text.encode("utf-8")), "library_check_ms": round(base, 1),
               **{k: round(v, 1) for k, v in lsp.items()},
               "pause_vs_library": round(lsp["pause_ms"] / base, 2), "target_ms": TARGET_MS}
    print(f"{results['document_bytes']:,}-byte Markdown policy, median of {args.samples} edits each")
    print(f"  library check (baseline, in process)       {base:7.1f} ms")
    for key, label in (("pause_ms", "server: edit after a pause"), ("burst_ms", "server: last of 5 quick edits")):
        met = "met" if lsp[key] <= TARGET_MS else "NOT met"
        print(f"  {label:<42} {lsp[key]:7.1f} ms  ({lsp[key] / base:.2f}x the library; target {TARGET_MS:.0f} ms: {met})")
    save("lsp_latency", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
