"""tilint's benchmarks: speed and memory as ratios against baselines run in the same process.

Measures, on one generated corpus (>= 10 MB, built from examples/ and the regression
corpus, repeated with variation):

* tilint's full check (rules and coverage) in MB/s and findings, and its time against
  ``check`` without coverage (the coverage classifier's cost);
* the floor: one Python ``re`` alternation of every rule's surface forms;
* alex on a 1 MB slice (npm package installed into benchmarks/.alex; skipped without npm);
* cold start: ``tilint check`` on one clean 5 KB Markdown file and on one with a finding,
  against alex on the same files;
* ``-j 1`` against ``-j 2`` on a folder of 200 files, and peak memory.

It prints ratios (tilint/alex, tilint/floor, j2/j1), never bare times alone, and writes
them to benchmarks/out/results.json. Usage: ``python benchmarks/run.py [--mb 10] [--no-alex]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ALEX_DIR = ROOT / "benchmarks" / ".alex"
TARGETS = {"coverage_vs_check": 1.5, "throughput_vs_alex": 50.0, "slowdown_vs_floor": 4.0, "cold_start_vs_alex": 0.5, "j2_speedup": 1.7, "peak_mb": 500.0}


# -- corpus ---------------------------------------------------------------------------
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


def build_corpus(folder: Path, megabytes: float, files: int = 200) -> tuple[list[Path], int]:
    rng = random.Random(20261128)
    seeds = _seed_paragraphs()
    target = int(megabytes * 1_000_000)
    per_file = target // files + 1
    paths, total = [], 0
    for i in range(files):
        parts, size = [f"# Policy {i}"], 0
        while size < per_file:
            p = _vary(rng.choice(seeds), rng)
            parts.append(p)
            size += len(p) + 2
        text = "\n\n".join(parts) + "\n"
        path = folder / f"policy-{i:03d}.md"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
        total += len(text.encode("utf-8"))
    return paths, total


# -- measurements ---------------------------------------------------------------------
def measure_tilint(folder: Path, nbytes: int, coverage: bool = True) -> dict:
    from tilint.config import Config
    from tilint.linter import Linter

    config = Config(coverage={"framework": "samhsa-4r", "enabled": True}) if coverage and _has_coverage() else Config()
    linter = Linter(config)
    # build spaCy, the matchers and (with coverage) the classifier first
    linter.lint_text("warm-up: the patient refused. Staff are trained to understand trauma.")
    start = time.perf_counter()
    results = linter.lint_paths([folder])
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "mb_per_s": nbytes / 1e6 / seconds, "findings": sum(len(r.findings) for r in results), "coverage": config.coverage != {}}


def _has_coverage() -> bool:
    try:
        import tilint.coverage  # noqa: F401
    except ImportError:
        return False
    return True


def floor_regex() -> re.Pattern[str]:
    """One alternation of every rule pattern's surface form, as written (a naive regex linter)."""
    from tilint.linter import Linter
    from tilint.prefilter import variants

    forms: set[str] = set()
    for rule in Linter().rules:
        for pat in rule.patterns:
            if "phrase" in pat:
                forms.update(v.lower() for v in variants(pat["phrase"]))
            else:  # the literal words of a token pattern, in order
                words = [t.get("LOWER") or t.get("ORTH") or t.get("NORM") for t in pat["tokens"]]
                if all(isinstance(w, str) for w in words):
                    forms.add(" ".join(words).lower())
    alternation = "|".join(re.escape(f) for f in sorted(forms, key=lambda f: (-len(f), f)))
    return re.compile(rf"\b(?:{alternation})\b", re.IGNORECASE)


def measure_floor(paths: list[Path], nbytes: int) -> dict:
    pattern = floor_regex()
    start = time.perf_counter()
    count = sum(len(pattern.findall(p.read_text(encoding="utf-8"))) for p in paths)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "mb_per_s": nbytes / 1e6 / seconds, "matches": count}


def _run(cmd: list[str], cwd: Path, env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env)
    return time.perf_counter() - start


def _median_run(cmd: list[str], cwd: Path, repeat: int = 5) -> float:
    return statistics.median(_run(cmd, cwd) for _ in range(repeat))


def alex_command() -> list[str] | None:
    """alex's CLI from benchmarks/.alex, installing it there with npm the first time."""
    cli = ALEX_DIR / "node_modules" / "alex" / "cli.js"
    if not cli.exists():
        if not shutil.which("npm") or not shutil.which("node"):
            return None
        ALEX_DIR.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(["npm", "install", "--silent", "--prefix", str(ALEX_DIR), "alex@11"], capture_output=True, text=True)
        if proc.returncode != 0 or not cli.exists():
            print(f"  (alex could not be installed: {proc.stderr.strip()[:200]})")
            return None
    return ["node", str(cli)]


def five_kb_files(folder: Path) -> tuple[Path, Path]:
    words = "the service will support people to attend their appointments and we review our approach with them every year".split()
    rng = random.Random(5)
    paras = [" ".join(rng.choice(words) for _ in range(85)).capitalize() + "." for _ in range(10)]
    clean = folder / "clean.md"
    clean.write_text("# Visiting policy\n\n" + "\n\n".join(paras) + "\n", encoding="utf-8")
    finding = folder / "finding.md"
    finding.write_text("# Visiting policy\n\nPatients who fail to attend twice are contacted.\n\n" + "\n\n".join(paras[:-1]) + "\n", encoding="utf-8")
    return clean, finding


def _burn(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def parallel_ceiling(n: int = 15_000_000) -> float:
    """How much faster two processes finish two pure-CPU tasks than one process does:
    the machine's own limit for any ``-j 2`` speed-up (1.0 = no real second core)."""
    from concurrent.futures import ProcessPoolExecutor

    start = time.perf_counter()
    _burn(n)
    _burn(n)
    serial = time.perf_counter() - start
    with ProcessPoolExecutor(2) as pool:
        start = time.perf_counter()
        list(pool.map(_burn, [n, n]))
        parallel = time.perf_counter() - start
    return serial / parallel


_PEAK = "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"


def peak_memory_mb(cmd: list[str], cwd: Path) -> float:
    """Peak resident memory of one command, measured by a fresh wrapper process (the
    children's maximum in this process would include every earlier child, alex too)."""
    out = subprocess.run([sys.executable, "-c", _PEAK, *cmd], cwd=cwd, capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024  # ru_maxrss is in KB on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10.0, help="corpus size in MB (default 10)")
    parser.add_argument("--no-alex", action="store_true", help="skip alex")
    args = parser.parse_args(argv)
    tilint = [str(BIN / "tilint")]
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="tilint-bench-") as tmp:
        tmpdir = Path(tmp)
        corpus = tmpdir / "corpus"
        corpus.mkdir()
        paths, nbytes = build_corpus(corpus, args.mb)
        print(f"corpus: {len(paths)} files, {nbytes / 1e6:.1f} MB")

        t = results["tilint"] = measure_tilint(corpus, nbytes)
        f = results["floor"] = measure_floor(paths, nbytes)
        print(f"tilint full check{' (rules + coverage)' if t['coverage'] else ' (rules)'}: {t['mb_per_s']:.2f} MB/s, {t['findings']} findings")
        print(f"regex floor: {f['mb_per_s']:.2f} MB/s ({f['matches']} raw matches)")
        r = results["tilint_rules_only"] = measure_tilint(corpus, nbytes, coverage=False)
        results["coverage_vs_check"] = t["seconds"] / r["seconds"]
        print(f"  check --coverage / check: {results['coverage_vs_check']:.2f}x the time (target <= {TARGETS['coverage_vs_check']})")
        results["slowdown_vs_floor"] = f["mb_per_s"] / t["mb_per_s"]
        print(f"  tilint is {results['slowdown_vs_floor']:.2f}x slower than the floor (target <= {TARGETS['slowdown_vs_floor']})")

        alex = None if args.no_alex else alex_command()
        clean, finding = five_kb_files(tmpdir)
        empty_cache = {**os.environ, "TILINT_CACHE_DIR": str(tmpdir / "empty-cache")}
        cold = {
            # the very first run also validates the rule packs and fills the cache
            "tilint_clean_first_run": _run([*tilint, "check", "--isolated", "-q", str(clean)], tmpdir, env=empty_cache),
            "tilint_clean": _median_run([*tilint, "check", "--isolated", "-q", str(clean)], tmpdir),
            "tilint_finding": _median_run([*tilint, "check", "--isolated", "-q", str(finding)], tmpdir),
        }
        if alex:
            slice_path = tmpdir / "slice.md"
            text = "".join(p.read_text(encoding="utf-8") for p in paths)
            slice_path.write_text(text[:1_000_000], encoding="utf-8")
            seconds = _run([*alex, str(slice_path)], tmpdir)
            results["alex"] = {"mb_per_s": 1.0 / seconds, "seconds_1mb": seconds}
            results["throughput_vs_alex"] = t["mb_per_s"] / results["alex"]["mb_per_s"]
            print(f"alex on 1 MB: {results['alex']['mb_per_s']:.3f} MB/s")
            print(f"  tilint/alex throughput: {results['throughput_vs_alex']:.0f}x (target >= {TARGETS['throughput_vs_alex']:.0f}x)")
            cold["alex_clean"] = _median_run([*alex, str(clean)], tmpdir)
            cold["alex_finding"] = _median_run([*alex, str(finding)], tmpdir)
            results["cold_start_vs_alex"] = cold["tilint_clean"] / cold["alex_clean"]
            results["cold_start_finding_vs_alex"] = cold["tilint_finding"] / cold["alex_finding"]
        else:
            print("alex: skipped (npm/node not available or --no-alex)")
        results["cold_start"] = cold
        line = (f"cold start, one 5 KB file: clean {cold['tilint_clean']:.2f} s (first run, empty cache: "
                f"{cold['tilint_clean_first_run']:.2f} s), with a finding {cold['tilint_finding']:.2f} s")
        if alex:
            line += f"; tilint/alex = {results['cold_start_vs_alex']:.2f} (clean, target <= {TARGETS['cold_start_vs_alex']}), {results['cold_start_finding_vs_alex']:.2f} (finding)"
        print(line)

        j1 = _median_run([*tilint, "check", "--isolated", "-q", "-j", "1", str(corpus)], tmpdir, repeat=1)
        j2 = _median_run([*tilint, "check", "--isolated", "-q", "-j", "2", str(corpus)], tmpdir, repeat=1)
        results["jobs"] = {"j1": j1, "j2": j2}
        results["j2_speedup"] = j1 / j2
        results["parallel_ceiling"] = parallel_ceiling()
        print(f"-j 2 vs -j 1 on {len(paths)} files: {results['j2_speedup']:.2f}x faster (target >= {TARGETS['j2_speedup']}); "
              f"this machine's ceiling for two processes of pure CPU work: {results['parallel_ceiling']:.2f}x")

        results["peak_mb"] = peak_memory_mb([*tilint, "check", "--isolated", "-q", "--coverage", "-j", "1", str(corpus)], tmpdir)
        print(f"peak memory on the {nbytes / 1e6:.0f} MB folder: {results['peak_mb']:.0f} MB (target < {TARGETS['peak_mb']:.0f} MB)")

    verdicts = {
        "coverage_vs_check": results["coverage_vs_check"] <= TARGETS["coverage_vs_check"],
        "throughput_vs_alex": results.get("throughput_vs_alex", float("nan")) >= TARGETS["throughput_vs_alex"] if "throughput_vs_alex" in results else None,
        "slowdown_vs_floor": results["slowdown_vs_floor"] <= TARGETS["slowdown_vs_floor"],
        "cold_start_vs_alex": results["cold_start_vs_alex"] <= TARGETS["cold_start_vs_alex"] if "cold_start_vs_alex" in results else None,
        "j2_speedup": results["j2_speedup"] >= TARGETS["j2_speedup"],
        "peak_mb": results["peak_mb"] < TARGETS["peak_mb"],
    }
    results["targets_met"] = verdicts
    print("targets: " + ", ".join(f"{k} {'met' if v else 'NOT met' if v is not None else 'n/a'}" for k, v in verdicts.items()))
    out = ROOT / "benchmarks" / "out"
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
