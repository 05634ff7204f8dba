"""Which files a run checks, and why each other file was not checked.

Folders are walked in sorted order without following symlinked folders (no
loops), skipping hidden folders (``.git``, ``.venv``) and tool folders
(:data:`SKIPPED_FOLDERS`). Inside folders, files matching an ``exclude`` glob,
files ignored by a ``.gitignore`` (read with the ``pathspec`` library, the way
git reads them: nested files, negation, the repository's root file above the
scanned folder) and files of a type tilint cannot read are skipped *with a
reason*, so a report can say what was not checked. A file named on the command
line is always checked unless it is excluded.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional, Sequence

from .config import _glob_match
from .readers import reader_for

__all__ = ["Discovery", "discover", "SKIPPED_FOLDERS"]

# never scanned inside a folder: tool and package folders, not policies
SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "site-packages"})


@dataclass
class Discovery:
    files: list[str]
    skipped: list[str] = field(default_factory=list)  # paths in scanned folders that were not checked
    missing: list[tuple[str, str]] = field(default_factory=list)  # (path, reason) that cannot be scanned
    reasons: dict[str, str] = field(default_factory=dict)  # skipped path -> why it was not checked

    def skip(self, path: str, reason: str) -> None:
        self.skipped.append(path)
        self.reasons[path] = reason


def _excluded(path: str, exclude: Sequence[str]) -> bool:
    return any(_glob_match(path, pattern) for pattern in exclude)


class _GitIgnore:
    """The ``.gitignore`` files that apply below one scanned folder."""

    def __init__(self, root: Path):
        from pathspec import GitIgnoreSpec

        self._spec_type = GitIgnoreSpec
        self._specs: list[tuple[Path, object]] = []  # (folder, spec), outermost first
        top = root.resolve()
        # inside a repository, the .gitignore files between its root and the scanned
        # folder count too (outside one, only those in the scanned tree)
        above = top.parents
        repo = next((f for f in (top, *above) if (f / ".git").exists()), None)
        if repo is not None and repo != top:
            for folder in reversed([f for f in above if f == repo or repo in f.parents]):
                self._load(folder)

    def _load(self, folder: Path) -> None:
        path = folder / ".gitignore"
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return
        self._specs.append((folder, self._spec_type.from_lines(lines)))

    def enter(self, folder: Path) -> None:
        """Read ``folder``'s own .gitignore (call once per folder, parents first)."""
        self._load(folder.resolve())

    def ignored(self, path: Path, is_dir: bool) -> bool:
        """Last matching pattern wins, the deepest .gitignore first (as git does)."""
        absolute = path.resolve() if not path.is_symlink() else path.parent.resolve() / path.name
        for folder, spec in reversed(self._specs):
            try:
                rel = absolute.relative_to(folder).as_posix()
            except ValueError:
                continue
            result = spec.check_file(rel + ("/" if is_dir else ""))  # type: ignore[attr-defined]
            if result.include is not None:
                return bool(result.include)
        return False


def _walk(root: Path, gitignore: Optional[_GitIgnore], found: Discovery) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        if gitignore is not None:
            gitignore.enter(here)
        kept = []
        for d in sorted(dirnames):
            if d.startswith(".") or d in SKIPPED_FOLDERS:
                continue
            if gitignore is not None and gitignore.ignored(here / d, True):
                found.skip(str(here / d), "ignored by .gitignore")
                continue
            kept.append(d)
        dirnames[:] = kept
        for name in sorted(filenames):
            if gitignore is not None and name != ".gitignore" and gitignore.ignored(here / name, False):
                found.skip(str(here / name), "ignored by .gitignore")
                continue
            yield here / name


def discover(
    paths: Sequence[str | Path],
    include: Sequence[str],
    exclude: Sequence[str],
    *,
    gitignore: bool = False,
    include_given: bool = False,
) -> Discovery:
    """Expand files and folders into the files to lint (explicit files always count).

    ``include_given``: the include globs came from the user (``--include``), so a
    file they leave out is "not matched by include", not "unsupported type".
    """
    found = Discovery(files=[])
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            ignore = _GitIgnore(p) if gitignore else None
            for f in _walk(p, ignore, found):
                s = str(f)
                if f.name.startswith(".") and f.name in (".gitignore", ".tilint.yaml", ".tilint.yml"):
                    continue  # tilint's and git's own files are never candidates
                if _excluded(s, exclude):
                    found.skip(s, "excluded")
                elif not any(_glob_match(s, pat) for pat in include):
                    found.skip(s, "not matched by include" if include_given else "unsupported type")
                elif reader_for(f) is None:
                    found.skip(s, "unsupported type")
                else:
                    found.files.append(s)
        elif p.exists() or p.is_symlink():
            if _excluded(str(p), exclude):
                found.skip(str(p), "excluded")
                continue
            found.files.append(str(p))
        else:
            found.missing.append((str(p), "no such file or directory"))
    # one file named several ways (``p.md``, ``/abs/p.md``, ``sub/../p.md``) is one file:
    # checked, reported and fixed once, under the spelling met first
    spellings: dict[str, str] = {}
    for name in found.files:
        spellings.setdefault(os.path.abspath(name), name)
    found.files = sorted(spellings.values())
    found.skipped.sort()
    return found
