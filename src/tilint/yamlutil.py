"""YAML loading that remembers line numbers, and strict validation against JSON Schema.

Rule packs, frameworks and config files all go through :func:`load_validated`, so
every data file reports errors the same way: ``path:line: where: problem``.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

import yaml

__all__ = ["DataError", "load_yaml", "node_line", "load_validated", "read_data_file", "schema_errors"]

# the C loader is ~10x faster; fall back when libyaml is absent
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DataError(Exception):
    """A data file (rules, framework, config) is invalid. ``str()`` is one line."""

    def __init__(self, path: str, problem: str, line: Optional[int] = None, where: str = ""):
        self.path, self.problem, self.line, self.where = path, problem, line, where
        loc = f"{path}:{line}" if line else path
        super().__init__(f"{loc}: {where + ': ' if where else ''}{problem}")

    def __reduce__(self):
        # rebuilt from its fields when a worker process sends it back: the default would
        # call __init__ with the message alone and fail
        return (type(self), (self.path, self.problem, self.line, self.where))


# Data files are rules, sources, frameworks and config: far below these. Past them a
# file is hostile (a YAML alias bomb, /dev/zero named as a rule pack) or a mistake.
MAX_DATA_BYTES = 10 * 1024 * 1024
MAX_NODES = 1_000_000  # YAML nodes once aliases are expanded; the largest built-in pack has ~3,000


def read_data_file(path: Path) -> str:
    """The text of a data file, refusing what is not a regular file or is too large
    (FIFOs and devices are never opened)."""
    import os
    import stat

    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise DataError(str(path), "cannot read: not a regular file")
        if info.st_size > MAX_DATA_BYTES:
            raise DataError(str(path), f"cannot read: over {MAX_DATA_BYTES // 1_048_576} MB")
        with open(path, "rb") as fh:
            data = fh.read(MAX_DATA_BYTES + 1)
    except OSError as exc:
        raise DataError(str(path), f"cannot read: {exc.strerror or exc.__class__.__name__}") from None
    if len(data) > MAX_DATA_BYTES:
        raise DataError(str(path), f"cannot read: over {MAX_DATA_BYTES // 1_048_576} MB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(str(path), "cannot read: not UTF-8 text") from None


def load_yaml(path: Path, text: Optional[str] = None) -> tuple[Any, Optional[yaml.Node]]:
    """Parse YAML, returning ``(data, root_node)``; the node tree gives line numbers.

    Errors name the file, the line and the kind of problem, never the file's content:
    a configuration in a pull request can point at a secret file.
    """
    if text is None:
        text = read_data_file(path)
    try:
        node = yaml.compose(text, Loader=_Loader)
        if node is not None and _expanded_size(node, {}) > MAX_NODES:
            raise DataError(str(path), f"too many YAML nodes once aliases are expanded (over {MAX_NODES:,})")
        twice = _key_given_twice(node, set()) if node is not None else None
        if twice:  # YAML keeps the last value silently (yamllint's key-duplicates)
            raise DataError(str(path), f"invalid YAML: a key given twice (first on line {twice[0]})", twice[1])
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataError(str(path), f"invalid YAML: {_yaml_problem(exc)}", mark.line + 1 if mark else None) from None
    return data, node


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """The parser's problem without the text it quotes ("found character '…'")."""
    problem = getattr(exc, "problem", None) or "cannot parse"
    return problem.split("'")[0].split('"')[0].strip().rstrip(",") or "cannot parse"


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """How many nodes the tree has with every alias expanded, in time linear in the
    number of distinct nodes (an alias bomb is refused before it is ever expanded)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = 1  # a recursive alias counts once instead of looping
    size = 1
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            size += _expanded_size(k, memo) + _expanded_size(v, memo)
            if size > MAX_NODES:
                break
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            size += _expanded_size(item, memo)
            if size > MAX_NODES:
                break
    memo[key] = size
    return size


def _key_given_twice(node: yaml.Node, seen: set[int]) -> Optional[tuple[int, int]]:
    """(first line, repeated line) of the first mapping key given twice, visiting each
    distinct node once (aliases are not expanded). The key itself is not named: errors
    never echo a data file's content."""
    if id(node) in seen:
        return None
    seen.add(id(node))
    children: list[yaml.Node] = []
    if isinstance(node, yaml.MappingNode):
        first: dict[tuple[str, str], int] = {}
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.tag != "tag:yaml.org,2002:merge":
                key = (k.tag, k.value)
                if key in first:
                    return first[key], k.start_mark.line + 1
                first[key] = k.start_mark.line + 1
            children += (k, v)
    elif isinstance(node, yaml.SequenceNode):
        children = node.value
    for child in children:
        found = _key_given_twice(child, seen)
        if found:
            return found
    return None


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


_SHORT_VALUE = re.compile(r"[A-Za-z0-9_.-]{1,40}")


def _shown(value: Any) -> str:
    """A value from the file, quoted only when it is a short word (a misspelt key or
    level); anything else is not echoed, so a secret file named as config stays secret."""
    return repr(value) if isinstance(value, str) and _SHORT_VALUE.fullmatch(value) else "the value"


def _describe(error) -> str:
    """A short, human message for one jsonschema error, built from the schema, not
    from the instance (jsonschema's own messages quote the whole offending value)."""
    v, expected = error.validator, error.validator_value
    if v == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})), key=str)
        shown = [_shown(k) for k in extra[:5]]
        return f"unknown key{'s' if len(extra) > 1 else ''} {', '.join(shown)}{' …' if len(extra) > 5 else ''}"
    if v == "required":
        missing = [p for p in expected if isinstance(error.instance, dict) and p not in error.instance]
        return f"{missing[0]!r} is required" if missing else "a required key is missing"
    if v == "enum":
        return f"{_shown(error.instance)} is not one of {', '.join(map(str, expected))}"
    if v == "anyOf" and isinstance(error.instance, bool):
        return f"must be a string, not {str(error.instance).lower()} (quote YAML words such as off, no, yes)"
    if v == "oneOf" and isinstance(error.instance, dict) and "phrase" in str(error.schema):
        return "must have exactly one of 'phrase' or 'tokens'"
    if v == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        return f"must be {' or '.join(_A.get(k) or str(k) for k in kinds)}"
    if v in ("minItems", "maxItems", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return f"fails {v} {expected}"
    if v == "pattern":
        return f"{_shown(error.instance)} does not match the pattern {expected}"
    if v == "const":
        return f"must be {expected!r}"
    return f"is not valid ({v})"


_A = {"object": "a mapping", "array": "a list", "string": "a string", "integer": "a whole number", "number": "a number", "boolean": "true or false", "null": "empty"}


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
    for err_path, problem in _regex_problems(data, []):
        label, rest = where(data, err_path) if where else ("", err_path)
        raise DataError(str(path), f"{format_path(rest)}: {problem}", node_line(node, err_path), label)
    return data, node


def _regex_problems(data: Any, path: list) -> Iterator[tuple[list, str]]:
    """Every ``REGEX`` token predicate that does not compile or can backtrack
    catastrophically (it would run on every token of every document)."""
    from .regexsafe import regex_problem

    if isinstance(data, dict):
        for key, value in data.items():
            if key == "REGEX" and isinstance(value, str) and (problem := regex_problem(value)):
                yield path + [key], problem
            else:
                yield from _regex_problems(value, path + [key])
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _regex_problems(value, path + [i])


def format_path(path: Iterable[Any]) -> str:
    """``['patterns', 0, 'phrase']`` -> ``patterns[0].phrase``."""
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out
