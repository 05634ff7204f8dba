"""Read and validate the coverage training corpus (``training/coverage/*.yaml``).

Every file is a YAML list of sentences (format in ``docs/labelling.md``). The reader is
strict: an unknown key, a missing field, a label or kind outside the lists below, a
positive without labels, a negative with labels or a duplicate id stops the build with
``file:id: problem`` — a model is never trained on a corpus that says something else
than its writers meant.

    python training/corpus.py [DIR]          # validate and print counts
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import yaml

LABELS = ("realise", "recognise", "respond", "resist")
NEGATIVE_KINDS = (
    "definition",
    "aim",
    "hypothetical",
    "advice-to-others",
    "other-body",
    "research",
    "physical-trauma",
    "restraint-no-last-resort",
    "sanction",
    "safeguarding-duty",
    "negation",
    "heading",
    "trauma-word-no-evidence",
    "neutral",
)
KINDS = ("positive", *NEGATIVE_KINDS)
DOCTYPES = (
    "policy", "procedure", "strategy", "leaflet", "letter", "handbook", "guidance", "report", "news",
    "contract", "job-description", "minutes", "web-page",
)
SECTORS = (
    "health", "mental-health", "maternity", "primary-care", "substance-use", "police", "prison", "probation",
    "youth-justice", "courts", "housing", "homelessness", "school", "early-years", "further-education",
    "university", "children-social-care", "fostering-adoption", "adult-social-care", "care-home",
    "domestic-abuse", "charity", "employer", "council", "public-health",
)
COUNTRIES = ("UK", "US", "AU", "IE", "NZ", "CA")
FIELDS = ("id", "doc", "doctype", "sector", "country", "text", "labels", "kind")
CORPUS_DIR = Path(__file__).resolve().parent / "coverage"


class CorpusError(ValueError):
    """A problem in the corpus, as ``file:id: problem``."""


@dataclass(frozen=True)
class Example:
    """One labelled training sentence."""

    id: str
    doc: str
    doctype: str
    sector: str
    country: str
    text: str
    labels: tuple[str, ...]
    kind: str
    file: str

    @property
    def cats(self) -> dict[str, float]:
        """spaCy's ``doc.cats`` for this example: 1.0 for each label, 0.0 for the rest."""
        return {label: float(label in self.labels) for label in LABELS}


def _check(item: object, where: str) -> Example:
    def fail(problem: str) -> CorpusError:
        return CorpusError(f"{where}: {problem}")

    if not isinstance(item, dict):
        raise fail("an entry must be a mapping with keys " + ", ".join(FIELDS))
    unknown = sorted(set(item) - set(FIELDS))
    if unknown:
        raise fail(f"unknown key(s) {', '.join(map(str, unknown))}")
    missing = [k for k in FIELDS if k not in item]
    if missing:
        raise fail(f"missing key(s) {', '.join(missing)}")
    for key in ("id", "doc", "doctype", "sector", "country", "text", "kind"):
        if not isinstance(item[key], str) or not item[key].strip():
            raise fail(f"'{key}' must be a non-empty string")
    for key, allowed in (("doctype", DOCTYPES), ("sector", SECTORS), ("country", COUNTRIES), ("kind", KINDS)):
        if item[key] not in allowed:
            raise fail(f"{key} '{item[key]}' is not one of {', '.join(allowed)}")
    labels = item["labels"]
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise fail("'labels' must be a list of principle names")
    bad = [x for x in labels if x not in LABELS]
    if bad:
        raise fail(f"unknown label(s) {', '.join(bad)} (valid: {', '.join(LABELS)})")
    if len(set(labels)) != len(labels):
        raise fail("a label is repeated")
    if item["kind"] == "positive" and not labels:
        raise fail("kind 'positive' needs at least one label")
    if item["kind"] != "positive" and labels:
        raise fail(f"kind '{item['kind']}' is a hard negative: labels must be []")
    return Example(
        id=item["id"], doc=item["doc"], doctype=item["doctype"], sector=item["sector"], country=item["country"],
        text=item["text"].strip(), labels=tuple(labels), kind=item["kind"], file="",
    )


def read_file(path: Path) -> list[Example]:
    """The examples of one corpus file (validated; ``CorpusError`` names ``file:id``)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise CorpusError(f"{path}{line}: invalid YAML ({getattr(exc, 'problem', exc)})") from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise CorpusError(f"{path}: the file must be a YAML list of sentences")
    out = []
    for i, item in enumerate(data):
        ident = item.get("id", f"#{i + 1}") if isinstance(item, dict) else f"#{i + 1}"
        ex = _check(item, f"{path}:{ident}")
        out.append(Example(**{**ex.__dict__, "file": path.name}))
    return out


def read_corpus(folder: Path = CORPUS_DIR, files: Iterable[Path] | None = None) -> list[Example]:
    """Every example of every ``*.yaml`` in ``folder`` (sorted by file name), validated.

    Ids must be unique across the corpus. A text written twice (boilerplate such as "The
    minutes were approved") is kept once, so it cannot straddle training and test folds;
    the same text with different labels is an error."""
    paths = sorted(files) if files is not None else sorted(folder.glob("*.yaml"))
    examples: list[Example] = []
    ids: dict[str, str] = {}
    texts: dict[str, Example] = {}
    for path in paths:
        for ex in read_file(path):
            if ex.id in ids:
                raise CorpusError(f"{path}:{ex.id}: duplicate id (also in {ids[ex.id]})")
            ids[ex.id] = path.name
            key = " ".join(ex.text.lower().split())
            if key in texts:
                first = texts[key]
                if first.labels != ex.labels and set(first.labels) != set(ex.labels):
                    raise CorpusError(f"{path}:{ex.id}: the same text as {first.id} with other labels")
                continue
            texts[key] = ex
            examples.append(ex)
    return examples


def summary(examples: list[Example]) -> str:
    """Counts by label and kind, and the share of hard negatives."""
    labels = Counter(label for ex in examples for label in ex.labels)
    kinds = Counter(ex.kind for ex in examples)
    negatives = sum(1 for ex in examples if not ex.labels)
    docs = len({ex.doc for ex in examples})
    lines = [f"{len(examples)} sentences from {docs} documents; {negatives} hard negatives ({negatives / max(1, len(examples)):.0%})"]
    lines.append("labels: " + ", ".join(f"{k} {labels[k]}" for k in LABELS))
    lines.append("kinds: " + ", ".join(f"{k} {kinds[k]}" for k in KINDS))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else CORPUS_DIR
    try:
        examples = read_corpus(folder)
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(summary(examples))
    return 0


if __name__ == "__main__":
    sys.exit(main())
