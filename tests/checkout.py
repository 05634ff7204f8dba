"""Helpers for the end-to-end tests that build or install this checkout.

The checkout is found from this file's location (never a fixed path), and copied with
its uncommitted changes, so the tests check the code as it is, in a clean clone or not.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[1]
GIT_ENV = {
    "GIT_AUTHOR_NAME": "tilint tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "tilint tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(*args: str, cwd: Path) -> str:
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def copy_worktree(dest: Path) -> None:
    """Copy the checkout's tracked and new files (not ignored ones such as .venv) to ``dest``."""
    try:
        listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=CHECKOUT)
    except (subprocess.CalledProcessError, FileNotFoundError):
        pytest.skip("the checkout is not a git work tree")
    for name in filter(None, listed.split("\0")):
        src = CHECKOUT / name
        if src.is_file():  # tracked files deleted in the work tree are skipped
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)


def snapshot_repo(dest: Path) -> str:
    """A git repository at ``dest`` holding the work tree in one commit; returns its sha."""
    copy_worktree(dest)
    git("init", "-q", cwd=dest)
    git("add", "-A", cwd=dest)
    git("commit", "-q", "-m", "snapshot", cwd=dest)
    return git("rev-parse", "HEAD", cwd=dest)
