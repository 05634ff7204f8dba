"""``--format github``: GitHub Actions workflow commands, one annotation per finding.

``::warning file=docs/a.md,line=3,col=5,endLine=3,endColumn=12,title=ZZ004::message``
(``error`` -> ``::error``, ``warning`` -> ``::warning``, ``info`` -> ``::notice``).
Files that could not be read become ``::error file=...::reason``. Escaping follows
the Actions toolkit: ``%``, CR and LF in the message; also ``:`` and ``,`` in the
properties, which would otherwise end the property.
"""

from __future__ import annotations

from typing import TextIO

from ..models import Finding
from . import Report
from ._paths import printable, relative_path

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    # other control characters (an ANSI escape in a file name) are shown, not obeyed
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: object) -> str:
    """One workflow command line (properties in the given order, ``None`` ones left out)."""
    props = ",".join(f"{k}={escape_property(str(v))}" for k, v in properties.items() if v is not None)
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def annotation(path: str, f: Finding) -> str:
    message = f.message
    if f.suggestions:
        message += "\nTry: " + ", ".join(f'"{s}"' for s in f.suggestions)
    return command(
        COMMANDS[f.severity],
        message,
        file=path,
        line=f.line,
        col=f.column,
        endLine=f.end_line,
        endColumn=f.end_column,
        title=f.rule_id,
    )


def render(report: Report, out: TextIO) -> None:
    for result in report.results:
        path = relative_path(result.path)
        for err in result.errors:
            out.write(command("error", err.message, file=path, line=err.line) + "\n")
        for f in result.findings:
            out.write(annotation(path, f) + "\n")
