"""Config discovery (closest file wins), validation, and command-line precedence."""

from __future__ import annotations


import pytest

from tilint.config import Config, find_config_file, load_config
from tilint.yamlutil import DataError


def test_closest_config_wins_and_yaml_beats_pyproject_in_the_same_folder(tmp_path, write):
    write("pyproject.toml", '[tool.tilint]\nfail-on = "error"\n')
    write("sub/.tilint.yaml", "fail-on: info\n")
    write("sub/pyproject.toml", '[tool.tilint]\nfail-on = "warning"\n')
    (tmp_path / "sub" / "deeper").mkdir()
    assert find_config_file(tmp_path / "sub" / "deeper") == tmp_path / "sub" / ".tilint.yaml"
    assert find_config_file(tmp_path) == tmp_path / "pyproject.toml"


def test_pyproject_without_tool_tilint_is_ignored(tmp_path, write):
    write("pyproject.toml", '[project]\nname = "x"\n')
    assert find_config_file(tmp_path) is None


def test_values_are_loaded_and_rule_paths_resolve_against_the_config_folder(tmp_path, write):
    cfg_path = write("conf/.tilint.yaml", "select: [BL, SU]\nignore: [BL001]\nextra-rules: [my.yaml]\nmentions: report\n")
    cfg = load_config(cfg_path)
    assert cfg.select == ("BL", "SU") and cfg.ignore == ("BL001",) and cfg.mentions == "report"
    assert cfg.extra_rules == (str((tmp_path / "conf" / "my.yaml").resolve()),)


@pytest.mark.parametrize(
    "content,message",
    [
        ("fail-on: sometimes\n", "fail-on: 'sometimes' is not one of error, warning, info"),
        ("colour: red\n", "unknown key 'colour'"),
        ("select: BL\n", "select: must be a list"),
    ],
)
def test_invalid_yaml_config_names_the_file_line_and_problem(write, content, message):
    path = write(".tilint.yaml", content)
    with pytest.raises(DataError) as err:
        load_config(path)
    assert str(err.value) == f"{path}:1: {message}"


def test_invalid_pyproject_config(write):
    path = write("pyproject.toml", '[tool.tilint]\nfail_on = "error"\n')
    with pytest.raises(DataError, match=r"\[tool.tilint\] unknown key 'fail_on'"):
        load_config(path)


def test_flags_win_over_the_file(run_cli, tmp_path, write):
    write(".tilint.yaml", "fail-on: error\nignore: [BL001]\n")
    shown = run_cli("check", "--show-config", "--fail-on", "info", "--ignore", "SU").json()
    assert shown["config-file"] == str(tmp_path / ".tilint.yaml")
    assert shown["fail-on"] == "info"
    assert shown["ignore"] == ["BL001", "SU"]


def test_show_config_without_a_file_gives_defaults(run_cli):
    shown = run_cli("check", "--show-config", "--isolated").json()
    assert shown["config-file"] is None and shown["fail-on"] == "warning" and shown["select"] == ["ALL"]

def test_empty_config_file_means_defaults(write):
    path = write(".tilint.yaml", "# nothing yet\n")
    cfg = load_config(path)
    assert cfg.to_dict() == Config().to_dict() and cfg.path == str(path)


def test_a_toml_config_named_on_the_command_line_is_read_as_toml(run_cli, write, tmp_path):
    # `--config tilint.toml` was parsed as YAML: "invalid YAML: did not find expected <document start>"
    write("ci/tilint.toml", '[tool.tilint]\nignore = ["BL001"]\n')
    write("p.md", "Patients who fail to attend will be discharged.\n")
    res = run_cli("check", "--config", "ci/tilint.toml", "--format", "concise", "-q", "p.md")
    assert res.code == 1 and res.err == ""
    assert res.out.splitlines() == ["p.md:1:37: PU008 'discharged' makes a sanction follow automatically from a missed appointment or an incident."]
    assert run_cli("check", "--config", "ci/tilint.toml", "--show-config").json()["config-file"] == "ci/tilint.toml"
