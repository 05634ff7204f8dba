"""``--format junit``: JUnit XML, for CI systems that show test reports (GitLab, Jenkins...).

One ``<testsuite>`` per file. Each finding is a failing ``<testcase>``; a file without
findings gets one passing testcase, so clean files show up as passed; a file that
could not be read gets a testcase with an ``<error>``. Built with ElementTree, which
escapes markup; characters XML 1.0 cannot hold at all (control characters from a PDF
text layer, say) are replaced with U+FFFD so the report always parses.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TextIO

from ..models import FileResult, Finding
from . import Report
from ._paths import relative_path

# Everything outside XML 1.0's Char production.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _element(parent: ET.Element, tag: str, text: str = "", **attrs: object) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: _clean(str(v)) for k, v in attrs.items()})
    if text:
        el.text = _clean(text)
    return el


def _failure_text(path: str, f: Finding) -> str:
    lines = [f"{path}:{f.line}:{f.column}: {f.severity} {f.rule_id} {f.message}"]
    if f.context:
        lines.append(f"  {f.context}")
    if f.suggestions:
        lines.append("  try: " + ", ".join(f'"{s}"' for s in f.suggestions))
    lines += [f"  source: {s.cite()} {s.url}" for s in f.sources[:2]]
    return "\n".join(lines)


def _suite(parent: ET.Element, result: FileResult) -> tuple[int, int, int]:
    """Add the testsuite of one file; return its (tests, failures, errors)."""
    path = relative_path(result.path)
    suite = _element(parent, "testsuite", name=path)
    for err in result.errors:
        case = _element(suite, "testcase", classname=path, name="read file", file=path)
        _element(case, "error", err.message, message=err.message, type="read-error")
    for f in result.findings:
        case = _element(suite, "testcase", classname=path, name=f"{f.rule_id} {f.name} at {f.line}:{f.column}", file=path, line=f.line)
        _element(case, "failure", _failure_text(path, f), message=f.message, type=f.severity)
    if not result.errors and not result.findings:
        _element(suite, "testcase", classname=path, name="no findings", file=path)
    counts = (len(suite), len(result.findings), len(result.errors))
    suite.attrib.update(tests=str(counts[0]), failures=str(counts[1]), errors=str(counts[2]), skipped="0")
    return counts


def to_element(report: Report) -> ET.Element:
    root = ET.Element("testsuites", name="tilint")
    totals = [0, 0, 0]
    for result in report.results:
        for i, n in enumerate(_suite(root, result)):
            totals[i] += n
    root.attrib.update(tests=str(totals[0]), failures=str(totals[1]), errors=str(totals[2]))
    return root


def render(report: Report, out: TextIO) -> None:
    root = to_element(report)
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")
