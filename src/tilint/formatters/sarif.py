"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run. ``tool.driver.rules`` lists every selected rule (plus any other rule id a
finding carries, such as ``TIL001``), so ``ruleIndex`` always points into it. Files
that could not be read become ``toolExecutionNotifications`` of the invocation, and
make ``executionSuccessful`` false. Regions use our own positions unchanged: SARIF
lines and columns are 1-based and ``endColumn`` is exclusive, like tilint's; columns
count Unicode code points (``columnKind``).
"""

from __future__ import annotations

import json
from importlib import metadata
from typing import Optional, TextIO

from .. import __version__
from ..models import FileResult, Finding
from ..ruleset import Rule
from . import Report
from ._paths import artifact_uri

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _homepage() -> Optional[str]:
    """The project's home page from the installed package metadata, if it declares one."""
    try:
        urls = metadata.metadata("tilint").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    pages = dict(u.split(", ", 1) for u in urls if ", " in u)
    return pages.get("Homepage") or pages.get("Repository") or next(iter(pages.values()), None)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def rule_descriptor(rule: Rule) -> dict:
    """A ``reportingDescriptor``: what the rule flags, why, what to write instead, sources."""
    help_lines = ["Suggestions: " + "; ".join(rule.suggestions)] if rule.suggestions else []
    help_lines += [f"Source: {s.cite()} {s.url}" for s in rule.sources]
    out = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.message.replace("{match}", "…")},
        "fullDescription": {"text": _one_line(rule.rationale)},
        "help": {"text": "\n".join(help_lines) or rule.name},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": [rule.category]},
    }
    if rule.sources:
        out["helpUri"] = rule.sources[0].url
    return out


def _finding_descriptor(f: Finding) -> dict:
    """A descriptor for a finding whose rule is not in the rule set (meta and coverage findings)."""
    out = {
        "id": f.rule_id,
        "name": f.name,
        "shortDescription": {"text": f.name},
        "defaultConfiguration": {"level": LEVELS[f.severity]},
        "properties": {"tags": [f.category]},
    }
    if f.sources:
        out["helpUri"] = f.sources[0].url
    return out


def _location(path: str, region: Optional[dict] = None) -> dict:
    physical: dict = {"artifactLocation": {"uri": artifact_uri(path)}}
    if region:
        physical["region"] = region
    return {"physicalLocation": physical}


def _result(path: str, f: Finding, index: int) -> dict:
    region = {
        "startLine": f.line,
        "startColumn": f.column,
        "endLine": f.end_line,
        "endColumn": f.end_column,
        "snippet": {"text": f.match},
    }
    out: dict = {
        "ruleId": f.rule_id,
        "ruleIndex": index,
        "level": LEVELS[f.severity],
        "message": {"text": f.message},
        "locations": [_location(path, region)],
    }
    if f.suggestions:
        out["properties"] = {"suggestions": list(f.suggestions)}
    return out


def _notifications(result: FileResult) -> list[dict]:
    return [
        {
            "level": "error",
            "message": {"text": f"{result.path}: {e.message}"},
            "locations": [_location(result.path, {"startLine": e.line} if e.line else None)],
        }
        for e in result.errors
    ]


def to_dict(report: Report) -> dict:
    rules = [rule_descriptor(r) for r in report.rules]
    index = {r.id: i for i, r in enumerate(report.rules)}
    results = []
    for file_result in report.results:
        for f in file_result.findings:
            if f.rule_id not in index:
                index[f.rule_id] = len(rules)
                rules.append(_finding_descriptor(f))
            results.append(_result(file_result.path, f, index[f.rule_id]))
    notifications = [n for r in report.results for n in _notifications(r)]
    driver = {"name": "tilint", "version": __version__, "semanticVersion": __version__, "rules": rules}
    homepage = _homepage()
    if homepage:
        driver["informationUri"] = homepage
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": driver},
                "invocations": [{"executionSuccessful": not notifications, "toolExecutionNotifications": notifications}],
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def render(report: Report, out: TextIO) -> None:
    json.dump(to_dict(report), out, indent=2, ensure_ascii=False)
    out.write("\n")
