"""--fix changes only what it reports, atomically; --diff changes nothing."""

from __future__ import annotations

import pytest

from tilint.fix import match_case

from .conftest import ENGINE_PACK

ZZ = ("--rules", str(ENGINE_PACK), "--select", "ZZ")


@pytest.mark.parametrize(
    "replacement,original,expected",
    [("people who use drugs", "Addicts", "People who use drugs"), ("people who use drugs", "addicts", "people who use drugs"), ("people", "ADDICTS", "PEOPLE")],
)
def test_match_case(replacement, original, expected):
    assert match_case(replacement, original) == expected


def test_fix_rewrites_fixable_findings_keeping_case_and_number(run_cli, write, tmp_path):
    path = write("p.md", "# Policy\n\nAddicts wait. He is an addict.\nThe patient refused.\n", newline="\r\n")
    res = run_cli("check", *ZZ, "--fix", "--fail-on", "info", "--color", "never", "p.md")
    assert path.read_bytes() == b"# Policy\r\n\r\nPeople who use drugs wait. He is a person who uses drugs.\r\nThe patient refused.\r\n"
    assert "fixed p.md:3:1: ZZ001 'Addicts' -> 'People who use drugs'" in res.out
    assert "fixed p.md:3:21: ZZ001 'an addict' -> 'a person who uses drugs'" in res.out
    # ZZ002 is not fixable (two suggestions): still reported, so the run still fails
    assert res.code == 1 and "ZZ002" in res.out
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".p.md")] == []  # no temp files left


def test_diff_prints_a_unified_diff_and_writes_nothing(run_cli, write):
    original = "Addicts wait.\n"
    path = write("p.md", original)
    res = run_cli("check", *ZZ, "--diff", "p.md")
    assert res.code == 1
    assert res.out == "--- a/p.md\n+++ b/p.md\n@@ -1 +1 @@\n-Addicts wait.\n+People who use drugs wait.\n"
    assert "1 fix available in 1 file (nothing written)." in res.err
    assert path.read_text() == original


def test_fix_keeps_encoding_and_bom(run_cli, write):
    path = write("p.txt", "\ufeffThe addicts wait.\n".encode("utf-8"))
    path.write_bytes(b"\xef\xbb\xbfThe addicts wait.\n")
    run_cli("check", *ZZ, "--fix", "p.txt")
    assert path.read_bytes() == b"\xef\xbb\xbfThe people who use drugs wait.\n"


def test_files_that_failed_to_parse_and_other_formats_are_untouched(run_cli, write):
    bad = write("bad.md", b"\x00\x01binary addicts")
    before = bad.read_bytes()
    res = run_cli("check", *ZZ, "--fix", "bad.md")
    assert res.code == 2 and bad.read_bytes() == before


def test_html_and_word_files_are_never_rewritten(run_cli, write):
    html = write("p.html", "<p>Addicts wait.</p>\n")
    before = html.read_bytes()
    res = run_cli("check", *ZZ, "--fix", "--fail-on", "error", "p.html")
    assert res.code == 0 and html.read_bytes() == before
    assert "fixed" not in res.out
    diff = run_cli("check", *ZZ, "--diff", "p.html")
    assert diff.out == "" and "0 fixes available in 0 files" in diff.err


# -- byte for byte: every encoding, byte-order mark and line ending tilint reads --------------

_ENCODINGS = [  # (codec for the text, the bytes before it)
    ("utf-8", b""),
    ("utf-8", b"\xef\xbb\xbf"),
    ("utf-16-le", b"\xff\xfe"),
    ("utf-16-be", b"\xfe\xff"),
    ("utf-16-le", b""),
    ("utf-32-le", b"\xff\xfe\x00\x00"),
    ("utf-32-be", b"\x00\x00\xfe\xff"),
    ("cp1252", b""),
]
_WORDS = ["Staff", "wait", "here", "café", "naïve", "€5", "’quoted’", "The addicts wait.", "  ", "\t"]


@pytest.mark.parametrize("codec,bom", _ENCODINGS, ids=[f"{c}{'-bom' if b else ''}" for c, b in _ENCODINGS])
def test_fix_keeps_every_byte_outside_the_phrases(codec: str, bom: bytes, tmp_path_factory, zz_config):
    from hypothesis import given, settings, strategies as st

    from tilint.fix import apply_fix, plan_fixes
    from tilint.linter import Linter

    linter = Linter(zz_config)
    line = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=6).map(" ".join)

    @settings(max_examples=12, deadline=None, database=None)
    @given(st.lists(line, min_size=1, max_size=6), st.sampled_from(["\n", "\r\n", "\r"]), st.booleans())
    def check(lines: list[str], newline: str, final_newline: bool) -> None:
        text = newline.join([*lines, "The addicts wait."]) + (newline if final_newline else "")
        path = tmp_path_factory.mktemp("fix") / "p.txt"
        path.write_bytes(bom + text.encode(codec))
        fix = plan_fixes(linter.lint_file(path), 1 << 20)
        assert fix is not None
        apply_fix(fix)
        assert path.read_bytes() == bom + text.replace("addicts", "people who use drugs").encode(codec)

    check()
