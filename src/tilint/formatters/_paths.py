"""Path spelling shared by the CI formats (SARIF, GitHub, JUnit).

CI tools resolve report paths against the repository root, which is the working
directory a CI job runs tilint from; so paths are made relative to the working
directory and always use forward slashes, whatever the OS.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePath
from typing import Optional
from urllib.parse import quote

__all__ = ["relative_path", "artifact_uri", "printable", "display_path"]


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


# C0 and C1 control characters (ESC starts terminal escapes), DEL, and the Unicode
# line and paragraph separators; tab stays a tab.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """``text`` with control characters shown as escapes (``\\n``, ``\\x1b``).

    Paths and document text are untrusted: a file name with a newline could start
    a line of its own (a CI workflow command), and an escape sequence could drive
    the user's terminal.
    """
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def display_path(path: str) -> str:
    """A path safe to print at the start of a line: control characters escaped, and
    ``./`` in front of one that starts with ``:`` or a space (``::error ...`` would
    be read as a GitHub Actions workflow command)."""
    shown = printable(path)
    if shown[:1] in (":", " ", "\t") and not os.path.isabs(path):
        shown = "./" + shown
    return shown
