"""Rule loading: YAML packs in ``rules/`` -> validated :class:`Rule` objects.

Loading is strict. Each pack is validated against ``schemas/rule-pack.schema.json``;
then ids must be unique and carry their pack's prefix, and every source key must
exist in the sources registry. Any problem raises :class:`~tilint.yamlutil.DataError`
naming the file, the line and the rule id.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence, get_origin, get_type_hints

from .models import Source
from .suggest import suggestion_text
from .yamlutil import DataError, load_validated, node_line

__all__ = ["Rule", "RuleSet", "rules_dir", "load_ruleset", "load_sources", "load_context"]

_ID_PREFIX = re.compile(r"[A-Z]{1,4}[0-9]{0,3}")
SOURCES_FILE = "sources.yaml"
CONTEXT_FILE = "context.yaml"


def rules_dir() -> Path:
    """The built-in rules folder: inside the installed wheel, else the source tree."""
    packaged = files("tilint") / "_rules"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "rules"


@dataclass(frozen=True)
class Rule:
    """One rule of a pack (see docs/rule-format.md)."""

    id: str
    name: str
    category: str
    severity: str
    message: str
    patterns: tuple[dict, ...]
    suggestions: tuple[str, ...]
    rationale: str
    sources: tuple[Source, ...]
    examples: dict
    pack: str
    prefix: str
    path: str
    line: int
    context: dict = field(default_factory=dict)
    exceptions: tuple[str, ...] = ()
    fixable: bool = False
    mentions: str = "skip"
    prohibitions: str = "skip"
    suggestion_specs: tuple = ()  # the YAML suggestions: strings or templates (see tilint.suggest)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "pack": self.pack,
            "category": self.category,
            "severity": self.severity,
            "message": self.message,
            "suggestions": list(self.suggestions),
            "fixable": self.fixable,
            "rationale": self.rationale.strip(),
            "sources": [s.to_dict() for s in self.sources],
            "examples": {k: [e if isinstance(e, str) else e["text"] for e in v] for k, v in self.examples.items()},
        }


class RuleSet:
    """An ordered collection of rules with ruff-style selection by id, prefix or category."""

    def __init__(self, rules: Sequence[Rule]):
        self.rules: tuple[Rule, ...] = tuple(sorted(rules, key=lambda r: r.id))
        self.by_id: dict[str, Rule] = {r.id: r for r in self.rules}

    def __iter__(self):
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def get(self, rule_id: str) -> Rule:
        try:
            return self.by_id[rule_id.upper()]
        except KeyError:
            raise KeyError(f"no such rule: {rule_id}") from None

    def matches(self, rule: Rule, selector: str) -> bool:
        """True if ``selector`` (ALL, an id, an id prefix, a category or pack name) names ``rule``."""
        return selector_rank(selector, rule.id, rule.category, rule.pack) > 0

    def known_selector(self, selector: str) -> bool:
        return any(self.matches(r, selector) for r in self.rules)

    def specificity(self, rule: Rule, selectors: Iterable[str]) -> int:
        """How closely the most specific of ``selectors`` names ``rule``, as ruff ranks them:
        0 none, 1 ALL, 2 a category or pack, then longer id prefixes higher."""
        return max((selector_rank(s, rule.id, rule.category, rule.pack) for s in selectors), default=0)

    def select(self, select: Iterable[str] = ("ALL",), ignore: Iterable[str] = ()) -> "RuleSet":
        """The rules ``select`` names, less those ``ignore`` names at least as specifically
        (``--select BL001 --ignore BL`` keeps BL001; ``--select BL --ignore BL001`` drops it)."""
        select, ignore = list(select) or ["ALL"], list(ignore)
        return RuleSet([r for r in self.rules if self.specificity(r, select) > self.specificity(r, ignore)])


def selector_rank(selector: str, rule_id: str, category: str, pack: str = "") -> int:
    """How closely ``selector`` names a rule (or a coverage or meta finding's id), as ruff
    ranks selectors: 0 not at all, 1 ALL, 2 its category or pack, then longer id prefixes
    higher."""
    sel = selector.strip()
    if sel.upper() == "ALL":
        return 1
    if sel.lower() in (category, pack):
        return 2
    return 2 + len(sel) if _ID_PREFIX.fullmatch(sel.upper()) and rule_id.startswith(sel.upper()) else 0


def _rule_where(data: Any, path: list) -> tuple[str, list]:
    if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
        try:
            return f"rule {data['rules'][path[1]].get('id', '#' + str(path[1] + 1))}", path[2:]
        except (KeyError, IndexError, TypeError, AttributeError):
            return f"rule #{path[1] + 1}", path[2:]
    return "", path


@lru_cache(maxsize=None)
def load_sources(paths: tuple[str, ...] = ()) -> dict[str, Source]:
    """The sources registry: built-in ``rules/sources.yaml`` plus any extra registries."""
    registry: dict[str, Source] = {}
    for p in (str(rules_dir() / SOURCES_FILE), *paths):
        data, _ = load_validated(Path(p), "sources.schema.json")
        for key, entry in data["sources"].items():
            registry[key] = Source(id=key, **entry)
    return registry


@lru_cache(maxsize=None)
def load_context() -> dict[str, list[str]]:
    """Shared word classes (mention cues, person words, protected terms)."""
    from .yamlutil import load_yaml

    path = rules_dir() / CONTEXT_FILE
    data, node = load_yaml(path)
    required = {"mention_cues", "term_nouns", "term_introducers", "avoid_cues", "rejection_cues", "prohibits_following",
                "prohibits_preceding", "prohibition_exceptions", "language_words", "name_heads", "person", "protected", "passive_auxiliaries", "category_nouns"}
    if not isinstance(data, dict) or set(data) != required:
        got = set(data) if isinstance(data, dict) else set()
        raise DataError(str(path), f"must have exactly the keys {', '.join(sorted(required))} (got {', '.join(sorted(got)) or 'none'})")
    for key, words in data.items():
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            raise DataError(str(path), f"{key}: must be a list of non-empty strings", node_line(node, [key]))
    return data


def _load_pack(path: Path, sources: dict[str, Source]) -> list[Rule]:
    data, node = load_validated(path, "rule-pack.schema.json", where=_rule_where)
    rules = []
    for i, raw in enumerate(data["rules"]):
        line = node_line(node, ["rules", i]) or 1

        def fail(problem: str, where: Sequence[Any]) -> DataError:
            return DataError(str(path), problem, node_line(node, where), f"rule {raw['id']}")  # noqa: B023 - raised at once

        if not raw["id"].startswith(data["prefix"]):
            raise fail(f"id must start with the pack prefix '{data['prefix']}'", ["rules", i, "id"])
        for j, key in enumerate(raw["sources"]):
            if key not in sources:
                raise fail(f"unknown source '{key}' (not in {SOURCES_FILE})", ["rules", i, "sources", j])
        rules.append(
            Rule(
                id=raw["id"],
                name=raw["name"],
                category=raw.get("category", data["category"]),
                severity=raw["severity"],
                message=raw["message"],
                patterns=tuple(raw["patterns"]),
                suggestions=tuple(suggestion_text(s) for s in raw["suggestions"]),
                suggestion_specs=tuple(raw["suggestions"]),
                rationale=raw["rationale"],
                sources=tuple(sources[k] for k in raw["sources"]),
                examples=raw["examples"],
                pack=data["pack"],
                prefix=data["prefix"],
                path=str(path),
                line=line,
                context=raw.get("context", {}),
                exceptions=tuple(raw.get("exceptions", ())),
                fixable=raw.get("fixable", False),
                mentions=raw.get("mentions", "skip"),
                prohibitions=raw.get("prohibitions", data.get("prohibitions", "skip")),
            )
        )
    return rules


def builtin_pack_paths() -> list[Path]:
    return sorted(p for p in rules_dir().glob("*.yaml") if p.name not in (SOURCES_FILE, CONTEXT_FILE))


@lru_cache(maxsize=16)
def _load_ruleset_cached(paths: tuple[str, ...], source_paths: tuple[str, ...], stamps: tuple = ()) -> RuleSet:
    """``stamps`` (modification times) make an edited file a new in-process cache key."""
    from .cache import cached

    schema = Path(str(files("tilint") / "schemas" / "rule-pack.schema.json"))
    inputs = [rules_dir() / SOURCES_FILE, schema, *map(Path, source_paths), *map(Path, paths)]
    return cached("rules", inputs, lambda: _build_ruleset(paths, source_paths), _ruleset_data, _ruleset_from_data)


def _json_types() -> tuple[dict[str, type], tuple[str, ...]]:
    """Each :class:`Rule` field and the JSON type that holds it, read from the class, so
    a new field can never be dropped by the cache (tuples travel as lists)."""
    hints = get_type_hints(Rule)
    types, tuples = {}, []
    for f in fields(Rule):
        origin = get_origin(hints[f.name]) or hints[f.name]
        if origin is tuple:
            tuples.append(f.name)
        types[f.name] = list if origin is tuple else origin
    return types, tuple(name for name in tuples if name != "sources")


_RULE_TYPES, _TUPLES = _json_types()


def _ruleset_data(rules: RuleSet) -> list[dict]:
    """A rule set as plain JSON data (for the on-disk cache)."""
    out = []
    for r in rules:
        data = {name: getattr(r, name) for name in _RULE_TYPES}
        data["sources"] = [vars(s) for s in r.sources]
        out.append({k: list(v) if isinstance(v, tuple) else v for k, v in data.items()})
    return out


def _ruleset_from_data(data: Any) -> RuleSet:
    """The inverse of :func:`_ruleset_data`; raises ``ValueError`` on anything else."""
    if not isinstance(data, list):
        raise ValueError("not a list of rules")
    rules = []
    for raw in data:
        if not isinstance(raw, dict) or set(raw) != set(_RULE_TYPES):
            raise ValueError("unexpected rule keys")
        for name, kind in _RULE_TYPES.items():
            if not isinstance(raw[name], kind):
                raise ValueError(f"{name}: expected {kind.__name__}")
        if raw["severity"] not in ("error", "warning", "info") or not all(isinstance(p, dict) for p in raw["patterns"]):
            raise ValueError("invalid rule")
        sources = tuple(Source(**s) for s in raw["sources"])  # TypeError on unknown fields
        values: dict[str, Any] = {k: tuple(v) if k in _TUPLES else v for k, v in raw.items() if k != "sources"}
        rules.append(Rule(sources=sources, **values))
    return RuleSet(rules)


def _build_ruleset(paths: tuple[str, ...], source_paths: tuple[str, ...]) -> RuleSet:
    sources = load_sources(source_paths)
    rules: list[Rule] = []
    seen: dict[str, Rule] = {}
    for p in paths:
        for rule in _load_pack(Path(p), sources):
            if rule.id in seen:
                raise DataError(p, f"duplicate id (also in {seen[rule.id].path}:{seen[rule.id].line})", rule.line, f"rule {rule.id}")
            seen[rule.id] = rule
            rules.append(rule)
    return RuleSet(rules)


def load_ruleset(extra: Iterable[str | Path] = (), extra_sources: Iterable[str | Path] = (), builtin: bool = True) -> RuleSet:
    """Load the built-in packs plus ``extra`` rule files (cached per process)."""
    paths = [str(p) for p in builtin_pack_paths()] if builtin else []
    paths += [str(Path(p)) for p in extra]
    sources = tuple(str(Path(p)) for p in extra_sources)
    return _load_ruleset_cached(tuple(paths), sources, _stamps((*paths, *sources)))


def _stamps(paths: Iterable[str]) -> tuple:
    out: list[Optional[tuple[int, int]]] = []
    for p in paths:
        try:
            st = os.stat(p)
            out.append((st.st_mtime_ns, st.st_size))
        except OSError:
            out.append(None)  # the loader reports it
    return tuple(out)
