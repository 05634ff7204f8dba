"""One file named several ways (relative, absolute, through ``..``, inside a folder
also given) is checked, reported and fixed once."""

from __future__ import annotations

import pytest


@pytest.fixture
def policy(write, tmp_path):
    write("sub/x.txt", "Nothing to flag here.\n")
    return write("p.md", "The addicts were there.\n")


@pytest.mark.parametrize("second", ["abs", "sub/../p.md", "."])
def test_a_file_named_twice_is_reported_once(run_cli, policy, second):
    other = str(policy) if second == "abs" else second
    res = run_cli("check", "--format", "concise", "-q", "p.md", other)
    assert res.code == 1
    assert res.out.splitlines() == ["p.md:1:5: SU001 'addicts' reduces a person to their drug or alcohol dependence."]


def test_a_file_named_twice_is_fixed_once_and_not_reported_after(run_cli, policy):
    res = run_cli("check", "--fix", "--format", "concise", "-q", "p.md", str(policy))
    assert (res.code, res.out.splitlines()) == (0, [])
    assert res.err == "fixed p.md:1:5: SU001 'addicts' -> 'people who use drugs'\n"
    assert policy.read_text() == "The people who use drugs were there.\n"


def test_a_file_named_twice_gives_one_diff(run_cli, policy):
    res = run_cli("check", "--diff", "p.md", str(policy))
    assert res.code == 1
    assert res.out.splitlines() == ["--- a/p.md", "+++ b/p.md", "@@ -1 +1 @@", "-The addicts were there.", "+The people who use drugs were there."]
    assert res.err == "1 fix available in 1 file (nothing written).\n"


def test_paths_may_come_before_and_after_options(run_cli, write):
    write("q.md", "Residents who abscond will lose their bed.\n")
    write("p.md", "The addicts were there.\n")
    res = run_cli("check", "p.md", "--format", "concise", "-q", "q.md")
    assert res.code == 1
    assert res.out.splitlines() == [
        "p.md:1:5: SU001 'addicts' reduces a person to their drug or alcohol dependence.",
        "q.md:1:15: CE001 'abscond' treats going missing as escape from custody.",
    ]


def test_an_unknown_option_after_a_path_is_still_a_usage_error(run_cli, write, capsys):
    write("p.md", "The addicts were there.\n")
    with pytest.raises(SystemExit) as done:
        run_cli("check", "p.md", "-q", "--frobnicate", "q.md")
    assert done.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == "tilint: error: unrecognized arguments: --frobnicate q.md"


@pytest.mark.parametrize("name", [None, "p.md"])
def test_diff_of_standard_input_is_refused_not_reported_as_nothing_to_fix(run_cli, policy, monkeypatch, name):
    # it said "0 fixes available" (exit 0) for fixable text, or diffed the file on disk
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"The addicts left.\n")))
    res = run_cli("check", "--diff", *(("--stdin-filename", name) if name else ()), "-")
    assert (res.code, res.out) == (2, "")
    assert res.err == "tilint: error: --fix, --diff and --write-baseline need files, not standard input\n"
