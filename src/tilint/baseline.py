"""Baselines: adopt tilint on existing documents without a wall of old findings.

``tilint check --write-baseline FILE`` records every finding of today's run;
``--baseline FILE`` then reports only findings that are not in it. A finding is
identified by its rule, its file (relative to the working directory, ``/``
separators) and a fingerprint of the matched words and their sentence, with
case and spacing normalised. Line and column are not part of it, so inserting
or removing lines above a finding does not make it "new". The baseline is a
multiset: if a sentence with a recorded finding is repeated, the copy is new.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Iterable, Iterator

from .formatters._paths import relative_path
from .models import FileResult, Finding
from .yamlutil import DataError

__all__ = ["fingerprint", "write_baseline", "load_baseline", "Baseline"]

VERSION = 1


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def fingerprint(path: str, f: Finding) -> str:
    """Stable id of a finding: rule + file + matched words + their sentence."""
    parts = (f.rule_id, relative_path(path), _norm(f.match), _norm(f.context))
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:20]


def write_baseline(path: Path, results: Iterable[FileResult]) -> int:
    """Write every finding of ``results`` to ``path`` (JSON); returns how many."""
    entries = [
        {"rule_id": f.rule_id, "path": relative_path(r.path), "fingerprint": fingerprint(r.path, f), "match": f.match, "line": f.line}
        for r in results
        for f in r.findings
    ]
    data = {"version": VERSION, "tool": "tilint", "findings": entries}
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(entries)


class Baseline:
    """The recorded fingerprints; :meth:`filter` removes what they account for."""

    def __init__(self, counts: Counter):
        self.counts = counts

    def filter(self, results: Iterable[FileResult]) -> Iterator[FileResult]:
        for result in results:
            kept = []
            for f in result.findings:
                key = fingerprint(result.path, f)
                if self.counts[key] > 0:
                    self.counts[key] -= 1
                else:
                    kept.append(f)
            result.findings = kept
            yield result


def load_baseline(path: Path) -> Baseline:
    """Read a baseline file; a missing or malformed one is a :class:`DataError` (exit 2)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataError(str(path), f"cannot read baseline: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise DataError(str(path), f"not a tilint baseline (invalid JSON: {exc})") from None
    entries = data.get("findings") if isinstance(data, dict) and data.get("version") == VERSION else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries):
        raise DataError(str(path), f"not a tilint baseline (expected version {VERSION} with a list of findings)")
    return Baseline(Counter(e["fingerprint"] for e in entries))
