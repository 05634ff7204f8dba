"""Output formats. Each module renders a :class:`Report` to a text stream.

Formats are looked up by name in :data:`FORMATS` and imported only when used.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, TextIO

if TYPE_CHECKING:
    from ..models import FileResult
    from ..ruleset import RuleSet

__all__ = ["Report", "FORMATS", "get_formatter"]


@dataclass
class Report:
    """Everything a formatter may show about one run."""

    results: list["FileResult"]
    rules: "RuleSet"
    skipped: list[str] = field(default_factory=list)
    fail_on: str = "warning"
    color: bool = False
    show_summary: bool = True


# name -> "module:function"
FORMATS: dict[str, str] = {
    "text": "text:render",
    "json": "json:render",
    "sarif": "sarif:render",
    "github": "github:render",
    "junit": "junit:render",
}


def get_formatter(name: str) -> Callable[[Report, TextIO], None]:
    module_name, func = FORMATS[name].split(":")
    return getattr(importlib.import_module(f"{__name__}.{module_name}"), func)
