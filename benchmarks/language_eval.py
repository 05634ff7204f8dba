"""Score tilint (and, side by side, alex) on labelled real policy excerpts.

Usage::

    PYTHONPATH=src python benchmarks/language_eval.py [--corpus PATH] [--no-alex] [--details]

The corpus is a YAML list of items with ``text`` and three lists of substrings that
occur verbatim in it (see the corpus README):

* ``must``: a good linter flags it. An occurrence is *found* when a finding's range
  overlaps it.
* ``must_not``: correct usage. An occurrence is a *false flag* when a finding overlaps it.
* ``may``: debatable; a finding overlapping only ``may`` spans is neither rewarded nor
  punished.

A finding that overlaps no labelled span counts against precision. Reported per tool:
recall on ``must``, false-flag rate on ``must_not``, precision and F1.

alex is run once over all excerpts through a small Node script, from a local install:
``npm install --prefix benchmarks/.alex alex@11`` (the folder is gitignored; the
pinned version is in ``benchmarks/alex/package.json``). Without node or that install,
the alex column is skipped with a message.

The corpus is read-only reference data; nothing from it is written anywhere.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_CORPUS = Path("/work/shared/corpus/sentences-dev.yaml")
ALEX_DIR = HERE / ".alex"

Span = tuple[int, int]

# alex's API (ESM) over a JSON list of texts on stdin; prints one list of
# [start, end, ruleId, actual] per text. Positions come from vfile messages:
# `place` (vfile-message 4) or `position` (older), as line/column (1-based).
_ALEX_JS = r"""
import {text as alexText} from 'alex';
let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => {
  const texts = JSON.parse(input);
  const out = texts.map((t) => {
    const file = alexText(t);
    return file.messages.map((m) => {
      const place = m.place || m.position || {};
      const start = place.start || place;
      const end = place.end || null;
      return [start.line || 0, start.column || 0, end ? end.line : 0, end ? end.column : 0,
              start.offset ?? null, end && end.offset !== undefined ? end.offset : null,
              m.ruleId || m.source || '', m.actual || ''];
    });
  });
  process.stdout.write(JSON.stringify(out));
});
"""


@dataclass
class Item:
    id: str
    text: str
    must: list[Span] = field(default_factory=list)
    must_not: list[Span] = field(default_factory=list)
    may: list[Span] = field(default_factory=list)
    labels: dict = field(default_factory=dict)  # span -> label text, for the details view


@dataclass
class Score:
    must_total: int = 0
    must_found: int = 0
    must_not_total: int = 0
    must_not_flagged: int = 0
    findings_tp: int = 0
    findings_fp: int = 0
    findings_neutral: int = 0
    misses: list = field(default_factory=list)
    false_flags: list = field(default_factory=list)
    unlabelled: list = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.must_found / self.must_total if self.must_total else 0.0

    @property
    def false_flag_rate(self) -> float:
        return self.must_not_flagged / self.must_not_total if self.must_not_total else 0.0

    @property
    def precision(self) -> float:
        judged = self.findings_tp + self.findings_fp
        return self.findings_tp / judged if judged else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _occurrences(text: str, needle: str) -> list[Span]:
    out, start = [], 0
    while needle:
        i = text.find(needle, start)
        if i < 0:
            break
        out.append((i, i + len(needle)))
        start = i + len(needle)
    return out


def load_corpus(path: Path) -> list[Item]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = []
    for raw in data:
        item = Item(id=str(raw["id"]), text=raw["text"])
        for kind in ("must", "must_not", "may"):
            for label in raw.get(kind) or []:
                spans = _occurrences(item.text, label)
                if not spans:
                    print(f"warning: {item.id}: {kind} span {label!r} not found in text", file=sys.stderr)
                for s in spans:
                    getattr(item, kind).append(s)
                    item.labels[(kind, s)] = label
        items.append(item)
    return items


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score(items: list[Item], findings: list[list[tuple[Span, str]]]) -> Score:
    sc = Score()
    for item, found in zip(items, findings):
        spans = [s for s, _ in found]
        for m in item.must:
            sc.must_total += 1
            if any(_overlaps(m, f) for f in spans):
                sc.must_found += 1
            else:
                sc.misses.append((item.id, item.labels[("must", m)], item.text))
        for m in item.must_not:
            sc.must_not_total += 1
            if any(_overlaps(m, f) for f in spans):
                sc.must_not_flagged += 1
                rules = [r for f, r in found if _overlaps(m, f)]
                sc.false_flags.append((item.id, item.labels[("must_not", m)], rules, item.text))
        for f, rule in found:
            if any(_overlaps(f, m) for m in item.must):
                sc.findings_tp += 1
            elif any(_overlaps(f, m) for m in item.must_not):
                sc.findings_fp += 1
            elif any(_overlaps(f, m) for m in item.may):
                sc.findings_neutral += 1
            else:
                sc.findings_fp += 1
                sc.unlabelled.append((item.id, item.text[f[0]:f[1]], rule, item.text))
    return sc


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    return starts


def _offset(starts: list[int], line: int, column: int) -> int:
    return starts[max(line, 1) - 1] + max(column, 1) - 1


def run_tilint(items: list[Item]) -> list[list[tuple[Span, str]]]:
    sys.path.insert(0, str(ROOT / "src"))
    import tilint

    out = []
    for item in items:
        starts = _line_starts(item.text)
        found = []
        for f in tilint.lint_text(item.text, format="text"):
            found.append(((_offset(starts, f.line, f.column), _offset(starts, f.end_line, f.end_column)), f.rule_id))
        out.append(found)
    return out


def alex_available() -> Optional[str]:
    """None when alex can run, else the reason it cannot."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not (ALEX_DIR / "node_modules" / "alex" / "package.json").exists():
        return f"alex is not installed (run: npm install --prefix {ALEX_DIR.relative_to(ROOT)} alex@11)"
    return None


def run_alex(items: list[Item]) -> list[list[tuple[Span, str]]]:
    script = ALEX_DIR / "tilint-alex-run.mjs"
    script.write_text(_ALEX_JS, encoding="utf-8")
    proc = subprocess.run(
        ["node", str(script)],
        input=json.dumps([i.text for i in items]),
        capture_output=True,
        text=True,
        cwd=str(ALEX_DIR),
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"alex failed: {proc.stderr.strip()[:500]}")
    results = json.loads(proc.stdout)
    out = []
    for item, messages in zip(items, results):
        starts = _line_starts(item.text)
        found = []
        for sl, sc_, el, ec, so, eo, rule, _actual in messages:
            start = so if so is not None else _offset(starts, sl, sc_)
            end = eo if eo is not None else (_offset(starts, el, ec) if el else start + max(len(_actual), 1))
            found.append(((start, end), f"alex:{rule}"))
        out.append(found)
    return out


def _table(rows: Iterable[tuple[str, Score]]) -> str:
    lines = [
        f"{'tool':<8} {'recall (must)':>14} {'false flags (must_not)':>23} {'precision':>10} {'F1':>6}  findings tp/fp/neutral",
    ]
    for name, sc in rows:
        lines.append(
            f"{name:<8} {sc.recall:>8.1%} {sc.must_found:>3}/{sc.must_total:<3}"
            f" {sc.false_flag_rate:>14.1%} {sc.must_not_flagged:>3}/{sc.must_not_total:<3}"
            f" {sc.precision:>10.1%} {sc.f1:>6.3f}  {sc.findings_tp}/{sc.findings_fp}/{sc.findings_neutral}"
        )
    return "\n".join(lines)


def _details(name: str, sc: Score) -> str:
    out = [f"\n== {name}: missed must spans ({len(sc.misses)})"]
    out += [f"  {i}: {label!r}" for i, label, _ in sc.misses]
    out.append(f"== {name}: must_not spans flagged ({len(sc.false_flags)})")
    out += [f"  {i}: {label!r} by {rules}" for i, label, rules, _ in sc.false_flags]
    out.append(f"== {name}: findings on unlabelled text ({len(sc.unlabelled)})")
    out += [f"  {i}: {m!r} by {rule}" for i, m, rule, _ in sc.unlabelled]
    return "\n".join(out)


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="labelled corpus YAML (read-only)")
    ap.add_argument("--no-alex", action="store_true", help="score tilint only")
    ap.add_argument("--details", action="store_true", help="list misses, false flags and unlabelled findings")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)

    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    items = load_corpus(args.corpus)
    rows = [("tilint", score(items, run_tilint(items)))]
    skipped = None
    if not args.no_alex:
        skipped = alex_available()
        if skipped is None:
            rows.append(("alex", score(items, run_alex(items))))

    if args.json:
        print(json.dumps({name: {"recall": sc.recall, "false_flag_rate": sc.false_flag_rate, "precision": sc.precision,
                                  "f1": sc.f1, "must": [sc.must_found, sc.must_total],
                                  "must_not": [sc.must_not_flagged, sc.must_not_total]} for name, sc in rows}, indent=2))
    else:
        print(f"corpus: {args.corpus} ({len(items)} excerpts)")
        print(_table(rows))
        if skipped:
            print(f"alex skipped: {skipped}")
        elif len(rows) == 2 and rows[1][1].f1:
            print(f"tilint F1 / alex F1 = {rows[0][1].f1 / rows[1][1].f1:.2f}")
        if args.details:
            for name, sc in rows:
                print(_details(name, sc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
