"""Configuration: discovery, validation and precedence.

Sources, lowest priority first: built-in defaults; the closest config file found
walking up from the working directory (``.tilint.yaml``/``.tilint.yml``, else a
``pyproject.toml`` that has ``[tool.tilint]``; the closest wins, no cascading, like
ruff); then command-line flags. Keys use dashes (``fail-on``); see
``schemas/config.schema.json``.
"""

from __future__ import annotations

import fnmatch
import math
import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Optional

from .yamlutil import DataError, load_validated, read_data_file, schema_errors

__all__ = ["Config", "find_config_file", "load_config", "DEFAULT_INCLUDE"]

CONFIG_NAMES = (".tilint.yaml", ".tilint.yml")
DEFAULT_INCLUDE = ("*.md", "*.markdown", "*.txt", "*.text", "*.rst", "*.html", "*.htm", "*.docx", "*.odt", "*.pdf")


@dataclass(frozen=True)
class Config:
    """Effective settings. Every field maps to a config key (``_`` -> ``-``)."""

    select: tuple[str, ...] = ("ALL",)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: dict = field(default_factory=dict)
    severity: dict = field(default_factory=dict)
    fail_on: str = "warning"
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = ()
    extra_rules: tuple[str, ...] = ()
    extra_sources: tuple[str, ...] = ()
    model: Optional[str] = None
    mentions: str = "skip"
    max_file_size: int = 50 * 1024 * 1024
    jobs: int = 1
    timeout: float = 300  # seconds to read and check one file (the watchdog's deadline)
    max_memory: int = 500  # MB one file may take, beyond what tilint itself holds
    coverage: dict = field(default_factory=dict)
    path: Optional[str] = None  # the file this came from (not a config key)

    @classmethod
    def from_mapping(cls, data: dict, *, path: Optional[str] = None, base: Optional[Path] = None) -> "Config":
        """Build from a validated mapping; relative rule paths resolve against ``base``."""
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            name = key.replace("-", "_")
            if name in ("extra_rules", "extra_sources") and base is not None:
                value = [_inside(base, v, key, path) for v in value]
            if name == "coverage" and base is not None and _is_file_name(value.get("framework")):
                value = {**value, "framework": _inside(base, value["framework"], "coverage.framework", path)}
            elif name == "coverage" and "framework" in value:
                _check_framework_name(value["framework"], path)
            if name == "model" and value is not None:
                _check_model(value, path)
            if name == "timeout" and not math.isfinite(value):  # YAML's .nan and .inf pass the schema
                raise DataError(str(path or "config"), "timeout: must be a finite number of seconds")
            kwargs[name] = tuple(value) if isinstance(value, list) else value
        return cls(path=path, **kwargs)

    def merged(self, **overrides: Any) -> "Config":
        """A copy with the non-None ``overrides`` applied (command-line flags win)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    def to_dict(self) -> dict:
        out = {}
        for f in fields(self):
            if f.name == "path":
                continue
            value = getattr(self, f.name)
            out[f.name.replace("_", "-")] = list(value) if isinstance(value, tuple) else value
        return out

    def ignores_for(self, path: str) -> tuple[str, ...]:
        """``ignore`` plus the ``per-file-ignores`` whose glob matches ``path``."""
        extra = [sel for pattern, sels in self.per_file_ignores.items() if _glob_match(path, pattern) for sel in sels]
        return (*self.ignore, *extra)


def _glob_match(path: str, pattern: str) -> bool:
    posix = Path(path).as_posix()
    return fnmatch.fnmatch(posix, pattern) or fnmatch.fnmatch(Path(path).name, pattern) or fnmatch.fnmatch(posix, f"*/{pattern}")


def _read_pyproject(path: Path) -> Optional[dict]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DataError(str(path), f"invalid TOML: {exc}") from None
    return data.get("tool", {}).get("tilint")


def find_config_file(start: Optional[Path] = None) -> Optional[Path]:
    """The closest ``.tilint.yaml`` or ``pyproject.toml`` with ``[tool.tilint]``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _read_pyproject(pyproject) is not None:
            return pyproject
    return None


def _is_file_name(value: Any) -> bool:
    return isinstance(value, str) and (value.endswith((".yaml", ".yml")) or "/" in value or "\\" in value)


def _check_model(model: str, config_path: Optional[str]) -> None:
    """``model:`` names an installed pipeline package: checked when the config loads, not
    only when the first file that could match loads the pipeline."""
    from .nlp import installed_pipeline

    if not installed_pipeline(model):
        raise DataError(str(config_path or "config"), f"model: '{model}' is not an installed spaCy pipeline package")


def _check_framework_name(name: str, config_path: Optional[str]) -> None:
    """A built-in framework's name in a config file: an unknown one is an error naming the
    file (the framework itself loads only when coverage runs)."""
    from .ruleset import rules_dir

    folder = rules_dir() / "frameworks"
    if not (folder / f"{name}.yaml").is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.yaml") if not p.name.startswith("_")))
        raise DataError(str(config_path or "config"), f"coverage.framework: unknown framework '{name}' (available: {known})")


def _inside(base: Path, value: str, key: str, config_path: Optional[str]) -> str:
    """A path named in a config file, resolved against the config's folder. It may not
    leave the repository the config is in (the config's own folder when it is in none): a
    config in a repository is untrusted (a pull request can change it), so it cannot make
    tilint read a file elsewhere. A file outside is named on the command line instead
    (``--rules``, ``--framework``)."""
    start = base.resolve()
    root = next((f for f in (start, *start.parents) if (f / ".git").exists()), start)
    resolved = (base / value).resolve()
    if resolved != root and root not in resolved.parents:
        where = "repository" if root != start else "config's folder"
        raise DataError(str(config_path or base), f"{key}: '{value}' is outside this {where} (name it on the command line instead)")
    return str(resolved)


def load_config(path: Optional[Path] = None, *, discover: bool = True) -> Config:
    """Load ``path``, or the discovered config file, or the defaults."""
    if path is None and discover:
        path = find_config_file()
    if path is None:
        return Config()
    if path.suffix == ".toml":  # pyproject.toml, or a TOML file named with --config
        data = _read_pyproject(path) or {}
        for err_path, message in schema_errors(data, "config.schema.json"):
            field_name = ".".join(map(str, err_path))
            raise DataError(str(path), f"[tool.tilint] {field_name + ': ' if field_name else ''}{message}")
    else:
        if not path.is_file():
            raise DataError(str(path), "config file not found")
        text = read_data_file(path)
        data = {}
        if text.strip() and any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines()):
            data, _ = load_validated(path, "config.schema.json", text=text)
    return Config.from_mapping(data, path=str(path), base=path.parent)
