"""Lint documents: read -> analyse -> findings. The library API sits on this module.

:class:`Linter` binds a :class:`~tilint.config.Config` to its compiled rules;
``lint_document`` turns engine hits into :class:`~tilint.models.Finding` objects
with exact positions, drops suppressed ones, applies severity overrides and adds
coverage when the config asks for it.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
import os
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence

from .config import Config
from .discovery import Discovery, discover
from .document import Document
from .engine import Hit, get_engine
from .models import FileError, FileResult, Finding, severity_rank
from .readers import ReadError, parse_document, read_document, read_text
from .result_cache import ResultCache
from .ruleset import RuleSet, load_ruleset, rules_dir, selector_rank
from .ids import UnknownSelector, check_selectors, is_known, unknown_message
from .suppress import parse_suppressions
from .yamlutil import DataError
from . import watchdog

__all__ = ["Linter", "discover", "Discovery", "shared_linter"]

UNKNOWN_SUPPRESSION = "TIL001"
WORKER_DIED = "not checked: its worker process died, and died again when the file was retried alone (out of memory?)"


class Linter:
    """Lint text, documents and paths with one configuration."""

    def __init__(self, config: Optional[Config] = None):
        self.config = config or Config()
        self.all_rules: RuleSet = load_ruleset(self.config.extra_rules, self.config.extra_sources)
        self._check_config_selectors()
        select = (*self.config.select, *self.config.extend_select)
        self.rules: RuleSet = self.all_rules.select(select, self.config.ignore)
        self.result_cache: Optional[ResultCache] = None  # see use_result_cache()
        self._coverage_loaded = False  # the coverage classifier loads on first use

    def use_result_cache(self) -> bool:
        """Keep the results of files on disk and reuse them while nothing they depend on
        changes (see :mod:`tilint.result_cache`). Off with coverage (recomputed each
        time) or ``TILINT_NO_CACHE``; returns whether it is on."""
        if not self._coverage_on():
            files = [p for p in rules_dir().rglob("*") if p.is_file()]
            files += [Path(p) for p in (*self.config.extra_rules, *self.config.extra_sources)]
            self.result_cache = ResultCache.for_config(self.config, files)
        return self.result_cache is not None

    def _check_config_selectors(self) -> None:
        """Every id the config names must exist: a typo is an error, never a silent no-op."""
        cfg, extra = self.config, self._framework_ids()
        named = {
            "select": cfg.select,
            "extend-select": cfg.extend_select,
            "ignore": cfg.ignore,
            **{f"per-file-ignores '{pattern}'": tuple(sels) for pattern, sels in cfg.per_file_ignores.items()},
        }
        for where, selectors in named.items():
            check_selectors(selectors, self.all_rules, where=where, path=cfg.path, extra_ids=extra)
        for rule_id in cfg.severity:  # an override applies to one whole rule id, spelled exactly
            if rule_id not in self.all_rules.by_id:
                raise UnknownSelector(unknown_message(rule_id, self.all_rules, "severity (needs a whole rule id)"), cfg.path)
        if self._coverage_on() and cfg.coverage.get("require"):  # each a principle of the framework used
            from .coverage import load_framework

            framework = load_framework(cfg.coverage.get("framework", "samhsa-4r"))
            for key in cfg.coverage["require"]:
                try:
                    framework.principle(key)
                except KeyError as exc:
                    raise DataError(cfg.path or "config", f"coverage.require: {exc.args[0]}") from None

    def _framework_ids(self) -> tuple[str, ...]:
        """The ``CV…`` ids of a framework file named in the config (the built-in
        frameworks' ids are always known)."""
        framework = str(self.config.coverage.get("framework") or "") if self.config.coverage else ""
        if not framework.endswith((".yaml", ".yml")) and "/" not in framework and "\\" not in framework:
            return ()
        from .coverage import load_framework

        return tuple(p.rule_id for p in load_framework(framework).principles)

    # -- single documents ---------------------------------------------------------------
    def lint_text(self, text: str, *, format: str = "markdown", path: str = "<string>") -> list[Finding]:
        """Findings for a string (``format``: markdown or text)."""
        return self.lint_document(read_text(text, format=format, path=path)).findings

    def lint_document(self, doc: Document) -> FileResult:
        ignores = self.config.ignores_for(doc.path)
        per_file = ignores[len(self.config.ignore) :]  # per-file-ignores remove even what was selected by id
        rules = self.rules.select(("ALL",), per_file) if per_file else self.rules
        engine = get_engine(rules, model=self.config.model)
        if not engine.is_built and any(engine.is_candidate(b.text) for b in doc.blocks):
            with watchdog.unbounded():  # the pipeline is tilint's, not the file's, memory
                engine.load()  # not warm(): a commit-time check compiles only the rules it needs
        hits = engine.analyse(doc.blocks, mentions=self.config.mentions)
        findings = [self._finding(doc, h) for h in hits]
        # reading order: a table cell's lines restart at 1, so its block's place comes first
        # (document-level findings, coverage, before any block's)
        block_of = {id(b): i for i, b in enumerate(doc.blocks)}
        place = {id(f): (block_of[id(h.block)], f) for f, h in zip(findings, hits)}  # f held: its id stays its own
        result = FileResult(path=doc.path, format=doc.format)
        if self._coverage_on():
            with watchdog.unbounded() if not self._coverage_loaded else contextlib.nullcontext():
                result.coverage, extra = self._coverage(doc)
            self._coverage_loaded = True
            findings.extend(extra)
        if doc.source is not None:
            findings = self._apply_suppressions(doc, findings)
        # coverage (CV...) and meta (TIL...) findings are asked for by config, not by
        # --select; they are reported unless ignored (by id, prefix or category) at least
        # as specifically as a selector names them (--select CV101 --ignore CV keeps CV101),
        # or by a per-file-ignore
        select = (*self.config.select, *self.config.extend_select)
        findings = [
            f for f in findings if f.rule_id in rules.by_id or not (_ignored(f, select, self.config.ignore) or _ignored(f, (), per_file))
        ]
        result.findings = sorted(findings, key=lambda f: (f.location.get("page", 0), place.get(id(f), (-1,))[0], f.sort_key))
        return result

    def _finding(self, doc: Document, hit: Hit) -> Finding:
        rule, block = hit.rule, hit.block
        line, col = block.position(hit.start)
        end_line, end_col = block.end_position(hit.end)
        words = block.text[hit.start : hit.end]  # the prose, without any markup inside the match
        match = doc.source_slice(line, col, end_line, end_col) if doc.source is not None else None
        if match is None:
            match = words
        location = block.location.to_dict()
        return Finding(
            rule_id=rule.id,
            name=rule.name,
            category=rule.category,
            severity=self.config.severity.get(rule.id, rule.severity),
            message=rule.message.replace("{match}", words),
            match=match,
            line=line,
            column=col,
            end_line=end_line,
            end_column=end_col,
            context=hit.sentence,
            suggestions=hit.suggestions,
            sources=rule.sources,
            fixable=rule.fixable,
            location=location,
            path=doc.path,
        )

    def _apply_suppressions(self, doc: Document, findings: list[Finding]) -> list[Finding]:
        sup = parse_suppressions(doc.source or "")
        if not sup.directives:
            return findings
        rules = self.all_rules

        def matches(rule_id: str, selector: str) -> bool:
            rule = rules.by_id.get(rule_id)
            if rule is None:  # coverage and meta findings: id or prefix only
                return rule_id.startswith(selector.upper())
            return rules.matches(rule, selector)

        kept = [f for f in findings if not sup.is_suppressed(f.rule_id, f.line, matches)]
        extra = self._framework_ids()
        for d in sup.directives:
            for sel in d.selectors:
                if not is_known(sel, rules, extra):
                    kept.append(self._unknown_suppression(doc, d, sel))
        return kept

    def _unknown_suppression(self, doc: Document, d, sel: str) -> Finding:
        return Finding(
            rule_id=UNKNOWN_SUPPRESSION,
            name="unknown-suppression",
            category="tilint",
            severity="error",
            message=unknown_message(sel, self.all_rules, "this suppression comment"),
            match=d.text,
            line=d.line,
            column=d.column,
            end_line=d.line,
            end_column=d.end_column,
            context=d.text,
            suggestions=("check the id with `tilint rules`",),
            path=doc.path,
        )

    # -- coverage -----------------------------------------------------------------------
    def _coverage_on(self) -> bool:
        cov = self.config.coverage
        return bool(cov) and cov.get("enabled", True)

    def _coverage(self, doc: Document):
        from .coverage import check_document, coverage_findings

        framework = self.config.coverage.get("framework", "samhsa-4r")
        report = check_document(doc, framework=framework)
        findings = coverage_findings(report, list(self.config.coverage.get("require", [])), path=doc.path)
        return report, findings

    # -- files --------------------------------------------------------------------------
    def lint_file(self, path: Path | str) -> FileResult:
        """Read and lint one file; read problems become ``errors``, never exceptions."""
        path = Path(path)
        key, hit = self._cached(path)
        if hit is not None:
            return hit
        result = self._lint_read(str(path), lambda: read_document(path, max_bytes=self.config.max_file_size))
        if key is not None:
            self.result_cache.put(key, result)  # type: ignore[union-attr]
        return result

    def _cached(self, path: Path) -> tuple[Optional[str], Optional[FileResult]]:
        """(the result cache's key for ``path``, its cached result): (None, None) with
        the cache off or the file unreadable (read_document then reports it)."""
        cache = self.result_cache
        if cache is None:
            return None, None
        try:
            if path.stat().st_size > self.config.max_file_size:
                return None, None
            key = cache.key(os.path.abspath(path), path.read_bytes())
        except OSError:
            return None, None
        return key, cache.get(key, str(path))

    def lint_bytes(self, name: str, data: bytes) -> FileResult:
        """Lint a file's content read elsewhere (a cluster worker reading object storage).

        ``name`` (a path or URL) gives the format, by its suffix, and the reported path.
        """
        def read() -> Document:
            doc = parse_document(Path(name.rsplit("/", 1)[-1]), data, max_bytes=self.config.max_file_size)
            doc.path = name
            return doc

        return self._lint_read(name, read)

    def _lint_read(self, name: str, read: Callable[[], Document]) -> FileResult:
        try:
            doc = read()
        except ReadError as exc:
            return FileResult(path=name, errors=[FileError(str(exc))])
        except Exception as exc:  # a format library failing on a hostile file: report, go on
            first = (str(exc).splitlines() or [""])[0][:200]
            return FileResult(path=name, errors=[FileError(f"cannot read file ({exc.__class__.__name__}: {first})")])
        return self.lint_document(doc)

    def lint_paths(self, paths: Sequence[str | Path]) -> list[FileResult]:
        """Lint files and folders (recursively), in sorted path order."""
        return self.lint_found(discover(paths, self.config.include, self.config.exclude))

    def lint_found(self, found: "Discovery", *, jobs: int = 1, progress: Optional[Callable[[str], None]] = None) -> list[FileResult]:
        """Lint what :func:`discover` found; missing paths become errors.

        With ``jobs > 1`` files are checked in worker processes; the result order
        (sorted by path) is the same whatever ``jobs`` is. ``progress(path)`` is
        called as each file finishes.
        """
        return list(self.iter_found(found, jobs=jobs, progress=progress))

    def iter_found(
        self, found: "Discovery", *, jobs: int = 1, progress: Optional[Callable[[str], None]] = None, isolate: bool = False
    ) -> Iterator[FileResult]:
        """:meth:`lint_found` as a stream, in the same sorted order, each result as soon
        as it is ready (so a report can be written while workers go on).

        With ``jobs > 1``, or ``isolate`` (the command line always sets it), each file
        is checked in a worker process under the config's ``timeout`` and
        ``max-memory`` (see :mod:`tilint.watchdog`); otherwise in this process."""
        missing = sorted((FileResult(path=p, errors=[FileError(msg)]) for p, msg in found.missing), key=lambda r: r.path)
        files = found.files  # sorted by discover()
        if files and (jobs > 1 or isolate) and watchdog.available():
            done: Iterable[FileResult] = self._lint_isolated(files, jobs)
        else:
            done = self._lint_parallel(files, jobs) if jobs > 1 and len(files) > 1 else map(self.lint_file, files)

        def reported(results: Iterable[FileResult]) -> Iterator[FileResult]:
            for result in results:
                if progress:
                    progress(result.path)
                yield result

        yield from heapq.merge(missing, reported(done), key=lambda r: r.path)

    def warm(self) -> None:
        """Build the spaCy pipeline and matcher now (before forking workers)."""
        get_engine(self.rules, model=self.config.model).warm()

    def _lint_isolated(self, files: list[str], jobs: int) -> Iterator[FileResult]:
        """Results in ``files`` order, each file checked in a forked worker under the
        watchdog. With several workers the pipeline is built here first, so they share
        it (copy-on-write) and a replaced worker starts warm; a single worker builds it
        only if a file needs it, so a clean file's pre-commit run never loads spaCy."""
        # unchanged files come from the result cache here: no worker, no pipeline
        cached = {f: hit for f in files if (hit := self._cached(Path(f))[1]) is not None} if self.result_cache else {}
        todo = [f for f in files if f not in cached]
        if jobs > 1 and len(todo) > 1:
            self.warm()
            # keep the collector off the inherited objects: its passes would write to
            # every page the parent built (the lemma tables, the matchers) and so copy them
            gc.freeze()
        # each finding holds its rule's sources: sent back by reference to the parent's copy
        shared = {id(rule.sources): rule.sources for rule in self.rules}.values()
        fresh = watchdog.run_isolated(todo, self.lint_file, jobs=jobs, timeout=self.config.timeout, max_memory_mb=self.config.max_memory, shared=shared)
        try:
            for f in files:
                yield cached[f] if f in cached else next(fresh)
        finally:
            fresh.close()  # stops the workers when the caller stops early
            gc.unfreeze()

    def _lint_parallel(self, files: list[str], jobs: int) -> Iterator[FileResult]:
        """Results in ``files`` order from ``jobs`` worker processes (where processes
        cannot be forked; elsewhere :meth:`_lint_isolated` does this).

        A worker that dies (killed by the out-of-memory killer, a crash in a
        native library) breaks the whole pool; the files it had not finished are
        retried once, each in a fresh worker process of its own, and a file whose
        worker dies again gets a one-line error. The run always finishes.
        """
        global _WORKER
        import multiprocessing

        jobs = min(jobs, len(files))
        context: Any = multiprocessing.get_context()
        if "fork" in multiprocessing.get_all_start_methods():
            # forked workers inherit the compiled engine: no per-worker start-up cost
            self.warm()
            _WORKER = self
            context = multiprocessing.get_context("fork")
            # keep the collector off the inherited objects: its passes would write to
            # every page the parent built (the lemma tables, the matchers) and so copy them
            gc.freeze()
        # elsewhere (spawn) each worker builds its own engine in _init_worker
        finished = 0
        try:
            for result in self._run_pool(files, jobs, context):
                finished += 1
                yield result
            if finished < len(files):  # the pool broke: retry the rest, each file alone
                yield from self._run_alone(files[finished:], jobs, context)
        finally:
            gc.unfreeze()

    def _run_pool(self, files: list[str], jobs: int, context: Any) -> Iterator[FileResult]:
        """Results in order until the pool breaks (then the iterator simply ends)."""
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker, initargs=(self.config,))
        try:
            chunks = _chunks(files, jobs)
            # the biggest chunks start first, so no large file is left for one worker at
            # the end; results are still taken (and streamed) in file order
            futures: dict[int, Any] = {}
            for i in sorted(range(len(chunks)), key=lambda i: -chunks[i][1]):
                futures[i] = pool.submit(_lint_chunk_in_worker, chunks[i][0])
            for i in range(len(chunks)):
                try:
                    yield from futures[i].result()
                except BrokenProcessPool:
                    return
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _run_alone(self, files: list[str], jobs: int, context: Any) -> Iterator[FileResult]:
        """Each file in a fresh single-worker pool (``jobs`` at a time); a dead worker
        costs only its own file."""
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        for i in range(0, len(files), jobs):
            batch = files[i : i + jobs]
            pools = [ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_init_worker, initargs=(self.config,)) for _ in batch]
            try:
                futures = [pool.submit(_lint_in_worker, f) for pool, f in zip(pools, batch)]
                for path, future in zip(batch, futures):
                    try:
                        yield future.result()
                    except BrokenProcessPool:
                        yield FileResult(path=path, errors=[FileError(WORKER_DIED)])
            finally:
                for pool in pools:
                    pool.shutdown(wait=True, cancel_futures=True)

    def exit_code(self, results: Iterable[FileResult]) -> int:
        """0 clean, 1 findings at or above ``fail-on``, 2 any file error or an unknown
        rule named in a suppression comment (``TIL001``: a config error in the file)."""
        results = list(results)
        if any(r.errors or any(f.rule_id == UNKNOWN_SUPPRESSION for f in r.findings) for r in results):
            return 2
        threshold = severity_rank(self.config.fail_on)
        if any(severity_rank(f.severity) >= threshold for r in results for f in r.findings):
            return 1
        return 0


_SHARED: dict[str, Linter] = {}


def shared_linter(config: Optional[Config] = None) -> Linter:
    """The process's :class:`Linter` for ``config``, built on first use and reused.

    The library functions, Dask workers and Spark's Python workers all lint through
    this, so rules and the spaCy pipeline are compiled once per process.
    """
    config = config or Config()
    key = repr(config)  # Config holds dicts, so it is not hashable; its repr is
    linter = _SHARED.get(key)
    if linter is None:
        linter = _SHARED[key] = Linter(config)
    return linter


def _ignored(finding: Finding, select: Sequence[str], ignore: Sequence[str]) -> bool:
    """Does an ignore selector name this finding at least as specifically as any select does?"""
    worst = max((selector_rank(s, finding.rule_id, finding.category) for s in ignore), default=0)
    return worst > 0 and worst >= max((selector_rank(s, finding.rule_id, finding.category) for s in select), default=0)


_WORKER: Optional[Linter] = None


def _init_worker(config: Config) -> None:
    global _WORKER
    if _WORKER is None or _WORKER.config != config:
        _WORKER = Linter(config)


def _lint_in_worker(path: str) -> FileResult:
    assert _WORKER is not None
    return _WORKER.lint_file(path)


def _lint_chunk_in_worker(paths: list[str]) -> list[FileResult]:
    assert _WORKER is not None
    return [_WORKER.lint_file(path) for path in paths]


def _chunks(files: list[str], jobs: int, per_worker: int = 8) -> list[tuple[list[str], int]]:
    """Consecutive runs of ``files`` of about equal size in bytes (``per_worker`` per
    job, so the workers finish together), each with its size. Work grows with bytes,
    not with files: one 400-page PDF outweighs a hundred short policies."""
    sizes = []
    for f in files:
        try:
            sizes.append(os.path.getsize(f))
        except OSError:
            sizes.append(0)  # the worker reports it
    target = max(sum(sizes) / (jobs * per_worker), 1)
    chunks: list[tuple[list[str], int]] = []
    run: list[str] = []
    total = 0
    for f, size in zip(files, sizes):
        run.append(f)
        total += size
        if total >= target:
            chunks.append((run, total))
            run, total = [], 0
    if run:
        chunks.append((run, total))
    return chunks
