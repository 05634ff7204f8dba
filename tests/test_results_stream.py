"""Results: a lazily filled sequence, so reports are written while files are checked."""

from __future__ import annotations

from tilint.formatters import Results
from tilint.models import FileResult


def test_results_stream_is_read_once_and_can_be_iterated_again():
    pulled = []

    def stream():
        for name in ("a.md", "b.md", "c.md"):
            pulled.append(name)
            yield FileResult(path=name)

    results = Results(stream())
    first = iter(results)
    assert next(first).path == "a.md" and pulled == ["a.md"]  # nothing read ahead
    assert [r.path for r in results] == ["a.md", "b.md", "c.md"]
    assert [r.path for r in first] == ["b.md", "c.md"]
    assert len(results) == 3 and results[-1].path == "c.md" and pulled == ["a.md", "b.md", "c.md"]
