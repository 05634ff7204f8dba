"""The watchdog: each file is checked in a worker process with a deadline and a memory
bound. A file that hangs inside C code (where no Python signal handler runs) or
allocates without end gets its one-line error and exit code 2; the files after it are
still checked, with their findings."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tilint.config import Config
from tilint.discovery import discover
from tilint.linter import Linter

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or not Path("/proc/self/statm").exists(), reason="workers are forked; memory read from /proc")

FINDING = "Patients who fail to attend are removed.\n"


def _hang_in_c() -> None:
    """Exponential backtracking inside the C regex engine: no Python code runs, so no
    signal handler (an alarm) could interrupt it; only killing the process can."""
    re.match(r"(a+)+$", "a" * 64 + "!")


@pytest.fixture
def hostile_reader(monkeypatch):
    """Markdown files starting HANG or BOMB hang or allocate without end when read."""
    from tilint.readers import markdown

    parse = markdown.parse_markdown

    def hostile(text, *args, **kwargs):
        if text.startswith("HANG"):
            _hang_in_c()
        if text.startswith("BOMB"):
            hoard = [bytearray(10 << 20) for _ in range(300)]  # 3 GB, touched, unless bounded
            del hoard
        return parse(text, *args, **kwargs)

    monkeypatch.setattr(markdown, "parse_markdown", hostile)


def test_a_file_that_hangs_in_c_gets_one_line_and_the_next_file_is_checked(hostile_reader, run_cli, write):
    write("a.md", "HANG\n")
    write("b.md", FINDING)
    res = run_cli("check", "--isolated", "--no-cache", "-j", "2", "--timeout", "8", "--format", "concise", ".")
    assert res.code == 2
    lines = res.out.splitlines()
    assert lines[0] == "a.md:1:1: error: not checked: reading and checking it took over 8 s (the per-file time limit, `timeout`)"
    assert lines[1].startswith("b.md:1:14: BL001 'fail to attend'")


def test_one_worker_replaced_after_a_hang_goes_on_in_order(hostile_reader, tmp_path: Path, zz_config: Config):
    for name, text in {"a.md": "The addict left.\n", "b.md": "HANG\n", "c.md": "HANG\n", "d.md": "An addict.\n"}.items():
        (tmp_path / name).write_text(text)
    linter = Linter(Config(**{**zz_config.__dict__, "timeout": 4}))
    linter.warm()  # inherited by the workers, so the deadline is the file's alone
    results = list(linter.iter_found(discover([tmp_path], ("*.md",), ()), jobs=1, isolate=True))
    assert [Path(r.path).name for r in results] == ["a.md", "b.md", "c.md", "d.md"]
    assert [[f.rule_id for f in r.findings] for r in results] == [["ZZ001"], [], [], ["ZZ001"]]
    assert [[e.message for e in r.errors] for r in results][1:3] == [["not checked: reading and checking it took over 4 s (the per-file time limit, `timeout`)"]] * 2
    assert linter.exit_code(results) == 2


def test_an_internal_error_in_a_worker_still_reaches_the_caller(tmp_path: Path, zz_config: Config, monkeypatch):
    (tmp_path / "a.md").write_text("The addict left.\n")
    monkeypatch.setattr(Linter, "lint_document", lambda self, doc: 1 / 0)
    with pytest.raises(ZeroDivisionError) as err:
        list(Linter(zz_config).iter_found(discover([tmp_path], ("*.md",), ()), isolate=True))
    assert "in the worker process" in str(err.value.__cause__)


_BOMB_RUN = """
import json, re, resource, sys
from pathlib import Path
from tilint.readers import markdown
parse = markdown.parse_markdown
def hostile(text, *args, **kwargs):
    if text.startswith("BOMB"):
        hoard = [bytearray(10 << 20) for _ in range(300)]  # 3 GB, touched, unless bounded
    return parse(text, *args, **kwargs)
markdown.parse_markdown = hostile
from tilint.cli import main
import io
out = io.StringIO()
code = main(sys.argv[1:], out=out)
hwm = int(re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text()).group(1)) / 1024
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"code": code, "out": out.getvalue(), "parent_mb": hwm, "children_mb": children}))
"""


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_memory_bomb_gets_one_line_and_stays_under_the_bound(tmp_path: Path, jobs: str):
    # -j 1 builds spaCy in its worker only if a file needs it: the clean file does not,
    # so the worker's peak is the bomb's; -j 2 builds it in the parent, before forking
    (tmp_path / "a.md").write_text("BOMB\n")
    (tmp_path / "b.md").write_text(FINDING if jobs == "2" else "Tea is served at noon.\n")
    args = ["check", "--isolated", "--no-cache", "-j", jobs, "--max-memory", "200", "--format", "concise", str(tmp_path)]
    done = subprocess.run([sys.executable, "-c", _BOMB_RUN, *args], capture_output=True, text=True, timeout=600, check=True)
    run = json.loads(done.stdout.splitlines()[-1])
    lines = run["out"].splitlines()
    assert run["code"] == 2
    assert lines[0] == f"{tmp_path}/a.md:1:1: error: file is too large to read in memory"
    if jobs == "2":
        assert lines[1].startswith(f"{tmp_path}/b.md:1:14: BL001 'fail to attend'")
    else:
        assert lines[1:] == ["0 findings in 0 of 2 files checked; 1 could not be read."]  # b.md: clean
    # a worker starts as a copy of the parent (its pages count in both); the bomb would
    # have taken 3 GB more
    assert run["children_mb"] < run["parent_mb"] + 200 + 60, run


_PDF_RUN = """
import io, json, re, resource, sys
from pathlib import Path
from tests.fixtures_build import build_pdf_form_bomb
from tilint.readers import pdf
pdf.LIMITS.update(max_redrawn=1 << 40, max_page_chars=1 << 40)  # the reader's limits off: the watchdog alone
folder = Path(sys.argv[1])
build_pdf_form_bomb(folder, 17)  # 131,072 lines drawn: PDFium would build gigabytes
(folder / "z.md").write_text("Patients who fail to attend are removed.\\n")
from tilint.cli import main
out = io.StringIO()
code = main(["check", "--isolated", "--no-cache", "-j", "2", "--max-memory", "200", "--format", "concise", str(folder)], out=out)
hwm = int(re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text()).group(1)) / 1024
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"code": code, "out": out.getvalue(), "parent_mb": hwm, "children_mb": children}))
"""


def test_a_pdf_bomb_past_the_readers_limits_is_stopped_by_the_memory_bound(tmp_path: Path):
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", _PDF_RUN, str(tmp_path)], capture_output=True, text=True, timeout=600, check=True, cwd=root)
    run = json.loads(done.stdout.splitlines()[-1])
    lines = run["out"].splitlines()
    assert run["code"] == 2
    # PDFium aborts when malloc fails (or Python raises MemoryError): either is one line
    assert re.fullmatch(
        rf"{tmp_path}/form-bomb\.pdf:1:1: error: (not checked: its worker process crashed \(signal 6\), perhaps out of memory \(the limit is 200 MB\)|PDF is too large to read in memory)",
        lines[0],
    ), lines[0]
    assert lines[1].startswith(f"{tmp_path}/z.md:1:14: BL001 'fail to attend'")
    assert run["children_mb"] < run["parent_mb"] + 200 + 60, run


def test_shared_objects_come_back_as_the_parents_own_and_the_rest_as_copies(tmp_path):
    from tilint import watchdog
    from tilint.models import FileResult, FileError

    shared, private = ("a source",), ("not shared",)
    files = [str(tmp_path / f"{i}.md") for i in range(3)]

    def work(path: str) -> FileResult:
        # None looks like a missing table entry; a tuple equal to a shared one is not it
        return FileResult(path=path, errors=[FileError("x")], coverage=[shared, private, None, ("a source",)])  # type: ignore[arg-type]

    results = list(watchdog.run_isolated(files, work, jobs=2, timeout=30, max_memory_mb=500, shared=[shared]))
    assert [r.path for r in results] == files
    for r in results:
        got = r.coverage
        assert got[0] is shared and got[1] == private and got[1] is not private and got[2] is None and got[3] == shared


def test_coverage_checks_each_file_under_the_watchdog_too(hostile_reader, run_cli, write):
    # `tilint coverage` read every file in its own process: a hostile file hung it for ever
    write(".tilint.yaml", "timeout: 8\n")
    write("a.md", "HANG\n")
    write("b.md", "# Policy\n\nWe train all staff in trauma-informed care.\n")
    res = run_cli("coverage", "--format", "json", ".")
    assert res.code == 2
    files = res.json()["files"]
    assert [f["path"] for f in files] == ["a.md", "b.md"]
    assert files[0]["errors"] == [{"message": "not checked: reading and checking it took over 8 s (the per-file time limit, `timeout`)"}]
    assert files[1]["errors"] == [] and files[1]["coverage"]["framework"] == "samhsa-4r"
