"""``tilint init``: a commented ``.tilint.yaml`` and, with ``--pre-commit``, the hook.

Nothing that exists is overwritten: an existing ``.tilint.yaml`` is kept unless
``force``; an existing ``.pre-commit-config.yaml`` is never edited (the snippet
to add is printed instead).
"""

from __future__ import annotations

from pathlib import Path

from .yamlutil import DataError

__all__ = ["CONFIG_TEMPLATE", "PRE_COMMIT_SNIPPET", "init_project"]

CONFIG_TEMPLATE = """\
# tilint configuration. Every key is optional; these are the defaults unless noted.
# Reference: the README's "Configuration" section; `tilint rules` lists the ids.

# Rules to run: ids (BL001), id prefixes (BL), categories or pack names; ALL = every rule.
select: [ALL]
# extend-select: [CV]        # add to the selection
# ignore: []                 # rules to turn off, e.g. [SU003, records]

# Rules to turn off for some files (globs match the path or the file name).
# per-file-ignores:
#   "archive/*": [ALL]

# Change the severity of a rule (a whole rule id): error, warning or info.
# severity:
#   BL001: error

# Lowest severity that makes `tilint check` exit 1.
fail-on: warning

# Files checked inside folders, and files skipped.
# include: ["*.md", "*.txt", "*.rst", "*.html", "*.docx", "*.odt", "*.pdf"]
# exclude: ["drafts/*"]

# Words quoted or mentioned ("the term 'addict'") are skipped unless: report
mentions: skip

# Coverage of the trauma-informed principles (tilint check --coverage).
# coverage:
#   framework: samhsa-4r     # samhsa-4r, samhsa-6, ohid-6 or a YAML file
#   require: [realise, recognise, respond, resist]   # a missing one is a finding (CV1xx)

# Your own rule packs and sources (paths relative to this file).
# extra-rules: [rules/house-style.yaml]
# extra-sources: [rules/sources.yaml]

# Files larger than this (bytes) are reported, not read.
# max-file-size: 52428800
"""

# `rev` must be a commit of the tilint repository (it has no release tags yet):
# `pre-commit autoupdate` replaces it with the newest commit.
PRE_COMMIT_SNIPPET = """\
  - repo: REPLACE-WITH-THE-TILINT-REPOSITORY-URL
    rev: REPLACE-WITH-A-COMMIT-HASH  # `git ls-remote <url> HEAD`, or run `pre-commit autoupdate`
    hooks:
      - id: tilint
"""


def init_project(folder: Path, *, pre_commit: bool = False, force: bool = False) -> list[str]:
    """Write the files; return the lines to show the user."""
    lines = []
    config = folder / ".tilint.yaml"
    if config.exists() and not force:
        if not pre_commit:
            raise DataError(str(config), "already exists (use --force to overwrite it)")
        lines.append(f"kept the existing {config.name} (--force overwrites it)")  # the hook is still added
    else:
        config.write_text(CONFIG_TEMPLATE, encoding="utf-8")
        lines.append(f"wrote {config.name}")
    if pre_commit:
        hooks = folder / ".pre-commit-config.yaml"
        if hooks.exists():
            lines += [f"{hooks.name} exists; add this under `repos:`:", "", PRE_COMMIT_SNIPPET]
        else:
            hooks.write_text("repos:\n" + PRE_COMMIT_SNIPPET, encoding="utf-8")
            lines.append(f"wrote {hooks.name} (set its repo URL and rev to a tilint commit)")
    return lines
