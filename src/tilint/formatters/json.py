"""``--format json``: one JSON object, schema version 1 (documented in docs/json-schema.md)."""

from __future__ import annotations

import json
from typing import TextIO

from . import Report

SCHEMA_VERSION = 1


def to_dict(report: Report) -> dict:
    counts: dict[str, int] = {"error": 0, "warning": 0, "info": 0}
    for r in report.results:
        for f in r.findings:
            counts[f.severity] += 1
    return {
        "version": SCHEMA_VERSION,
        "files": [r.to_dict() for r in report.results],
        "skipped": [{"path": path, "reason": reason} for path, reason in report.skipped_with_reasons()],
        "summary": {
            "files": len(report.results),
            "files_with_errors": sum(1 for r in report.results if r.errors),
            "skipped": len(report.skipped),
            "findings": counts,
        },
    }


def render(report: Report, out: TextIO) -> None:
    # Indented for a person at a terminal; compact otherwise, which lets the json
    # module use its C encoder (several times faster on large scans).
    indent = 2 if report.color else None
    out.write(json.dumps(to_dict(report), indent=indent, ensure_ascii=False))
    out.write("\n")
