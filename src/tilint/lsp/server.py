"""The tilint language server (pygls 2): diagnostics, quick fixes, hovers, coverage.

Linting runs in one worker thread, never on the event loop, so the editor's
requests are answered while a document is checked. Each edit restarts a short
debounce for its document; a result is published only if the document has not
changed since it was taken (the latest edit wins). Coverage (slower: it reads every
sentence for evidence) runs as a second pass once the writer pauses, so the
language diagnostics are not held up by it.

Configuration is found per workspace folder as ``tilint check`` run in that folder
would find it (``.tilint.yaml``/``.tilint.yml``, else ``pyproject.toml`` with
``[tool.tilint]``, walking up), and reloaded when the file changes: on
``workspace/didChangeWatchedFiles`` and, for clients that do not watch files, by
its modification time on every check.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .. import __version__
from ..config import Config, find_config_file, load_config
from ..coverage import load_framework
from ..linter import Linter
from ..models import Finding
from ..readers import read_text
from ..yamlutil import DataError
from .convert import (
    Lines,
    disable_for_file,
    disable_for_line,
    document_format,
    hover_markdown,
    is_coverage,
    problem_diagnostic,
    replacements,
    to_diagnostic,
)

__all__ = ["TilintLanguageServer", "Settings", "serve"]

log = logging.getLogger("tilint.lsp")

CONFIG_GLOBS = ("**/.tilint.yaml", "**/.tilint.yml", "**/pyproject.toml")


@dataclass
class Settings:
    """Server options, from the client's ``initializationOptions`` (all optional)."""

    debounce: float = 0.1  # seconds after the last edit before a check starts
    coverage: bool = True  # report missing principles as information diagnostics
    coverage_delay: float = 0.5  # further pause before the (slower) coverage pass

    @classmethod
    def from_options(cls, options: Any) -> "Settings":
        s = cls()
        if isinstance(options, dict):
            if isinstance(options.get("debounceMs"), (int, float)):
                s.debounce = max(0.0, options["debounceMs"] / 1000)
            if isinstance(options.get("coverage"), bool):
                s.coverage = options["coverage"]
        return s


@dataclass(frozen=True)
class Snapshot:
    """One version of an open document, taken on the event loop for the worker."""

    uri: str
    version: Optional[int]
    text: str
    format: str
    path: str  # as tilint reports it: relative to the workspace folder when inside one
    folder: Path  # where config discovery starts


@dataclass
class Checked:
    """A document version's findings, with their LSP ranges (for hovers and code actions)."""

    snapshot: Snapshot
    lines: Lines
    items: list[tuple[Finding, types.Diagnostic]] = field(default_factory=list)
    problems: list[types.Diagnostic] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)  # errors to send as window/logMessage
    coverage: bool = False  # coverage is on for this document's config
    rationale: dict[str, str] = field(default_factory=dict)

    @property
    def diagnostics(self) -> list[types.Diagnostic]:
        return [*self.problems, *(d for _, d in self.items)]

    def coverage_diagnostics(self) -> list[types.Diagnostic]:
        return [d for f, d in self.items if is_coverage(f)]


@dataclass
class _Linters:
    key: Optional[tuple[str, int]]
    language: Linter  # rules only: the fast pass
    full: Optional[Linter]  # rules and coverage (None when coverage is off)
    required: frozenset[str]  # coverage rule ids the config itself requires (warnings)


class LinterCache:
    """The linters for each workspace folder's config, rebuilt when the config file changes.

    Used from the worker thread; :meth:`clear` may be called from the event loop.
    """

    def __init__(self, coverage: bool):
        self.coverage = coverage
        self._by_folder: dict[Path, _Linters] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._by_folder.clear()

    def get(self, folder: Path) -> _Linters:
        """Raises DataError for a config file that cannot be used."""
        path = find_config_file(folder)
        key = (str(path), path.stat().st_mtime_ns) if path else None
        with self._lock:
            cached = self._by_folder.get(folder)
        if cached is not None and cached.key == key:
            return cached
        config = load_config(path, discover=False) if path else Config()
        built = self._build(config, key)
        with self._lock:
            self._by_folder[folder] = built
        log.info("config for %s: %s", folder, path or "defaults")
        return built

    def _build(self, config: Config, key: Optional[tuple[str, int]]) -> _Linters:
        language = Linter(config.merged(coverage={}))
        if not self.coverage or not config.coverage.get("enabled", True):
            return _Linters(key, language, None, frozenset())
        framework = load_framework(config.coverage.get("framework", "samhsa-4r"))
        required = frozenset(framework.principle(p).rule_id for p in config.coverage.get("require", []))
        every = [p.id for p in framework.principles]
        full = Linter(config.merged(coverage={**config.coverage, "enabled": True, "require": every}))
        return _Linters(key, language, full, required)


class TilintLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("tilint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.settings = Settings()
        self.linters = LinterCache(self.settings.coverage)
        # one worker: spaCy pipelines are not shared between threads, and checks queue in order
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tilint-check")
        self.open: dict[str, str] = {}  # uri -> tilint format
        self.tasks: dict[str, asyncio.Task] = {}  # uri -> its pending check
        self.background: set[asyncio.Task] = set()  # other tasks, referenced until done
        self.checked: dict[str, Checked] = {}
        # problems already logged: VS Code's client opens its output panel on each error
        # message, so one is logged once (until the config changes), not on every keystroke
        self.logged: set[str] = set()

    # -- scheduling ---------------------------------------------------------------------
    def schedule(self, uri: str, delay: float) -> None:
        """(Re)start the check of ``uri``: a newer edit cancels the pending one."""
        old = self.tasks.pop(uri, None)
        if old is not None:
            old.cancel()
        if uri in self.open:
            self.tasks[uri] = asyncio.get_running_loop().create_task(self._check(uri, delay))

    def snapshot(self, uri: str) -> Optional[Snapshot]:
        fmt = self.open.get(uri)
        if fmt is None:
            return None
        doc = self.workspace.get_text_document(uri)
        fs_path = Path(to_fs_path(uri) or doc.path)
        folder, path = self._folder_of(fs_path)
        return Snapshot(uri, doc.version, doc.source, fmt, path, folder)

    def _roots(self) -> list[Path]:
        """The workspace folders (or the root, for clients without folders)."""
        roots = [Path(p) for f in self.workspace.folders.values() if (p := to_fs_path(f.uri))]
        return roots or ([Path(self.workspace.root_path)] if self.workspace.root_path else [])

    def _folder_of(self, fs_path: Path) -> tuple[Path, str]:
        """The workspace folder holding a file (the innermost), and the file's path in it."""
        inside = [r for r in self._roots() if fs_path.is_relative_to(r)]
        if inside:
            root = max(inside, key=lambda r: len(r.parts))
            return root, fs_path.relative_to(root).as_posix()
        return fs_path.parent, fs_path.name

    def current(self, uri: str) -> Optional[Checked]:
        """The last check of ``uri`` if it is of the text now in the editor."""
        checked = self.checked.get(uri)
        if checked is None or uri not in self.open:
            return None
        return checked if self.workspace.get_text_document(uri).source == checked.snapshot.text else None

    async def _check(self, uri: str, delay: float) -> None:
        await asyncio.sleep(delay)
        snap = self.snapshot(uri)
        if snap is None:
            return
        loop = asyncio.get_running_loop()
        checked = await loop.run_in_executor(self.worker, self.check, snap, False)
        if not self._still_current(snap):
            return
        previous = self.checked.get(uri)
        self.checked[uri] = checked
        # until the coverage pass is done, the last coverage diagnostics stand (they change slowly)
        coverage = previous.coverage_diagnostics() if previous is not None and checked.coverage else []
        self.publish(snap, [*checked.diagnostics, *coverage], checked.logs)
        if checked.coverage:
            await asyncio.sleep(self.settings.coverage_delay)
            checked = await loop.run_in_executor(self.worker, self.check, snap, True)
            if self._still_current(snap):
                self.checked[uri] = checked
                self.publish(snap, checked.diagnostics, checked.logs)

    def _still_current(self, snap: Snapshot) -> bool:
        return snap.uri in self.open and self.workspace.get_text_document(snap.uri).version == snap.version

    def publish(self, snap: Snapshot, diagnostics: list[types.Diagnostic], logs: Sequence[str] = ()) -> None:
        for message in logs:
            if message in self.logged:
                continue
            self.logged.add(message)
            self.window_log_message(types.LogMessageParams(type=types.MessageType.Error, message=message))
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=snap.uri, version=snap.version, diagnostics=diagnostics)
        )

    # -- the check (worker thread) ------------------------------------------------------
    def check(self, snap: Snapshot, with_coverage: bool) -> Checked:
        """Lint one snapshot. Never raises: problems become an error diagnostic and a log line."""
        lines = Lines(snap.text, self.workspace.position_codec.client_num_units)
        checked = Checked(snap, lines)
        try:
            linters = self.linters.get(snap.folder)
        except (DataError, OSError, ValueError) as exc:
            message = f"tilint: cannot use the configuration: {exc}"
            checked.logs.append(message)
            checked.problems.append(problem_diagnostic(message, lines))
            return checked
        checked.coverage = linters.full is not None
        linter = linters.full if with_coverage and linters.full is not None else linters.language
        try:
            result = linter.lint_document(read_text(snap.text, format=snap.format, path=snap.path))
        except Exception as exc:  # a reader or rule failing on this text: report it, keep serving
            log.exception("checking %s failed", snap.uri)
            first = (str(exc).splitlines() or [""])[0][:200]
            message = f"tilint could not check this document ({exc.__class__.__name__}: {first})"
            checked.logs.append(f"{snap.uri}: {message}")
            checked.problems.append(problem_diagnostic(message, lines))
            return checked
        rules = linter.all_rules.by_id
        for f in result.findings:
            checked.items.append((f, to_diagnostic(f, lines, required=linters.required)))
            if f.rule_id in rules:
                checked.rationale[f.rule_id] = rules[f.rule_id].rationale
        return checked

    # -- requests -----------------------------------------------------------------------
    def at(self, uri: str, rng: types.Range) -> list[tuple[Finding, types.Diagnostic]]:
        """Findings of the current check whose range touches ``rng``."""
        checked = self.current(uri)
        if checked is None:
            return []

        def key(p: types.Position) -> tuple[int, int]:
            return (p.line, p.character)

        return [(f, d) for f, d in checked.items if key(d.range.start) <= key(rng.end) and key(rng.start) <= key(d.range.end)]

    def hover(self, uri: str, position: types.Position) -> Optional[types.Hover]:
        hits = self.at(uri, types.Range(start=position, end=position))
        if not hits:
            return None
        checked = self.checked[uri]
        text = "\n\n---\n\n".join(hover_markdown(f, checked.rationale.get(f.rule_id, "")) for f, _ in hits)
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text), range=hits[0][1].range)

    def code_actions(self, uri: str, rng: types.Range) -> list[types.CodeAction]:
        hits = self.at(uri, rng)
        if not hits:
            return []
        checked = self.checked[uri]
        fmt, lines = checked.snapshot.format, checked.lines
        fixes: list[types.CodeAction] = []
        disables: list[types.CodeAction] = []
        seen: set[str] = set()

        def action(title: str, edits: list[types.TextEdit], diag: types.Diagnostic, preferred: bool = False) -> types.CodeAction:
            return types.CodeAction(
                title=title,
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diag],
                is_preferred=preferred or None,
                edit=types.WorkspaceEdit(changes={uri: edits}),
            )

        for f, d in hits:
            for title, edit, preferred in replacements(f, lines):
                fixes.append(action(title, [edit], d, preferred))
            if not is_coverage(f) and f"line:{f.rule_id}:{f.line}" not in seen:
                seen.add(f"line:{f.rule_id}:{f.line}")
                disables.append(action(*disable_for_line(fmt, lines, f), d))
            if f"file:{f.rule_id}" not in seen:
                seen.add(f"file:{f.rule_id}")
                disables.append(action(*disable_for_file(fmt, lines, f.rule_id), d))
        fixes.sort(key=lambda a: not a.is_preferred)  # preferred first; stable otherwise
        return fixes + disables

    async def register_watchers(self) -> None:
        """Ask the client to report config file changes (if it can register dynamically)."""
        caps = self.client_capabilities.workspace
        watched = caps.did_change_watched_files if caps else None
        if not (watched and watched.dynamic_registration):
            return
        options = types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern=g) for g in CONFIG_GLOBS]
        )
        registration = types.Registration(id="tilint-config", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options)
        try:
            await self.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
        except Exception as exc:  # an old or odd client: mtime checks still reload the config
            log.info("file watcher registration failed: %s", exc)

    def warm(self) -> None:
        """Load the rules and spaCy for the first workspace folder before a document is opened
        (worker thread; a problem here is reported when a document is checked)."""
        try:
            roots = self._roots()
            self.linters.get(roots[0] if roots else Path.cwd()).language.warm()
        except Exception as exc:
            log.info("warming up failed: %s", exc)

    def config_changed(self) -> None:
        self.linters.clear()
        self.logged.clear()
        for uri in list(self.open):
            self.schedule(uri, 0)


def create_server() -> TilintLanguageServer:
    server = TilintLanguageServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: TilintLanguageServer, params: types.InitializeParams) -> None:
        ls.settings = Settings.from_options(params.initialization_options)
        ls.linters = LinterCache(ls.settings.coverage)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: TilintLanguageServer, params: types.InitializedParams) -> None:
        # a task of its own: a client slow to answer the registration holds nothing up
        ls.worker.submit(ls.warm)  # the first check need not wait for spaCy to load
        task = asyncio.get_running_loop().create_task(ls.register_watchers())
        ls.background.add(task)
        task.add_done_callback(ls.background.discard)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: TilintLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        doc = params.text_document
        fmt = document_format(to_fs_path(doc.uri) or doc.uri, doc.language_id)
        if fmt is None:
            return  # not a format tilint reads as text
        ls.open[doc.uri] = fmt
        ls.schedule(doc.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: TilintLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, ls.settings.debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: TilintLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: TilintLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        if ls.open.pop(uri, None) is None:
            return
        ls.schedule(uri, 0)  # cancels a pending check (the document is no longer open)
        ls.checked.pop(uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def watched(ls: TilintLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
        names = {os.path.basename(to_fs_path(c.uri) or c.uri) for c in params.changes}
        if names & {".tilint.yaml", ".tilint.yml", "pyproject.toml"}:
            ls.config_changed()

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    async def folders(ls: TilintLanguageServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
        ls.config_changed()  # pygls has updated ls.workspace.folders

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: TilintLanguageServer, params: types.HoverParams) -> Optional[types.Hover]:
        return ls.hover(params.text_document.uri, params.position)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(ls: TilintLanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return ls.code_actions(params.text_document.uri, params.range)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: TilintLanguageServer, params: Any) -> None:
        for task in ls.tasks.values():
            task.cancel()
        ls.open.clear()
        ls.worker.shutdown(wait=False, cancel_futures=True)

    return server


def serve() -> int:
    """Run the server on stdin/stdout until ``exit`` (or the end of input); the exit code is
    0 after a ``shutdown`` request and 1 without one, as the protocol asks."""
    logging.basicConfig(level=os.environ.get("TILINT_LSP_LOG", "WARNING").upper(), format="tilint-lsp %(levelname)s %(message)s")
    server = create_server()
    server.start_io()  # pygls turns `exit` into SystemExit and swallows it: read the state instead
    return 0 if getattr(server.protocol, "_shutdown", True) else 1
