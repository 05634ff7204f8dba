"""tilint inside a spaCy pipeline: ``nlp.add_pipe("tilint")``, no import of tilint needed.

Run ``python examples/pipeline.py`` for the built-in rules, or
``python examples/pipeline.py PACK.yaml ...`` to use only the rules of those packs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import spacy
import yaml

TEXTS = [
    "Patients who fail to attend twice will be discharged.",
    "Addicts wait outside the clinic.",
    "We offer every person a choice of appointment times.",
    "Staff may use restraint.\n\nThe patient refused treatment.",
    "The council refused the request.",
]


def build(packs: list[str]) -> spacy.language.Language:
    config = {}
    if packs:  # only these packs' rules, selected by their id prefix
        prefixes = [yaml.safe_load(Path(p).read_text(encoding="utf-8"))["prefix"] for p in packs]
        config = {"extra_rules": packs, "select": prefixes}
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("tilint", config=config)
    return nlp


def main(argv: list[str]) -> int:
    nlp = build(argv)
    total = 0
    for i, doc in enumerate(nlp.pipe(TEXTS, batch_size=2), start=1):
        print(f"[{i}] {doc.text!r}")
        for span in doc.spans["tilint"]:  # one span per finding, labelled with the rule id
            f = span._.tilint_finding
            try_ = f" -> try {', '.join(repr(s) for s in f.suggestions)}" if f.suggestions else ""
            print(f"    {f.line}:{f.column} {span.label_} {f.severity} {span.text!r}{try_}")
        total += len(doc._.tilint_findings)
    print(f"{total} findings in {len(TEXTS)} texts")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
