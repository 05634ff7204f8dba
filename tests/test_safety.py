"""Issue 18: never lose a user's file, never skip text silently, never run planted
code, exit codes a CI can trust. One test (or more) per row of the issue's table;
the planted rule cache is in test_cache.py, the property test in test_safety_words.py.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tilint import fix as fix_module
from tilint.config import Config
from tilint.fix import FixRefused, apply_fix, plan_fixes
from tilint.linter import Linter
from tilint.discovery import discover

from .cli_run import ZZ, cli  # noqa: F401 - fixture
from .conftest import ENGINE_PACK
from .test_cache import MY_PACK

slow = pytest.mark.slow


def _temp_files(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tilint") or p.name.endswith(".tmp")]


# -- `tilint check --output policy.md policy.md` truncated the policy ------------------------


@slow
def test_output_never_overwrites_an_input(cli, tmp_path):
    policy = tmp_path / "policy.md"
    policy.write_text("The addict left.\n")
    (tmp_path / "link.md").symlink_to(policy)
    os.link(policy, tmp_path / "hard.json")
    for target in ("policy.md", "link.md", "hard.json", "sub/../policy.md"):
        (tmp_path / "sub").mkdir(exist_ok=True)
        res = cli("check", *ZZ, "--output", target, "policy.md")
        assert res.code == 2, target
        assert res.err == f"tilint: error: --output {target} is one of the files being checked (policy.md); refusing to overwrite it\n"
        assert policy.read_text() == "The addict left.\n"
    folder = cli("check", *ZZ, "-o", "policy.md", ".")
    assert folder.code == 2 and "refusing to overwrite it" in folder.err
    assert policy.read_text() == "The addict left.\n"


def test_output_and_baseline_refusals_in_process(run_cli, write, tmp_path):
    write("p.md", "The addict left.\n")
    res = run_cli("check", *ZZ, "--write-baseline", "p.md", "p.md")
    assert res.code == 2 and "--write-baseline p.md is one of the files being checked" in res.err
    cov = run_cli("coverage", "--output", "p.md", "p.md")
    assert cov.code == 2 and "--output p.md is one of the files being checked" in cov.err
    assert (tmp_path / "p.md").read_text() == "The addict left.\n"


# -- --fix on a symlinked policy; on a hard-linked one ---------------------------------------


@slow
def test_fix_through_a_symlink_fixes_the_target_and_keeps_the_link(cli, tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "policy.md"
    target.write_text("Addicts wait.\n")
    link = tmp_path / "policy.md"
    link.symlink_to(target)
    res = cli("check", *ZZ, "--fix", "policy.md")
    assert res.code == 0, res.out + res.err
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == "People who use drugs wait.\n"
    assert "fixed policy.md:1:1: ZZ001 'Addicts' -> 'People who use drugs'" in res.lines


def test_fix_keeps_hard_links_together(run_cli, write, tmp_path):
    first = write("a.md", "Addicts wait.\n")
    second = tmp_path / "b.txt"
    os.link(first, second)
    inode = first.stat().st_ino
    res = run_cli("check", *ZZ, "--fix", "a.md")
    assert res.code == 0
    assert first.stat().st_ino == second.stat().st_ino == inode and first.stat().st_nlink == 2
    assert second.read_text() == "People who use drugs wait.\n"
    assert _temp_files(tmp_path) == []


# -- --fix while the user saves the file in an editor ----------------------------------------


def _plan(path: Path):
    result = Linter(Config(extra_rules=(str(ENGINE_PACK),), select=("ZZ",))).lint_file(path)
    return plan_fixes(result, 10**6)


def test_a_save_between_check_and_fix_wins(write, tmp_path):
    path = write("p.md", "Addicts wait.\n")
    fix = _plan(path)
    path.write_text("Addicts wait. The user's new sentence.\n")
    with pytest.raises(FixRefused, match="changed while it was being checked"):
        apply_fix(fix)
    assert path.read_text() == "Addicts wait. The user's new sentence.\n"
    assert _temp_files(tmp_path) == []


def test_a_save_during_the_write_wins_and_no_temp_file_is_left(write, tmp_path, monkeypatch):
    path = write("p.md", "Addicts wait.\n")
    fix = _plan(path)
    real_fsync = os.fsync

    def save_meanwhile(fd):  # the editor saves while tilint writes its temporary copy
        real_fsync(fd)
        path.write_text("Saved in the editor.\n")

    monkeypatch.setattr(fix_module.os, "fsync", save_meanwhile)
    with pytest.raises(FixRefused, match="changed while it was being fixed"):
        apply_fix(fix)
    assert path.read_text() == "Saved in the editor.\n"
    assert _temp_files(tmp_path) == []


# -- --fix on a read-only (0444) file ---------------------------------------------------------


def test_read_only_files_are_not_fixed_unless_forced(run_cli, write, tmp_path):
    path = write("p.md", "Addicts wait.\n")
    path.chmod(0o444)
    res = run_cli("check", *ZZ, "--fix", "p.md")
    assert "p.md: not fixed: the file is read-only (use --force to fix it anyway)" in res.out
    assert res.code == 1 and path.read_text() == "Addicts wait.\n"
    forced = run_cli("check", *ZZ, "--fix", "--force", "p.md")
    assert forced.code == 0 and path.read_text() == "People who use drugs wait.\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o444  # still read-only
    assert _temp_files(tmp_path) == []


# -- --fix on cp1252 where the suggestion has a character cp1252 cannot encode ----------------

PACK = MY_PACK.replace("suggestions: [newword]", 'suggestions: ["new\u014dword"]\n    fixable: true')


def test_an_unencodable_suggestion_skips_that_fix_and_the_run_goes_on(run_cli, write):
    write("mine.yaml", PACK)
    latin = write("a.txt", "Caf\xe9 oldword here.\n".encode("cp1252"))
    utf8 = write("b.txt", "Caf\xe9 oldword here.\n")
    res = run_cli("check", "--rules", "mine.yaml", "--select", "MY", "--fix", "a.txt", "b.txt")
    assert "a.txt:1:6: not fixed: 'new\u014dword' cannot be written in this file's encoding (cp1252)" in res.out
    assert "fixed b.txt:1:6: MY001 'oldword' -> 'new\u014dword'" in res.out
    assert latin.read_bytes() == "Caf\xe9 oldword here.\n".encode("cp1252")
    assert utf8.read_text() == "Caf\xe9 new\u014dword here.\n"
    assert res.code == 1  # the unfixed finding is still reported


# -- Markdown with lone CR line endings -------------------------------------------------------


def _findings(run_cli, *args):
    data = run_cli("check", *ZZ, "--format", "json", *args).json()
    return [(f["rule_id"], f["line"], f["column"], f["match"]) for r in data["files"] for f in r["findings"]]


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
def test_every_line_ending_gives_the_same_positions(run_cli, write, newline):
    write("p.md", "# Title\n\nThe addict left.\n\n```\nan addict in code\n```\n\nAnother addict.\n", newline=newline)
    assert _findings(run_cli, "p.md") == [("ZZ001", 3, 5, "addict"), ("ZZ001", 9, 9, "addict")]


def test_one_stray_cr_leaves_nothing_unlinted(run_cli, write):
    write("p.md", b"Para one.\rThe addict left.\n\nAnother addict.\n")
    assert _findings(run_cli, "p.md") == [("ZZ001", 2, 5, "addict"), ("ZZ001", 4, 9, "addict")]


def test_cr_code_blocks_are_never_flagged_or_fixed(run_cli, write):
    source = b"Addicts wait.\r\r```\rThe addicts in code.\r```\r\rAddicts wait.\r"
    path = write("p.md", source)
    assert _findings(run_cli, "p.md") == [("ZZ001", 1, 1, "Addicts"), ("ZZ001", 7, 1, "Addicts")]
    run_cli("check", *ZZ, "--fix", "p.md")
    assert path.read_bytes() == source.replace(b"Addicts wait", b"People who use drugs wait")


def test_mixed_line_endings_in_text_and_rst(run_cli, write):
    write("p.txt", b"One.\r\nThe addict left.\rTwo.\n\nAn addict.\r")
    assert _findings(run_cli, "p.txt") == [("ZZ001", 2, 5, "addict"), ("ZZ001", 5, 1, "An addict")]
    write("p.rst", b"Title\r=====\r\rThe addict left.\r\n\r\n* an addict\n")
    assert _findings(run_cli, "p.rst") == [("ZZ001", 4, 5, "addict"), ("ZZ001", 6, 3, "an addict")]


# -- a Markdown list nested 10 deep, or 21 nested blockquotes ----------------------------------


def test_deep_lists_and_quotes_hide_no_text(run_cli, write):
    deep_list = "".join("  " * i + f"- item {i}\n" for i in range(12)) + "  " * 11 + "  The addict left.\n\nAfter the list, an addict.\n"
    write("list.md", deep_list)
    assert _findings(run_cli, "list.md") == [("ZZ001", 13, 29, "addict"), ("ZZ001", 15, 17, "an addict")]
    quotes = "> " * 21 + "The addict left.\n\nAfter the quotes, an addict.\n"
    write("quotes.md", quotes)
    assert _findings(run_cli, "quotes.md") == [("ZZ001", 1, 47, "addict"), ("ZZ001", 3, 19, "an addict")]


def test_nesting_beyond_the_limit_is_an_error_not_silence(run_cli, write):
    write("deep.md", "> " * 300 + "The addict left.\n\nAfter.\n")
    res = run_cli("check", *ZZ, "--format", "json", "deep.md")
    assert res.code == 2
    assert res.json()["files"][0]["errors"] == [
        {"message": "lists or quotes are nested more than 100 levels deep; tilint cannot read this file reliably"}
    ]


# -- a file name containing a newline ----------------------------------------------------------


@slow
def test_file_names_cannot_inject_workflow_commands_or_terminal_escapes(cli, tmp_path):
    name = "a\n::error file=x.md::pwned\x1b[31m.md"
    (tmp_path / name).write_text("The addict left \x1b]0;title\x07here.\n")
    (tmp_path / "::warning::b.md").write_text("The addict left.\n")
    for fmt in ("text", "concise", "github"):
        res = cli("check", *ZZ, "--format", fmt, ".")
        assert res.code == 1
        for line in res.lines:
            if fmt != "github":
                assert not line.lstrip().startswith("::"), line
            assert "\x1b" not in line and "\x07" not in line, line
        if fmt == "github":
            assert [line.split(" ", 1)[0] for line in res.lines] == ["::warning", "::warning"]
    concise = cli("check", *ZZ, "--format", "concise", ".").lines
    assert concise[:2] == [
        "./::warning::b.md:1:5: ZZ001 'addict' defines a person by their drug use.",
        "a\\n::error file=x.md::pwned\\x1b[31m.md:1:5: ZZ001 'addict' defines a person by their drug use.",
    ]


def test_terminal_escapes_in_matched_text_are_shown_not_obeyed(run_cli, write):
    write("p.md", "The addict left \x1b[2J here.\n")
    res = run_cli("check", *ZZ, "--color", "never", "p.md")
    assert "    │ The addict left \\x1b 2J here." in res.out.splitlines()  # "[" is Markdown, masked
    assert "\x1b" not in res.out


# -- one -j 2 worker killed (as an out-of-memory kill would) ---------------------------------


class _Killer(Linter):
    """Kills its own worker process on chosen files (``once.md``: only the first time)."""

    marker: Path

    def lint_file(self, path):
        name = Path(path).name
        if name == "always.md" or (name == "once.md" and not self.marker.exists()):
            self.marker.touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return super().lint_file(path)


@pytest.mark.skipif(sys.platform == "win32" or not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.parametrize("killer,expect_error", [("once.md", False), ("always.md", True)])
def test_a_dead_worker_is_retried_then_reported_and_the_run_finishes(tmp_path, zz_config, killer, expect_error):
    for i in range(6):
        (tmp_path / f"f{i}.md").write_text(f"The addict {i} left.\n")
    (tmp_path / killer).write_text("The addict left.\n")
    linter = _Killer(zz_config)
    linter.marker = tmp_path / "killed"
    results = list(linter.iter_found(discover([tmp_path], zz_config.include, ()), jobs=2))
    assert [Path(r.path).name for r in results] == sorted([killer, *(f"f{i}.md" for i in range(6))])
    by_name = {Path(r.path).name: r for r in results}
    for i in range(6):
        assert [f.rule_id for f in by_name[f"f{i}.md"].findings] == ["ZZ001"]
    dead = by_name[killer]
    if expect_error:
        died = "not checked: its worker process crashed (signal 9), perhaps out of memory (the limit is 500 MB)"
        assert [e.message for e in dead.errors] == [died] and linter.exit_code(results) == 2
    else:
        assert dead.errors == [] and [f.rule_id for f in dead.findings] == ["ZZ001"]


# -- any uncaught error: exit 1, the same as "findings" ---------------------------------------


def test_an_internal_error_exits_3_with_one_line(run_cli, write, monkeypatch):
    write("p.md", "The addict left.\n")

    def broken(self, doc):
        raise RuntimeError("engine exploded\nsecond line")

    monkeypatch.setattr(Linter, "lint_document", broken)
    res = run_cli("check", *ZZ, "p.md")
    assert res.code == 3
    assert res.err == "tilint: internal error: RuntimeError: engine exploded (run with --debug for the traceback)\n"
    debug = run_cli("check", "--debug", *ZZ, "p.md")
    assert debug.code == 3 and "Traceback (most recent call last)" in debug.err


# -- `tilint check … | head` exited 0 despite findings ----------------------------------------


@slow
def test_a_closed_pipe_keeps_the_findings_exit_code(tmp_path):
    for i in range(30):
        (tmp_path / f"p{i:02d}.md").write_text("The addict left.\n" * 20)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tilint", "check", *ZZ, "."], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    proc.stdout.close()  # like `| head` that has already exited
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=600) == 1
    assert "Traceback" not in err and "BrokenPipeError" not in err


# -- `--select NOPE999`: no rules selected, exit 0 ---------------------------------------------


@slow
def test_unknown_rule_ids_are_errors_with_the_closest_ids(cli, tmp_path):
    (tmp_path / "p.md").write_text("The addict left.\n")
    res = cli("check", "--select", "NOPE999", ".")
    assert res.code == 2 and res.out == ""
    assert res.err.startswith("tilint: error: unknown rule id, prefix or category 'NOPE999' in --select; ")
    typo = cli("check", "--ignore", "SU0001", ".")
    assert typo.code == 2
    assert typo.err.startswith("tilint: error: unknown rule id, prefix or category 'SU0001' in --ignore; did you mean SU001")


def test_unknown_ids_in_the_spacy_component_config_are_errors():
    import spacy

    from tilint.ids import UnknownSelector

    nlp = spacy.blank("en")
    with pytest.raises(UnknownSelector, match=r"unknown rule id, prefix or category 'SU0001' in ignore; did you mean SU001"):
        nlp.add_pipe("tilint", config={"ignore": ["SU0001"]})
