"""Path spelling shared by the CI formats (SARIF, GitHub, JUnit).

CI tools resolve report paths against the repository root, which is the working
directory a CI job runs tilint from; so paths are made relative to the working
directory and always use forward slashes, whatever the OS.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePath
from typing import Optional
from urllib.parse import quote

__all__ = ["relative_path", "artifact_uri"]


def relative_path(path: str, root: Optional[str] = None) -> str:
    """``path`` relative to ``root`` (default: the working directory), with ``/``.

    A path outside ``root`` (or on another drive) stays absolute. Symlinks are not
    resolved: the report names the file the way the user did.
    """
    base = os.path.abspath(root or os.getcwd())
    absolute = os.path.abspath(path)
    try:
        rel = os.path.relpath(absolute, base)
    except ValueError:  # Windows: another drive
        rel = absolute
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        rel = absolute
    return PurePath(rel).as_posix()


def artifact_uri(path: str, root: Optional[str] = None) -> str:
    """A URI reference for SARIF: percent-encoded relative path, or ``file://`` when absolute."""
    rel = relative_path(path, root)
    if os.path.isabs(rel):
        return Path(rel).as_uri()
    return quote(rel, safe="/")
