"""Command line: a thin layer over the library.

``tilint check|rules|explain|coverage|init|completion``. Exit codes a CI can trust:
0 nothing at or above ``--fail-on``; 1 findings; 2 usage, config, rule or input
errors (unknown rule ids included; the other files are still checked); 3 an
internal error (one line; the traceback only with ``--debug``). A closed stdout
(``tilint check | head``) keeps the exit code of the findings.
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import re
import sys
from collections import Counter
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence, TextIO

from . import __version__
from .config import Config, find_config_file, load_config
from .formatters import FORMATS, Report, Results, get_formatter
from .models import FileError, FileResult, severity_rank
from .yamlutil import DataError

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERNAL = 0, 1, 2, 3
STDIN = "-"


class UsageError(Exception):
    """A command line that cannot be run as asked (exit code 2, one line)."""


def _csv(values: Optional[list[str]]) -> Optional[tuple[str, ...]]:
    """Repeatable, comma-separated option values -> tuple (None when not given)."""
    if values is None:
        return None
    return tuple(v.strip() for item in values for v in item.split(",") if v.strip())


def _seconds(value: str) -> float:
    """``--timeout``: a finite number of seconds above 0 (argparse names the option)."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds < float("inf"):  # also false for NaN
        raise argparse.ArgumentTypeError(f"{value!r} must be a number of seconds above 0")
    return seconds


def _whole(value: str, least: int, problem: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = least - 1
    if number < least:
        raise argparse.ArgumentTypeError(f"{value!r} {problem}")
    return number


def _at_least_one(value: str) -> int:
    """``--max-file-size``: a whole number of 1 or more."""
    return _whole(value, 1, "must be a whole number of 1 or more")


def _megabytes(value: str) -> int:
    """``--max-memory``: 50 MB or more, as in the config."""
    return _whole(value, 50, "must be a whole number of 50 (MB) or more")


def _jobs(value: str) -> int:
    """``--jobs``: 0 (one per CPU) or more; a negative count would start no worker."""
    return _whole(value, 0, "must be 0 (one per CPU) or more")


# -- the parser: every subcommand is built here, one block each ---------------------------


def _debug_parent() -> argparse.ArgumentParser:
    """Options shared by every subcommand (``--debug`` may also come first)."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show the traceback of an internal error")
    return p


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, metavar="FILE", help="use this config file for every file instead of the closest one")
    p.add_argument("--isolated", action="store_true", help="ignore all config files")
    p.add_argument("--select", action="append", metavar="RULES", help="rule ids, prefixes or categories to enable (comma-separated)")
    p.add_argument("--extend-select", action="append", metavar="RULES", help="add to the selection")
    p.add_argument("--ignore", action="append", metavar="RULES", help="rule ids, prefixes or categories to disable")
    p.add_argument("--rules", action="append", metavar="FILE", help="an extra rule pack (YAML); repeatable")


def _add_color(p: argparse.ArgumentParser) -> None:
    p.add_argument("--color", choices=["auto", "always", "never"], default="auto", help="colour output (auto honours NO_COLOR and FORCE_COLOR)")


def build_parser() -> argparse.ArgumentParser:
    common = _debug_parent()
    parser = argparse.ArgumentParser(
        prog="tilint",
        description="Trauma-informed language linter for policy documents.",
        epilog="Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage/config/input errors, 3 internal error.",
        parents=[common],
    )
    parser.add_argument("-V", "--version", action="version", version=f"tilint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    check = sub.add_parser("check", help="lint files and folders", parents=[common])
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or folders (default: .); - reads standard input")
    _add_common(check)
    check.add_argument("--format", "--output-format", dest="format", choices=sorted(FORMATS), default="text", help="output format (default: text)")
    check.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the report to FILE instead of stdout (never an input)")
    check.add_argument("--fail-on", choices=["error", "warning", "info"], help="lowest severity that fails the run (default: warning)")
    check.add_argument("--min-severity", choices=["error", "warning", "info"], help="hide findings below this severity (does not change --fail-on)")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings (errors still exit 2)")
    check.add_argument("--statistics", action="store_true", help="print the number of findings of each rule instead of the findings")
    check.add_argument("--no-sources", action="store_true", help="leave out the source lines of the text formats")
    check.add_argument("--include", action="append", metavar="GLOB", help="only lint files matching these globs in folders")
    check.add_argument("--exclude", action="append", metavar="GLOB", help="skip files matching these globs")
    check.add_argument("--no-gitignore", action="store_true", help="also check files that .gitignore files ignore")
    check.add_argument("--stdin-filename", metavar="NAME", help="the name of standard input (for its format and config matching)")
    check.add_argument("--mentions", choices=["skip", "report"], help="report terms that are quoted or mentioned (default: skip)")
    check.add_argument("--model", metavar="NAME", help="an installed spaCy pipeline to use instead of blank English")
    check.add_argument("--coverage", action="store_true", help="also report coverage of the trauma-informed principles")
    check.add_argument("--framework", metavar="NAME", help="coverage framework: samhsa-4r (default), samhsa-6, ohid-6 or a YAML file; implies --coverage")
    check.add_argument("--max-file-size", type=_at_least_one, metavar="BYTES", help="skip files larger than this")
    check.add_argument("--timeout", type=_seconds, metavar="SECONDS", help="give up on a file after this long (default 300)")
    check.add_argument("--max-memory", type=_megabytes, metavar="MB", help="give up on a file that needs more memory than this (default 500)")
    _add_color(check)
    check.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary")
    check.add_argument("--verbose", "-v", action="store_true", help="name every file that was not checked, with the reason")
    check.add_argument("--jobs", "-j", type=_jobs, metavar="N", help="check files in N processes (0 = one per CPU; default 1)")
    check.add_argument("--show-config", action="store_true", help="print the configuration that applies to the first PATH (default: .) and exit")
    check.add_argument("--no-cache", action="store_true", help="analyse every file, even unchanged ones (results are otherwise cached)")
    check.add_argument("--baseline", type=Path, metavar="FILE", help="report only findings that are not in this baseline")
    check.add_argument("--write-baseline", type=Path, metavar="FILE", help="record today's findings in FILE and exit 0")
    _add_scheduler(check)
    fixing = check.add_mutually_exclusive_group()
    fixing.add_argument("--fix", action="store_true", help="apply safe fixes to Markdown and text files (atomic writes)")
    fixing.add_argument("--diff", action="store_true", help="print the fixes as a unified diff; change nothing")
    check.add_argument("--force", action="store_true", help="with --fix: also fix read-only files")

    rules = sub.add_parser("rules", help="list the rules", parents=[common])
    _add_common(rules)
    rules.add_argument("--format", choices=["text", "json", "markdown"], default="text")

    explain = sub.add_parser("explain", help="explain a rule (BL001, CV101, TIL001), a category or a pack", parents=[common])
    explain.add_argument("rule", metavar="ID")
    _add_common(explain)

    coverage = sub.add_parser("coverage", help="which trauma-informed principles each document covers", parents=[common])
    coverage.add_argument("paths", nargs="+", metavar="PATH")
    coverage.add_argument("--framework", default=None, help="samhsa-4r (default), samhsa-6, ohid-6 or a YAML file")
    coverage.add_argument("--format", choices=["text", "json"], default="text")
    coverage.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the report to FILE instead of stdout (never an input)")
    coverage.add_argument("--verbose", "-v", action="store_true", help="for several files, also each document's evidence table")
    coverage.add_argument("--config", type=Path, metavar="FILE")
    coverage.add_argument("--isolated", action="store_true")
    _add_color(coverage)
    _add_scheduler(coverage)
    _add_report_parser(sub, common)
    _add_review(sub, common)

    init = sub.add_parser("init", help="write a commented .tilint.yaml (and a pre-commit snippet)", parents=[common])
    init.add_argument("--pre-commit", action="store_true", help="also add tilint to .pre-commit-config.yaml (or print the snippet)")
    init.add_argument("--force", action="store_true", help="overwrite an existing .tilint.yaml")

    completion = sub.add_parser("completion", help="print a shell completion script", parents=[common])
    completion.add_argument("shell", choices=["bash", "zsh", "fish"])
    _add_lsp(sub, common)
    return parser


def _add_scheduler(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on a Dask cluster: tcp://HOST:8786, or local:N for N local worker processes "
        "(paths may then be fsspec URLs such as s3://bucket/policies/; needs tilint[dask])",
    )


# -- configuration ---------------------------------------------------------------------------


def _overrides(args: argparse.Namespace, base: Config) -> dict[str, Any]:
    """The settings the command line changes, applied over a config file's."""
    ignore, rules = _csv(getattr(args, "ignore", None)), _csv(getattr(args, "rules", None))
    overrides: dict[str, Any] = {
        "select": _csv(getattr(args, "select", None)),
        "extend_select": _csv(getattr(args, "extend_select", None)),
        "ignore": (*base.ignore, *ignore) if ignore else None,
        "extra_rules": (*base.extra_rules, *rules) if rules else None,
    }
    for name in ("fail_on", "mentions", "model", "max_file_size", "timeout", "max_memory"):
        overrides[name] = getattr(args, name, None)
    if getattr(args, "include", None):
        overrides["include"] = _csv(args.include)
    exclude = _csv(getattr(args, "exclude", None))
    if exclude:
        overrides["exclude"] = (*base.exclude, *exclude)
    if getattr(args, "coverage", False) or getattr(args, "framework", None):
        framework = args.framework or base.coverage.get("framework", "samhsa-4r")
        overrides["coverage"] = {**base.coverage, "framework": framework, "enabled": True}
    return overrides


def _config(args: argparse.Namespace, config_file: Optional[Path] = None) -> Config:
    model = getattr(args, "model", None)
    if model:  # checked now, not when the first file that could match loads the pipeline
        from .nlp import installed_pipeline

        if not installed_pipeline(model):
            raise UsageError(f"--model: '{model}' is not an installed spaCy pipeline package")
    if args.isolated:
        base = Config()
    else:
        base = load_config(args.config or config_file)
    return base.merged(**_overrides(args, base))


def _check_option_selectors(args: argparse.Namespace, config: Config) -> None:
    """Unknown ids in --select/--extend-select/--ignore: exit 2 naming the option."""
    from .ids import check_selectors
    from .ruleset import load_ruleset

    rules = load_ruleset(config.extra_rules, config.extra_sources)
    for option in ("select", "extend_select", "ignore"):
        check_selectors(_csv(getattr(args, option, None)) or (), rules, where="--" + option.replace("_", "-"))


# -- output ----------------------------------------------------------------------------------


def _isatty(stream: TextIO) -> bool:
    return hasattr(stream, "isatty") and stream.isatty()


def _use_color(choice: str, stream: TextIO) -> bool:
    """--color always|never win; auto: NO_COLOR off, FORCE_COLOR on, else a terminal."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return _isatty(stream)


def refuse_inputs(target: Optional[Path], inputs: Iterable[str], option: str) -> None:
    """Never write a report over a file that is being checked (or resolves to one,
    through a symlink or a hard link). Every command's output option calls this."""
    if target is None:
        return
    for path in inputs:
        if path != STDIN and _same_file(Path(path), target):
            raise UsageError(f"{option} {target} is one of the files being checked ({path}); refusing to overwrite it")


# What each output format of tilint writes (text summary, coverage table, JSON, SARIF or
# baseline, JUnit, GitHub annotations, statistics): a file found in a scanned folder that is this run's
# output and reads like one of these is the report of an earlier run, not a document.
_EARLIER_OUTPUT = re.compile(
    r'(?m)^\d+ findings?\b.* in \d+ of \d+ files? checked\b|^\S+:\d+:\d+: (?:(?:error|warning|info) )?[A-Z]{2,4}\d{3} '
    r'|^\S.*  [\w.-]+: \d+/\d+ \w+ covered$|^\{\s*"version": 1,\s*"files": \['
    r'|"(?:name|tool)": "tilint"|<testsuites name="tilint"|^::(?:error|warning|notice) file='
    r'|^ *\d+  [A-Z]{2,4}\d{3} +[a-z][\w-]*(?:  \[fixable\])?$|^\[\s*\{\s*"rule_id": '  # --statistics
)


def skip_earlier_outputs(found: Any, targets: Iterable[Optional[Path]], named: Sequence[str]) -> None:
    """Leave out of ``found`` a file found by walking a folder that is one of this run's
    output ``targets`` and holds an earlier tilint output, so the same command can run
    again (as ruff and Vale do). A file named as an input, or a document that is not an
    earlier output, stays an input and :func:`refuse_inputs` refuses to overwrite it."""
    from .formatters.report import is_report

    outputs = [t for t in targets if t is not None]
    for path in list(found.files):
        if not any(_same_file(Path(path), t) for t in outputs) or any(p != STDIN and _same_file(Path(p), Path(path)) for p in named):
            continue
        try:
            with open(path, "rb") as fh:
                head, size = fh.read(65536).decode("utf-8", "replace"), os.fstat(fh.fileno()).st_size
        except OSError:
            continue
        if size == 0 or is_report(Path(path)) or _EARLIER_OUTPUT.search(head):
            found.files.remove(path)


@contextmanager
def _output(target: Optional[Path], out: TextIO) -> Iterator[TextIO]:
    if target is None:
        yield out
        return
    try:
        fh = target.open("w", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
    with fh:
        yield fh


# -- check -----------------------------------------------------------------------------------


def _groups(args: argparse.Namespace, files: list[str]) -> list[tuple[Config, list[str]]]:
    """Files grouped by the config that applies to each: the closest config file above
    the file (as ruff does), unless --config or --isolated names one for all."""
    if args.isolated or args.config:
        return [(_config(args), files)]
    fallback = find_config_file()
    by_dir: dict[str, Optional[Path]] = {}
    grouped: dict[Optional[Path], list[str]] = {}
    for f in files:
        folder = str(Path(f).parent)
        if folder not in by_dir:
            by_dir[folder] = find_config_file(Path(folder)) or fallback
        grouped.setdefault(by_dir[folder], []).append(f)
    return [(_config(args, path), group) for path, group in grouped.items()] or [(_config(args, fallback), [])]


def _read_stdin(args: argparse.Namespace, config: Config, linter: Any) -> FileResult:
    from .readers import ReadError, reader_for

    name = args.stdin_filename or STDIN
    reader = reader_for(Path(name)) if args.stdin_filename else None
    if reader is None:
        from .readers.markdown import read as read_markdown

        reader = read_markdown
    data = sys.stdin.buffer.read()
    if len(data) > config.max_file_size:
        return FileResult(path=name, errors=[FileError("standard input is over the max-file-size limit")])
    try:
        doc = reader(Path(name), data)
    except ReadError as exc:
        return FileResult(path=name, errors=[FileError(str(exc))])
    return linter.lint_document(doc)


def _lint(args: argparse.Namespace, progress: Optional[Callable[[str], None]], stack: ExitStack):
    """(``[(linter, its files)]``, discovery, result stream). Each file is linted
    with its own config; nothing is read until the stream is consumed. With
    ``--scheduler`` the files are linted on a Dask cluster that ``stack`` closes."""
    from .discovery import Discovery, discover
    from .linter import Linter

    root = _config(args, None if args.config or args.isolated else find_config_file())
    _check_option_selectors(args, root)
    jobs = args.jobs if args.jobs is not None else root.jobs
    jobs = (os.cpu_count() or 1) if jobs == 0 else jobs
    paths = list(args.paths)
    if STDIN in paths:
        if paths != [STDIN]:
            raise UsageError("- (standard input) cannot be combined with other paths")
        groups = _groups(args, [args.stdin_filename]) if args.stdin_filename else [(root, [])]
        linter = Linter(groups[0][0])
        return [(linter, [])], Discovery(files=[STDIN]), iter([_read_stdin(args, groups[0][0], linter)])
    cluster = _Cluster(args, stack, progress) if args.scheduler else None
    urls = cluster.urls(paths) if cluster else []
    found = discover([p for p in paths if p not in urls], root.include, root.exclude, gitignore=not args.no_gitignore, include_given=bool(args.include))
    skip_earlier_outputs(found, [args.output, args.write_baseline], paths)
    linters: list[tuple[Any, list[str]]] = []
    streams: list[Iterator[FileResult]] = []
    kept: list[str] = []
    for config, files in _nested_groups(args, found, root):
        linter = Linter(config)
        if not getattr(args, "no_cache", True):  # check only (coverage recomputes)
            linter.use_result_cache()
        linters.append((linter, files))
        kept.extend(files)
        sub = Discovery(files=files, missing=found.missing if not streams else [])
        streams.append(cluster.lint(sub, config) if cluster else linter.iter_found(sub, jobs=jobs, progress=progress, isolate=True))
    if cluster and urls:  # read by the cluster's workers, with the root config
        remote = cluster.discover(urls, root, found)
        linters.append((linters[0][0] if linters else Linter(root), remote.files))
        kept.extend(remote.files)
        streams.append(cluster.lint(remote, root))
    found.files = sorted(kept)
    found.skipped.sort()
    return linters, found, heapq.merge(*streams, key=lambda r: r.path)


def _nested_groups(args: argparse.Namespace, found: Any, root: Config) -> Iterator[tuple[Config, list[str]]]:
    """:func:`_groups` of the files found, less those a nested config excludes (skipped in ``found``)."""
    for config, files in _groups(args, found.files):
        if config.exclude != root.exclude:  # a nested config's own exclude
            excluded = [f for f in files if _excluded_by(config, f)]
            for f in excluded:
                found.skip(f, "excluded")
            files = [f for f in files if f not in excluded]
        yield config, files


class _Cluster:
    """``--scheduler``: a Dask client for the whole run (closed by the caller's stack)."""

    def __init__(self, args: argparse.Namespace, stack: ExitStack, progress: Optional[Callable[[str], None]]):
        from . import distributed

        self.distributed, self.progress = distributed, progress
        if (getattr(args, "fix", False) or getattr(args, "diff", False)) and any(map(distributed.is_url, args.paths)):
            raise UsageError("--fix and --diff work on local files only, not on URLs")
        self.client = stack.enter_context(distributed.session(args.scheduler))

    def urls(self, paths: Sequence[str]) -> list[str]:
        return [p for p in paths if self.distributed.is_url(p)]

    def discover(self, urls: list[str], config: Config, found: Any) -> Any:
        remote, self.sizes = self.distributed.discover_inputs(urls, config)
        for path in remote.skipped:
            found.skip(path, remote.reasons.get(path, "not checked"))
        found.missing.extend(remote.missing)
        remote.missing = []  # reported with the local ones
        return remote

    def lint(self, found: Any, config: Config) -> Iterator[FileResult]:
        for result in self.distributed.lint_found(found, self.client, config, sizes=getattr(self, "sizes", None)):
            if self.progress:
                self.progress(result.path)
            yield result


def _excluded_by(config: Config, path: str) -> bool:
    from .config import _glob_match

    return any(_glob_match(path, pattern) for pattern in config.exclude)


class _Outcome:
    """Watches results go by and works out the exit code from all of them (even the
    findings --min-severity hides), each file against its own config's fail-on."""

    def __init__(self, fail_on: str, per_file: dict[str, str]):
        self.default, self.per_file = fail_on, per_file
        self.code = EXIT_OK

    def see(self, result: FileResult) -> FileResult:
        from .linter import UNKNOWN_SUPPRESSION

        threshold = severity_rank(self.per_file.get(result.path, self.default))
        if result.errors or any(f.rule_id == UNKNOWN_SUPPRESSION for f in result.findings):
            self.code = EXIT_ERROR
        elif self.code == EXIT_OK and any(severity_rank(f.severity) >= threshold for f in result.findings):
            self.code = EXIT_FINDINGS
        return result


def _shown(results: Iterable[FileResult], min_severity: Optional[str]) -> Iterator[FileResult]:
    if not min_severity:
        yield from results
        return
    floor = severity_rank(min_severity)
    for r in results:
        yield FileResult(path=r.path, findings=[f for f in r.findings if severity_rank(f.severity) >= floor], errors=r.errors, coverage=r.coverage, format=r.format)


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    with ExitStack() as stack:  # holds a --scheduler cluster until the report is written
        return _check(args, out, stack)


def _check(args: argparse.Namespace, out: TextIO, stack: ExitStack) -> int:
    if args.show_config:  # for the first PATH, with the config `check` would use for it
        first = Path(args.stdin_filename or "." if args.paths[0] == STDIN else args.paths[0])
        config = _config(args, None if args.config or args.isolated else find_config_file(first if first.is_dir() else first.parent) or find_config_file())
        json.dump({"config-file": config.path, **config.to_dict()}, out, indent=2)
        out.write("\n")
        return EXIT_OK
    if args.statistics and args.format in ("sarif", "junit", "github"):  # a table where a CI tool expects its format
        raise UsageError(f"--statistics prints text or JSON, not {args.format}")
    if STDIN in args.paths and (args.fix or args.diff or args.write_baseline):
        raise UsageError("--fix, --diff and --write-baseline need files, not standard input")
    show_progress = not args.quiet and sys.stderr.isatty() and STDIN not in args.paths
    with _progress_bar(show_progress) as bar:
        groups, found, stream = _lint(args, bar.advance, stack)
        linters = [linter for linter, _ in groups]
        bar.start(len(found.files))
        inputs = [*found.files, *args.paths]
        refuse_inputs(args.output, inputs, "--output")
        refuse_inputs(args.write_baseline, inputs, "--write-baseline")
        if args.baseline:
            from .baseline import load_baseline

            stream = load_baseline(args.baseline).filter(stream)
        if args.write_baseline:
            from .baseline import write_baseline

            results = list(stream)
            try:
                count = write_baseline(args.write_baseline, results)
            except OSError as exc:  # a missing folder, a directory, a read-only place
                raise UsageError(f"cannot write {args.write_baseline}: {exc.strerror or exc}") from None
            print(f"tilint: recorded {count} finding{'s' if count != 1 else ''} in {args.write_baseline}", file=sys.stderr)
            return EXIT_ERROR if any(r.errors for r in results) else EXIT_OK
        if args.fix or args.diff or (bar.enabled and _isatty(out) and not args.output):
            # fixes need every result first; so does a progress bar sharing the terminal
            results = list(stream)
            bar.stop()
            if args.diff:
                return _show_diff(results, linters[0].config, out)
            if args.fix:
                _apply_fixes(results, linters[0].config, args.force, out if args.format == "text" and not args.output else sys.stderr)
            stream = iter(results)
    fail_on = {path: linter.config.fail_on for linter, files in groups for path in files}
    outcome = _Outcome(linters[0].config.fail_on, fail_on)
    watched = (outcome.see(r) for r in stream)
    code = _report(args, linters, found, Results(_shown(watched, args.min_severity)), out, outcome)
    if args.exit_zero and code == EXIT_FINDINGS:
        return EXIT_OK
    return code


def _report(args: argparse.Namespace, linters: list, found: Any, results: Results, out: TextIO, outcome: _Outcome) -> int:
    with _output(args.output, out) as target:
        try:
            if args.statistics:
                _statistics(results, args.format, target)
            else:
                report = Report(
                    results=results,
                    rules=linters[0].rules,
                    skipped=found.skipped,
                    skip_reasons=found.reasons,
                    fail_on=linters[0].config.fail_on,
                    color=_use_color(args.color, target),
                    show_summary=not args.quiet,
                    show_sources=not args.no_sources,
                    verbose=args.verbose,
                )
                get_formatter(args.format)(report, target)
            target.flush()
        except BrokenPipeError:  # `tilint check | head`: finish the run for an exit code CI can trust
            _silence_stdout()
            for _ in results:
                pass
    return outcome.code


def _silence_stdout() -> None:
    """After a broken pipe, send what is left (and the interpreter's final flush) nowhere."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _statistics(results: Iterable[FileResult], fmt: str, out: TextIO) -> None:
    """Counts by rule, most frequent first (ruff's --statistics)."""
    counts: Counter = Counter()
    names: dict[str, tuple[str, bool]] = {}
    for r in results:
        for f in r.findings:
            counts[f.rule_id] += 1
            names[f.rule_id] = (f.name, f.fixable)
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if fmt == "json":
        json.dump([{"rule_id": k, "name": names[k][0], "count": n, "fixable": names[k][1]} for k, n in rows], out, indent=2)
        out.write("\n")
        return
    width = max((len(str(n)) for _, n in rows), default=1)
    for rule_id, n in rows:
        out.write(f"{n:>{width}}  {rule_id:<7} {names[rule_id][0]}{'  [fixable]' if names[rule_id][1] else ''}\n")


def _show_diff(results: list[FileResult], config: Config, out: TextIO) -> int:
    from .fix import plan_fixes

    fixes = [f for f in (plan_fixes(r, config.max_file_size) for r in results) if f]
    for fix in fixes:
        out.write(fix.diff())
    count = sum(len(f.edits) for f in fixes)
    print(f"{count} fix{'es' if count != 1 else ''} available in {len(fixes)} file{'s' if len(fixes) != 1 else ''} (nothing written).", file=sys.stderr)
    return EXIT_FINDINGS if fixes else EXIT_OK


def _apply_fixes(results: list[FileResult], config: Config, force: bool, log: TextIO) -> None:
    from .fix import FixRefused, apply_fix, plan_fixes, remaining
    from .formatters._paths import display_path, printable

    for result in results:
        fix = plan_fixes(result, config.max_file_size)
        if fix is None:
            continue
        shown = display_path(fix.path)
        try:
            written = apply_fix(fix, force=force)
        except FixRefused as exc:
            print(f"{shown}: not fixed: {exc}", file=log)
            continue
        except OSError as exc:
            print(f"{shown}: not fixed: could not write ({exc.strerror or exc})", file=log)
            continue
        for e, reason in fix.skipped:
            f = e.finding
            print(f"{shown}:{f.line}:{f.column}: not fixed: {reason}", file=log)
        for e in written:
            f = e.finding
            print(f"fixed {shown}:{f.line}:{f.column}: {f.rule_id} '{printable(f.match)}' -> '{e.replacement}'", file=log)
        remaining(result, written)


class _Bar:
    """A rich progress bar on stderr for scans of more than a few files."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self._bar: Any = None
        self._task: Any = None

    def start(self, total: int) -> None:
        if not self.enabled or total <= 3:
            self.enabled = False
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        columns = (TextColumn("checking"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        self._bar = Progress(*columns, console=Console(stderr=True), transient=True)
        self._task = self._bar.add_task("files", total=total)
        self._bar.start()

    def advance(self, _path: str) -> None:
        if self._bar is not None:
            self._bar.advance(self._task)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[_Bar]:
    """A :class:`_Bar` started once the number of files is known."""
    bar = _Bar(enabled)
    try:
        yield bar
    finally:
        bar.stop()


@contextmanager
def _progress(total: int, *, enabled: bool) -> Iterator[Optional[Callable[[str], None]]]:
    """A progress callback for commands that know their file count up front."""
    with _progress_bar(enabled) as bar:
        bar.start(total)
        yield bar.advance if bar.enabled else None


# -- rules and explain -----------------------------------------------------------------------


def _ruleset(args: argparse.Namespace):
    from .linter import Linter

    config = _config(args)
    _check_option_selectors(args, config)
    return Linter(config).rules


def cmd_rules(args: argparse.Namespace, out: TextIO) -> int:
    from .formatters._plain import plain_stream
    from .formatters.rules import render_rules

    target = plain_stream(out) if args.format == "text" else out
    render_rules(_ruleset(args), args.format, target)
    target.flush()
    return EXIT_OK


def cmd_explain(args: argparse.Namespace, out: TextIO) -> int:
    from .explain import explain
    from .formatters._plain import plain_stream

    target = plain_stream(out)
    explain(args.rule, _ruleset(args), _config(args), target)
    target.flush()
    return EXIT_OK


# -- coverage --------------------------------------------------------------------------------


def cmd_coverage(args: argparse.Namespace, out: TextIO) -> int:
    from .discovery import discover
    from .linter import Linter

    config = Config() if args.isolated else load_config(args.config)
    if args.scheduler:
        results = _coverage_on_cluster(args, config)
    else:  # each file in a worker under the watchdog (timeout, max-memory), with its own config, as `check` does
        found = discover(args.paths, config.include, config.exclude, gitignore=True)
        skip_earlier_outputs(found, [args.output], args.paths)
        refuse_inputs(args.output, [*found.files, *args.paths], "--output")
        results = _coverage_results(args, config, found, lambda sub, cfg: Linter(cfg).iter_found(sub, isolate=True))
    with _output(args.output, out) as target:
        if args.format == "json":
            json.dump({"version": 1, "files": [r.to_dict() for r in results]}, target, indent=2, ensure_ascii=False)
            target.write("\n")
        else:
            from .formatters.coverage_table import render_coverage_results

            render_coverage_results(results, target, color=_use_color(args.color, target), verbose=args.verbose)
    return EXIT_ERROR if any(r.errors for r in results) else EXIT_OK


def _coverage_only(config: Config, framework: Optional[str] = None) -> Config:
    """``config`` for coverage only: no language rules, the framework asked for (else its own)."""
    framework = framework or config.coverage.get("framework", "samhsa-4r")
    return config.merged(select=(), extend_select=(), coverage={**config.coverage, "framework": framework, "enabled": True})


def _coverage_results(args: argparse.Namespace, root: Config, found: Any, lint: Callable[[Any, Config], Iterable[FileResult]]) -> list[FileResult]:
    """Coverage of each file found with its closest config (URLs: ``root``); ``lint(discovery, config)`` gives the results."""
    from .discovery import Discovery

    local = Discovery(files=[f for f in found.files if "://" not in f])
    groups = list(_nested_groups(args, local, root)) + [(root, [f for f in found.files if "://" in f])]
    streams = [lint(Discovery(files=files, missing=found.missing if not i else []), _coverage_only(cfg, args.framework))
               for i, (cfg, files) in enumerate(groups) if files or not i]
    return [FileResult(path=r.path, errors=r.errors, coverage=r.coverage) for r in heapq.merge(*streams, key=lambda r: r.path)]


def _coverage_on_cluster(args: argparse.Namespace, config: Config) -> list[FileResult]:
    """``tilint coverage --scheduler``: the same results, computed by the cluster's workers."""
    from . import distributed

    found, sizes = distributed.discover_inputs(args.paths, _coverage_only(config, args.framework), gitignore=True)
    skip_earlier_outputs(found, [args.output], args.paths)
    refuse_inputs(args.output, [*found.files, *args.paths], "--output")
    with distributed.session(args.scheduler) as client:
        return _coverage_results(args, config, found, lambda sub, cfg: distributed.lint_found(sub, client, cfg, sizes=sizes))


# -- tilint report: the governance report (HTML, CSV) ----------------------------------


def _add_report_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    report = sub.add_parser("report", help="a self-contained HTML governance report for a folder of policies", parents=[common])
    report.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    report.add_argument("--output", "-o", type=Path, required=True, metavar="FILE", help="the HTML file to write")
    report.add_argument("--csv", type=Path, metavar="DIR", help="also write findings.csv and coverage.csv into DIR")
    report.add_argument("--title", default="Trauma-informed policy review", help="the report's heading")
    _add_common(report)
    report.add_argument("--framework", metavar="NAME", help="coverage framework: samhsa-4r (default), samhsa-6, ohid-6 or a YAML file")
    report.add_argument("--include", action="append", metavar="GLOB", help="only report files matching these globs in folders")
    report.add_argument("--exclude", action="append", metavar="GLOB", help="skip files matching these globs")
    report.add_argument("--mentions", choices=["skip", "report"], help="report terms that are quoted or mentioned (default: skip)")
    report.add_argument("--model", metavar="NAME", help="an installed spaCy pipeline to use instead of blank English")
    report.add_argument("--max-file-size", type=_at_least_one, metavar="BYTES", help="skip files larger than this")
    report.add_argument("--timeout", type=_seconds, metavar="SECONDS", help="give up on a file after this long (default 300)")
    report.add_argument("--max-memory", type=_megabytes, metavar="MB", help="give up on a file that needs more memory than this (default 500)")
    report.add_argument("--jobs", "-j", type=_jobs, metavar="N", help="check files in N processes (0 = one per CPU; default 1)")
    report.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary line")
    _add_scheduler(report)


def _same_file(a: Path, b: Path) -> bool:
    """``a`` and ``b`` are one file: one path once symlinks are resolved (whether or not
    it exists yet), or two hard links to it."""
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # either is missing
        return False


def _output_clash(found, outputs: list[Path], named: Sequence[str]) -> Optional[Path]:
    """The first output that is one of the documents found (never overwritten), once
    the report of an earlier run found inside a scanned folder is left out."""
    skip_earlier_outputs(found, outputs, named)
    return next((t for path in found.files for t in outputs if _same_file(Path(path), t)), None)


def cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    from .formatters.report import build_model, write_csv, write_html
    from .formatters.report.spreadsheet import CSV_FILES
    from .linter import Linter, discover

    config = _config(args)
    config = config.merged(coverage={**config.coverage, "framework": config.coverage.get("framework", "samhsa-4r"), "enabled": True})
    if args.scheduler:  # paths may be fsspec URLs, read by the cluster's workers
        from . import distributed

        found, sizes = distributed.discover_inputs(args.paths, config)
    else:
        found = discover(args.paths, config.include, config.exclude)
    outputs = [args.output, *((args.csv / name) for name in CSV_FILES)] if args.csv else [args.output]
    clash = _output_clash(found, outputs, args.paths)
    if clash:
        print(f"tilint: error: {clash} is one of the documents to check; choose another output", file=sys.stderr)
        return EXIT_ERROR
    linter = Linter(config)
    jobs = args.jobs if args.jobs is not None else config.jobs
    jobs = (os.cpu_count() or 1) if jobs == 0 else jobs
    with _progress(len(found.files), enabled=not args.quiet and sys.stderr.isatty()) as advance:
        if args.scheduler:
            with distributed.session(args.scheduler) as client:
                results = list(distributed.lint_found(found, client, config, sizes=sizes))
        else:
            results = list(linter.iter_found(found, jobs=jobs, progress=advance, isolate=True))
    settings = {"framework": str(config.coverage["framework"]), "rules": ", ".join((*config.select, *config.extend_select))}
    if config.ignore:
        settings["ignored"] = ", ".join(config.ignore)
    if config.path:
        settings["config"] = str(config.path)
    model = build_model(results, skipped=found.skipped, framework=str(config.coverage["framework"]), title=args.title, settings=settings)
    for r in results:
        for err in r.errors:
            print(f"{r.path}: error: {err.message}", file=sys.stderr)
    written = []
    for target, write in ((args.output, write_html), (args.csv, write_csv)):
        if target is None:
            continue
        try:
            (target if write is write_csv else target.parent).mkdir(parents=True, exist_ok=True)  # as ruff's --output-file
            written += write(model, target)
        except OSError as exc:  # named by the user's path, not the temporary file beside it
            print(f"tilint: error: cannot write {target}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_ERROR
    if not args.quiet:
        docs, findings = model.scanned, model.total_findings
        line = f"{docs} document{'s' if docs != 1 else ''} checked"
        line += f", {model.failed} could not be read" if model.failed else ""
        print(f"{line}, {findings} finding{'s' if findings != 1 else ''}; wrote {', '.join(map(str, written))}", file=sys.stderr)
    return EXIT_ERROR if model.failed else EXIT_OK


# -- tilint review: reviewed copies of Word and PDF files ---------------------------------


def _add_review(sub: Any, common: argparse.ArgumentParser) -> None:
    review = sub.add_parser("review", help="write reviewed copies of Word/ODT/PDF files: comments on the words, tracked fixes, a coverage summary", parents=[common])
    review.add_argument("paths", nargs="+", metavar="FILE", help=".docx, .odt or .pdf files, or folders of them")
    review.add_argument("--output", "-o", type=Path, metavar="FILE", help="where to write the copy (one input only; default NAME.reviewed.EXT beside it)")
    review.add_argument("--output-dir", type=Path, metavar="DIR", help="write the copies into DIR")
    review.add_argument("--force", action="store_true", help="replace existing output files")
    review.add_argument("--track-changes", action="store_true", help="Word: offer each safe fix as a tracked change")
    review.add_argument("--author", default="tilint", metavar="NAME", help="author of the comments and changes (default: tilint)")
    review.add_argument("--framework", metavar="NAME", help="coverage framework for the summary (default: samhsa-4r)")
    _add_common(review)


def cmd_review(args: argparse.Namespace, out: TextIO) -> int:
    import unicodedata

    from .review import ReviewError, default_output, review_file

    if any(unicodedata.category(ch) == "Cc" for ch in args.author):  # XML refuses most; a name never has them
        print("tilint: error: --author must not contain control characters (newlines, tabs, NUL)", file=sys.stderr)
        return EXIT_ERROR
    inputs = _review_inputs(args.paths)
    if args.output and (len(inputs) != 1 or args.output_dir):
        print("tilint: error: -o/--output takes one input file (use --output-dir for several)", file=sys.stderr)
        return EXIT_ERROR
    if args.output_dir and not args.output_dir.is_dir():
        print(f"tilint: error: --output-dir {args.output_dir} is not a folder", file=sys.stderr)
        return EXIT_ERROR
    config = _config(args)
    code = EXIT_OK
    unique: dict[Path, Path] = {}
    for path in inputs:  # a file named twice is reviewed once
        unique.setdefault(path.resolve(), path)
    written: dict[Path, Path] = {}  # each copy written -> its input
    for path in unique.values():
        target = args.output or (args.output_dir / default_output(path).name if args.output_dir else default_output(path))
        key = target.resolve()
        try:
            if key in unique and key != path.resolve():  # (its own input: review_file refuses)
                raise ReviewError(f"refusing to overwrite {target}, an input of this run")
            if key in written:
                raise ReviewError(f"{target} is the copy of {written[key]} (review files of one name into different folders)")
            result = review_file(path, target, config=config, track_changes=args.track_changes, author=args.author, force=args.force)
            written[key] = path
        except ReviewError as exc:
            print(f"{path}: error: {exc}", file=sys.stderr)
            code = EXIT_ERROR
            continue
        changes = f", {result.changes} tracked change{'s' if result.changes != 1 else ''}" if result.changes else ""
        if result.unplaced:
            changes += f" ({len(result.unplaced)} more could not be placed on their words; see `tilint check`)"
        out.write(f"{path} -> {result.output}: {len(result.findings)} finding{'s' if len(result.findings) != 1 else ''}{changes}\n")
    return code  # 0 when every copy was written (the findings are in the copies), 2 if any file failed


def _review_inputs(paths: list[str]) -> list[Path]:
    """Files as given; folders give their .docx, .odt and .pdf files (not earlier reviewed copies)."""
    from .linter import discover

    out: list[Path] = []
    for raw in paths:
        if Path(raw).is_dir():
            found = discover([raw], ("*.docx", "*.odt", "*.pdf"), ())
            out += [Path(f) for f in found.files if ".reviewed." not in Path(f).name]
        else:
            out.append(Path(raw))
    return out


# -- init and completion ---------------------------------------------------------------------


def cmd_init(args: argparse.Namespace, out: TextIO) -> int:
    from .scaffold import init_project

    for line in init_project(Path.cwd(), pre_commit=args.pre_commit, force=args.force):
        out.write(line + "\n")
    return EXIT_OK


def cmd_completion(args: argparse.Namespace, out: TextIO) -> int:
    try:
        import shtab
    except ImportError:
        raise UsageError("shell completion needs the shtab package: pip install shtab") from None
    out.write(shtab.complete(build_parser(), shell=args.shell))
    return EXIT_OK


# -- tilint lsp: the language server (the `lsp` extra; pygls is imported only by tilint.lsp)
def _add_lsp(sub: Any, common: argparse.ArgumentParser) -> None:
    lsp = sub.add_parser("lsp", help="run the language server on stdin/stdout (pip install 'tilint[lsp]')", parents=[common])
    lsp.add_argument("--stdio", action="store_true", help="accepted for clients that pass it (stdio is the only transport)")


def cmd_lsp(args: argparse.Namespace, out: TextIO) -> int:
    from . import lsp

    if not lsp.available():
        print(f"tilint: error: {lsp.MISSING_MESSAGE}", file=sys.stderr)
        return EXIT_ERROR
    return lsp.serve()


COMMANDS = {
    "check": cmd_check,
    "rules": cmd_rules,
    "explain": cmd_explain,
    "coverage": cmd_coverage,
    "report": cmd_report,
    "review": cmd_review,
    "init": cmd_init,
    "completion": cmd_completion,
    "lsp": cmd_lsp,
}


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """``parse_args``, except that paths may also follow options (``tilint check a.md -q
    b.md``, as ruff allows): argparse takes only the first run of positionals."""
    args, extra = parser.parse_known_args(argv)
    if extra and hasattr(args, "paths") and not any(e.startswith("-") and e != STDIN for e in extra):
        given = args.paths if args.paths != ["."] or "." in argv else []  # ["."] is check's default
        args.paths = [*given, *extra]
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def main(argv: Optional[Sequence[str]] = None, out: Optional[TextIO] = None) -> int:
    """Run the CLI; returns the exit code (the console script passes it to sys.exit)."""
    out = out or sys.stdout
    if argv is None and sys.argv[1:2] != ["lsp"]:  # the tilint command: one batch, then exit
        from .nlp import freeze_long_lived

        freeze_long_lived()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parse(build_parser(), argv)
    debug = getattr(args, "debug", False)
    try:
        return COMMANDS[args.command](args, out)
    except (DataError, UsageError) as exc:
        print(f"tilint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except ValueError as exc:  # e.g. a named spaCy pipeline that is not installed
        if debug:
            import traceback

            traceback.print_exc()
        print(f"tilint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # stdout closed before anything was counted
        _silence_stdout()
        return EXIT_OK
    except KeyboardInterrupt:
        print("tilint: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug in tilint: say so in one line, never look like "findings"
        if debug:
            import traceback

            traceback.print_exc()
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        hint = "" if debug else " (run with --debug for the traceback)"
        print(f"tilint: internal error: {exc.__class__.__name__}: {first}{hint}", file=sys.stderr)
        return EXIT_INTERNAL


def entry() -> None:  # pragma: no cover - console script wrapper
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    entry()
