"""The on-disk cache of validated rules: keyed by content, best effort, can be turned off."""

from __future__ import annotations

import pytest

from tilint.cache import cached


def test_same_inputs_hit_the_cache_and_edits_miss_it(tmp_path, monkeypatch):
    monkeypatch.setenv("TILINT_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "pack.yaml"
    data.write_text("one")
    builds = []

    def build():
        builds.append(data.read_text())
        return data.read_text().upper()

    assert cached("demo", [data], build) == "ONE"
    assert cached("demo", [data], build) == "ONE"
    data.write_text("two")
    assert cached("demo", [data], build) == "TWO"
    assert builds == ["one", "two"]


def test_corrupt_entries_are_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("TILINT_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "pack.yaml"
    data.write_text("x")
    cached("demo", [data], lambda: 1)
    (entry,) = (tmp_path / "cache").iterdir()
    entry.write_bytes(b"not a pickle")
    assert cached("demo", [data], lambda: 2) == 2


@pytest.mark.parametrize("env", [{"TILINT_NO_CACHE": "1"}, {"TILINT_CACHE_DIR": "/proc/tilint-cannot-write-here"}])
def test_disabled_or_unwritable_cache_still_builds(tmp_path, monkeypatch, env):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    data = tmp_path / "pack.yaml"
    data.write_text("x")
    calls = []
    assert cached("demo", [data], lambda: calls.append(1) or "v") == "v"
    assert cached("demo", [data], lambda: calls.append(1) or "v") == "v"
    assert len(calls) == 2


def test_an_edited_rule_pack_is_reloaded(run_cli, write):
    pack = write("mine.yaml", """pack: mine
prefix: MY
category: mine
description: A user's own rules.
rules:
  - id: MY001
    name: old-word
    severity: warning
    message: "'{match}' is our old word."
    patterns: [{phrase: oldword}]
    suggestions: [newword]
    rationale: Our house style replaced this word in 2024.
    sources: [VA]
    examples: {fail: ["an oldword"], pass: ["a newword"]}
""")
    write("p.md", "An oldword and a newword.\n")
    first = run_cli("check", "--format", "json", "--rules", str(pack), "--select", "MY", "p.md").json()
    assert [f["match"] for f in first["files"][0]["findings"]] == ["oldword"]
    pack.write_text(pack.read_text().replace("phrase: oldword", "phrase: newword"))
    second = run_cli("check", "--format", "json", "--rules", str(pack), "--select", "MY", "p.md").json()
    assert [f["match"] for f in second["files"][0]["findings"]] == ["newword"]
