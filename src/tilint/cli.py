"""Command line: a thin layer over the library (``tilint check|rules|explain|coverage``).

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings; 2 usage, config,
rule or input errors (the other files are still checked).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional, Sequence, TextIO

from . import __version__
from .config import Config, load_config
from .formatters import FORMATS, Report, Results, get_formatter
from .yamlutil import DataError

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _csv(values: Optional[list[str]]) -> Optional[tuple[str, ...]]:
    """Repeatable, comma-separated option values -> tuple (None when not given)."""
    if values is None:
        return None
    return tuple(v.strip() for item in values for v in item.split(",") if v.strip())


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, metavar="FILE", help="use this config file instead of discovering one")
    p.add_argument("--isolated", action="store_true", help="ignore all config files")
    p.add_argument("--select", action="append", metavar="RULES", help="rule ids, prefixes or categories to enable (comma-separated)")
    p.add_argument("--extend-select", action="append", metavar="RULES", help="add to the selection")
    p.add_argument("--ignore", action="append", metavar="RULES", help="rule ids, prefixes or categories to disable")
    p.add_argument("--rules", action="append", metavar="FILE", help="an extra rule pack (YAML); repeatable")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tilint",
        description="Trauma-informed language linter for policy documents.",
        epilog="Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage/config/input errors.",
    )
    parser.add_argument("--version", action="version", version=f"tilint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    check = sub.add_parser("check", help="lint files and folders")
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or folders (default: .)")
    _add_common(check)
    check.add_argument("--format", choices=sorted(FORMATS), default="text", help="output format (default: text)")
    check.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the report to FILE instead of stdout")
    check.add_argument("--fail-on", choices=["error", "warning", "info"], help="lowest severity that fails the run (default: warning)")
    check.add_argument("--include", action="append", metavar="GLOB", help="only lint files matching these globs in folders")
    check.add_argument("--exclude", action="append", metavar="GLOB", help="skip files matching these globs")
    check.add_argument("--mentions", choices=["skip", "report"], help="report terms that are quoted or mentioned (default: skip)")
    check.add_argument("--model", metavar="NAME", help="an installed spaCy pipeline to use instead of blank English")
    check.add_argument("--coverage", action="store_true", help="also report coverage of the trauma-informed principles")
    check.add_argument("--framework", metavar="NAME", help="coverage framework: samhsa-4r (default), samhsa-6, ohid-6 or a YAML file; implies --coverage")
    check.add_argument("--max-file-size", type=int, metavar="BYTES", help="skip files larger than this")
    check.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    check.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary")
    check.add_argument("--jobs", "-j", type=int, metavar="N", help="check files in N processes (0 = one per CPU; default 1)")
    check.add_argument("--show-config", action="store_true", help="print the effective configuration and exit")
    check.add_argument("--no-cache", action="store_true", help="analyse every file, even unchanged ones (results are otherwise cached)")
    fixing = check.add_mutually_exclusive_group()
    fixing.add_argument("--fix", action="store_true", help="apply safe fixes to Markdown and text files (atomic writes)")
    fixing.add_argument("--diff", action="store_true", help="print the fixes as a unified diff; change nothing")

    rules = sub.add_parser("rules", help="list the rules")
    _add_common(rules)
    rules.add_argument("--format", choices=["text", "json", "markdown"], default="text")

    explain = sub.add_parser("explain", help="explain a rule: rationale, suggestions, sources, examples")
    explain.add_argument("rule", metavar="RULE")
    _add_common(explain)

    coverage = sub.add_parser("coverage", help="which trauma-informed principles each document covers")
    coverage.add_argument("paths", nargs="+", metavar="PATH")
    coverage.add_argument("--framework", default=None, help="samhsa-4r (default), samhsa-6, ohid-6 or a YAML file")
    coverage.add_argument("--format", choices=["text", "json"], default="text")
    coverage.add_argument("--config", type=Path, metavar="FILE")
    coverage.add_argument("--isolated", action="store_true")
    _add_report_parser(sub)
    return parser


def _config(args: argparse.Namespace) -> Config:
    base = Config() if args.isolated else load_config(args.config)
    ignore, rules = _csv(args.ignore), _csv(getattr(args, "rules", None))
    overrides: dict[str, Any] = {
        "select": _csv(args.select),
        "extend_select": _csv(getattr(args, "extend_select", None)),
        "ignore": (*base.ignore, *ignore) if ignore else None,
        "extra_rules": (*base.extra_rules, *rules) if rules else None,
    }
    for name in ("fail_on", "mentions", "model", "max_file_size"):
        overrides[name] = getattr(args, name, None)
    if getattr(args, "include", None):
        overrides["include"] = _csv(args.include)
    exclude = _csv(getattr(args, "exclude", None))
    if exclude:
        overrides["exclude"] = (*base.exclude, *exclude)
    if getattr(args, "coverage", False) or getattr(args, "framework", None):
        framework = args.framework or base.coverage.get("framework", "samhsa-4r")
        overrides["coverage"] = {**base.coverage, "framework": framework, "enabled": True}
    return base.merged(**overrides)


def _use_color(choice: str, stream: TextIO) -> bool:
    return choice == "always" if choice != "auto" else _isatty(stream)


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from .linter import Linter, discover

    config = _config(args)
    if args.show_config:
        shown = {"config-file": config.path, **config.to_dict()}
        json.dump(shown, out, indent=2)
        out.write("\n")
        return EXIT_OK
    linter = Linter(config)
    if not args.no_cache:
        linter.use_result_cache()
    found = discover(args.paths, config.include, config.exclude)
    jobs = args.jobs if args.jobs is not None else config.jobs
    jobs = (os.cpu_count() or 1) if jobs == 0 else jobs
    show_progress = not args.quiet and sys.stderr.isatty()
    if args.fix or args.diff or (show_progress and _isatty(out) and not args.output):
        # fixes need every result first; so does a progress bar sharing the terminal
        with _progress(len(found.files), enabled=show_progress) as advance:
            results = linter.lint_found(found, jobs=jobs, progress=advance)
        if args.diff:
            return _show_diff(results, config, out)
        if args.fix:
            _apply_fixes(results, config, out if args.format == "text" and not args.output else sys.stderr)
        return _report(args, config, linter, found, results, out)
    with _progress(len(found.files), enabled=show_progress) as advance:
        # the report is written while files are checked
        return _report(args, config, linter, found, Results(linter.iter_found(found, jobs=jobs, progress=advance)), out)


def _isatty(stream: TextIO) -> bool:
    return hasattr(stream, "isatty") and stream.isatty()


def _report(args: argparse.Namespace, config: Config, linter, found, results, out: TextIO) -> int:
    try:
        target = args.output.open("w", encoding="utf-8") if args.output else out
    except OSError as exc:
        print(f"tilint: error: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    try:
        report = Report(
            results=results,
            rules=linter.rules,
            skipped=found.skipped,
            fail_on=config.fail_on,
            color=_use_color(args.color, target),
            show_summary=not args.quiet,
        )
        get_formatter(args.format)(report, target)
    finally:
        if args.output:
            target.close()
    return linter.exit_code(results)


def _show_diff(results, config: Config, out: TextIO) -> int:
    from .fix import plan_fixes

    fixes = [f for f in (plan_fixes(r, config.max_file_size) for r in results) if f]
    for fix in fixes:
        out.write(fix.diff())
    count = sum(len(f.edits) for f in fixes)
    print(f"{count} fix{'es' if count != 1 else ''} available in {len(fixes)} file{'s' if len(fixes) != 1 else ''} (nothing written).", file=sys.stderr)
    return EXIT_FINDINGS if fixes else EXIT_OK


def _apply_fixes(results, config: Config, log: TextIO) -> None:
    from .fix import apply_fix, plan_fixes, remaining

    for result in results:
        fix = plan_fixes(result, config.max_file_size)
        if fix is None:
            continue
        try:
            apply_fix(fix)
        except OSError as exc:
            print(f"{fix.path}: error: could not write fixes ({exc.strerror or exc})", file=log)
            continue
        for e in fix.edits:
            f = e.finding
            print(f"fixed {fix.path}:{f.line}:{f.column}: {f.rule_id} '{f.match}' -> '{e.replacement}'", file=log)
        remaining(result, fix.edits)


@contextmanager
def _progress(total: int, *, enabled: bool):
    """A rich progress bar on stderr for scans of more than a few files."""
    if not enabled or total <= 3:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("checking"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("files", total=total)
        yield lambda _path: bar.advance(task)


def _ruleset(args: argparse.Namespace):
    from .linter import Linter

    return Linter(_config(args)).rules


def cmd_rules(args: argparse.Namespace, out: TextIO) -> int:
    from .formatters.rules import render_rules

    render_rules(_ruleset(args), args.format, out)
    return EXIT_OK


def cmd_explain(args: argparse.Namespace, out: TextIO) -> int:
    from .formatters.rules import render_explain

    rules = _ruleset(args)
    try:
        rule = rules.get(args.rule)
    except KeyError as exc:
        print(f"tilint: error: {exc.args[0]} (see `tilint rules`)", file=sys.stderr)
        return EXIT_ERROR
    render_explain(rule, out)
    return EXIT_OK


def cmd_coverage(args: argparse.Namespace, out: TextIO) -> int:
    from .coverage import check_document
    from .linter import discover
    from .models import FileError, FileResult
    from .readers import ReadError, read_document

    config = Config() if args.isolated else load_config(args.config)
    framework = args.framework or config.coverage.get("framework", "samhsa-4r")
    found = discover(args.paths, config.include, config.exclude)
    results = [FileResult(path=p, errors=[FileError(m)]) for p, m in found.missing]
    for path in found.files:
        try:
            doc = read_document(Path(path), max_bytes=config.max_file_size)
        except ReadError as exc:
            results.append(FileResult(path=path, errors=[FileError(str(exc))]))
            continue
        results.append(FileResult(path=path, coverage=check_document(doc, framework=framework)))
    results.sort(key=lambda r: r.path)
    if args.format == "json":
        json.dump({"version": 1, "files": [r.to_dict() for r in results]}, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        from .formatters.text import render_file
        from rich.console import Console

        console = Console(file=out, no_color=not _use_color("auto", out), highlight=False, soft_wrap=False)
        for r in results:
            render_file(console, r)
    return EXIT_ERROR if any(r.errors for r in results) else EXIT_OK


# -- tilint report: the governance report (HTML, CSV) ----------------------------------


def _add_report_parser(sub) -> None:
    report = sub.add_parser("report", help="a self-contained HTML governance report for a folder of policies")
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
    report.add_argument("--max-file-size", type=int, metavar="BYTES", help="skip files larger than this")
    report.add_argument("--jobs", "-j", type=int, metavar="N", help="check files in N processes (0 = one per CPU; default 1)")
    report.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary line")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _output_clash(found, outputs: list[Path], named: Sequence[str]) -> Optional[Path]:
    """The first output that is one of the documents found (never overwritten). The
    report of an earlier run, found inside a scanned folder, is left out of the
    documents instead, so the same command can run again."""
    from .formatters.report import is_report

    for path in list(found.files):
        for target in outputs:
            if not _same_file(Path(path), target):
                continue
            if target == outputs[0] and is_report(target) and not any(_same_file(Path(p), target) for p in named):
                found.files.remove(path)
                continue
            return target
    return None


def cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    from .formatters.report import build_model, write_csv, write_html
    from .formatters.report.spreadsheet import CSV_FILES
    from .linter import Linter, discover

    config = _config(args)
    config = config.merged(coverage={**config.coverage, "framework": config.coverage.get("framework", "samhsa-4r"), "enabled": True})
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
        results = linter.lint_found(found, jobs=jobs, progress=advance)
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


COMMANDS = {"check": cmd_check, "rules": cmd_rules, "explain": cmd_explain, "coverage": cmd_coverage, "report": cmd_report}


def main(argv: Optional[Sequence[str]] = None, out: Optional[TextIO] = None) -> int:
    """Run the CLI; returns the exit code (the console script passes it to sys.exit)."""
    out = out or sys.stdout
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args, out)
    except DataError as exc:
        print(f"tilint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except ValueError as exc:  # e.g. a named spaCy pipeline that is not installed
        print(f"tilint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # `tilint check | head`
        return EXIT_OK
    except KeyboardInterrupt:
        print("tilint: interrupted", file=sys.stderr)
        return 130


def entry() -> None:  # pragma: no cover - console script wrapper
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    entry()
