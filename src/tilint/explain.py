"""``tilint explain ID``: what any id tilint can emit means, and what a category holds.

Rules (``BL001``) show their rationale, suggestions, sources and examples;
coverage ids (``CV101``) show the principle, what counts as evidence and what to
add; meta ids (``TIL001``) say what the finding means. A category, pack or id
prefix lists its rules. Anything else is an error naming the closest ids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from .ids import META_RULES, UnknownSelector, coverage_ids, unknown_message

if TYPE_CHECKING:
    from .config import Config
    from .ruleset import RuleSet

__all__ = ["explain"]


def explain(key: str, rules: "RuleSet", config: "Config", out: TextIO) -> None:
    """Write the explanation of ``key`` to ``out``; :class:`UnknownSelector` if it names nothing."""
    from .formatters.rules import render_explain, render_rules
    from .linter import Linter

    everything = Linter(config.merged(select=("ALL",), ignore=(), extend_select=())).all_rules
    up = key.strip().upper()
    if up in everything.by_id:
        render_explain(everything.by_id[up], out)
    elif up in META_RULES:
        name, text = META_RULES[up]
        out.write(f"{up} {name} [tilint, error]\n{text}\n")
    elif up in coverage_ids():
        _explain_coverage(up, out)
    elif any(everything.matches(r, key) for r in everything) and key.upper() != "ALL":
        picked = everything.select((key,))
        out.write(f"{key}: {len(picked)} rule{'s' if len(picked) != 1 else ''}\n")
        render_rules(picked, "text", out)
    elif key.lower() == "coverage" or up == "CV" or (up.startswith("CV") and any(i.startswith(up) for i in coverage_ids())):
        for rule_id in sorted(i for i in coverage_ids() if i.startswith(up if up.startswith("CV") else "CV")):
            framework, principle = coverage_ids()[rule_id]
            out.write(f"{rule_id}  {framework}: principle '{principle}' is missing\n")
    elif key.lower() == "tilint" or up.startswith("TIL") and any(i.startswith(up) for i in META_RULES):
        for rule_id, (name, _) in sorted(META_RULES.items()):
            out.write(f"{rule_id}  {name}\n")
    else:
        raise UnknownSelector(unknown_message(key, everything, "`tilint explain`"))


def _explain_coverage(rule_id: str, out: TextIO) -> None:
    from .coverage import load_framework

    framework_name, principle_id = coverage_ids()[rule_id]
    fw = load_framework(framework_name)
    p = fw.principle(principle_id)
    lines = [
        f"{rule_id} missing-{p.id} [coverage, warning]",
        f"The document does not cover the principle '{p.name}' of {fw.name} ({fw.title}).",
        "Reported only when the config requires the principle (coverage: require: [...]).",
        "",
        "What it means",
        " ".join(p.description.split()),
        "",
        "What to add",
        " ".join(p.suggestion.split()),
        "",
        "Sources",
    ]
    for s in p.sources:
        lines += [f"  - {s.cite()}", f"    {s.url}"]
    out.write("\n".join(lines) + "\n")
