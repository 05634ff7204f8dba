"""Output formats. Each module renders a :class:`Report` to a text stream.

Formats are looked up by name in :data:`FORMATS` and imported only when used.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Callable, Optional, TextIO

if TYPE_CHECKING:
    from ..models import FileResult
    from ..ruleset import RuleSet

__all__ = ["Report", "Results", "FORMATS", "get_formatter"]


class Results(Sequence):
    """File results read lazily from a stream, kept as they arrive: a formatter that
    iterates once writes each file's report as soon as it is ready; ``len()`` or
    indexing reads the rest of the stream first."""

    def __init__(self, stream: Iterable["FileResult"]):
        self._items: list["FileResult"] = []
        self._stream: Optional[Iterator["FileResult"]] = iter(stream)

    def __iter__(self) -> Iterator["FileResult"]:
        i = 0
        while True:
            if i < len(self._items):
                yield self._items[i]
                i += 1
            elif self._stream is not None:
                nxt = next(self._stream, None)
                if nxt is None:
                    self._stream = None
                else:
                    self._items.append(nxt)
            else:
                return

    def _drain(self) -> list["FileResult"]:
        for _ in self:
            pass
        return self._items

    def __len__(self) -> int:
        return len(self._drain())

    def __getitem__(self, index):
        return self._drain()[index]


@dataclass
class Report:
    """Everything a formatter may show about one run."""

    results: Sequence["FileResult"]  # a list, or Results streaming from the linter
    rules: "RuleSet"
    skipped: list[str] = field(default_factory=list)  # paths in scanned folders not checked
    skip_reasons: dict[str, str] = field(default_factory=dict)  # path -> why (default: unsupported type)
    fail_on: str = "warning"
    color: bool = False
    show_summary: bool = True
    show_sources: bool = True  # --no-sources hides the source lines of the text formats
    verbose: bool = False  # --verbose: name each skipped file in the text summary

    def skipped_with_reasons(self) -> list[tuple[str, str]]:
        return [(path, self.skip_reasons.get(path, "unsupported type")) for path in self.skipped]


# name -> "module:function"
FORMATS: dict[str, str] = {
    "text": "text:render",
    "concise": "text:render_concise",
    "json": "json:render",
    "sarif": "sarif:render",
    "github": "github:render",
    "junit": "junit:render",
}


def get_formatter(name: str) -> Callable[[Report, TextIO], None]:
    module_name, func = FORMATS[name].split(":")
    return getattr(importlib.import_module(f"{__name__}.{module_name}"), func)
