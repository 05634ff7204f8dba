"""tilint's benchmarks: speed and memory as ratios against baselines run in the same process.

Two corpora (see benchmarks/corpora.py), both built in a temporary folder at bench time:

* **realistic** (the headline figures): 5 MB of real policy text in 200 plain-text files of
  25 KB, from the documents and excerpts of the shared corpus (``../shared/corpus``, or
  ``$TILINT_SHARED_CORPUS``); skipped with a message when that folder is absent;
* **dense** (the worst case): examples and regression sentences, repeated and varied.

On each it measures ``check`` (rules) and ``check --coverage`` (rules and coverage) in
MB/s, against alex's API (node, timed inside node, on the first ~1 MB of the same files;
installed into benchmarks/.alex, skipped without npm) and a regex floor (one Python ``re``
alternation of every rule's surface forms). It also measures the cold start of
``tilint check`` on a 5 KB file with and without a finding against alex's CLI on the same
file, a re-run on unchanged files (result cache), ``-j 2`` against ``-j 1`` and the
machine's two-process ceiling measured in the same run, a generated 400-page text PDF,
and peak memory.

It prints ratios, never bare times alone, and writes them to benchmarks/out/results.json.
Throughput figures are the best of ``--rounds`` interleaved rounds (3 by default), with the
spread printed beside them.
Usage: ``python benchmarks/run.py [--mb 5] [--dense-mb 5] [--no-alex] [--pages 400] [--rounds 3]``.
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
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpora import build_dense, build_realistic, first_megabytes, shared_corpus  # noqa: E402
from _results import save  # noqa: E402  (benchmarks/ is the script's folder)

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ALEX_DIR = ROOT / "benchmarks" / ".alex"
ALEX_VERSION = json.loads((ROOT / "benchmarks" / "alex" / "package.json").read_text())["dependencies"]["alex"]
# issue 16's targets (ratios measured in one run)
TARGETS = {
    "check_vs_alex": 10.0,  # >=
    "coverage_vs_alex": 5.0,  # >=
    "coverage_vs_check": 1.5,  # <= (check --coverage's time against check's; the coverage classifier's cost)
    "slowdown_vs_floor": 4.0,  # <=
    "cold_finding_vs_alex": 1.0,  # <=
    "rerun_seconds": 0.3,  # <=
    "j2_of_ceiling": 0.85,  # >= (of the machine's pure-CPU two-process ceiling)
    "j2_of_job_ceiling": 0.85,  # >= (of two independent tilint runs on half the files each)
    "pdf_seconds": 20.0,  # <
    "peak_mb": 500.0,  # <
}


# -- throughput ---------------------------------------------------------------------------
def measure_tilint(folder: Path, nbytes: int, coverage: bool) -> dict:
    """In-process throughput after a warm-up (start-up is the cold-start figure)."""
    from tilint.config import Config
    from tilint.linter import Linter
    from tilint.nlp import freeze_long_lived

    freeze_long_lived()  # as the tilint command does
    config = Config(coverage={"framework": "samhsa-4r", "enabled": True}) if coverage else Config()
    linter = Linter(config)
    linter.lint_text("Warm-up: the patient refused. Staff understand the impact of trauma.")
    linter.warm()  # every rule compiled (a first check compiles only the rules its text needs)
    start = time.perf_counter()
    results = linter.lint_paths([folder])
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "mb_per_s": nbytes / 1e6 / seconds, "findings": sum(len(r.findings) for r in results)}


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


def alex_installed() -> bool:
    """alex from benchmarks/.alex, installed there with npm the first time."""
    if (ALEX_DIR / "node_modules" / "alex" / "cli.js").exists():
        return True
    if not shutil.which("npm") or not shutil.which("node"):
        return False
    ALEX_DIR.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["npm", "install", "--silent", "--prefix", str(ALEX_DIR), f"alex@{ALEX_VERSION}"], capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"  (alex could not be installed: {proc.stderr.strip()[:200]})")
    return (ALEX_DIR / "node_modules" / "alex" / "cli.js").exists()


def measure_alex(paths: list[Path], mode: str) -> dict:
    """alex's API (``text`` or ``markdown``) over ``paths``, timed inside node."""
    script = ALEX_DIR / "tilint-throughput.mjs"
    shutil.copyfile(ROOT / "benchmarks" / "alex" / "throughput.mjs", script)
    proc = subprocess.run(["node", str(script), mode, *map(str, paths)], capture_output=True, text=True, cwd=ALEX_DIR, check=True)
    out = json.loads(proc.stdout)
    return {"seconds": out["seconds"], "mb_per_s": out["bytes"] / 1e6 / out["seconds"], "findings": out["messages"], "mb": out["bytes"] / 1e6}


def _best(runs: list[dict]) -> dict:
    """The fastest of several runs of one measurement, with the spread of all of them
    (on a shared machine the others' load only ever slows a run down)."""
    best = dict(min(runs, key=lambda r: r["seconds"]))
    best["rounds_mb_per_s"] = sorted(round(r["mb_per_s"], 3) for r in runs)
    return best


def _spread(m: dict) -> str:
    rates = m["rounds_mb_per_s"]
    return f" (best of {len(rates)}: {rates[0]:.2f}-{rates[-1]:.2f})" if len(rates) > 1 else ""


def throughput(name: str, paths: list[Path], nbytes: int, alex_mb: float, alex: bool, mode: str, rounds: int = 3) -> dict:
    """tilint's ``check`` and ``check --coverage`` and alex's API, in ``rounds`` interleaved
    rounds, each figure the best of its rounds: ratios of runs taken side by side."""
    folder = paths[0].parent
    res: dict = {"files": len(paths), "mb": nbytes / 1e6, "rounds": rounds}
    print(f"\n== {name} corpus: {len(paths)} files, {nbytes / 1e6:.1f} MB ==")
    subset, _ = first_megabytes(paths, alex_mb)
    runs: dict[str, list[dict]] = {"check": [], "check_coverage": [], "alex": []}
    for _ in range(rounds):
        runs["check"].append(measure_tilint(folder, nbytes, coverage=False))
        runs["check_coverage"].append(measure_tilint(folder, nbytes, coverage=True))
        if alex:
            runs["alex"].append(measure_alex(subset, mode))
    res["check"], res["check_coverage"] = _best(runs["check"]), _best(runs["check_coverage"])
    res["floor"] = measure_floor(paths, nbytes)
    c, cc, f = res["check"], res["check_coverage"], res["floor"]
    print(f"tilint check:            {c['mb_per_s']:.2f} MB/s{_spread(c)}, {c['findings']} findings")
    print(f"tilint check --coverage: {cc['mb_per_s']:.2f} MB/s{_spread(cc)}, {cc['findings']} findings (rules + coverage)")
    print(f"regex floor:             {f['mb_per_s']:.2f} MB/s ({f['matches']} raw matches)")
    res["slowdown_vs_floor"] = f["mb_per_s"] / c["mb_per_s"]
    res["coverage_slowdown_vs_floor"] = f["mb_per_s"] / cc["mb_per_s"]
    res["coverage_vs_check"] = c["mb_per_s"] / cc["mb_per_s"]
    print(f"  floor/check {res['slowdown_vs_floor']:.2f}x, floor/check --coverage {res['coverage_slowdown_vs_floor']:.2f}x "
          f"(target <= {TARGETS['slowdown_vs_floor']:g}); check --coverage takes {res['coverage_vs_check']:.2f}x check's time "
          f"(target <= {TARGETS['coverage_vs_check']:g})")
    if alex:
        a = res["alex"] = _best(runs["alex"])
        res["check_vs_alex"] = c["mb_per_s"] / a["mb_per_s"]
        res["coverage_vs_alex"] = cc["mb_per_s"] / a["mb_per_s"]
        print(f"alex {ALEX_VERSION} API ({mode}, first {a['mb']:.1f} MB): {a['mb_per_s']:.3f} MB/s{_spread(a)}, {a['findings']} messages")
        print(f"  check / alex {res['check_vs_alex']:.1f}x (target >= {TARGETS['check_vs_alex']:g}x), "
              f"check --coverage / alex {res['coverage_vs_alex']:.1f}x (target >= {TARGETS['coverage_vs_alex']:g}x)")
    return res


# -- cold start and re-runs -------------------------------------------------------------------
def _run(cmd: list[str], cwd: Path, env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env)
    return time.perf_counter() - start


def _median_run(cmd: list[str], cwd: Path, repeat: int = 5, env: dict | None = None) -> float:
    return statistics.median(_run(cmd, cwd, env) for _ in range(repeat))


def _median_cpu(cmd: list[str], cwd: Path, repeat: int = 5, env: dict | None = None) -> float:
    """Median CPU seconds (user + system, the command and its children) of ``cmd``: the
    cold start's cost on a shared machine, where wall-clock waits for other processes."""
    import resource

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    def once() -> float:
        before = cpu()
        _run(cmd, cwd, env)
        return cpu() - before

    return statistics.median(once() for _ in range(repeat))


def five_kb_files(folder: Path) -> tuple[Path, Path]:
    words = "the service will support people to attend their appointments and we review our approach with them every year".split()
    rng = random.Random(5)
    paras = [" ".join(rng.choice(words) for _ in range(85)).capitalize() + "." for _ in range(10)]
    clean = folder / "clean.md"
    clean.write_text("# Visiting policy\n\n" + "\n\n".join(paras) + "\n", encoding="utf-8")
    finding = folder / "finding.md"
    finding.write_text("# Visiting policy\n\nPatients who fail to attend twice are contacted.\n\n" + "\n\n".join(paras[:-1]) + "\n", encoding="utf-8")
    return clean, finding


def cold_start(tmpdir: Path, tilint: list[str], alex: bool, rerun_folder: Path | None) -> dict:
    """``tilint check`` on one 5 KB file: no result cache (every run analyses), then the
    cached re-run; alex's CLI on the same files; a re-run of a whole unchanged folder."""
    clean, finding = five_kb_files(tmpdir)
    cache = {**os.environ, "TILINT_CACHE_DIR": str(tmpdir / "cache")}
    # tilint's bytecode, as an installed wheel has it (pip compiles it; an editable
    # install under PYTHONDONTWRITEBYTECODE would otherwise compile every module each run)
    from importlib.util import find_spec

    package = Path(str(find_spec("tilint").origin)).parent  # type: ignore[union-attr]
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=False, stdout=subprocess.DEVNULL)
    check = [*tilint, "check", "--isolated", "-q"]
    _run([*check, "--no-cache", str(clean)], tmpdir, env=cache)  # validates the rule packs once (cached by content)
    cold = {
        "tilint_clean": _median_run([*check, "--no-cache", str(clean)], tmpdir, env=cache),
        "tilint_finding": _median_run([*check, "--no-cache", str(finding)], tmpdir, env=cache),
    }
    _run([*check, str(finding)], tmpdir, env=cache)  # fill the result cache
    cold["tilint_finding_cached"] = _median_run([*check, str(finding)], tmpdir, env=cache)
    cold["tilint_finding_cpu"] = _median_cpu([*check, "--no-cache", str(finding)], tmpdir, env=cache)
    # the floor: Python starting, importing spaCy (as tilint does, without its
    # command-line interface) and building tilint's English pipeline (a blank one with
    # tilint's norms, some 20 ms of it tilint's own)
    floor = [sys.executable, "-c", "from tilint.nlp import get_nlp; get_nlp()"]
    cold["spacy_floor"] = _median_run(floor, tmpdir, env=cache)
    cold["spacy_floor_cpu"] = _median_cpu(floor, tmpdir, env=cache)
    if rerun_folder is not None:
        _run([*check, str(rerun_folder)], tmpdir, env=cache)
        cold["rerun_folder"] = _median_run([*check, str(rerun_folder)], tmpdir, repeat=3, env=cache)
    line = (f"cold start, one 5 KB file (no result cache): clean {cold['tilint_clean']:.2f} s, with a finding "
            f"{cold['tilint_finding']:.2f} s ({cold['tilint_finding_cpu']:.2f} s CPU); unchanged re-run {cold['tilint_finding_cached']:.2f} s"
            f"\n  floor: Python + spaCy's import + a blank pipeline {cold['spacy_floor']:.2f} s ({cold['spacy_floor_cpu']:.2f} s CPU)")
    if alex:
        cli = ["node", str(ALEX_DIR / "node_modules" / "alex" / "cli.js")]
        cold["alex_clean"] = _median_run([*cli, str(clean)], tmpdir)
        cold["alex_finding"] = _median_run([*cli, str(finding)], tmpdir)
        cold["alex_finding_cpu"] = _median_cpu([*cli, str(finding)], tmpdir)
        cold["clean_vs_alex"] = cold["tilint_clean"] / cold["alex_clean"]
        cold["finding_vs_alex"] = cold["tilint_finding"] / cold["alex_finding"]
        line += (f"\n  alex CLI: clean {cold['alex_clean']:.2f} s, with a finding {cold['alex_finding']:.2f} s; "
                 f"tilint/alex {cold['clean_vs_alex']:.2f} (clean), {cold['finding_vs_alex']:.2f} (finding, target <= {TARGETS['cold_finding_vs_alex']:g}); "
                 f"CPU with a finding {cold['alex_finding_cpu']:.2f} s, tilint/alex {cold['tilint_finding_cpu'] / cold['alex_finding_cpu']:.2f}")
    print(line)
    if "rerun_folder" in cold:
        print(f"re-run on the unchanged realistic folder: {cold['rerun_folder']:.2f} s (target <= {TARGETS['rerun_seconds']:g} s for a commit's files)")
    return cold


# -- parallel -----------------------------------------------------------------------------------
def _burn(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def _cpu_legs(n: int = 15_000_000) -> tuple[float, float]:
    """(seconds for one process to run two pure-CPU tasks, seconds for two processes to
    run one each). Both legs are forked processes, so the serial leg pays what the
    parallel one does (a fork, a pipe back) and nothing runs in this big process."""
    from concurrent.futures import ProcessPoolExecutor

    def leg(task: Callable[[int], int], tasks: list[int]) -> float:
        with ProcessPoolExecutor(len(tasks)) as pool:
            start = time.perf_counter()
            list(pool.map(task, tasks))
            return time.perf_counter() - start

    return leg(_burn_twice, [n]), leg(_burn, [n, n])


def _burn_twice(n: int) -> int:
    return _burn(n) + _burn(n)


def parallel_ceiling(n: int = 15_000_000) -> float:
    """How much faster two processes finish two pure-CPU tasks than one process does:
    the machine's own limit for any ``-j 2`` speed-up (1.0 = no real second core)."""
    serial, parallel = _cpu_legs(n)
    return serial / parallel


def _halves(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """The files in two halves of (nearly) equal bytes, largest first to the lighter half."""
    halves: tuple[list[Path], list[Path]] = ([], [])
    weight = [0, 0]
    for path in sorted(paths, key=lambda p: -p.stat().st_size):
        i = weight.index(min(weight))
        halves[i].append(path)
        weight[i] += path.stat().st_size
    return halves


def _run_together(cmds: list[list[str]], cwd: Path) -> float:
    start = time.perf_counter()
    procs = [subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for cmd in cmds]
    for proc in procs:
        proc.wait()
    return time.perf_counter() - start


def jobs(tmpdir: Path, tilint: list[str], folder: Path, files: int, repeat: int = 3) -> dict:
    """``-j 2`` against ``-j 1`` and two ceilings, each leg the best of ``repeat`` runs
    (the same statistic for every leg, interleaved: the shared machine's load drifts):

    * the machine's: two pure-CPU tasks in two processes against both in one;
    * the job's: two independent ``tilint check -j 1`` runs on half the files each, at
      the same time, against one run on all. Each half pays tilint's whole start-up
      (Python, spaCy, the rules), as ``-j 2`` pays it once before forking, so this is the
      best any two processes can do on this job; ``-j 2`` against it is what the pool
      itself (fork, hand-out, results, the parent's rendering, the tail) costs."""
    check = [*tilint, "check", "--isolated", "-q", "--no-cache"]
    halves = _halves(sorted(p for p in folder.iterdir() if p.is_file()))
    legs: dict[str, list[float]] = {"j1": [], "j2": [], "halves": [], "cpu_serial": [], "cpu_parallel": []}
    for _ in range(repeat):
        legs["j1"].append(_run([*check, "-j", "1", str(folder)], tmpdir))
        serial, parallel = _cpu_legs()
        legs["cpu_serial"].append(serial)
        legs["halves"].append(_run_together([[*check, "-j", "1", *map(str, half)] for half in halves], tmpdir))
        legs["j2"].append(_run([*check, "-j", "2", str(folder)], tmpdir))
        legs["cpu_parallel"].append(parallel)
    best = {k: min(v) for k, v in legs.items()}
    out: dict = {**best, "runs": legs}
    out["j2_speedup"] = best["j1"] / best["j2"]
    out["parallel_ceiling"] = best["cpu_serial"] / best["cpu_parallel"]
    out["job_ceiling"] = best["j1"] / best["halves"]
    out["j2_of_ceiling"] = out["j2_speedup"] / out["parallel_ceiling"]
    out["j2_of_job_ceiling"] = out["j2_speedup"] / out["job_ceiling"]
    print(f"-j 2 vs -j 1 on {files} files: {out['j2_speedup']:.2f}x faster (best of {repeat}: {best['j1']:.2f} s, {best['j2']:.2f} s)")
    print(f"  machine's two-process ceiling (pure CPU) {out['parallel_ceiling']:.2f}x: -j 2 reaches {out['j2_of_ceiling']:.2f} of it "
          f"(target >= {TARGETS['j2_of_ceiling']:g}; start-up before the fork is serial, so short runs cannot reach it)")
    print(f"  job's ceiling (two independent runs on half the files each) {out['job_ceiling']:.2f}x: -j 2 reaches "
          f"{out['j2_of_job_ceiling']:.2f} of it (target >= {TARGETS['j2_of_job_ceiling']:g})")
    out["cpu"] = jobs_cpu(tmpdir, folder, halves)
    return out


_CPU_RUN = (
    "import json, os, resource, sys; from tilint import watchdog; from tilint.cli import main\n"
    "from tilint.nlp import freeze_long_lived; freeze_long_lived()  # as the tilint command does\n"
    "sys.stdout = open(os.devnull, 'w')\n"
    "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
    "me = resource.getrusage(resource.RUSAGE_SELF)\n"
    "print(json.dumps({'parent': me.ru_utime + me.ru_stime, **watchdog.cpu}), file=sys.__stdout__)"
)


def _cpu_run(args: list[str], cwd: Path) -> dict:
    """CPU seconds of one ``tilint`` run: the parent's before its first fork (serial),
    after it, and each worker's."""
    out = subprocess.run([sys.executable, "-c", _CPU_RUN, *args], cwd=cwd, capture_output=True, text=True, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    serial = got["parent_at_first_fork"] or got["parent"]
    return {"serial": serial, "after": got["parent"] - serial, "workers": got["workers"]}


def _critical_path(run: dict, cores: int = 2) -> float:
    """Seconds the run would take on ``cores`` free cores: the serial part, then the
    longest worker or all the CPU after the fork shared out, whichever is longer."""
    return run["serial"] + max(max(run["workers"], default=0.0), (sum(run["workers"]) + run["after"]) / cores)


def jobs_cpu(tmpdir: Path, folder: Path, halves: tuple[list[Path], list[Path]]) -> dict:
    """``-j 2`` from CPU time, which a loaded machine does not distort: each run's
    critical path on two free cores (see _critical_path), for ``-j 1``, ``-j 2`` and two
    ``-j 1`` runs on half the files each (the job's ceiling)."""
    check = ["check", "--isolated", "-q", "--no-cache"]
    j1 = _cpu_run([*check, "-j", "1", str(folder)], tmpdir)
    j2 = _cpu_run([*check, "-j", "2", str(folder)], tmpdir)
    parts = [_cpu_run([*check, "-j", "1", *map(str, half)], tmpdir) for half in halves]
    t1, t2 = _critical_path(j1), _critical_path(j2)
    both = max(max(p["serial"] + sum(p["workers"]) for p in parts), sum(p["serial"] + p["after"] + sum(p["workers"]) for p in parts) / 2)
    out = {"j1": j1, "j2": j2, "halves": parts, "j2_speedup": t1 / t2, "job_ceiling": t1 / both}
    out["j2_of_job_ceiling"] = out["j2_speedup"] / out["job_ceiling"]
    out["j2_of_two_cores"] = out["j2_speedup"] / 2
    print(f"  from CPU time (two free cores; the load does not distort it): -j 1 {t1:.2f} s ({j1['serial']:.2f} s serial start-up), "
          f"-j 2 {t2:.2f} s ({j2['serial']:.2f} s serial; workers {', '.join(f'{w:.2f}' for w in j2['workers'])} s; parent after the fork {j2['after']:.2f} s)")
    print(f"  -j 2 {out['j2_speedup']:.2f}x: {out['j2_of_two_cores']:.2f} of two cores' 2x; the job's ceiling {out['job_ceiling']:.2f}x "
          f"(halves {both:.2f} s), -j 2 reaches {out['j2_of_job_ceiling']:.2f} of it")
    return out


# -- big PDF ----------------------------------------------------------------------------------
def measure_pdf(tmpdir: Path, tilint: list[str], pages: int) -> dict | None:
    sys.path.insert(0, str(ROOT))
    try:
        import fpdf  # noqa: F401  (a dev dependency)
        from tests.fixtures_build import build_pdf_handbook
    except ImportError:
        print("big PDF: skipped (fpdf2 not installed)")
        return None
    path, expected = build_pdf_handbook(tmpdir, pages)
    start = time.perf_counter()
    proc = subprocess.run([*tilint, "check", "--isolated", "--no-cache", "--format", "json", str(path)], cwd=tmpdir, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    try:
        found = [(f["rule_id"], f["location"].get("page")) for r in json.loads(proc.stdout)["files"] for f in r["findings"]]
    except (ValueError, KeyError):
        found = []
    pages_ok = sorted(p for _, p in found) == [page for page, _ in expected]
    out = {"pages": pages, "seconds": seconds, "bytes": path.stat().st_size, "findings": len(found), "page_numbers_exact": pages_ok, "exit": proc.returncode}
    print(f"big PDF: {pages} pages ({out['bytes'] / 1e6:.1f} MB) checked in {seconds:.1f} s (target < {TARGETS['pdf_seconds']:g} s), "
          f"{len(found)} findings, page numbers {'exact' if pages_ok else 'WRONG'} (exit {proc.returncode})")
    if proc.returncode == 2:
        print("  " + proc.stderr.strip()[:300])
    return out


# -- memory -------------------------------------------------------------------------------------
_PEAK = "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"


def peak_memory_mb(cmd: list[str], cwd: Path) -> float:
    """Peak resident memory of one command, measured by a fresh wrapper process (the
    children's maximum in this process would include every earlier child, alex too)."""
    out = subprocess.run([sys.executable, "-c", _PEAK, *cmd], cwd=cwd, capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024  # ru_maxrss is in KB on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=5.0, help="realistic corpus size in MB (default 5)")
    parser.add_argument("--dense-mb", type=float, default=5.0, help="dense corpus size in MB (default 5)")
    parser.add_argument("--alex-mb", type=float, default=1.0, help="how much of each corpus alex reads (default 1 MB)")
    parser.add_argument("--pages", type=int, default=400, help="pages of the generated PDF (default 400; 0 skips)")
    parser.add_argument("--no-alex", action="store_true", help="skip alex")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of the throughput runs, best of each kept (default 3)")
    args = parser.parse_args(argv)
    tilint = [str(BIN / "tilint")]
    results: dict = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "load_average": os.getloadavg()}}
    alex = not args.no_alex and alex_installed()
    if not alex:
        print("alex: skipped (npm/node not available or --no-alex)")
    with tempfile.TemporaryDirectory(prefix="tilint-bench-") as tmp:
        tmpdir = Path(tmp)
        (tmpdir / "real").mkdir()
        (tmpdir / "dense").mkdir()
        shared = shared_corpus()
        real_paths, real_bytes = build_realistic(tmpdir / "real", args.mb, shared=shared) if shared else ([], 0)
        if real_paths:
            results["realistic"] = throughput("realistic", real_paths, real_bytes, args.alex_mb, alex, "text", args.rounds)
        else:
            print("realistic corpus: SKIPPED, the shared corpus was not found (../shared/corpus with docs-dev/; "
                  "set TILINT_SHARED_CORPUS to its folder). Only the dense worst case is measured.")
        dense_paths, dense_bytes = build_dense(tmpdir / "dense", args.dense_mb)
        results["dense"] = throughput("dense", dense_paths, dense_bytes, args.alex_mb, alex, "markdown", args.rounds)

        print("\n== start-up, parallel, PDF, memory ==")
        main_folder, main_count = (tmpdir / "real", len(real_paths)) if real_paths else (tmpdir / "dense", len(dense_paths))
        results["cold_start"] = cold_start(tmpdir, tilint, alex, main_folder)
        results["jobs"] = jobs(tmpdir, tilint, main_folder, main_count)
        if args.pages:
            results["pdf"] = measure_pdf(tmpdir, tilint, args.pages)
        results["peak_mb"] = peak_memory_mb([*tilint, "check", "--isolated", "-q", "--no-cache", "--coverage", "-j", "1", str(main_folder)], tmpdir)
        print(f"peak memory, check --coverage on the {main_folder.name} folder: {results['peak_mb']:.0f} MB (target < {TARGETS['peak_mb']:.0f} MB)")

    head = results.get("realistic", results["dense"])
    cold, pdf = results["cold_start"], results.get("pdf")
    verdicts = {
        "check_vs_alex": head["check_vs_alex"] >= TARGETS["check_vs_alex"] if "check_vs_alex" in head else None,
        "coverage_vs_alex": head["coverage_vs_alex"] >= TARGETS["coverage_vs_alex"] if "coverage_vs_alex" in head else None,
        "coverage_vs_check": head["coverage_vs_check"] <= TARGETS["coverage_vs_check"],
        "slowdown_vs_floor": head["slowdown_vs_floor"] <= TARGETS["slowdown_vs_floor"],
        "cold_finding_vs_alex": cold["finding_vs_alex"] <= TARGETS["cold_finding_vs_alex"] if "finding_vs_alex" in cold else None,
        "rerun_seconds": cold["tilint_finding_cached"] <= TARGETS["rerun_seconds"],
        "j2_of_ceiling": results["jobs"]["j2_of_ceiling"] >= TARGETS["j2_of_ceiling"],
        "j2_of_job_ceiling": results["jobs"]["j2_of_job_ceiling"] >= TARGETS["j2_of_job_ceiling"],
        "pdf_seconds": (pdf["seconds"] < TARGETS["pdf_seconds"] and pdf["page_numbers_exact"]) if pdf else None,
        "peak_mb": results["peak_mb"] < TARGETS["peak_mb"],
    }
    results["targets_met"] = verdicts
    print(f"\ntargets ({'realistic' if 'realistic' in results else 'dense'} corpus): "
          + ", ".join(f"{k} {'met' if v else 'NOT met' if v is not None else 'n/a'}" for k, v in verdicts.items()))
    save("results", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
