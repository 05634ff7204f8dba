"""YAML loading that remembers line numbers, and strict validation against JSON Schema.

Rule packs, frameworks and config files all go through :func:`load_validated`, so
every data file reports errors the same way: ``path:line: where: problem``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Iterable, Optional

import yaml

__all__ = ["DataError", "load_yaml", "node_line", "load_validated", "schema_errors"]

# the C loader is ~10x faster; fall back when libyaml is absent
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DataError(Exception):
    """A data file (rules, framework, config) is invalid. ``str()`` is one line."""

    def __init__(self, path: str, problem: str, line: Optional[int] = None, where: str = ""):
        self.path, self.problem, self.line, self.where = path, problem, line, where
        loc = f"{path}:{line}" if line else path
        super().__init__(f"{loc}: {where + ': ' if where else ''}{problem}")


def load_yaml(path: Path, text: Optional[str] = None) -> tuple[Any, Optional[yaml.Node]]:
    """Parse YAML, returning ``(data, root_node)``; the node tree gives line numbers."""
    if text is None:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise DataError(str(path), f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DataError(str(path), f"invalid YAML: {problem}", mark.line + 1 if mark else None) from None
    return data, node


def node_line(node: Optional[yaml.Node], path: Iterable[Any]) -> Optional[int]:
    """1-based line of the value at ``path`` (keys and indexes) in a composed YAML tree."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for key in path:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == key:
                    node = v
                    line = k.start_mark.line + 1
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            return line
    return line


@lru_cache(maxsize=None)
def _validator(schema_name: str):
    from jsonschema import Draft202012Validator

    schema = json.loads((files("tilint") / "schemas" / schema_name).read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def _describe(error) -> str:
    """A short, human message for one jsonschema error."""
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return f"unknown key{'s' if len(extra) > 1 else ''} {', '.join(repr(k) for k in extra)}"
    if error.validator == "required":
        return error.message.replace(" is a required property", " is required")
    if error.validator == "enum":
        return f"{error.instance!r} is not one of {', '.join(map(str, error.validator_value))}"
    if error.validator == "anyOf" and isinstance(error.instance, bool):
        return f"must be a string, not {str(error.instance).lower()} (quote YAML words such as off, no, yes)"
    if error.validator == "oneOf" and isinstance(error.instance, dict):
        return "must have exactly one of 'phrase' or 'tokens'" if "phrase" in str(error.schema) else error.message
    return error.message


def schema_errors(data: Any, schema_name: str) -> list[tuple[list, str]]:
    """``[(path, message)]`` for every schema violation, in a stable order."""
    errors = sorted(_validator(schema_name).iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    return [(list(e.absolute_path), _describe(e)) for e in errors]


def load_validated(path: Path, schema_name: str, text: Optional[str] = None, where=None) -> tuple[Any, Optional[yaml.Node]]:
    """Load a YAML data file and validate it; raise :class:`DataError` on the first problem.

    ``where(data, error_path) -> (label, rest)`` names the item at fault (e.g.
    ``rule SU001``) and returns the rest of the path inside that item.
    """
    data, node = load_yaml(path, text)
    for err_path, message in schema_errors(data, schema_name):
        label, rest = where(data, err_path) if where else ("", err_path)
        field = format_path(rest)
        line_path = err_path + [message.split("'")[1]] if message.startswith("unknown key") else err_path
        raise DataError(str(path), f"{field + ': ' if field else ''}{message}", node_line(node, line_path), label)
    return data, node


def format_path(path: Iterable[Any]) -> str:
    """``['patterns', 0, 'phrase']`` -> ``patterns[0].phrase``."""
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out
