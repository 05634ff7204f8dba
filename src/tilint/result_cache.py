"""Results of unchanged files, kept on disk so a re-run does no analysis at all.

A file's findings are stored under a key made of everything they depend on: the
file's bytes and path, the effective configuration, the rule and context files
(by content), tilint's version and code, and spaCy's version. Change any of them
and the key changes; nothing is ever invalidated by hand. A hit costs reading and
hashing the file and one small JSON file, and never imports spaCy.

Entries are JSON data only (never pickle: a cache file must not be able to run
code), in ``results/`` under the user cache folder (:func:`tilint.cache.cache_dir`,
``$TILINT_CACHE_DIR`` or ``~/.cache/tilint``), folders ``0700`` and files ``0600``
because findings quote the documents. A missing, unreadable, corrupt or foreign
entry is a miss, never an error; writing is best effort and atomic. Results with
errors or coverage are not stored (coverage is recomputed when asked for).
``TILINT_NO_CACHE=1`` or ``tilint check --no-cache`` turns the cache off.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional

from .models import FileResult, Finding, Source

if TYPE_CHECKING:
    from .config import Config

__all__ = ["ResultCache"]

SCHEMA = 1
# every field of the dataclasses (a hand-kept list would drop a field added later);
# "sources" and "path" are handled apart
_SOURCE_FIELDS = tuple(f.name for f in fields(Source))
_FINDING_FIELDS = tuple(f.name for f in fields(Finding) if f.name not in ("sources", "path"))


class ResultCache:
    """Stored results for one linter set-up (see the module doc)."""

    def __init__(self, folder: Path, setup: str):
        self.folder = folder
        self._setup = setup  # the hash of everything but the file itself

    @classmethod
    def for_config(cls, config: "Config", rule_files: Iterable[Path]) -> Optional["ResultCache"]:
        """The cache for ``config`` and the rule files it loads; None when caching is off."""
        from .cache import cache_dir

        root = cache_dir()
        if root is None:
            return None
        digest = hashlib.sha256(f"tilint-results {SCHEMA}\0".encode())
        digest.update(json.dumps(config.to_dict(), sort_keys=True, default=str).encode())
        for path in sorted({Path(p) for p in rule_files}):
            digest.update(b"\0" + str(path).encode() + b"\0")
            try:
                digest.update(path.read_bytes())
            except OSError:
                return None  # the loader reports it; nothing sound to key on
        digest.update(_code_stamp().encode())
        return cls(root / "results", digest.hexdigest())

    def key(self, path: str, data: bytes) -> str:
        digest = hashlib.sha256(self._setup.encode() + b"\0" + path.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(data)
        return digest.hexdigest()

    def _file(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key[2:]}.json"

    def get(self, key: str, path: str) -> Optional[FileResult]:
        try:
            with self._file(key).open("rb") as fh:
                entry = json.load(fh)
            if entry.get("schema") != SCHEMA or entry.get("key") != key:
                return None
            findings = [_finding(f, path) for f in entry["findings"]]
            return FileResult(path=path, findings=findings, format=entry.get("format"))
        except Exception:  # missing, unreadable, corrupt or from another tilint: a miss
            return None

    def put(self, key: str, result: FileResult) -> None:
        if result.errors or result.coverage is not None:
            return
        entry = {"schema": SCHEMA, "key": key, "format": result.format, "findings": [_finding_data(f) for f in result.findings]}
        target = self._file(key)
        try:
            _private_dirs(target.parent, stop=self.folder.parent)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")  # mode 0600
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(entry, fh, ensure_ascii=False, separators=(",", ":"))
                os.replace(tmp, target)
            except BaseException:
                os.unlink(tmp)
                raise
        except Exception:
            pass  # best effort: a read-only or full disk only costs the next run time


def _private_dirs(folder: Path, stop: Path) -> None:
    """Create ``folder`` and its missing parents up to ``stop`` (included) as 0700."""
    missing = []
    p = folder
    while not p.exists():
        missing.append(p)
        if p == stop or p.parent == p:
            break
        p = p.parent
    for p in reversed(missing):
        p.mkdir(mode=0o700, exist_ok=True)


def _finding_data(f: Finding) -> dict:
    out = {name: getattr(f, name) for name in _FINDING_FIELDS}
    out["suggestions"] = list(f.suggestions)
    out["sources"] = [{name: getattr(s, name) for name in _SOURCE_FIELDS} for s in f.sources]
    return out


def _finding(data: dict, path: str) -> Finding:
    values = {name: data[name] for name in _FINDING_FIELDS}
    for name in ("line", "column", "end_line", "end_column"):
        if type(values[name]) is not int:
            raise ValueError(name)
    values["suggestions"] = tuple(str(s) for s in values["suggestions"])
    values["location"] = dict(values["location"])
    sources = tuple(Source(**{name: s[name] for name in _SOURCE_FIELDS}) for s in data["sources"])
    return Finding(**values, sources=sources, path=path)


_STAMP: Optional[str] = None


def _code_stamp() -> str:
    """tilint's version, the size and time of every file of the package (an edited
    checkout is a new version), and spaCy's version; read without importing spaCy."""
    global _STAMP
    if _STAMP is None:
        from importlib import metadata

        from . import __version__

        parts = [__version__]
        for name in ("spacy", "spacy-lookups-data"):
            try:
                parts.append(f"{name} {metadata.version(name)}")
            except metadata.PackageNotFoundError:
                parts.append(f"{name} -")
        package = Path(__file__).resolve().parent
        for dirpath, dirnames, filenames in os.walk(package):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                if not name.endswith((".pyc", ".tmp")):
                    st = os.stat(os.path.join(dirpath, name))
                    parts.append(f"{os.path.relpath(os.path.join(dirpath, name), package)} {st.st_size} {st.st_mtime_ns}")
        _STAMP = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return _STAMP
