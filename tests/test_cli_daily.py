"""Issue 15: a CLI that fits the habits of ruff and Vale users. Each test runs the
real ``tilint`` command in a subprocess and checks exit codes and exact lines."""

from __future__ import annotations

import json

import pytest

from .cli_run import ZZ, cli  # noqa: F401 - fixture
from .conftest import ENGINE_PACK, local_engine_pack

pytestmark = pytest.mark.slow

SU = "a.md:1:5: ZZ001 'addict' defines a person by their drug use."


def write(tmp_path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


# -- 1. never pass silently: unknown ids everywhere --------------------------------------------


def test_select_nope_exits_2_with_a_helpful_message(cli, tmp_path):
    write(tmp_path, {"a.md": "The addict left.\n"})
    res = cli("check", "--select", "NOPE", ".")
    assert res.code == 2 and res.out == ""
    assert res.err == (
        "tilint: error: unknown rule id, prefix or category 'NOPE' in --select; "
        "known prefixes: AT, BH, BL, CE, CO, CS, CV, DG, FM, ID, IX, LB, MH, PU, RK, RL, RP, SH, SU, TIL, VV (see `tilint rules`)\n"
    )


@pytest.mark.parametrize(
    "config,where",
    [
        ("per-file-ignores:\n  'a/*': [SU0001]\n", "per-file-ignores 'a/*'"),
        ("severity:\n  SU0001: error\n", "severity (needs a whole rule id)"),
        ("ignore: [substance]\n", "ignore"),
    ],
)
def test_unknown_ids_in_the_config_are_errors(cli, tmp_path, config, where):
    write(tmp_path, {".tilint.yaml": config, "a.md": "The addict left.\n"})
    res = cli("check", ".")
    assert res.code == 2
    first = res.err.splitlines()[0]
    assert first.startswith(f"tilint: error: {tmp_path / '.tilint.yaml'}: unknown rule id, prefix or category ")
    assert f"in {where}; did you mean " in first


def test_unknown_id_in_a_suppression_comment_exits_2(cli, tmp_path):
    write(tmp_path, {"a.md": "<!-- tilint-disable-next-line ZZ01 -->\nThe addict left.\n"})
    res = cli("check", *ZZ, "--format", "concise", "a.md")
    assert res.code == 2
    assert res.lines[0] == (
        "a.md:1:1: TIL001 unknown rule id, prefix or category 'ZZ01' in this suppression comment; "
        "did you mean ZZ001, ZZ, ZZ002? (see `tilint rules`)"
    )


# -- 2. files not checked are named --------------------------------------------------------------


def test_skipped_files_are_named_with_reasons(cli, tmp_path):
    write(tmp_path, {"docs/a.md": "The addict left.\n", "docs/b.doc": "old", "docs/c.txt": "Fine.\n", "docs/drafts/d.md": "x\n"})
    res = cli("check", *ZZ, "--verbose", "--exclude", "*/drafts/*", "--format", "concise", "docs")
    assert res.lines == [
        "docs/a.md:1:5: ZZ001 'addict' defines a person by their drug use.",
        "docs/b.doc: not checked: unsupported type",
        "docs/drafts/d.md: not checked: excluded",
        "1 finding (1 warning) in 1 of 2 files checked; 2 not checked (1 excluded, 1 unsupported type).",
        "by category: engine-test 1",
    ]
    data = json.loads(cli("check", *ZZ, "--include", "*.md", "--format", "json", "docs").out)
    assert data["skipped"] == [
        {"path": "docs/b.doc", "reason": "not matched by include"},
        {"path": "docs/c.txt", "reason": "not matched by include"},
    ]


# -- 4. explain every id ----------------------------------------------------------------------------


def test_explain_rules_coverage_meta_and_categories(cli, tmp_path):
    cv = cli("explain", "CV101", cwd=tmp_path)
    assert cv.code == 0 and cv.lines[0] == "CV101 missing-realise [coverage, warning]"
    til = cli("explain", "til001", cwd=tmp_path)
    assert til.code == 0 and til.lines[0] == "TIL001 unknown-suppression [tilint, error]"
    cat = cli("explain", "engine-test", "--rules", str(ENGINE_PACK), cwd=tmp_path)
    assert cat.code == 0 and cat.lines[0] == "engine-test: 9 rules"
    assert all(line == line.rstrip() for line in cat.lines)
    pack = cli("explain", "CV", cwd=tmp_path)
    assert pack.lines[0] == "CV101  samhsa-4r: principle 'realise' is missing"
    bad = cli("explain", "SU0011", cwd=tmp_path)
    assert bad.code == 2 and "did you mean SU001" in bad.err


# -- 5. standard input -------------------------------------------------------------------------------


def test_standard_input_with_a_file_name_for_format_and_config(cli, tmp_path):
    local_engine_pack(tmp_path)
    write(tmp_path, {"archive/.tilint.yaml": "extra-rules: [../zz-pack.yaml]\nselect: [ZZ]\nignore: [ZZ001]\n"})
    piped = cli("check", *ZZ, "--format", "concise", "-", stdin=b"The addict left.\n")
    assert piped.code == 1 and piped.lines[0] == "-:1:5: ZZ001 'addict' defines a person by their drug use."
    named = cli("check", *ZZ, "--format", "concise", "--stdin-filename", "notes/a.md", "-", stdin=b"# A\n\nThe addict.\n")
    assert named.lines[0] == "notes/a.md:3:5: ZZ001 'addict' defines a person by their drug use."
    archived = cli("check", "--format", "concise", "--stdin-filename", "archive/a.md", "-", stdin=b"The addict.\n")
    assert archived.code == 0 and archived.lines == ["0 findings in 0 of 1 file checked."]


# -- 6. output that fits a screen ----------------------------------------------------------------------


def test_concise_statistics_min_severity_no_sources_exit_zero(cli, tmp_path):
    write(tmp_path, {"a.md": "The addict left. The patient refused. The addict wept.\n"})
    concise = cli("check", *ZZ, "--format", "concise", "--quiet", "a.md")
    assert concise.code == 1
    assert concise.lines == [SU, "a.md:1:30: ZZ002 'refused' frames a person's choice as defiance.", "a.md:1:43: ZZ001 'addict' defines a person by their drug use."]
    stats = cli("check", *ZZ, "--statistics", "a.md")
    assert stats.lines == ["2  ZZ001   addict-label  [fixable]", "1  ZZ002   refused-person"]
    hidden = cli("check", *ZZ, "--format", "concise", "-q", "--min-severity", "warning", "--fail-on", "info", "a.md")
    assert hidden.code == 1 and [line.split(" ")[1] for line in hidden.lines] == ["ZZ001", "ZZ001"]
    plain = cli("check", *ZZ, "--no-sources", "a.md")
    assert not [line for line in plain.lines if "source:" in line]
    assert all(line == line.rstrip() for line in plain.lines)
    assert cli("check", *ZZ, "--exit-zero", "a.md").code == 0


def test_colour_follows_no_color_force_color_and_the_flag(cli, tmp_path):
    write(tmp_path, {"a.md": "The addict left.\n"})
    assert "\x1b[" not in cli("check", *ZZ, "a.md").out  # piped
    assert "\x1b[" in cli("check", *ZZ, "a.md", env={"FORCE_COLOR": "1"}).out
    assert "\x1b[" not in cli("check", *ZZ, "a.md", env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).out
    assert "\x1b[" in cli("check", *ZZ, "--color", "always", "a.md", env={"NO_COLOR": "1"}).out


def test_piped_lines_keep_urls_whole(cli, tmp_path):
    write(tmp_path, {"a.md": "The addict left.\n"})
    res = cli("check", "--select", "SU", "a.md")
    sources = [line for line in res.lines if line.startswith("    source: ")]
    assert sources and all(" https://" in line for line in sources)
    assert all(line == line.rstrip() for line in res.lines)


def test_coverage_of_many_files_is_one_table_with_totals(cli, tmp_path):
    write(
        tmp_path,
        {
            "p/a.md": "# A\n\nMany of the people we support have experienced trauma, and it affects how they engage with services.\n",
            "p/b.md": "# B\n\nWe keep records.\n",
        },
    )
    res = cli("coverage", "p")
    assert res.code == 0
    assert res.lines[0] == "Coverage (samhsa-4r), 2 documents"
    assert res.lines[2].split() == ["Document", "realise", "recognise", "respond", "resist"]
    assert res.lines[4].split()[:3] == ["p/a.md", "✓", "covered"] or res.lines[4].split()[:3] == ["p/a.md", "~", "partial"]
    assert res.lines[5].split() == ["p/b.md", "✗", "missing", "✗", "missing", "✗", "missing", "✗", "missing"]
    assert [line for line in res.lines if line][-1].split()[:3] == ["documents", "covering", "it"]
    assert all(line == line.rstrip() for line in res.lines)
    written = cli("coverage", "--format", "json", "--output", "cov.json", "p")
    assert written.code == 0 and written.out == ""
    assert [f["path"] for f in json.loads((tmp_path / "cov.json").read_text())["files"]] == ["p/a.md", "p/b.md"]


# -- 7. baselines ------------------------------------------------------------------------------------


def test_baseline_survives_inserted_lines_and_reports_new_findings(cli, tmp_path):
    write(tmp_path, {"a.md": "# Policy\n\nThe addict left.\n", "b.md": "Fine.\n"})
    recorded = cli("check", *ZZ, "--write-baseline", "tilint-baseline.json", ".")
    assert recorded.code == 0 and recorded.err == "tilint: recorded 1 finding in tilint-baseline.json\n"
    write(tmp_path, {"a.md": "# Policy\n\nA new first paragraph.\n\nAnother.\n\nThe addict left.\n", "b.md": "Fine.\n\nThe addict arrived.\n"})
    res = cli("check", *ZZ, "--baseline", "tilint-baseline.json", "--format", "concise", "-q", ".")
    assert res.code == 1
    assert res.lines == ["b.md:3:5: ZZ001 'addict' defines a person by their drug use."]
    clean = cli("check", *ZZ, "--baseline", "tilint-baseline.json", "a.md")
    assert clean.code == 0
    broken = cli("check", *ZZ, "--baseline", "b.md", "a.md")
    assert broken.code == 2 and "not a tilint baseline" in broken.err


# -- 8. config per file, .gitignore -----------------------------------------------------------------


def test_each_file_uses_the_closest_config_with_two_nested_configs(cli, tmp_path):
    local_engine_pack(tmp_path)  # one pack for the whole repository
    write(
        tmp_path,
        {
            ".tilint.yaml": "extra-rules: [zz-pack.yaml]\nselect: [ZZ001]\n",
            "orgs/a/.tilint.yaml": "extra-rules: [../../zz-pack.yaml]\nselect: [ZZ002]\n",
            "orgs/a/b/.tilint.yaml": "extra-rules: [../../../zz-pack.yaml]\nselect: [ZZ]\nignore: [ZZ002]\nfail-on: error\n",
            "top.md": "The addict left. The patient refused.\n",
            "orgs/a/mid.md": "The addict left. The patient refused.\n",
            "orgs/a/b/deep.md": "The addict left. The patient refused.\n",
        },
    )
    res = cli("check", "--format", "concise", "-q", ".")
    assert res.lines == [
        "orgs/a/b/deep.md:1:5: ZZ001 'addict' defines a person by their drug use.",
        "orgs/a/mid.md:1:30: ZZ002 'refused' frames a person's choice as defiance.",
        "top.md:1:5: ZZ001 'addict' defines a person by their drug use.",
    ]
    assert res.code == 1
    assert cli("check", "orgs/a/b").code == 0  # its own fail-on: error


def test_coverage_uses_the_closest_config_per_file_as_check_does(cli, tmp_path):
    text = "# Policy\n\nWe ask people what helps them feel safe.\n"
    write(tmp_path, {
        ".tilint.yaml": "coverage:\n  framework: samhsa-4r\n",
        "a/.tilint.yaml": "coverage:\n  framework: samhsa-6\n",
        "b/.tilint.yaml": "coverage:\n  framework: ohid-6\nexclude: ['draft*']\n",
        "top.md": text, "a/p.md": text, "b/p.md": text, "b/draft.md": text,
    })

    def statuses(*args):
        res = cli("coverage", "--format", "json", *args)
        assert res.code == 0 and res.err == "", res.err
        return [(f["path"], f["errors"], f["findings"], f["coverage"]["framework"],
                 [(p["id"], p["status"]) for p in f["coverage"]["principles"]]) for f in json.loads(res.out)["files"]]

    missing = "missing"
    samhsa6 = [("safety", "partial"), ("trustworthiness-transparency", missing), ("peer-support", missing),
               ("collaboration-mutuality", missing), ("empowerment-voice-choice", missing), ("cultural-historical-gender", missing)]
    ohid6 = [("safety", "partial"), ("trust", missing), ("choice", missing), ("collaboration", missing),
             ("empowerment", missing), ("cultural-consideration", missing)]
    four_r = [("realise", missing), ("recognise", missing), ("respond", missing), ("resist", "partial")]
    assert statuses(".") == [
        ("a/p.md", [], [], "samhsa-6", samhsa6),
        ("b/p.md", [], [], "ohid-6", ohid6),
        ("top.md", [], [], "samhsa-4r", four_r),
    ]
    text = cli("coverage", "--color", "never", ".")  # one table per framework: no principle under another's heading
    assert [line for line in text.lines if line.startswith("Coverage (")] == [
        "Coverage (samhsa-6), 1 document", "Coverage (ohid-6), 1 document", "Coverage (samhsa-4r), 1 document"]
    assert [line.split()[:3] for line in text.lines if line.startswith(" b/p.md")] == [["b/p.md", "~", "partial"]]
    # --config names one config for every file; --framework wins over every config
    assert [(f[0], f[3]) for f in statuses("--config", "a/.tilint.yaml", ".")] == [
        ("a/p.md", "samhsa-6"), ("b/draft.md", "samhsa-6"), ("b/p.md", "samhsa-6"), ("top.md", "samhsa-6")]
    assert {f[3] for f in statuses("--framework", "ohid-6", ".")} == {"ohid-6"}


def test_gitignore_is_respected_unless_no_gitignore(cli, tmp_path):
    (tmp_path / ".git").mkdir()
    write(tmp_path, {".gitignore": "build/\n*.draft.md\n!keep.draft.md\n", "docs/a.md": "The addict.\n", "build/b.md": "The addict.\n",
                     "docs/c.draft.md": "The addict.\n", "docs/keep.draft.md": "The addict.\n"})
    res = cli("check", *ZZ, "--format", "json", "docs", "build")
    data = json.loads(res.out)
    assert [f["path"] for f in data["files"]] == ["docs/a.md", "docs/keep.draft.md"]
    assert data["skipped"] == [{"path": "build/b.md", "reason": "ignored by .gitignore"}, {"path": "docs/c.draft.md", "reason": "ignored by .gitignore"}]
    everything = json.loads(cli("check", *ZZ, "--format", "json", "--no-gitignore", ".").out)
    assert [f["path"] for f in everything["files"]] == ["build/b.md", "docs/a.md", "docs/c.draft.md", "docs/keep.draft.md"]


# -- 9. conveniences ------------------------------------------------------------------------------


def test_version_init_and_completion(cli, tmp_path):
    from tilint import __version__

    assert cli("-V").out == f"tilint {__version__}\n" and cli("--version").code == 0
    init = cli("init", "--pre-commit")
    assert init.code == 0 and init.lines[0] == "wrote .tilint.yaml"
    assert (tmp_path / ".pre-commit-config.yaml").read_text().startswith("repos:\n  - repo: ")
    assert cli("check", "--show-config").code == 0  # the written config is valid
    again = cli("init")
    assert again.code == 2 and "already exists (use --force to overwrite it)" in again.err
    for shell, marker in (("bash", "complete"), ("zsh", "#compdef"), ("fish", "complete -c tilint")):
        res = cli("completion", shell)
        assert res.code == 0 and marker in res.out, shell
    assert "--stdin-filename" in cli("completion", "bash").out
