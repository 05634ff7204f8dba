"""A small on-disk cache of validated data, keyed by the bytes it was built from.

Loading and strictly validating the rule packs costs more than linting a short
file, so the result is pickled under ``$TILINT_CACHE_DIR`` (default
``$XDG_CACHE_HOME/tilint`` or ``~/.cache/tilint``), named by a hash of the input
files' contents and tilint's version: any edit to a rule file makes a new entry.
The cache is best effort: an unwritable or corrupt cache is ignored, never an
error. ``TILINT_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Optional, TypeVar

__all__ = ["cached", "cache_dir"]

T = TypeVar("T")


def cache_dir() -> Optional[Path]:
    if os.environ.get("TILINT_NO_CACHE"):
        return None
    if os.environ.get("TILINT_CACHE_DIR"):
        return Path(os.environ["TILINT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "tilint"


def _key(kind: str, inputs: Iterable[Path]) -> Optional[str]:
    from . import __version__

    digest = hashlib.sha256(f"{kind}\0{__version__}".encode())
    try:
        for path in inputs:
            digest.update(str(path).encode() + b"\0" + Path(path).read_bytes() + b"\0")
    except OSError:
        return None  # let the real loader report the unreadable file
    return digest.hexdigest()[:32]


def cached(kind: str, inputs: Iterable[Path], build: Callable[[], T]) -> T:
    """``build()``'s result, from the cache when the inputs are unchanged."""
    folder = cache_dir()
    key = _key(kind, inputs) if folder is not None else None
    if folder is None or key is None:
        return build()
    path = folder / f"{kind}-{key}.pickle"
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)
    except Exception:  # missing, unreadable or from an incompatible version: rebuild
        pass
    value = build()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{kind}-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except Exception:
        pass
    return value
