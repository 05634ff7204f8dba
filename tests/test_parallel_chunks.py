"""-j N hands workers runs of files of about equal size in bytes, in file order."""

from __future__ import annotations

from pathlib import Path

from tilint.linter import Linter, _chunks
from tilint.discovery import discover


def test_chunks_balance_bytes_and_keep_order(tmp_path: Path) -> None:
    sizes = [4000, 10, 10, 10, 10, 1000, 1000, 1000, 1000, 10]
    files = []
    for i, size in enumerate(sizes):
        path = tmp_path / f"p{i:02d}.md"
        path.write_text("x" * size)
        files.append(str(path))
    chunks = _chunks(files, jobs=2, per_worker=2)  # 8,050 bytes: about 2,012 per chunk
    assert [f for run, _ in chunks for f in run] == files
    assert [(len(run), total) for run, total in chunks] == [(1, 4000), (6, 2040), (3, 2010)]


def test_parallel_results_match_serial_in_order(tmp_path: Path) -> None:
    for i in range(12):
        text = "Patients who fail to attend are contacted.\n" if i % 3 == 0 else "Staff offer a new time.\n"
        (tmp_path / f"policy-{i:02d}.md").write_text(text * (1 + 40 * (i == 5)))
    found = discover([tmp_path], ("*.md",), ())
    linter = Linter()
    serial = [r.to_dict() for r in linter.lint_found(found, jobs=1)]
    assert [r.to_dict() for r in linter.lint_found(found, jobs=2)] == serial
    assert [len(r["findings"]) for r in serial] == [1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0]
