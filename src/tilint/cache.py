"""A small on-disk cache of validated data, keyed by the bytes it was built from.

Loading and strictly validating the rule packs costs more than linting a short
file, so the result is kept under ``$TILINT_CACHE_DIR`` (default
``$XDG_CACHE_HOME/tilint`` or ``~/.cache/tilint``), named by a hash of the input
files' contents and tilint's version: any edit to a rule file makes a new entry.

The cache holds data, never code: each entry is JSON written by ``dump`` and
checked by ``load`` (which raises on anything unexpected), so a planted or
corrupt file can at worst be ignored. The folder is created owner-only (0700);
a folder or entry owned by another user, or writable by others, is not used.
The cache is best effort: an unwritable, corrupt or foreign cache is ignored and
rebuilt, never an error. ``TILINT_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, TypeVar

__all__ = ["cached", "cache_dir"]

T = TypeVar("T")
FORMAT = 1  # bump when the layout of an entry changes


def cache_dir() -> Optional[Path]:
    if os.environ.get("TILINT_NO_CACHE"):
        return None
    if os.environ.get("TILINT_CACHE_DIR"):
        return Path(os.environ["TILINT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "tilint"


def _key(kind: str, inputs: Iterable[Path]) -> Optional[str]:
    from . import __version__

    digest = hashlib.sha256(f"{kind}\0{__version__}\0{FORMAT}".encode())
    try:
        for path in inputs:
            digest.update(str(path).encode() + b"\0" + Path(path).read_bytes() + b"\0")
    except OSError:
        return None  # let the real loader report the unreadable file
    return digest.hexdigest()[:32]


def _trusted(st: os.stat_result) -> bool:
    """Ours, and not writable by anyone else."""
    mine = not hasattr(os, "getuid") or st.st_uid == os.getuid()
    return mine and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _private_folder(folder: Path) -> bool:
    """Create ``folder`` owner-only if missing; True if it is safe to use."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.stat(folder, follow_symlinks=False)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and _trusted(st)


def _read(path: Path, kind: str, key: str, load: Callable[[Any], T]) -> Optional[T]:
    try:
        with path.open("rb") as fh:
            if not _trusted(os.fstat(fh.fileno())):
                return None
            entry = json.loads(fh.read().decode("utf-8"))
        if not isinstance(entry, dict) or entry.get("kind") != kind or entry.get("key") != key or entry.get("format") != FORMAT:
            return None
        return load(entry["data"])
    except Exception:  # missing, unreadable, corrupt, or not what load() expects: rebuild
        return None


def cached(kind: str, inputs: Iterable[Path], build: Callable[[], T], dump: Callable[[T], Any], load: Callable[[Any], T]) -> T:
    """``build()``'s result, from the cache when the inputs are unchanged.

    ``dump(value)`` must return JSON-serialisable data and ``load(data)`` rebuild
    the value from it, raising on anything it does not expect.
    """
    folder = cache_dir()
    key = _key(kind, inputs) if folder is not None else None
    if folder is None or key is None or not _private_folder(folder):
        return build()
    path = folder / f"{kind}-{key}.json"
    value = _read(path, kind, key, load)
    if value is not None:
        return value
    value = build()
    try:
        text = json.dumps({"kind": kind, "key": key, "format": FORMAT, "data": dump(value)}, ensure_ascii=False)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{kind}-", suffix=".tmp")  # 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except Exception:
        pass
    return value
