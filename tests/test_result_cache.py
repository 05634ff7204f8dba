"""The result cache: unchanged files are not analysed again; anything they depend on
changing is a miss; entries are private JSON; a corrupt entry is a miss."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tilint.config import Config
from tilint.linter import Linter

POLICY = "# Visits\n\nPatients who fail to attend twice are contacted.\n"


@pytest.fixture()
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("TILINT_CACHE_DIR", str(folder))
    monkeypatch.delenv("TILINT_NO_CACHE", raising=False)
    return folder


def _cached_linter(config: Config = Config()) -> Linter:
    linter = Linter(config)
    assert linter.use_result_cache()
    return linter


def _no_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(self, name, read):  # type: ignore[no-untyped-def]
        raise AssertionError(f"{name} was analysed again")

    monkeypatch.setattr(Linter, "_lint_read", fail)


def _entries(folder: Path) -> list[Path]:
    return sorted((folder / "results").rglob("*.json"))


def test_unchanged_file_is_served_from_the_cache(tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    policy = tmp_path / "visits.md"
    policy.write_text(POLICY)
    first = _cached_linter().lint_file(policy)
    assert [(f.rule_id, f.line, f.column) for f in first.findings] == [("BL001", 3, 14)]
    _no_analysis(monkeypatch)
    again = _cached_linter().lint_file(policy)
    assert again.to_dict() == first.to_dict()
    assert again.findings == first.findings and again.format == "markdown"
    assert [f.sources for f in again.findings] == [f.sources for f in first.findings]
    assert [f.location for f in again.findings] == [f.location for f in first.findings]


def test_edits_config_and_rules_are_misses(tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    analysed: list[str] = []
    original = Linter._lint_read

    def counting(self, name, read):  # type: ignore[no-untyped-def]
        analysed.append(name)
        return original(self, name, read)

    monkeypatch.setattr(Linter, "_lint_read", counting)
    policy = tmp_path / "visits.md"
    policy.write_text(POLICY)
    pack = tmp_path / "pack.yaml"
    pack_text = (Path(__file__).parent / "data" / "packs" / "engine-test.yaml").read_text()
    pack.write_text(pack_text)
    assert _cached_linter().lint_file(policy).findings[0].severity == "warning"
    assert _cached_linter().lint_file(policy).findings[0].severity == "warning"
    assert len(analysed) == 1
    # another severity for the rule: the config is part of the key
    assert _cached_linter(Config(severity={"BL001": "error"})).lint_file(policy).findings[0].severity == "error"
    assert len(analysed) == 2
    # an extra rule pack, then an edit to it: its content is part of the key
    _cached_linter(Config(extra_rules=(str(pack),))).lint_file(policy)
    _cached_linter(Config(extra_rules=(str(pack),))).lint_file(policy)
    assert len(analysed) == 3
    pack.write_text(pack_text + "\n# an edit\n")
    _cached_linter(Config(extra_rules=(str(pack),))).lint_file(policy)
    assert len(analysed) == 4
    # the file itself
    policy.write_text(POLICY.replace("twice", "three times"))
    edited = _cached_linter().lint_file(policy)
    assert len(analysed) == 5 and edited.findings[0].context == "Patients who fail to attend three times are contacted."


def test_entries_are_private_json(tmp_path: Path, cache_dir: Path) -> None:
    policy = tmp_path / "visits.md"
    policy.write_text(POLICY)
    _cached_linter().lint_file(policy)
    (entry,) = _entries(cache_dir)
    data = json.loads(entry.read_text(encoding="utf-8"))
    assert data["findings"][0]["rule_id"] == "BL001" and data["schema"] == 1
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    for folder in (cache_dir / "results", entry.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


@pytest.mark.parametrize("garbage", [b"", b"\x80\x04not json", b"[]", b'{"schema": 1, "key": "other", "findings": []}',
                                     b'{"schema": 1, "key": "KEY", "findings": [{"rule_id": "X"}]}'])
def test_corrupt_entries_are_misses(tmp_path: Path, cache_dir: Path, garbage: bytes) -> None:
    policy = tmp_path / "visits.md"
    policy.write_text(POLICY)
    first = _cached_linter().lint_file(policy)
    (entry,) = _entries(cache_dir)
    key = entry.parent.name + entry.stem
    entry.write_bytes(garbage.replace(b"KEY", key.encode()))
    assert _cached_linter().lint_file(policy).to_dict() == first.to_dict()
    assert json.loads(entry.read_text())["key"] == key  # rewritten


def test_errors_and_coverage_are_not_stored(tmp_path: Path, cache_dir: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n garbage \n%%EOF\n")
    assert _cached_linter().lint_file(broken).errors
    assert _entries(cache_dir) == []
    assert not Linter(Config(coverage={"framework": "samhsa-4r"})).use_result_cache()


def test_off_without_a_cache_folder(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TILINT_NO_CACHE", "1")
    linter = Linter()
    assert not linter.use_result_cache() and linter.result_cache is None


def test_cli_rerun_uses_the_cache_without_importing_spacy(tmp_path: Path, cache_dir: Path) -> None:
    policy = tmp_path / "visits.md"
    policy.write_text(POLICY)
    script = (
        "import sys, io; from tilint.cli import main; out = io.StringIO(); "
        "code = main(['check', '--isolated', '--format', 'json', *sys.argv[1:]], out=out); "
        "analysed = 'spacy' in sys.modules or __import__('tilint.watchdog').watchdog.workers_started > 0; "
        "print(code, analysed, len(__import__('json').loads(out.getvalue())['files'][0]['findings']))"
    )
    env = {**os.environ, "TILINT_CACHE_DIR": str(cache_dir)}

    def run(*args: str) -> str:
        proc = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=env, check=True)
        return proc.stdout.strip()

    assert run(str(policy)) == "1 True 1"  # analysed: spaCy loaded
    assert run(str(policy)) == "1 False 1"  # from the cache: no worker, spaCy never imported
    assert run("--no-cache", str(policy)) == "1 True 1"
