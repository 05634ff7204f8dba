"""Score tilint (and, side by side, alex) on labelled real policy excerpts and whole policies.

Usage::

    python benchmarks/language_eval.py [--corpus PATH ...] [--docs DIR] [--no-alex] [--details]
    python benchmarks/language_eval.py --before main     # figures of git main, then of this tree

**Sentences.** Each corpus (default: every ``sentences-*.yaml`` in ``../shared/corpus/``)

is a YAML list of items with ``text`` and three lists of substrings that occur verbatim
in it (see the corpus README):

* ``must``: a good linter flags it. An occurrence is *found* when a finding's range
  overlaps it.
* ``must_not``: correct usage. An occurrence is a *false flag* when a finding overlaps it.
* ``may``: debatable; a finding overlapping only ``may`` spans is neither rewarded nor
  punished.

A finding that overlaps no labelled span counts against precision. Reported per tool:
recall on ``must``, false-flag rate on ``must_not``, precision and F1.

**Whole documents.** Each policy in ``--docs`` (default ``../shared/corpus/docs-dev/``) is
read through tilint's own readers (md, docx, pdf...) and checked with every rule. Its
``manifest.yaml`` lists ``notable_terms`` (stigmatising or punitive wording a reviewer
marked) and ``benign_lookalikes`` (correct usage a naive linter flags), as verbatim
substrings once whitespace is collapsed. A notable term is *found* when a finding overlaps
one of its occurrences; a look-alike is *flagged* likewise.

``--before REF`` extracts that git revision (``git archive``) to a temporary folder and
runs this script on its ``src/`` and ``rules/``, so the two columns differ only in tilint.

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
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS_DIR = Path("/work/shared/corpus")
DEFAULT_CORPORA = [CORPUS_DIR / "sentences-dev.yaml", CORPUS_DIR / "sentences-dev2.yaml"]
DEFAULT_DOCS = CORPUS_DIR / "docs-dev"
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


@dataclass
class DocScore:
    notable_total: int = 0
    notable_found: int = 0
    lookalike_total: int = 0
    lookalike_flagged: int = 0
    findings: int = 0
    unlocated: list = field(default_factory=list)  # manifest phrases not found in the text read
    misses: list = field(default_factory=list)
    false_flags: list = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.notable_found / self.notable_total if self.notable_total else 0.0

    @property
    def false_flag_rate(self) -> float:
        return self.lookalike_flagged / self.lookalike_total if self.lookalike_total else 0.0


def _collapse(text: str) -> str:
    return " ".join(text.split())


def score_docs(folder: Path) -> DocScore:
    """Whole-document figures: every policy in ``folder`` read and checked by tilint."""
    from tilint.engine import get_engine
    from tilint.readers import read_document
    from tilint.ruleset import load_ruleset

    engine = get_engine(load_ruleset())
    manifest = yaml.safe_load((folder / "manifest.yaml").read_text(encoding="utf-8"))
    sc = DocScore()
    for entry in manifest["documents"]:
        doc = read_document(folder / entry["file"])
        hits = engine.analyse(doc.blocks)
        sc.findings += len(hits)
        # one text of all blocks (each already whitespace-collapsed), so a phrase that a
        # reader split over two blocks (a PDF line, a table cell) is still located
        text, base, pos = "", {}, 0
        for block in doc.blocks:
            base[id(block)] = pos
            text += block.text + " "
            pos = len(text)
        flagged = [(base[id(h.block)] + h.start, base[id(h.block)] + h.end, h.rule.id) for h in hits]
        lowered = text.lower()
        for kind in ("notable_terms", "benign_lookalikes"):
            for phrase in entry.get(kind) or []:
                spans = _occurrences(text, _collapse(phrase)) or _occurrences(lowered, _collapse(phrase).lower())
                if not spans:
                    sc.unlocated.append((entry["file"], phrase))
                    continue
                rules = [r for a, b, r in flagged if any(_overlaps((a, b), s) for s in spans)]
                if kind == "notable_terms":
                    sc.notable_total += 1
                    sc.notable_found += bool(rules)
                    if not rules:
                        sc.misses.append((entry["file"], phrase))
                else:
                    sc.lookalike_total += 1
                    sc.lookalike_flagged += bool(rules)
                    if rules:
                        sc.false_flags.append((entry["file"], phrase, rules))
    return sc


def _sentence_figures(sc: Score) -> dict:
    return {"recall": sc.recall, "false_flag_rate": sc.false_flag_rate, "precision": sc.precision, "f1": sc.f1,
            "must": [sc.must_found, sc.must_total], "must_not": [sc.must_not_flagged, sc.must_not_total]}


def figures(corpora: list[Path], docs: Optional[Path], details: bool = False) -> dict:
    """Every measure of this tree's tilint, as one JSON-ready dict."""
    out: dict = {}
    for path in corpora:
        items = load_corpus(path)
        sc = score(items, run_tilint(items))
        out[path.name] = _sentence_figures(sc)
        if details:
            out[path.name]["details"] = _details("tilint", sc)
    if docs is not None:
        ds = score_docs(docs)
        out[docs.name] = {"notable_recall": ds.recall, "lookalike_flag_rate": ds.false_flag_rate,
                          "notable": [ds.notable_found, ds.notable_total], "lookalikes": [ds.lookalike_flagged, ds.lookalike_total],
                          "findings": ds.findings}
        if details:
            lines = [f"== {docs.name}: notable terms missed ({len(ds.misses)})"]
            lines += [f"  {f}: {p!r}" for f, p in ds.misses]
            lines.append(f"== {docs.name}: look-alikes flagged ({len(ds.false_flags)})")
            lines += [f"  {f}: {p!r} by {r}" for f, p, r in ds.false_flags]
            lines.append(f"== {docs.name}: manifest phrases not located in the text read ({len(ds.unlocated)})")
            lines += [f"  {f}: {p!r}" for f, p in ds.unlocated]
            out[docs.name]["details"] = "\n".join(lines)
    return out


def figures_at(ref: str, corpora: list[Path], docs: Optional[Path]) -> dict:
    """:func:`figures` for git revision ``ref``: its tree extracted and measured by this script."""
    with tempfile.TemporaryDirectory(prefix="tilint-eval-") as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        args = [sys.executable, str(Path(__file__).resolve()), "--json", "--no-alex", "--src", str(Path(tmp) / "src")]
        args += [a for c in corpora for a in ("--corpus", str(c))]
        args += ["--docs", str(docs)] if docs is not None else ["--no-docs"]
        proc = subprocess.run(args, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"measuring {ref} failed: {proc.stderr.strip()[-800:]}")
        return json.loads(proc.stdout)["tilint"]


def _figure_rows(name: str, fig: dict) -> list[tuple[str, str]]:
    if "notable" in fig:
        return [(f"{name}: notable terms found", f"{fig['notable_recall']:.1%} {fig['notable'][0]}/{fig['notable'][1]}"),
                (f"{name}: look-alikes flagged", f"{fig['lookalike_flag_rate']:.1%} {fig['lookalikes'][0]}/{fig['lookalikes'][1]}")]
    return [(f"{name}: recall (must)", f"{fig['recall']:.1%} {fig['must'][0]}/{fig['must'][1]}"),
            (f"{name}: false flags (must_not)", f"{fig['false_flag_rate']:.1%} {fig['must_not'][0]}/{fig['must_not'][1]}"),
            (f"{name}: precision / F1", f"{fig['precision']:.1%} / {fig['f1']:.3f}")]


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, action="append", help="labelled sentences YAML (read-only; repeatable)")
    ap.add_argument("--docs", type=Path, default=DEFAULT_DOCS, help="folder of whole policies with manifest.yaml")
    ap.add_argument("--no-docs", action="store_true", help="skip the whole-document measure")
    ap.add_argument("--before", metavar="REF", help="also measure git revision REF (e.g. main) and print both")
    ap.add_argument("--src", type=Path, default=ROOT / "src", help=argparse.SUPPRESS)  # the tilint measured
    ap.add_argument("--no-alex", action="store_true", help="score tilint only")
    ap.add_argument("--details", action="store_true", help="list misses, false flags and unlabelled findings")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(args.src))
    corpora = args.corpus or DEFAULT_CORPORA
    docs = None if args.no_docs else args.docs
    for path in [*corpora, *([docs / "manifest.yaml"] if docs else [])]:
        if not path.exists():
            print(f"not found: {path}", file=sys.stderr)
            return 2

    after = figures(corpora, docs, details=args.details)
    alex: dict = {}
    skipped = None if args.no_alex else alex_available()
    if not args.no_alex and skipped is None:
        for path in corpora:
            items = load_corpus(path)
            sc = score(items, run_alex(items))
            alex[path.name] = _sentence_figures(sc)
    if args.json:
        print(json.dumps({"tilint": after, **({"alex": alex} if alex else {})}, indent=2))
        return 0
    before = figures_at(args.before, corpora, docs) if args.before else None
    head = f"{'measure':<44} " + (f"{'before (' + args.before + ')':>18} " if before else "") + f"{'tilint':>18}" + (f" {'alex':>18}" if alex else "")
    print(head)
    for name, fig in after.items():
        rows = _figure_rows(name, fig)
        old = dict(_figure_rows(name, before[name])) if before and name in before else {}
        other = dict(_figure_rows(name, alex[name])) if name in alex else {}
        for label, value in rows:
            print(f"{label:<44} " + (f"{old.get(label, '-'):>18} " if before else "") + f"{value:>18}" + (f" {other.get(label, '-'):>18}" if alex else ""))
    if skipped and not args.no_alex:
        print(f"alex skipped: {skipped}")
    if args.details:
        for fig in after.values():
            print(fig["details"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
