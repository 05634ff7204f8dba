"""Baselines: adopt tilint on existing documents without a wall of old findings.

``tilint check --write-baseline FILE`` records every finding of today's run;
``--baseline FILE`` then reports only findings that are not in it. A finding is
identified by its rule, its file (relative to the baseline's own folder, ``/``
separators, so the baseline holds whatever the working directory) and a fingerprint of the matched words and their sentence, with
case and spacing normalised. Line and column are not part of it, so inserting
or removing lines above a finding does not make it "new". The baseline is a
multiset: if a sentence with a recorded finding is repeated, the copy is new.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import Iterable, Iterator, Optional

from .formatters._paths import relative_path
from .models import FileResult, Finding
from .yamlutil import DataError

__all__ = ["fingerprint", "write_baseline", "load_baseline", "Baseline"]

VERSION = 1


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def fingerprint(path: str, f: Finding, folder: Optional[Path] = None) -> str:
    """Stable id of a finding: rule + file + matched words + their sentence. The file is
    named relative to ``folder`` (the baseline's), else to the working directory."""
    parts = (f.rule_id, _from(folder, path), _norm(f.match), _norm(f.context))
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:20]


def _from(folder: Optional[Path], path: str) -> str:
    """``path`` relative to ``folder`` (``../`` where it must), with ``/``."""
    if folder is None:
        return relative_path(path)
    try:
        return Path(os.path.relpath(os.path.abspath(path), os.path.abspath(folder))).as_posix()
    except ValueError:  # Windows: another drive
        return relative_path(path)


def write_baseline(path: Path, results: Iterable[FileResult]) -> int:
    """Write every finding of ``results`` to ``path`` (JSON); returns how many."""
    folder = path.parent
    entries = [
        {"rule_id": f.rule_id, "path": _from(folder, r.path), "fingerprint": fingerprint(r.path, f, folder), "match": f.match, "line": f.line}
        for r in results
        for f in r.findings
    ]
    data = {"version": VERSION, "tool": "tilint", "findings": entries}
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(entries)


class Baseline:
    """The recorded fingerprints; :meth:`filter` removes what they account for."""

    def __init__(self, counts: Counter, folder: Optional[Path] = None):
        self.counts, self.folder = counts, folder

    def filter(self, results: Iterable[FileResult]) -> Iterator[FileResult]:
        for result in results:
            kept = []
            for f in result.findings:
                # a baseline written before paths were relative to it: the working directory's
                keys = (fingerprint(result.path, f, self.folder), fingerprint(result.path, f))
                key = next((k for k in keys if self.counts[k] > 0), None)
                if key is not None:
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
    return Baseline(Counter(e["fingerprint"] for e in entries), path.parent)
