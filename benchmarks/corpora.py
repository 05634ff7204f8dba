"""The benchmark corpora, built at bench time in a temporary folder (never committed).

* :func:`build_realistic`: real policy text. The whole documents in
  ``../shared/corpus/docs-dev/`` (Markdown, Word, PDF) are read through tilint's own
  readers, and the labelled excerpts of the ``*.yaml`` files there are taken as
  paragraphs. Documents (in their own block order) and excerpts are shuffled into one
  stream, reshuffled on each pass, and cut at paragraph boundaries into plain-text
  files of about 25 KB. The shared corpus is read-only reference data: it is read
  when the benchmark runs and nothing from it is written into the project.
* :func:`build_dense`: the worst case. ``examples/`` and the regression sentences
  (``tests/data/*.yaml``), repeated with names, numbers and sentence order varied:
  almost every paragraph holds a word some rule or principle could match.
"""

from __future__ import annotations

import os
import random
import re
from pathlib import Path
from typing import Optional

import yaml

ROOT = Path(__file__).resolve().parents[1]
_SHARED_CANDIDATES = (ROOT.parent / "shared" / "corpus", Path("/work/shared/corpus"))


def shared_corpus() -> Optional[Path]:
    """The shared real corpus: ``$TILINT_SHARED_CORPUS``, else ``../shared/corpus``."""
    env = os.environ.get("TILINT_SHARED_CORPUS")
    for path in ([Path(env)] if env else []) + list(_SHARED_CANDIDATES):
        if (path / "docs-dev").is_dir():
            return path
    return None


# -- realistic ------------------------------------------------------------------------
def _real_units(shared: Path) -> list[list[str]]:
    """Each document as its list of paragraphs, and each excerpt as a one-paragraph unit."""
    from tilint.readers import read_document

    units: list[list[str]] = []
    for path in sorted((shared / "docs-dev").iterdir()):
        if path.suffix.lower() in (".md", ".docx", ".pdf", ".txt", ".odt", ".html", ".rst"):
            units.append([b.text for b in read_document(path).blocks if b.text.strip()])
    for path in sorted(shared.glob("*.yaml")):
        items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        units += [[i["text"].strip()] for i in items if isinstance(i, dict) and isinstance(i.get("text"), str)]
    return [u for u in units if u]


def build_realistic(folder: Path, megabytes: float = 5.0, file_kb: int = 25, shared: Optional[Path] = None) -> tuple[list[Path], int]:
    """Plain-text files of real policy text (see the module doc); ``([], 0)`` without the corpus."""
    shared = shared or shared_corpus()
    if shared is None:
        return [], 0
    rng = random.Random(20261207)
    units = _real_units(shared)
    target, per_file = int(megabytes * 1_000_000), file_kb * 1000

    def stream():
        while True:
            order = units[:]
            rng.shuffle(order)
            for unit in order:
                yield from unit

    paras = stream()
    paths: list[Path] = []
    total = 0
    while total < target:
        total += _write(folder / f"real-{len(paths):03d}.txt", [], per_file, lambda: next(paras), paths)
    return paths, total


def _write(path: Path, head: list[str], size: int, draw, paths: list[Path]) -> int:  # type: ignore[no-untyped-def]
    """Write ``head`` and paragraphs from ``draw()`` until about ``size`` bytes, blank
    lines between; add the path to ``paths`` and return the bytes written."""
    parts, written = list(head), 0
    while written < size:
        parts.append(draw())
        written += len(parts[-1].encode("utf-8")) + 2
    data = ("\n\n".join(parts) + "\n").encode("utf-8")
    path.write_bytes(data)
    paths.append(path)
    return len(data)


# -- dense (worst case) -----------------------------------------------------------------
def _seed_paragraphs() -> list[str]:
    paras = []
    for path in sorted((ROOT / "examples").glob("*")):
        if path.suffix in (".md", ".txt"):
            text = path.read_text(encoding="utf-8")
            text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
            paras += [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    for path in sorted((ROOT / "tests" / "data").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        items = data.get("cases", data.get("sentences", [])) if isinstance(data, dict) else data
        sentences = [i["text"] for i in items or [] if isinstance(i, dict) and isinstance(i.get("text"), str)]
        for i in range(0, len(sentences), 4):
            paras.append(" ".join(sentences[i : i + 4]))
    return paras


_NAMES = ["Riverside", "Oak Lane", "Hillview", "Northgate", "St Anne's", "Brook Street", "Meadow House"]


def _vary(para: str, rng: random.Random) -> str:
    """Change names, numbers and sentence order so repeats are not identical."""
    para = re.sub(r"\d+", lambda m: str(rng.randint(1, 400)), para)
    for name in _NAMES:
        if name in para:
            para = para.replace(name, rng.choice(_NAMES))
    if not para.startswith(("#", "-", "|", "1.")):
        sentences = re.split(r"(?<=[.!?])\s+", para)
        rng.shuffle(sentences)
        para = " ".join(sentences)
    return para


def build_dense(folder: Path, megabytes: float, files: int = 200) -> tuple[list[Path], int]:
    rng = random.Random(20261128)
    seeds = _seed_paragraphs()
    per_file = int(megabytes * 1_000_000) // files + 1
    paths: list[Path] = []
    total = sum(_write(folder / f"policy-{i:03d}.md", [f"# Policy {i}"], per_file, lambda: _vary(rng.choice(seeds), rng), paths) for i in range(files))
    return paths, total


def first_megabytes(paths: list[Path], megabytes: float) -> tuple[list[Path], int]:
    """The first files adding up to about ``megabytes`` (for a slower baseline)."""
    out, total = [], 0
    for p in paths:
        if total >= megabytes * 1_000_000:
            break
        out.append(p)
        total += p.stat().st_size
    return out, total
