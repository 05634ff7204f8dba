"""Evaluate coverage honestly (`make eval`): cross-validation, real text, before/after.

1. **Grouped 5-fold cross-validation** on the training corpus (``training/coverage``):
   folds are whole documents (the ``doc`` a sentence models), so near-duplicates never
   straddle training and test. Each fold's model is trained with the shipped config and
   seed, and scored through the whole coverage check (classifier, vetoes, indicators).
2. **Real sets**, never trained on (``../shared/corpus``, read-only; nothing is copied):
   ``principles-dev.yaml`` and ``principles-dev2.yaml`` sentence by sentence, and the
   whole policies of ``docs-dev/`` (status per principle against the manifest; a
   ``partial`` counts half).
3. **Before/after**: the real sets are also measured with the code of ``--before`` (by
   default the commit before issue 10), exported with ``git archive`` to a temporary
   folder and run in a subprocess, and printed beside today's figures.

    python benchmarks/coverage_eval.py [--corpus DIR] [--no-cv] [--before REF] [--misses]
        [--config CFG] [--model DIR] [--framework FILE]   (another model design, model, thresholds)

Sentence measures: per-principle precision/recall/F1, macro F1 over the four, and the share
of hard negatives (sentences labelled ``[]``) given any evidence.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Callable, Optional, Sequence

import yaml

ROOT = Path(__file__).resolve().parents[1]
# ../shared/corpus beside the checkout (or beside the folder of worktrees)
DEFAULT_CORPUS = next((d for d in (ROOT.parent / "shared" / "corpus", ROOT.parent.parent / "shared" / "corpus") if d.is_dir()), ROOT.parent / "shared" / "corpus")
BEFORE = "cea6351"  # main before issue 10 (lexical indicators only)
PRINCIPLES = ("realise", "recognise", "respond", "resist")
TARGETS = {"macro_f1": 0.85, "hard_negative_rate": 0.08, "doc_covered": 0.85, "doc_missing": 0.85}
FOLDS = 5
REAL_SETS = ("principles-dev.yaml", "principles-dev2.yaml")
FRAMEWORK = "samhsa-4r"  # --framework: another copy, e.g. with other thresholds


# ------------------------------------------------------------------ sentence scoring


def f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, score


def score_sentences(gold: Sequence[set[str]], got: Sequence[set[str]], kinds: Optional[Sequence[str]] = None) -> dict:
    """Per-principle P/R/F1, macro F1 and the hard-negative rate (by kind when given)."""
    counts = {p: [0, 0, 0] for p in PRINCIPLES}
    negatives = flagged = 0
    by_kind: dict[str, list[int]] = {}
    for i, (g, o) in enumerate(zip(gold, got)):
        for p in PRINCIPLES:
            counts[p][0] += p in g and p in o
            counts[p][1] += p in o and p not in g
            counts[p][2] += p in g and p not in o
        if not g:
            negatives += 1
            flagged += bool(o)
            if kinds:
                row = by_kind.setdefault(kinds[i], [0, 0])
                row[0] += bool(o)
                row[1] += 1
    per = {p: f1(*counts[p]) for p in PRINCIPLES}
    return {
        "per_principle": per,
        "macro_f1": sum(s[2] for s in per.values()) / len(PRINCIPLES),
        "hard_negatives": [flagged, negatives],
        "hard_negative_rate": flagged / negatives if negatives else 0.0,
        "by_kind": by_kind,
        "sentences": len(gold),
    }


def predict(texts: Sequence[str], classifier: Optional[Callable] = None) -> list[set[str]]:
    """Principles each text (checked on its own, as plain text) is evidence for."""
    from tilint.coverage import check_coverage

    kwargs = {"classifier": classifier} if classifier is not None else {}
    return [{p.id for p in check_coverage(t, format="text", framework=FRAMEWORK, **kwargs).principles if p.evidence} for t in texts]


# ------------------------------------------------------------------------ real sets


def eval_real_sentences(corpus: Path, name: str, misses: bool = False, classifier: Optional[Callable] = None) -> dict:
    items = yaml.safe_load((corpus / name).read_text(encoding="utf-8"))
    gold = [set(item["principles"]) for item in items]
    got = predict([item["text"] for item in items], classifier)
    if misses:
        for item, g, o in zip(items, gold, got):
            if g != o:
                print(f"  {item['id']}: gold={sorted(g)} got={sorted(o)}  {item['text'][:110]}")
    return score_sentences(gold, got)


def eval_documents(folder: Path, misses: bool = False, classifier: Optional[Callable] = None) -> dict:
    """Status per principle of each docs-dev policy against the manifest.

    Agreement on covered principles: covered 1, partial 0.5, missing 0; on missing
    principles the reverse. Strict variant: only ``covered`` counts as covered."""
    from tilint.coverage import check_document, load_framework
    from tilint.readers import read_document

    manifest = yaml.safe_load((folder / "manifest.yaml").read_text(encoding="utf-8"))
    framework = load_framework(FRAMEWORK)
    covered = [0.0, 0]
    missing = [0.0, 0]
    rows = []
    for entry in manifest["documents"]:
        try:
            report = check_document(read_document(folder / entry["file"]), framework=framework, **({"classifier": classifier} if classifier else {}))
        except Exception as exc:  # a reader failing is a finding of the evaluation, not a crash
            rows.append(f"  {entry['file'][:40]:40} could not be read: {exc}")
            continue
        row = []
        for key, judgement in entry["four_rs"].items():
            result = report.get(framework.principle(key).id)
            value = {"covered": 1.0, "partial": 0.5, "missing": 0.0}[result.status]
            gold = bool(judgement["covered"])
            bucket = covered if gold else missing
            bucket[0] += value if gold else 1 - value
            bucket[1] += 1
            ok = (value == 1.0) if gold else (value == 0.0)
            row.append(f"{result.id[:4]}={'Y' if gold else 'N'}/{result.status[:4]}{'' if ok else '!'}")
            if misses and not ok:
                for ev in result.evidence[:3]:
                    print(f"    {entry['file'][:12]} {result.id} L{ev.line} {ev.score}: {ev.text[:120]}")
        rows.append(f"  {entry['file'][:40]:40} {'  '.join(row)}")
    return {"rows": rows, "covered": covered, "missing": missing}


def eval_real(
    corpus: Path, misses: bool = False, classifier: Optional[Callable] = None, sets: Sequence[str] = REAL_SETS, docs: str = "docs-dev"
) -> dict:
    out = {name: eval_real_sentences(corpus, name, misses, classifier) for name in sets if (corpus / name).is_file()}
    if (corpus / docs / "manifest.yaml").is_file():
        out["docs-dev"] = eval_documents(corpus / docs, misses, classifier)
    return out


def eval_before(ref: str, corpus: Path, extra: Sequence[str] = ()) -> Optional[dict]:
    """The real-set figures of the code at ``ref`` (git archive, run in a subprocess)."""
    with tempfile.TemporaryDirectory(prefix="tilint-before-") as tmp:
        archive = Path(tmp) / "src.tar"
        try:
            subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), ref, "src", "rules"], check=True, capture_output=True)
        except (subprocess.CalledProcessError, FileNotFoundError) as exc:
            print(f"  (before: cannot export {ref}: {exc})")
            return None
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        env = {**os.environ, "PYTHONPATH": str(Path(tmp) / "src")}
        proc = subprocess.run(
            [sys.executable, __file__, "--real-json", "--corpus", str(corpus), *extra], env=env, capture_output=True, text=True
        )
        if proc.returncode:
            print(f"  (before: {ref} failed: {proc.stderr.strip().splitlines()[-1:]})")
            return None
        return json.loads(proc.stdout)


# ------------------------------------------------------------------ cross-validation


def fold_of(doc: str) -> int:
    """A stable fold for a document name (the same on every machine and run)."""
    return int(hashlib.sha256(doc.encode()).hexdigest(), 16) % FOLDS


def cross_validate(corpus_dir: Path, config: Optional[Path] = None) -> dict:
    sys.path.insert(0, str(ROOT / "training"))
    from corpus import read_corpus  # type: ignore[import-not-found]
    from train import train  # type: ignore[import-not-found]

    from tilint.coverage_model import pipeline_classifier

    examples = read_corpus(corpus_dir)
    gold: list[set[str]] = []
    got: list[set[str]] = []
    kinds: list[str] = []
    texts: list[str] = []
    alone: list[set[str]] = []  # the classifier alone at 0.5, no cues (how well the model itself generalises)
    for k in range(FOLDS):
        test = [ex for ex in examples if fold_of(ex.doc) == k]
        nlp = train([ex for ex in examples if fold_of(ex.doc) != k], **({"config": config} if config else {}))
        classifier = pipeline_classifier(nlp)
        gold += [set(ex.labels) for ex in test]
        got += predict([ex.text for ex in test], classifier)
        alone += [{p for p, v in cats.items() if v >= 0.5} for cats in classifier([ex.text for ex in test])]
        kinds += [ex.kind for ex in test]
        texts += [ex.text for ex in test]
        print(f"  fold {k + 1}/{FOLDS}: {len(test)} test sentences", flush=True)
    result = score_sentences(gold, got, kinds)
    result["documents"] = len({ex.doc for ex in examples})
    result["classifier_alone"] = score_sentences(gold, alone, kinds)
    result["misses"] = [(kind, sorted(g), sorted(o), text) for kind, g, o, text in zip(kinds, gold, got, texts) if g != o]
    # before: the indicators alone (a classifier that is never sure neither proposes nor vetoes)
    result["before"] = score_sentences(gold, predict(texts, lambda batch: [{} for _ in batch]))
    return result


# ------------------------------------------------------------------------- printing


def _share(pair: Sequence[float]) -> float:
    return pair[0] / pair[1] if pair[1] else 0.0


def print_sentences(title: str, after: dict, before: Optional[dict] = None) -> None:
    print(f"{title} ({after['sentences']} sentences){'   before -> after' if before else ''}")
    for p in PRINCIPLES:
        pr, rc, f = after["per_principle"][p]
        line = f"  {p:10} P {pr:.2f}  R {rc:.2f}  F1 {f:.2f}"
        if before:
            line += f"   (before F1 {before['per_principle'][p][2]:.2f})"
        print(line)
    b = f"{before['macro_f1']:.3f} -> " if before else ""
    print(f"  macro F1 {b}{after['macro_f1']:.3f} (target >= {TARGETS['macro_f1']})")
    flagged, negatives = after["hard_negatives"]
    b = f"{before['hard_negative_rate']:.1%} -> " if before else ""
    print(f"  hard negatives given evidence {b}{flagged}/{negatives} = {after['hard_negative_rate']:.1%} (target <= {TARGETS['hard_negative_rate']:.0%})")
    for kind, (n_flag, n) in sorted(after.get("by_kind", {}).items()):
        print(f"    {kind:26} {n_flag:3}/{n:<3} given evidence")


def print_documents(after: dict, before: Optional[dict], name: str = "docs-dev") -> None:
    print(f"Documents, {name} (gold/status, ! = disagreement; partial counts half):")
    print("\n".join(after["rows"]))
    for key in ("covered", "missing"):
        b = f"{_share(before[key]):.0%} -> " if before else ""
        print(f"  agreement on {key} {b}{after[key][0]:g}/{after[key][1]} = {_share(after[key]):.0%} (target >= 85%)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder with principles-dev*.yaml and docs-dev/")
    parser.add_argument("--training", type=Path, default=ROOT / "training" / "coverage", help="training corpus folder")
    parser.add_argument("--before", default=BEFORE, help=f"git ref of the code to compare with (default {BEFORE}); '' to skip")
    parser.add_argument("--config", type=Path, default=None, help="spaCy config to cross-validate (default: training/coverage.cfg)")
    parser.add_argument("--model", type=Path, default=None, help="measure this trained pipeline on the real sets (default: the shipped model)")
    parser.add_argument("--sets", default=",".join(REAL_SETS), help="sentence sets in --corpus, comma-separated (default: %(default)s)")
    parser.add_argument("--docs", default="docs-dev", help="folder of whole policies with manifest.yaml in --corpus (default: %(default)s)")
    parser.add_argument("--framework", default="samhsa-4r", help="framework to measure (a name or a YAML file; default %(default)s); --before measures REF's own samhsa-4r, as it shipped")
    parser.add_argument("--no-cv", action="store_true", help="skip cross-validation")
    parser.add_argument("--cv-only", action="store_true", help="cross-validation only (no real sets)")
    parser.add_argument("--misses", action="store_true", help="list the sentences and principles that disagree")
    parser.add_argument("--real-json", action="store_true", help=argparse.SUPPRESS)  # used for --before
    args = parser.parse_args(argv)
    global FRAMEWORK
    FRAMEWORK = args.framework

    if args.real_json:
        print(json.dumps(eval_real(args.corpus, sets=args.sets.split(","), docs=args.docs)))
        return 0
    ok = True
    if not args.no_cv:
        print(f"Grouped {FOLDS}-fold cross-validation on {args.training} (folds by document):", flush=True)
        cv = cross_validate(args.training, args.config)
        print_sentences(f"Cross-validation, {cv['documents']} documents", cv, cv["before"])
        if args.misses:
            for kind, g, o, text in sorted(cv["misses"]):
                print(f"  {kind}: gold={g} got={o}  {text[:110]}")
        alone = cv["classifier_alone"]
        print(f"  (the classifier alone at 0.5, no cues: macro F1 {alone['macro_f1']:.3f}, hard negatives {alone['hard_negative_rate']:.1%})")
        ok &= cv["macro_f1"] >= TARGETS["macro_f1"]
    if args.cv_only:
        return 0 if ok else 1
    if not any((args.corpus / name).is_file() for name in args.sets.split(",")):
        print(f"no real sets at {args.corpus}: skipped")
        return 0 if ok else 1
    before = eval_before(args.before, args.corpus, ["--sets", args.sets, "--docs", args.docs]) if args.before else None
    classifier = None
    if args.model:
        from tilint.coverage_model import load_classifier, pipeline_classifier

        classifier = pipeline_classifier(load_classifier(args.model))
    sets = [name for name in args.sets.split(",") if name]
    after = eval_real(args.corpus, args.misses, classifier, sets, args.docs)
    for name in sets:
        if name in after:
            print_sentences(f"Real set {name}", after[name], before.get(name) if before else None)
            ok &= after[name]["macro_f1"] >= TARGETS["macro_f1"] and after[name]["hard_negative_rate"] <= TARGETS["hard_negative_rate"]
    if "docs-dev" in after:
        docs = after["docs-dev"]
        print_documents(docs, before.get("docs-dev") if before else None, args.docs)
        ok &= _share(docs["covered"]) >= TARGETS["doc_covered"] and _share(docs["missing"]) >= TARGETS["doc_missing"]
    print("targets met" if ok else "targets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
