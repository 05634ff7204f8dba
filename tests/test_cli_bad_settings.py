"""Settings a new user can get wrong: each is a one-line error naming the option or the
config file, exit 2, never a hang, a traceback or an "internal error"."""

from __future__ import annotations

import pytest

BAD = "Patients who fail to attend will be discharged.\n"


def config_error(run_cli, write, name: str, content: str, *options: str, text: str = BAD) -> str:
    """The error of checking ``text`` under the config file ``name`` (exit 2, no output)."""
    write(name, content)
    write("p.md", text)
    res = run_cli("check", *options, "p.md")
    assert (res.code, res.out) == (2, "")
    return res.err


@pytest.mark.parametrize(
    "option, value, problem",
    [
        ("--jobs", "-1", "must be 0 (one per CPU) or more"),
        ("--timeout", "inf", "must be a number of seconds above 0"),
        ("--timeout", "nan", "must be a number of seconds above 0"),
        ("--timeout", "-1", "must be a number of seconds above 0"),
        ("--timeout", "0", "must be a number of seconds above 0"),
        ("--max-memory", "0", "must be a whole number of 50 (MB) or more"),
        ("--max-memory", "49", "must be a whole number of 50 (MB) or more"),
        ("--max-file-size", "0", "must be a whole number of 1 or more"),
    ],
)
def test_an_out_of_range_number_option_is_a_usage_error(run_cli, write, capsys, option, value, problem):
    write("p.md", BAD)
    with pytest.raises(SystemExit) as done:
        run_cli("check", option, value, "p.md")
    assert done.value.code == 2
    err = capsys.readouterr().err
    shown = "--jobs/-j" if option == "--jobs" else option
    assert err.splitlines()[-1] == f"tilint check: error: argument {shown}: {value!r} {problem}"


def test_report_takes_the_same_bounds(run_cli, write, capsys):
    write("p.md", BAD)
    with pytest.raises(SystemExit) as done:
        run_cli("report", "-o", "r.html", "--jobs", "-2", "p.md")
    assert done.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == "tilint report: error: argument --jobs/-j: '-2' must be 0 (one per CPU) or more"


@pytest.mark.parametrize("value", [".nan", ".inf"])
def test_a_timeout_that_is_not_a_finite_number_in_the_config_names_the_file(run_cli, write, tmp_path, value):
    err = config_error(run_cli, write, ".tilint.yaml", f"timeout: {value}\n", "--no-cache")
    assert err == f"tilint: error: {tmp_path / '.tilint.yaml'}: timeout: must be a finite number of seconds\n"


def test_jobs_0_in_the_config_means_one_per_cpu_as_on_the_command_line(run_cli, write):
    write(".tilint.yaml", "jobs: 0\n")
    assert run_cli("check", "--show-config").json()["jobs"] == 0


def test_an_unknown_principle_in_coverage_require_names_the_config(run_cli, write, tmp_path):
    err = config_error(run_cli, write, ".tilint.yaml", "coverage:\n  require: [realise, realize, nonsense]\n")
    assert err == (
        f"tilint: error: {tmp_path / '.tilint.yaml'}: coverage.require: unknown principle 'nonsense' for framework samhsa-4r"
        " (valid: realise, recognise, respond, resist)\n"
    )


def test_an_unknown_principle_in_pyproject_coverage_require_names_the_file(run_cli, write, tmp_path):
    err = config_error(run_cli, write, "pyproject.toml", '[tool.tilint.coverage]\nframework = "samhsa-6"\nrequire = ["safety", "xx"]\n')
    assert err.startswith(f"tilint: error: {tmp_path / 'pyproject.toml'}: coverage.require: unknown principle 'xx' for framework samhsa-6 (valid: safety, ")


def test_an_unknown_framework_in_the_config_names_the_file(run_cli, write, tmp_path):
    err = config_error(run_cli, write, ".tilint.yaml", "coverage:\n  framework: nope\n")
    assert err == f"tilint: error: {tmp_path / '.tilint.yaml'}: coverage.framework: unknown framework 'nope' (available: ohid-6, samhsa-4r, samhsa-6)\n"


@pytest.mark.parametrize("target", ["missing/base.json", "."])
def test_a_baseline_that_cannot_be_written_is_a_one_line_error(run_cli, write, tmp_path, target):
    write("p.md", BAD)
    res = run_cli("check", "--write-baseline", target, "p.md")
    assert (res.code, res.out) == (2, "")
    reason = "No such file or directory" if target.startswith("missing") else "Is a directory"
    assert res.err == f"tilint: error: cannot write {target}: {reason}\n"
    assert not (tmp_path / "missing").exists()


def test_init_pre_commit_keeps_an_existing_config_and_adds_the_hook(run_cli, write, tmp_path):
    config = write(".tilint.yaml", "ignore: [RK]  # ours\n")
    res = run_cli("init", "--pre-commit")
    assert res.code == 0
    assert res.out.splitlines() == [
        "kept the existing .tilint.yaml (--force overwrites it)",
        "wrote .pre-commit-config.yaml (set its repo URL and rev to a tilint commit)",
    ]
    assert config.read_text() == "ignore: [RK]  # ours\n"
    assert (tmp_path / ".pre-commit-config.yaml").read_text().startswith("repos:\n  - repo: ")
    again = run_cli("init")  # without --pre-commit there is nothing else to do: still refused
    assert (again.code, again.err) == (2, f"tilint: error: {config}: already exists (use --force to overwrite it)\n")


def test_a_key_given_twice_in_the_config_is_an_error_not_a_silent_override(run_cli, write, tmp_path):
    # YAML keeps the last value, so "ignore: [RK]" below would silently drop the first
    err = config_error(run_cli, write, ".tilint.yaml", "ignore: [BL001]\nfail-on: error\nignore: [RK]\n")
    assert err == f"tilint: error: {tmp_path / '.tilint.yaml'}:3: invalid YAML: a key given twice (first on line 1)\n"


def test_a_key_given_twice_in_a_rule_pack_names_its_line(run_cli, write, tmp_path):
    write(
        "pack.yaml",
        "rules:\n  - id: ZQ001\n    name: n\n    name: m\n",
    )
    write("p.md", BAD)
    res = run_cli("check", "--rules", "pack.yaml", "p.md")
    assert (res.code, res.out) == (2, "")
    assert res.err == "tilint: error: pack.yaml:4: invalid YAML: a key given twice (first on line 3)\n"


@pytest.mark.parametrize("fmt", ["sarif", "junit", "github"])
def test_statistics_in_a_machine_format_it_cannot_give_is_refused(run_cli, write, fmt):
    # a SARIF upload or a JUnit reader given a text table fails later, far from the cause
    write("p.md", BAD)
    res = run_cli("check", "--statistics", "--format", fmt, "p.md")
    assert (res.code, res.out) == (2, "")
    assert res.err == f"tilint: error: --statistics prints text or JSON, not {fmt}\n"


def test_statistics_in_concise_format_is_the_text_table(run_cli, write):
    write("p.md", BAD)
    res = run_cli("check", "--statistics", "--format", "concise", "-q", "p.md")
    assert res.code == 1
    assert res.out.splitlines() == ["1  BL001   failed-to-attend", "1  PU008   sanction-on-a-trigger"]


def test_a_model_that_is_not_installed_is_an_error_even_for_a_clean_file(run_cli, write, tmp_path):
    # the pipeline loads only for a file that could match, so a clean file passed silently
    err = config_error(run_cli, write, ".tilint.yaml", "model: en_core_web_notthere\n", text="Nothing to see here.\n")
    assert err == f"tilint: error: {tmp_path / '.tilint.yaml'}: model: 'en_core_web_notthere' is not an installed spaCy pipeline package\n"


def test_a_model_option_that_is_not_installed_is_a_usage_error(run_cli, write):
    write("clean.md", "Nothing to see here.\n")
    res = run_cli("check", "--model", "./planted", "clean.md")
    assert (res.code, res.out) == (2, "")
    assert res.err == "tilint: error: --model: './planted' is not an installed spaCy pipeline package\n"
