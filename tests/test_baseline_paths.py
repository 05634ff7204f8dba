"""A baseline names files relative to its own folder, so it holds wherever tilint runs
from (a CI step with another working directory, a user in a subfolder)."""

from __future__ import annotations

import json

BAD = "Patients who fail to attend will be discharged.\n"


def test_a_baseline_holds_from_a_subfolder_and_with_absolute_paths(run_cli, write, tmp_path):
    write("policies/p.md", BAD)
    recorded = run_cli("check", "--write-baseline", "tilint-baseline.json", "policies")
    assert (recorded.code, recorded.err) == (0, "tilint: recorded 2 findings in tilint-baseline.json\n")
    entries = json.loads((tmp_path / "tilint-baseline.json").read_text())["findings"]
    assert [e["path"] for e in entries] == ["policies/p.md", "policies/p.md"]
    write("policies/p.md", BAD + "\nThe addicts were there.\n")
    new = ["SU001 'addicts' reduces a person to their drug or alcohol dependence."]
    inside = run_cli("check", "--baseline", "../tilint-baseline.json", "--format", "concise", "-q", ".", cwd=tmp_path / "policies")
    assert (inside.code, inside.out.splitlines()) == (1, [f"p.md:3:5: {new[0]}"])
    absolute = run_cli("check", "--baseline", str(tmp_path / "tilint-baseline.json"), "--format", "concise", "-q", str(tmp_path / "policies"), cwd=tmp_path.parent)
    assert (absolute.code, absolute.out.splitlines()) == (1, [f"{tmp_path / 'policies' / 'p.md'}:3:5: {new[0]}"])


def test_a_baseline_in_another_folder_names_files_with_dot_dot(run_cli, write, tmp_path):
    write("policies/p.md", BAD)
    assert run_cli("check", "--write-baseline", "build/base.json", "policies").code == 2  # build/ does not exist
    (tmp_path / "build").mkdir()
    assert run_cli("check", "--write-baseline", "build/base.json", "policies").code == 0
    entries = json.loads((tmp_path / "build" / "base.json").read_text())["findings"]
    assert [e["path"] for e in entries] == ["../policies/p.md", "../policies/p.md"]
    assert run_cli("check", "--baseline", "build/base.json", "policies").code == 0


def test_a_baseline_written_before_still_matches_from_its_working_directory(run_cli, write, tmp_path):
    # earlier baselines keyed files relative to the working directory, wherever the baseline was
    from tilint.baseline import fingerprint
    from tilint.linter import Linter

    write("policies/p.md", BAD)
    (tmp_path / "build").mkdir()
    run_cli("check", "--show-config")  # the working directory is now tmp_path
    findings = Linter().lint_file("policies/p.md").findings
    old = {"version": 1, "tool": "tilint", "findings": [{"rule_id": f.rule_id, "path": "policies/p.md", "fingerprint": fingerprint("policies/p.md", f)} for f in findings]}
    write("build/old.json", json.dumps(old))
    res = run_cli("check", "--baseline", "build/old.json", "--format", "concise", "-q", "policies")
    assert (res.code, res.out) == (0, "")
