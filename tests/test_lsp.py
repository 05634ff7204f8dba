"""The language server (`tilint lsp`), driven over stdio as an editor drives it.

The server runs as a real subprocess; tilint.lsp.client speaks JSON-RPC to it.
Waits have generous timeouts and nothing is timed: each test waits for the
diagnostics of a given document version.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

HAVE_PYGLS = importlib.util.find_spec("pygls") is not None
needs_pygls = pytest.mark.skipif(not HAVE_PYGLS, reason="the 'lsp' extra (pygls) is not installed")

SERVER = [sys.executable, "-m", "tilint", "lsp"]

# line 3 (0-based 2): an emoji (2 UTF-16 units, 1 character) and Cyrillic (1 unit each)
# before two findings; the CJK line (1 unit per character) before a third.
POLICY = (
    "# Appointments\n"
    "\n"
    "Пациенты 😀 who fail to attend twice may be discharged.\n"
    "\n"
    "患者说明：Patients who fail to attend are written to.\n"
)
# 'fail to attend' on line 2: "Пациенты " (9) + "😀" (2) + " who " (5) = 16 units; 14 long.
# On line 4: "患者说明：" (5) + "Patients who " (13) = 18.
EXPECTED = [("BL001", (2, 16, 2, 30)), ("BL001", (4, 18, 4, 32))]


def utf16_to_index(line: str, units: int) -> int:
    """A UTF-16 column as a Python string index (independent of the server's code)."""
    return len(line.encode("utf-16-le")[: 2 * units].decode("utf-16-le"))


def apply_edits(text: str, edits: list[dict]) -> str:
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)

    def offset(pos: dict) -> int:
        return starts[pos["line"]] + utf16_to_index(lines[pos["line"]], pos["character"])

    for e in sorted(edits, key=lambda e: offset(e["range"]["start"]), reverse=True):
        text = text[: offset(e["range"]["start"])] + e["newText"] + text[offset(e["range"]["end"]) :]
    return text


def spans(diagnostics: list[dict], prefix: str = "") -> list[tuple[str, tuple[int, int, int, int]]]:
    out = []
    for d in diagnostics:
        if d.get("code", "").startswith(prefix) and not d.get("code", "").startswith("CV"):
            r = d["range"]
            out.append((d["code"], (r["start"]["line"], r["start"]["character"], r["end"]["line"], r["end"]["character"])))
    return sorted(out, key=lambda x: x[1])


class Editor:
    """One open document and its versions, on a running server."""

    def __init__(self, client, path: Path, text: str, language: str = "markdown"):
        self.client, self.uri, self.text, self.version = client, path.as_uri(), text, 1
        client.notify("textDocument/didOpen", {"textDocument": {"uri": self.uri, "languageId": language, "version": 1, "text": text}})

    def diagnostics(self, **kw) -> list[dict]:
        return self.client.diagnostics(self.uri, self.version, **kw)[1]

    def with_coverage(self) -> list[dict]:
        """The second publication of this version: after the coverage pass."""
        first, _ = self.client.diagnostics(self.uri, self.version)
        return self.client.diagnostics(self.uri, self.version, after=first + 1)[1]

    def change(self, text: str) -> None:
        self.version += 1
        self.text = text
        self.client.notify("textDocument/didChange", {
            "textDocument": {"uri": self.uri, "version": self.version}, "contentChanges": [{"text": text}]})

    def actions(self, line: int, character: int) -> list[dict]:
        pos = {"line": line, "character": character}
        return self.client.request("textDocument/codeAction", {
            "textDocument": {"uri": self.uri}, "range": {"start": pos, "end": pos}, "context": {"diagnostics": []}})

    def apply(self, action: dict) -> None:
        self.change(apply_edits(self.text, action["edit"]["changes"][self.uri]))

    def close(self) -> None:
        self.client.notify("textDocument/didClose", {"textDocument": {"uri": self.uri}})


def start(root: Path, options: dict | None = None, folders: tuple[Path, ...] = ()):
    from tilint.lsp.client import StdioClient

    client = StdioClient(SERVER, cwd=root, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    client.initialize(root, options, folders=folders)
    return client


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("workspace")
    client = start(root, {"coverage": False})
    client.root = root
    yield client
    client.close()


# -- over stdio --------------------------------------------------------------------------
@needs_pygls
@pytest.mark.slow
def test_diagnostics_have_utf16_ranges_rule_codes_and_links(server):
    ed = Editor(server, server.root / "policy.md", POLICY)
    diags = ed.diagnostics()
    assert spans(diags) == EXPECTED
    for d in diags:
        assert d["source"] == "tilint"
        assert d["severity"] == 2  # warning
        assert d["message"] == "'fail to attend' puts the blame for a missed appointment on the person."
        assert d["codeDescription"]["href"].startswith("https://")
    ed.close()


@needs_pygls
@pytest.mark.slow
def test_quick_fix_replaces_the_span_and_diagnostics_follow_the_change(server):
    ed = Editor(server, server.root / "fix.md", POLICY)
    assert spans(ed.diagnostics()) == EXPECTED
    actions = ed.actions(4, 20)  # inside the second finding
    assert [a["title"] for a in actions] == [
        "Replace with 'miss'",  # the rule's suggestions for this form ('fail to attend')
        "Replace with 'are unable to attend'",
        "Disable BL001 for this line",
        "Disable BL001 for this file",
    ]
    assert all(a["kind"] == "quickfix" and a["diagnostics"][0]["code"] == "BL001" for a in actions)
    ed.apply(actions[1])
    assert ed.text.splitlines()[4] == "患者说明：Patients who are unable to attend are written to."
    assert spans(ed.diagnostics()) == EXPECTED[:1]  # the fixed one is gone, the other stays
    ed.close()


@needs_pygls
@pytest.mark.slow
def test_a_fixable_rules_suggestion_is_the_preferred_fix(server):
    ed = Editor(server, server.root / "fixable.md", "# Clinics\n\nWe record every No-show.\n")
    assert spans(ed.diagnostics()) == [("BL002", (2, 16, 2, 23))]
    actions = ed.actions(2, 18)
    assert [(a["title"], a.get("isPreferred", False)) for a in actions] == [
        ("Replace with 'Missed appointment'", True),  # the capitalisation of what was written
        ("Disable BL002 for this line", False),
        ("Disable BL002 for this file", False),
    ]
    ed.apply(actions[0])
    assert ed.text == "# Clinics\n\nWe record every Missed appointment.\n"
    assert spans(ed.diagnostics()) == []
    ed.close()


@needs_pygls
@pytest.mark.slow
def test_hover_shows_rationale_suggestions_and_linked_sources(server):
    from tilint.linter import Linter
    from tilint.lsp.convert import md_escape

    rule = Linter().all_rules.by_id["BL001"]
    ed = Editor(server, server.root / "hover.md", POLICY)
    ed.diagnostics()
    hover = server.request("textDocument/hover", {"textDocument": {"uri": ed.uri}, "position": {"line": 2, "character": 20}})
    assert hover["range"] == {"start": {"line": 2, "character": 16}, "end": {"line": 2, "character": 30}}
    text = hover["contents"]["value"]
    assert hover["contents"]["kind"] == "markdown"
    assert text.startswith("**BL001** `failed-to-attend` (warning)")
    assert md_escape(rule.rationale) in text and text.count("People miss appointments for many reasons") == 1
    assert "**Try instead:**" in text
    for source in rule.sources:
        assert f"]({source.url})" in text
    nothing = server.request("textDocument/hover", {"textDocument": {"uri": ed.uri}, "position": {"line": 0, "character": 2}})
    assert nothing is None
    ed.close()


# (format, scope) -> the document after the action
SUPPRESSED = {
    ("markdown", "line"): "# Rules\n\nPatients who fail to attend are written to. <!-- tilint-disable-line BL001 -->\nAll welcome.\n",
    ("markdown", "file"): "<!-- tilint-disable-file BL001 -->\n# Rules\n\nPatients who fail to attend are written to.\nAll welcome.\n",
    ("text", "line"): "Rules\n\nPatients who fail to attend are written to.  tilint: ignore BL001\nAll welcome.\n",
    ("text", "file"): "<!-- tilint-disable-file BL001 -->\nRules\n\nPatients who fail to attend are written to.\nAll welcome.\n",
    ("html", "line"): "<!DOCTYPE html>\n<p>Patients who fail to attend <!-- tilint-disable-line BL001 -->\nare written to.</p>\n",
    ("html", "file"): "<!DOCTYPE html>\n<!-- tilint-disable-file BL001 -->\n<p>Patients who fail to attend\nare written to.</p>\n",
    ("rst", "line"): "Rules\n=====\n\n.. <!-- tilint-disable BL001 -->\n\nWelcome to the service.\n"
                     "Patients who fail to attend are written to.\nAll welcome.\n\n.. <!-- tilint-enable BL001 -->\n",
    ("rst", "file"): ".. <!-- tilint-disable-file BL001 -->\n\nRules\n=====\n\nWelcome to the service.\n"
                     "Patients who fail to attend are written to.\nAll welcome.\n",
}
SUPPRESSIBLE = {
    "markdown": ("s.md", "# Rules\n\nPatients who fail to attend are written to.\nAll welcome.\n", 2),
    "text": ("s.txt", "Rules\n\nPatients who fail to attend are written to.\nAll welcome.\n", 2),
    "html": ("s.html", "<!DOCTYPE html>\n<p>Patients who fail to attend\nare written to.</p>\n", 1),
    "rst": ("s.rst", "Rules\n=====\n\nWelcome to the service.\nPatients who fail to attend are written to.\nAll welcome.\n", 4),
}


@needs_pygls
@pytest.mark.slow
@pytest.mark.parametrize("fmt", sorted(SUPPRESSIBLE))
@pytest.mark.parametrize("scope", ["line", "file"])
def test_disable_actions_insert_the_formats_suppression_comment(server, fmt, scope):
    name, text, line = SUPPRESSIBLE[fmt]
    ed = Editor(server, server.root / f"{scope}-{name}", text, language={"text": "plaintext", "rst": "restructuredtext"}.get(fmt, fmt))
    found = spans(ed.diagnostics())
    assert [code for code, _ in found] == ["BL001"] and found[0][1][0] == line
    wanted = "paragraph" if (fmt, scope) == ("rst", "line") else scope  # rst has no inline comment
    action = next(a for a in ed.actions(line, found[0][1][1]) if a["title"] == f"Disable BL001 for this {wanted}")
    ed.apply(action)
    assert ed.text == SUPPRESSED[fmt, scope]
    assert spans(ed.diagnostics()) == []
    if fmt == "rst":  # the comments are reStructuredText comments: the prose reads as before
        import docutils.core
        from docutils import nodes

        tree = docutils.core.publish_doctree(ed.text, settings_overrides={"report_level": 5})
        prose = [p.astext() for p in tree.findall(nodes.paragraph)]
        assert prose == ["Welcome to the service.\nPatients who fail to attend are written to.\nAll welcome."]
    ed.close()


@needs_pygls
@pytest.mark.slow
def test_stale_results_are_never_published_after_newer_ones(server):
    ed = Editor(server, server.root / "burst.md", "Intro.\n")
    ed.diagnostics()
    for i in range(6):  # a burst of keystrokes
        ed.change(f"Intro.\n\nPatients who fail to attend{'!' * i} are written to.\n")
    assert spans(ed.diagnostics()) == [("BL001", (2, 13, 2, 27))]
    versions = [m["params"]["version"] for m in server.messages
                if m["method"] == "textDocument/publishDiagnostics" and m["params"]["uri"] == ed.uri]
    assert versions == sorted(versions) and versions[-1] == ed.version
    ed.close()


@needs_pygls
@pytest.mark.slow
def test_save_rechecks_close_clears_and_other_languages_are_left_alone(server):
    code = Editor(server, server.root / "tool.py", "# Patients who fail to attend\n", "python")
    ed = Editor(server, server.root / "saved.md", POLICY)
    first, diags = server.diagnostics(ed.uri, 1)
    assert spans(diags) == EXPECTED
    # checks run in order on one worker: a check of tool.py would have been published first
    assert not [m for m in server.messages if m.get("params", {}).get("uri") == code.uri]
    server.notify("textDocument/didSave", {"textDocument": {"uri": ed.uri}})
    _, again = server.diagnostics(ed.uri, 1, after=first + 1)
    assert spans(again) == EXPECTED
    n = len(server.messages)
    ed.close()
    _, cleared = server.diagnostics(ed.uri, after=n)
    assert cleared == []
    code.close()


@needs_pygls
@pytest.mark.slow
def test_malformed_messages_and_documents_never_crash_the_server(server):
    n = len(server.messages)
    server.send_raw(b"{this is not json")
    # a hover without a position: pygls reports invalid params as a message (not as a reply)
    server.send_raw(b'{"jsonrpc": "2.0", "id": 9999, "method": "textDocument/hover", "params": {"textDocument": {"uri": "file:///x.md"}}}')
    server.wait_for("window/showMessage", lambda p: "Invalid Params" in p["message"], after=n)
    # a lone surrogate, a NUL, unclosed markup and a 20,000-character line before a finding
    ed = Editor(server, server.root / "bad.html", "<p>\ud800\x00<b><i>" + "x" * 20000 + "\n<p>Patients who fail to attend\n", "html")
    assert spans(ed.diagnostics()) == [("BL001", (1, 16, 1, 30))]
    ed.close()
    ok = Editor(server, server.root / "after.md", POLICY)  # still serving
    assert spans(ok.diagnostics()) == EXPECTED
    ok.close()


@needs_pygls
def test_a_document_that_cannot_be_checked_is_an_error_diagnostic_not_an_exception(tmp_path):
    from pygls.workspace import Workspace

    from tilint.lsp.server import Snapshot, TilintLanguageServer

    ls = TilintLanguageServer()
    ls.protocol._workspace = Workspace(None)  # as after `initialize`
    checked = ls.check(Snapshot("file:///x.md", 1, "Text.\n", "no-such-format", "x.md", tmp_path), False)
    assert [d.message for d in checked.diagnostics] == [
        "tilint could not check this document (ValueError: unknown format 'no-such-format' (expected markdown, text, rst, html))"
    ]
    assert checked.diagnostics[0].severity == 1 and checked.logs == ["file:///x.md: " + checked.diagnostics[0].message]
    ls.worker.shutdown()


@needs_pygls
@pytest.mark.slow
def test_coverage_and_config_per_workspace_reload_and_clean_exit(tmp_path):
    config = tmp_path / ".tilint.yaml"
    config.write_text("ignore: [BL001]\ncoverage:\n  require: [realise]\n")
    client = start(tmp_path)  # coverage on (the default)
    try:
        ed = Editor(client, tmp_path / "policy.md", POLICY)
        assert ed.diagnostics() == []  # the language pass first: BL001 is ignored, coverage follows
        diags = ed.with_coverage()
        assert spans(diags) == []  # BL001 ignored by the config
        cov = {d["code"]: d for d in diags if d["code"].startswith("CV")}
        assert sorted(cov) == ["CV101", "CV102", "CV103", "CV104"]
        assert cov["CV101"]["severity"] == 2  # required by the config: a warning
        assert {cov[c]["severity"] for c in ("CV102", "CV103", "CV104")} == {3}  # information
        first_line = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 14}}
        assert all(d["range"] == first_line and "To add:" in d["message"] for d in cov.values())
        # on the first line: only "disable for this file" (a principle is not about one line)
        actions = ed.actions(0, 3)
        assert [a["title"] for a in actions] == [f"Disable CV10{i} for this file" for i in (1, 2, 3, 4)]
        ed.apply(actions[1])
        assert ed.text.startswith("<!-- tilint-disable-file CV102 -->\n# Appointments\n")
        assert sorted(d["code"] for d in ed.with_coverage()) == ["CV101", "CV103", "CV104"]

        # the config changes and the client says so: diagnostics update without an edit
        config.write_text("coverage:\n  enabled: false\n")
        n = len(client.messages)
        client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": config.as_uri(), "type": 2}]})
        _, diags = client.diagnostics(ed.uri, ed.version, after=n, where=lambda d: bool(d))
        below_comment = [(code, (a + 1, b, c + 1, d)) for code, (a, b, c, d) in EXPECTED]
        assert spans(diags) == below_comment and not any(d["code"].startswith("CV") for d in diags)

        # changed again, unannounced: its modification time is noticed on the next edit
        config.write_text("ignore: [BL]\ncoverage:\n  enabled: false\n")
        st = config.stat()
        os.utime(config, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
        ed.change(ed.text + "\nMore text.\n")
        assert ed.diagnostics() == []

        # a broken config is an error diagnostic (and a log message), not a crash
        config.write_text("ignore: [BL001\n")
        n = len(client.messages)
        client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": config.as_uri(), "type": 2}]})
        _, diags = client.diagnostics(ed.uri, ed.version, after=n)
        assert len(diags) == 1 and diags[0]["severity"] == 1
        assert diags[0]["message"].startswith("tilint: cannot use the configuration:") and ".tilint.yaml" in diags[0]["message"]
        client.wait_for("window/logMessage", lambda p: ".tilint.yaml" in p["message"], after=n)
        assert client.shutdown() == 0
    finally:
        client.close()


@needs_pygls
@pytest.mark.slow
def test_each_workspace_folder_has_its_own_config(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    (a / "drafts").mkdir(parents=True)
    b.mkdir()
    (a / ".tilint.yaml").write_text('per-file-ignores:\n  "drafts/*.md": [BL001]\n')
    (b / "pyproject.toml").write_text('[tool.tilint]\nignore = ["BL"]\n')
    client = start(tmp_path, {"coverage": False}, folders=(a, b))
    try:
        found = {}
        for path in (a / "policy.md", a / "drafts" / "policy.md", b / "policy.md"):
            found[path.relative_to(tmp_path).as_posix()] = spans(Editor(client, path, POLICY).diagnostics())
        assert found == {"a/policy.md": EXPECTED, "a/drafts/policy.md": [], "b/policy.md": []}
        assert client.shutdown() == 0
    finally:
        client.close()


@needs_pygls
@pytest.mark.slow
def test_exit_without_shutdown_is_exit_code_1(tmp_path):
    client = start(tmp_path, {"coverage": False})
    try:
        client.notify("exit")
        assert client.proc.wait(120) == 1
    finally:
        client.close()


# -- without a server --------------------------------------------------------------------
@pytest.mark.slow
def test_lsp_without_the_extra_is_a_one_line_error():
    code = "import sys; sys.modules['pygls'] = None; from tilint.cli import main; sys.exit(main(['lsp']))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert proc.stderr == "tilint: error: the language server needs the 'lsp' extra (pygls 2): pip install 'tilint[lsp]'\n"


@needs_pygls
def test_positions_count_utf16_units():
    from tilint.lsp.convert import Lines
    from tilint.models import Finding

    lines = Lines("a\r\n😀é𝒳 fail here\n", lambda s: len(s.encode("utf-16-le")) // 2)
    f = Finding("BL001", "x", "c", "warning", "m", "fail", 2, 5, 2, 9, "")
    r = lines.range(f)
    assert (r.start.line, r.start.character, r.end.character) == (1, 6, 10)  # 😀 and 𝒳 count 2 each
    assert lines.text_at(f) == "fail"
    assert lines.end_of(0).character == 1  # the \r is not part of the line


@needs_pygls
def test_file_suppression_goes_after_front_matter_and_doctype():
    from tilint.lsp.convert import Lines, disable_for_file

    units = len
    _, [edit] = disable_for_file("markdown", Lines("---\ntitle: x\n---\nText.\n", units), "BL001")
    assert (edit.range.start.line, edit.new_text) == (3, "<!-- tilint-disable-file BL001 -->\n")
    _, [edit] = disable_for_file("markdown", Lines("---\ntitle: x\n---", units), "BL001")
    assert (edit.range.start.line, edit.range.start.character, edit.new_text) == (2, 3, "\n<!-- tilint-disable-file BL001 -->")
    _, [edit] = disable_for_file("html", Lines("<!doctype html>\n<p>x</p>\n", units), "BL")
    assert edit.range.start.line == 1
    _, [edit] = disable_for_file("rst", Lines("Title\n=====\n", units), "BL")
    assert (edit.range.start.line, edit.new_text) == (0, ".. <!-- tilint-disable-file BL -->\n\n")


@needs_pygls
def test_hover_escapes_document_text():
    from tilint.lsp.convert import hover_markdown
    from tilint.models import Finding

    f = Finding("BL001", "failed-to-attend", "c", "warning", "'<img src=x onerror=alert(1)> [a](b)' is flagged.", "x", 1, 1, 1, 2, "")
    text = hover_markdown(f)
    assert not re.search(r"(?<!\\)[<>\[\]()]", text.split(": ", 1)[1])  # every bracket of the document's text escaped
    assert "\\<img src=x onerror=alert\\(1\\)\\>" in text


@needs_pygls
@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
def test_every_line_ending_the_protocol_knows_gives_the_same_ranges_and_fixes(newline):
    """LSP counts lines split by \\n, \\r\\n and \\r, as tilint's readers do (an old Mac file, a stray CR)."""
    from tilint import _linter
    from tilint.config import Config
    from tilint.lsp.convert import Lines, replacements
    from tilint.readers import read_text

    text = newline.join(["# Visits", "", "Patients who fail to attend are written to.", ""])
    [f] = _linter(Config()).lint_document(read_text(text, format="markdown", path="p.md")).findings
    lines = Lines(text, len)
    r = lines.range(f)
    assert (f.rule_id, r.start.line, r.start.character, r.end.line, r.end.character) == ("BL001", 2, 13, 2, 27)
    assert lines.text_at(f) == "fail to attend"
    assert [edit.new_text for _, edit, _ in replacements(f, lines)] == ["miss", "are unable to attend"]
    assert lines.end_of(2).character == len("Patients who fail to attend are written to.")


@needs_pygls
@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
def test_a_finding_broken_over_a_line_gets_its_quick_fix_with_every_line_ending(newline):
    from tilint import _linter
    from tilint.config import Config
    from tilint.lsp.convert import Lines, replacements
    from tilint.readers import read_text

    text = newline.join(["# Visits", "", "Patients who fail", "to attend are written to.", ""])
    [f] = _linter(Config()).lint_document(read_text(text, format="markdown", path="p.md")).findings
    assert (f.rule_id, f.match) == ("BL001", f"fail{newline}to attend")
    lines = Lines(text, len)
    assert lines.text_at(f) == f.match
    [(title, edit, _), _] = replacements(f, lines)
    assert title == "Replace with 'miss'"
    r = edit.range
    assert (r.start.line, r.start.character, r.end.line, r.end.character) == (2, 13, 3, 9)


@needs_pygls
@pytest.mark.slow
def test_a_broken_config_is_logged_once_not_on_every_keystroke(tmp_path):
    """VS Code's client opens its output panel on every error log message: one per problem."""
    config = tmp_path / ".tilint.yaml"
    config.write_text("ignore: [BL001\n")
    client = start(tmp_path, {"coverage": False})
    try:
        ed = Editor(client, tmp_path / "policy.md", POLICY)
        other = Editor(client, tmp_path / "other.md", "Other text.\n")
        for _ in range(3):
            for e in (ed, other):
                [diag] = e.diagnostics()
                assert diag["message"].startswith("tilint: cannot use the configuration:")
            ed.change(ed.text + "More.\n")
        ed.diagnostics()
        logged = [m for m in client.messages if m.get("method") == "window/logMessage" and ".tilint.yaml" in m["params"]["message"]]
        assert len(logged) == 1 and logged[0]["params"]["type"] == 1  # an error, once
        # a change of the config is news again: logged once more if still broken
        config.write_text("ignore: [BL002\n")
        n = len(client.messages)
        client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": config.as_uri(), "type": 2}]})
        client.wait_for("window/logMessage", lambda p: ".tilint.yaml" in p["message"], after=n)
        assert client.shutdown() == 0
    finally:
        client.close()
