"""Where the time goes: cProfile of ``check`` (and ``check --coverage``) on the realistic corpus.

Usage: ``python benchmarks/profile_check.py [--mb 2] [--coverage] [--top 25] [--save FILE]``. Prints each stage's
share of the run (cumulative time of the function that does it) and the functions with the
most time of their own. Needs the shared corpus (see benchmarks/corpora.py).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpora import build_realistic, shared_corpus  # noqa: E402

# stage -> (file suffix, function name) whose cumulative time is the stage's
STAGES = {
    "read files and build blocks": ("readers/__init__.py", "read_document"),
    "engine (all rule work)": ("tilint/engine.py", "analyse"),
    "  prefilter (block gate)": ("tilint/engine.py", "is_candidate"),
    "  tokenise (spaCy tokenizer)": ("tilint/nlp.py", "parse_blocks"),
    "  matchers (phrase + token)": ("tilint/engine.py", "matches"),
    "    phrase matchers": ("phrasematcher.pyx", "__call__"),
    "    token matchers (gated)": ("tilint/prefilter.py", "run"),
    "    Doc.text rebuilt from tokens": ("doc.pyx", "genexpr"),
    "  sentence splitting": ("tilint/nlp.py", "sentences"),
    "  context checks": ("tilint/engine.py", "_excluded"),
    "  mention checks": ("tilint/engine.py", "_is_mention"),
    "  most-specific filter": ("tilint/engine.py", "_most_specific"),
    "coverage": ("tilint/linter.py", "_coverage"),
    "  indicator gate (words)": ("tilint/coverage.py", "check"),
    "  sentences matched": ("tilint/coverage.py", "sentence_hits"),
    "    token patterns": ("tilint/coverage.py", "run"),
    "  classifier": ("tilint/coverage_model.py", "classify"),
    "suppressions": ("tilint/linter.py", "_apply_suppressions"),
    "findings (positions, messages)": ("tilint/linter.py", "_finding"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=2.0, help="corpus size in MB (default 2)")
    parser.add_argument("--coverage", action="store_true", help="profile check --coverage")
    parser.add_argument("--top", type=int, default=25, help="functions to list by own time")
    parser.add_argument("--save", metavar="FILE", help="also write the profile there (for pstats or snakeviz)")
    args = parser.parse_args(argv)
    if shared_corpus() is None:
        print("the shared corpus was not found (../shared/corpus; set TILINT_SHARED_CORPUS)")
        return 2
    from tilint.config import Config
    from tilint.linter import Linter
    from tilint.nlp import freeze_long_lived

    freeze_long_lived()  # as the tilint command and the bench do
    config = Config(coverage={"framework": "samhsa-4r", "enabled": True}) if args.coverage else Config()
    with tempfile.TemporaryDirectory(prefix="tilint-profile-") as tmp:
        paths, nbytes = build_realistic(Path(tmp), args.mb)
        linter = Linter(config)
        linter.lint_text("Warm-up: the patient refused. Staff understand the impact of trauma.")
        linter.warm()  # every rule compiled, as in the bench (a first check compiles only what its text needs)
        profile = cProfile.Profile()
        profile.enable()
        linter.lint_paths([tmp])
        profile.disable()
    stats = pstats.Stats(profile)
    total = max(v[3] for v in stats.stats.values())  # type: ignore[attr-defined]
    print(f"{'check --coverage' if args.coverage else 'check'} on {len(paths)} files, {nbytes / 1e6:.1f} MB: "
          f"{total:.1f} s under the profiler ({nbytes / 1e6 / total:.2f} MB/s)")
    for stage, (suffix, name) in STAGES.items():
        cum = sum(v[3] for (f, _, fn), v in stats.stats.items() if f.endswith(suffix) and fn == name)  # type: ignore[attr-defined]
        print(f"  {stage:<32} {cum:6.2f} s  {100 * cum / total:5.1f}%")
    print()
    stats.sort_stats("tottime").print_stats(args.top)
    if args.save:
        stats.dump_stats(args.save)
    return 0


if __name__ == "__main__":
    sys.exit(main())
