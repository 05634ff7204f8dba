"""The pre-commit hook (.pre-commit-hooks.yaml): which files it gets, and a real run.

The file filter is checked with pre-commit's own classifier. The end-to-end test runs
the real ``pre-commit run`` in a fresh git repository whose config points (``repo:``
path + ``rev:``) at a one-commit snapshot of this checkout's work tree. Unlike
``pre-commit try-repo``, which misses new untracked files and builds the hook's
environment anew on every call (it ignores ``PRE_COMMIT_HOME``), this tests the code
as it is and builds the environment once, in a private ``PRE_COMMIT_HOME``; that
build installs tilint's dependencies, so it needs the package index.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
import yaml

from tilint.readers import READERS

from .checkout import CHECKOUT, GIT_ENV, git, snapshot_repo
from .conftest import ENGINE_PACK

MANIFEST = CHECKOUT / ".pre-commit-hooks.yaml"


def _hook(**overrides):
    from pre_commit.clientlib import load_manifest
    from pre_commit.hook import Hook
    from pre_commit.prefix import Prefix

    (manifest,) = load_manifest(str(MANIFEST))
    return Hook.create(str(MANIFEST), Prefix(str(CHECKOUT)), {**manifest, **overrides})


def _selected(hook, names: list[str]) -> set[str]:
    from pre_commit.commands.run import Classifier

    return set(Classifier(names).filenames_for_hook(hook))


def test_manifest_fields():
    (hook,) = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert hook["id"] == hook["name"] == "tilint"
    assert hook["entry"] == "tilint check" and hook["language"] == "python"
    assert hook["require_serial"] is True and hook["minimum_pre_commit_version"] == "2.9.2"
    assert hook["description"]


def test_hook_gets_exactly_the_files_tilint_reads(tmp_path, monkeypatch):
    """pre-commit ANDs `files` with the type filters; the regex alone must decide."""
    monkeypatch.chdir(tmp_path)
    wanted = [f"docs/policy{suffix}" for suffix in READERS] + [f"docs/UPPER{suffix.upper()}" for suffix in READERS]
    unwanted = ["notes.py", ".tilint.yaml", "policy.md.bak", "logo.png", "docs/md", "README.mdx", "data.json"]
    for name in wanted + unwanted:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("Addicts wait outside.\n", encoding="utf-8")
    (tmp_path / "link.md").symlink_to(tmp_path / "docs" / "policy.md")
    assert _selected(_hook(), wanted + unwanted + ["link.md"]) == set(wanted)


def test_types_or_would_drop_word_and_opendocument(tmp_path, monkeypatch):
    """Why the manifest has no `types_or`: identify has no tag for .docx/.odt."""
    from identify.identify import tags_from_filename

    assert tags_from_filename("a.docx") == set() and tags_from_filename("a.odt") == set()
    monkeypatch.chdir(tmp_path)
    names = ["a.md", "a.txt", "a.rst", "a.html", "a.docx", "a.odt", "a.pdf"]
    for name in names:
        (tmp_path / name).write_bytes(b"%PDF-1.4\n" if name.endswith(".pdf") else b"text\n")
    naive = _hook(types=["file"], types_or=["markdown", "plain-text", "rst", "html"])
    assert _selected(naive, names) == {"a.md", "a.txt", "a.rst", "a.html"}
    assert _selected(_hook(), names) == set(names)


# ------------------------------------------------------------------ real pre-commit


def _docx(path, text: str) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    document.save(str(path))


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A git repo whose .pre-commit-config.yaml uses the hook from a snapshot of this checkout."""
    hook_repo = tmp_path_factory.mktemp("hook-repo")
    rev = snapshot_repo(hook_repo)
    repo = tmp_path_factory.mktemp("project")
    git("init", "-q", cwd=repo)
    (repo / "rules").mkdir()
    shutil.copy(ENGINE_PACK, repo / "rules" / "zz.yaml")
    (repo / ".tilint.yaml").write_text("extra-rules: [rules/zz.yaml]\nselect: [ZZ]\n", encoding="utf-8")
    config = {"repos": [{"repo": str(hook_repo), "rev": rev, "hooks": [{"id": "tilint"}]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")), "NO_COLOR": "1"}
    env.pop("PRE_COMMIT", None)

    def run() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", "--color", "never"],
            cwd=repo, env=env, capture_output=True, text=True, timeout=900,
        )

    return repo, run


@pytest.mark.slow
def test_hook_fails_on_stigmatising_wording_then_passes_when_fixed(project):
    repo, run = project
    (repo / "policy.md").write_text("# Attendance\n\nPatients who fail to attend will be discharged.\n", encoding="utf-8")
    _docx(repo / "guide.docx", "Addicts wait outside the clinic.")
    (repo / "notes.py").write_text("# Addicts wait outside.\n", encoding="utf-8")  # not a document: never passed
    git("add", "-A", cwd=repo)

    failed = run()
    out = failed.stdout + failed.stderr
    assert failed.returncode == 1, out
    assert "tilint" in out and "Failed" in out
    assert "policy.md:3:14: warning ZZ004 'fail to attend' blames the person for a missed appointment." in out
    assert "guide.docx:1:1: warning ZZ001 'Addicts' defines a person by their drug use." in out
    assert "notes.py" not in out

    (repo / "policy.md").write_text(
        "# Attendance\n\nPatients who miss appointments are offered another time.\n\n"
        "<!-- tilint-disable-next-line ZZ001 -->\nAddicts wait in the car park.\n",
        encoding="utf-8",
    )
    _docx(repo / "guide.docx", "People who use drugs wait outside the clinic.")
    git("add", "-A", cwd=repo)

    passed = run()
    out = passed.stdout + passed.stderr
    assert passed.returncode == 0, out
    assert "tilint" in out and "Passed" in out and "Skipped" not in out
