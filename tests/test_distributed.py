"""Folder scans on a Dask cluster: the same results as a local run, in the same order,
whatever happens to a worker (``tilint.distributed``, ``--scheduler``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tilint.config import Config
from tilint.linter import Linter

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")

from tilint import distributed as tdist  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

POLICY = (
    "# Attendance\n\n"
    "Patients who fail to attend three appointments will be removed from the list.\n\n"
    "Staff complete trauma-informed training and restraint is used only as a last resort.\n"
)


@pytest.fixture(scope="module")
def client():
    with tdist.session("local:2") as c:
        yield c


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    """A folder of policies with findings, a clean one, a broken Word file and an unread type."""
    root = tmp_path / "estate"
    (root / "b").mkdir(parents=True)
    (root / "a.md").write_text(POLICY, encoding="utf-8")
    (root / "b" / "clean.txt").write_text("Opening hours are nine to five.\n", encoding="utf-8")
    (root / "b" / "rules.txt").write_text("Addicts and the homeless must leave by 10pm.\n", encoding="utf-8")
    (root / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (root / "notes.rtf").write_text("{\\rtf1 skipped}", encoding="utf-8")
    return root


def dicts(results) -> list[dict]:
    return [r.to_dict() for r in results]


def test_plan_batches_cuts_sorted_files_by_bytes():
    files = ["a", "b", "c", "d", "e"]
    sizes = {"a": 600, "b": 500, "c": 10, "d": 2000, "e": 0}
    assert tdist.plan_batches(files, sizes, batch_bytes=1000) == [["a", "b"], ["c", "d"], ["e"]]
    assert tdist.plan_batches([], {}, batch_bytes=1000) == []
    # an empty file still counts, so a folder of empty files is not one giant task
    assert tdist.plan_batches(["x", "y", "z"], {}, batch_bytes=2) == [["x", "y"], ["z"]]


def test_discover_inputs_lists_url_folders_with_the_local_filters(estate: Path):
    config = Config(exclude=("*/rules.txt",))
    found, sizes = tdist.discover_inputs([estate.as_uri(), str(estate / "missing.md")], config)
    base = estate.as_uri()
    assert found.files == [f"{base}/a.md", f"{base}/b/clean.txt", f"{base}/broken.docx"]
    assert f"{base}/notes.rtf" in found.skipped
    assert found.missing == [(str(estate / "missing.md"), "no such file or directory")]
    assert sizes[f"{base}/a.md"] == len(POLICY.encode())


def test_same_results_as_a_local_run(client, estate: Path):
    config = Config(coverage={"framework": "samhsa-4r", "enabled": True})
    paths = [str(estate), str(estate / "gone.md")]
    local = Linter(config).lint_paths(paths)
    remote = list(tdist.lint_paths(paths, client, config, batch_bytes=64))
    assert dicts(remote) == dicts(local)
    assert [r.path for r in remote] == sorted(r.path for r in remote)
    assert [r.path for r in remote if r.errors] == [str(estate / "broken.docx"), str(estate / "gone.md")]
    assert sum(len(r.findings) for r in remote) >= 3


def test_urls_are_read_by_the_workers(client, estate: Path):
    config = Config()
    local = {Path(r.path).name: r for r in Linter(config).lint_paths([estate])}
    remote = list(tdist.lint_paths([estate.as_uri()], client, config))
    base = estate.as_uri()
    assert [r.path for r in remote] == [f"{base}/a.md", f"{base}/b/clean.txt", f"{base}/b/rules.txt", f"{base}/broken.docx"]
    for r in remote:
        twin = local[r.path.rsplit("/", 1)[-1]]
        assert [(f.rule_id, f.match, f.line, f.column) for f in r.findings] == [(f.rule_id, f.match, f.line, f.column) for f in twin.findings]
        assert [e.message for e in r.errors] == [e.message for e in twin.errors]
        assert all(f.path == r.path for f in r.findings)  # the URL, never a worker's temporary name


def test_a_killed_worker_loses_nothing_and_repeats_nothing(client, tmp_path: Path):
    root = tmp_path / "many"
    root.mkdir()
    body = (POLICY + "\n") * 60
    for i in range(24):
        (root / f"p{i:02}.md").write_text(body, encoding="utf-8")
    config = Config()
    expected = dicts(Linter(config).lint_paths([root]))
    before = client.run(os.getpid)
    stream = tdist.lint_paths([root], client, config, batch_bytes=1)  # one file a task
    got = [next(stream)]
    victim = max(before.values())
    os.kill(victim, signal.SIGKILL)  # as the kernel's out-of-memory killer would
    got.extend(stream)
    assert dicts(got) == expected
    assert len({r.path for r in got}) == len(got) == 24
    # the nanny started a new worker in place of the killed one
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(client.scheduler_info()["workers"]) < 2:
        time.sleep(0.2)
    assert victim not in client.run(os.getpid).values()


def test_connect_rejects_what_is_not_a_scheduler():
    with pytest.raises(tdist.SchedulerError, match="takes tcp://HOST:PORT or local:N"):
        tdist.connect("my-cluster")
    with pytest.raises(tdist.SchedulerError, match="needs a number of workers"):
        tdist.connect("local:two")
    with pytest.raises(tdist.SchedulerError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        tdist.connect("tcp://127.0.0.1:9")


def test_cli_names_the_extra_when_dask_is_missing(run_cli, monkeypatch, estate):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    result = run_cli("check", "--scheduler", "local:2", str(estate))
    assert result.code == 2
    assert result.err.strip() == "tilint: error: the Dask scheduler needs the dask extra: pip install 'tilint[dask]'"


def test_cli_refuses_fixing_urls(run_cli, estate):
    result = run_cli("check", "--fix", "--scheduler", "local:1", estate.as_uri())
    assert result.code == 2
    assert "--fix and --diff work on local files only" in result.err


@pytest.mark.slow
@pytest.mark.parametrize("command", [["check"], ["check", "--format", "json"], ["coverage", "--format", "json"]])
def test_cli_output_is_identical_to_a_local_run(command):
    run = lambda *extra: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "tilint", *command, *extra, "examples/"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    local, remote = run(), run("--scheduler", "local:2")
    assert remote.returncode == local.returncode
    assert remote.stdout == local.stdout
    assert local.stdout.strip()


def test_the_core_install_pulls_neither_dask_nor_spark():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = " ".join(project["dependencies"]).lower()
    assert "dask" not in core and "distributed" not in core and "pyspark" not in core and "fsspec" not in core
    assert any(d.startswith("dask[distributed]") for d in project["optional-dependencies"]["dask"])
    assert any(d.startswith("pyspark") for d in project["optional-dependencies"]["spark"])


@pytest.mark.slow
def test_report_on_a_cluster_has_the_local_findings_and_coverage(run_cli, estate, tmp_path):
    tables = {}
    for name, extra in (("local", ()), ("cluster", ("--scheduler", "local:1"))):
        out = tmp_path / name
        out.mkdir()
        res = run_cli("report", "-q", str(estate), "-o", str(out / "report.html"), "--csv", str(out), *extra)
        assert res.code == 2  # the broken .docx is reported in both
        tables[name] = [(out / f).read_text(encoding="utf-8-sig").replace(str(out), "OUT") for f in ("findings.csv", "coverage.csv")]
    assert tables["cluster"] == tables["local"]
    assert ",BL001,failed-to-attend," in tables["local"][0] and ",SU001," in tables["local"][0]


@pytest.mark.slow
def test_coverage_on_a_cluster_uses_each_files_closest_config(run_cli, tmp_path):
    for name, content in {"a/.tilint.yaml": "coverage:\n  framework: samhsa-6\n", "b/.tilint.yaml": "coverage:\n  framework: ohid-6\n",
                          "a/p.md": "We ask people what helps them feel safe.\n", "b/p.md": "We ask people what helps them feel safe.\n"}.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(content)
    local = run_cli("coverage", "--format", "json", ".", "gone.md", cwd=tmp_path)
    remote = run_cli("coverage", "--format", "json", "--scheduler", "local:1", ".", "gone.md", cwd=tmp_path)
    assert remote.code == local.code == 2 and remote.out == local.out
    assert [(f["path"], f["errors"], f.get("coverage") and f["coverage"]["framework"]) for f in remote.json()["files"]] == [
        ("a/p.md", [], "samhsa-6"), ("b/p.md", [], "ohid-6"), ("gone.md", [{"message": "no such file or directory"}], None)]
