"""Train tilint's coverage classifier from the corpus and the config in this folder.

    python training/train.py [--out DIR] [--config training/coverage.cfg]

Reads ``training/coverage/*.yaml`` strictly (``training/corpus.py``), writes the sentences
as spaCy DocBins, trains the ``textcat_multilabel`` pipeline of ``coverage.cfg`` (CPU, one
thread, fixed seed, fixed epochs) and saves the last model to ``--out`` (by default the
copy shipped in the package, ``src/tilint/_coverage_model``). The same corpus, config and
seed give the same model.
"""

from __future__ import annotations

import os

# one BLAS thread: sums in the same order every run (reproducible floats)
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Sequence  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import CORPUS_DIR, CorpusError, Example, read_corpus, summary  # noqa: E402

CONFIG = HERE / "coverage.cfg"
SHIPPED = HERE.parent / "src" / "tilint" / "_coverage_model"


def to_docbin(examples: Sequence[Example], path: Path) -> None:
    """Write the examples as a spaCy DocBin (text + ``cats``)."""
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    bin_ = DocBin(store_user_data=False)
    for ex in examples:
        doc = nlp.make_doc(ex.text)
        doc.cats = ex.cats
        bin_.add(doc)
    path.parent.mkdir(parents=True, exist_ok=True)
    bin_.to_disk(path)


def train(examples: Sequence[Example], config: Path = CONFIG, *, seed: int | None = None, quiet: bool = True):
    """Train the pipeline of ``config`` on ``examples``; returns the ``Language``."""
    import spacy
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import train as train_loop
    from spacy.util import fix_random_seed, load_config

    with tempfile.TemporaryDirectory(prefix="tilint-train-") as tmp:
        train_path = Path(tmp) / "train.spacy"
        dev_path = Path(tmp) / "dev.spacy"
        to_docbin(examples, train_path)
        to_docbin(examples[:50], dev_path)  # the loop wants a dev set; the last model is kept
        overrides = {"paths.train": str(train_path), "paths.dev": str(dev_path)}
        if seed is not None:
            overrides["system.seed"] = seed
        cfg = load_config(config, overrides=overrides, interpolate=False)
        fix_random_seed(cfg["system"]["seed"] if seed is None else seed)
        spacy.require_cpu()
        nlp = init_nlp(cfg)
        fix_random_seed(cfg["system"]["seed"] if seed is None else seed)
        nlp, _ = train_loop(nlp, None, stdout=open(os.devnull, "w") if quiet else sys.stdout)
    return nlp


def save(nlp, out: Path) -> None:
    """Save the trained pipeline (replacing ``out``), without the training-only meta."""
    if out.exists():
        shutil.rmtree(out)
    nlp.meta["name"] = "tilint_coverage"
    nlp.meta["description"] = "tilint coverage classifier (realise, recognise, respond, resist); built by `make train`"
    nlp.meta.pop("performance", None)
    nlp.to_disk(out)
    # the temporary DocBin paths of this run are not part of the model
    from spacy.util import load_config

    cfg = load_config(out / "config.cfg", interpolate=False)
    cfg["paths"]["train"] = cfg["paths"]["dev"] = None
    cfg.to_disk(out / "config.cfg")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR)
    parser.add_argument("--config", type=Path, default=CONFIG)
    parser.add_argument("--out", type=Path, default=SHIPPED)
    args = parser.parse_args(argv)
    try:
        examples = read_corpus(args.corpus)
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(summary(examples))
    nlp = train(examples, args.config)
    save(nlp, args.out)
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"saved {args.out} ({size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
