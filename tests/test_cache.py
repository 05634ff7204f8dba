"""The on-disk cache of validated rules: keyed by content, data only (never code),
owner-only, best effort, can be turned off."""

from __future__ import annotations

import json
import os
import pickle
import stat

import pytest

from tilint.cache import cached
from tilint.ruleset import _load_ruleset_cached, load_ruleset


def cached_str(kind, inputs, build):
    return cached(kind, inputs, build, lambda v: v, lambda d: d if isinstance(d, (str, int)) else int("x"))


def test_same_inputs_hit_the_cache_and_edits_miss_it(tmp_path, monkeypatch):
    monkeypatch.setenv("TILINT_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "pack.yaml"
    data.write_text("one")
    builds = []

    def build():
        builds.append(data.read_text())
        return data.read_text().upper()

    assert cached_str("demo", [data], build) == "ONE"
    assert cached_str("demo", [data], build) == "ONE"
    data.write_text("two")
    assert cached_str("demo", [data], build) == "TWO"
    assert builds == ["one", "two"]


def test_corrupt_entries_are_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("TILINT_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "pack.yaml"
    data.write_text("x")
    cached_str("demo", [data], lambda: 1)
    (entry,) = (tmp_path / "cache").iterdir()
    entry.write_bytes(b"not json")
    assert cached_str("demo", [data], lambda: 2) == 2


@pytest.mark.parametrize("env", [{"TILINT_NO_CACHE": "1"}, {"TILINT_CACHE_DIR": "/proc/tilint-cannot-write-here"}])
def test_disabled_or_unwritable_cache_still_builds(tmp_path, monkeypatch, env):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    data = tmp_path / "pack.yaml"
    data.write_text("x")
    calls = []
    assert cached_str("demo", [data], lambda: calls.append(1) or "v") == "v"
    assert cached_str("demo", [data], lambda: calls.append(1) or "v") == "v"
    assert len(calls) == 2


MY_PACK = """pack: mine
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
"""


def test_an_edited_rule_pack_is_reloaded(run_cli, write):
    pack = write("mine.yaml", MY_PACK)
    write("p.md", "An oldword and a newword.\n")
    first = run_cli("check", "--format", "json", "--rules", str(pack), "--select", "MY", "p.md").json()
    assert [f["match"] for f in first["files"][0]["findings"]] == ["oldword"]
    pack.write_text(pack.read_text().replace("phrase: oldword", "phrase: newword"))
    second = run_cli("check", "--format", "json", "--rules", str(pack), "--select", "MY", "p.md").json()
    assert [f["match"] for f in second["files"][0]["findings"]] == ["newword"]


class _Planted:
    def __reduce__(self):
        return (os.system, ("touch PLANTED",))


def _rules_entry(cache):
    (entry,) = [p for p in cache.iterdir() if p.name.startswith("rules-") and p.suffix == ".json"]
    return entry


def test_a_planted_pickle_in_the_cache_never_runs(tmp_path, monkeypatch):
    """Issue 18: the cache was a pickle, so a planted file ran code."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("TILINT_CACHE_DIR", str(cache))
    monkeypatch.chdir(tmp_path)
    _load_ruleset_cached.cache_clear()
    expected = load_ruleset()
    entry = _rules_entry(cache)
    assert json.loads(entry.read_text())["kind"] == "rules"  # data, not a pickle
    entry.write_bytes(pickle.dumps(_Planted()))
    for name in ("rules-x.pickle",):  # the old name too
        (cache / name).write_bytes(pickle.dumps(_Planted()))
    _load_ruleset_cached.cache_clear()
    assert load_ruleset().rules == expected.rules
    assert not (tmp_path / "PLANTED").exists()
    assert json.loads(_rules_entry(cache).read_text())["kind"] == "rules"  # rebuilt


@pytest.mark.parametrize("tamper", ["bad severity", "extra key", "wrong key"])
def test_a_tampered_json_entry_is_ignored_and_rebuilt(tmp_path, monkeypatch, tamper):
    cache = tmp_path / "cache"
    monkeypatch.setenv("TILINT_CACHE_DIR", str(cache))
    _load_ruleset_cached.cache_clear()
    expected = load_ruleset()
    entry = _rules_entry(cache)
    data = json.loads(entry.read_text())
    if tamper == "bad severity":
        data["data"][0]["severity"] = "fatal"
    elif tamper == "extra key":
        data["data"][0]["code"] = "import os"
    else:
        data["key"] = "0" * 32
    entry.write_text(json.dumps(data))
    _load_ruleset_cached.cache_clear()
    assert load_ruleset().rules == expected.rules
    assert json.loads(entry.read_text())["data"][0]["severity"] in ("error", "warning", "info")


def test_the_cache_folder_is_owner_only_and_a_shared_one_is_not_used(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("TILINT_CACHE_DIR", str(cache))
    assert cached_str("demo", [], lambda: "v") == "v"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert len(list(cache.iterdir())) == 1
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("TILINT_CACHE_DIR", str(shared))
    calls = []
    assert cached_str("demo", [], lambda: calls.append(1) or "v") == "v"
    assert cached_str("demo", [], lambda: calls.append(1) or "v") == "v"
    assert calls == [1, 1] and list(shared.iterdir()) == []  # never read or written


def test_cached_rules_keep_every_field(tmp_path, monkeypatch):
    """A rule read back from the on-disk cache equals the rule loaded from YAML, field
    for field (a field the cache forgot once silently turned prohibition scope off)."""
    from tilint.ruleset import _ruleset_data, _ruleset_from_data, load_ruleset

    rules = load_ruleset()
    assert [r for r in _ruleset_from_data(_ruleset_data(rules))] == [r for r in rules]
    assert any(r.prohibitions == "report" for r in rules)
