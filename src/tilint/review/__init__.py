"""Review renderers: a reviewed copy of a Word or PDF policy with tilint's findings in it.

* Word (:func:`review_docx`): a comment anchored on exactly the matched words of
  each finding, safe fixes as tracked changes (``track_changes=True``) and a
  summary comment on the first paragraph with the coverage of the principles.
* OpenDocument (:func:`review_odt`): the same comments as office annotations.
* PDF (:func:`review_pdf`): a highlight with a popup note on the matched words,
  and the summary as a note on page 1.

These sit on the results (read -> lint -> findings -> render): the readers give
the positions back into the file, the linter the findings; nothing here changes
what ``check`` finds. The input is never written: the copy goes to a temporary
file beside ``out`` and is renamed into place, so a failure leaves nothing behind.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

from ..config import Config
from ..models import Finding

if TYPE_CHECKING:
    from ..coverage import CoverageReport

__all__ = [
    "ReviewError", "ReviewResult", "review_docx", "review_odt", "review_pdf", "review_file", "default_output",
    "REVIEW_SUFFIXES", "DEFAULT_AUTHOR",
]

DEFAULT_AUTHOR = "tilint"
REVIEW_SUFFIXES = (".docx", ".odt", ".pdf")
# The last line of every comment tilint writes; with the author it tells a re-run
# which comments are its own (a person's comments are always kept).
SIGNATURE = "tilint review"


class ReviewError(Exception):
    """A file could not be reviewed. The message is one line, without the path."""


@dataclass
class ReviewResult:
    """What one review wrote."""

    path: str
    output: str
    findings: list[Finding] = field(default_factory=list)  # every finding that got a comment or note
    comments: int = 0  # comments or notes written, the summary included
    changes: int = 0  # tracked changes written (Word, --track-changes)
    unplaced: list[Finding] = field(default_factory=list)  # findings whose words could not be found
    coverage: Optional["CoverageReport"] = None


def default_output(path: Path) -> Path:
    """``policy.docx`` -> ``policy.reviewed.docx`` beside it."""
    return path.with_name(f"{path.stem}.reviewed{path.suffix}")


def review_docx(
    path: str | Path,
    out: str | Path | None = None,
    *,
    config: Optional[Config] = None,
    track_changes: bool = False,
    author: str = DEFAULT_AUTHOR,
    force: bool = False,
) -> ReviewResult:
    """Write a reviewed copy of a Word document to ``out`` (default ``NAME.reviewed.docx``).

    Raises :class:`ReviewError` (one line) for unreadable input, ``out`` naming the
    input, or an existing ``out`` without ``force=True``.
    """
    from .docx import render

    return _review(path, out, config, force, lambda data, cfg: render(data, str(path), cfg, author=author, track_changes=track_changes))


def review_pdf(path: str | Path, out: str | Path | None = None, *, config: Optional[Config] = None,
               author: str = DEFAULT_AUTHOR, force: bool = False) -> ReviewResult:
    """Write a copy of a PDF with each finding highlighted and noted (default ``NAME.reviewed.pdf``)."""
    return _notes_only("pdf", path, out, config, author, force)


def review_odt(path: str | Path, out: str | Path | None = None, *, config: Optional[Config] = None,
               author: str = DEFAULT_AUTHOR, force: bool = False) -> ReviewResult:
    """Write a copy of an OpenDocument text with an annotation on each finding's words."""
    return _notes_only("odt", path, out, config, author, force)


def _notes_only(kind: str, path: str | Path, out: str | Path | None, config: Optional[Config], author: str, force: bool) -> ReviewResult:
    """Review with the renderer module ``kind`` (pdf, odt), which writes notes and no changes."""
    import importlib

    render = importlib.import_module(f"{__name__}.{kind}").render
    return _review(path, out, config, force, lambda data, cfg: render(data, str(path), cfg, author=author))


def review_file(path: str | Path, out: str | Path | None = None, *, track_changes: bool = False, **kwargs: Any) -> ReviewResult:
    """:func:`review_docx` or :func:`review_pdf` by the file's suffix."""
    suffix = Path(path).suffix.lower()
    if suffix == ".docx":
        return review_docx(path, out, track_changes=track_changes, **kwargs)
    if suffix == ".pdf":
        return review_pdf(path, out, **kwargs)
    if suffix == ".odt":
        return review_odt(path, out, **kwargs)
    raise ReviewError(f"cannot review '{suffix or Path(path).name}' files (review writes .docx, .odt and .pdf copies)")


Renderer = Callable[[bytes, Config], tuple[bytes, ReviewResult]]


def _review(path: str | Path, out: str | Path | None, config: Optional[Config], force: bool, render: Renderer) -> ReviewResult:
    from ..readers import ReadError

    path = Path(path)
    target = Path(out) if out is not None else default_output(path)
    config = config or Config()
    _check_target(path, target, force)
    data = _read(path, config.max_file_size)
    try:
        written, result = render(data, config)
    except ReadError as exc:
        raise ReviewError(str(exc)) from None
    except ReviewError:
        raise
    except (MemoryError, RecursionError):
        raise ReviewError("file is too large or nested too deeply to review") from None
    except Exception as exc:  # a format library failing on a hostile file
        detail = (str(exc).strip().splitlines() or [""])[0][:200]
        raise ReviewError(f"cannot review file ({exc.__class__.__name__}: {detail})") from None
    _write_atomic(target, written)
    result.output = str(target)
    return result


def _check_target(path: Path, target: Path, force: bool) -> None:
    if target.exists() and path.exists() and target.resolve() == path.resolve():
        raise ReviewError(f"refusing to overwrite the input with its review ({target})")
    if target.is_dir():
        raise ReviewError(f"{target} is a folder")
    if target.exists() and not force:
        raise ReviewError(f"{target} already exists (use --force to replace it)")


def _read(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ReviewError(f"file is {size / 1_048_576:.1f} MB, over the {max_bytes / 1_048_576:.1f} MB limit (max-file-size)")
        return path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise ReviewError(reason[0].lower() + reason[1:]) from None


def _write_atomic(target: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``target``, then rename it into place."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tilint", dir=str(target.parent))
    except OSError as exc:
        raise ReviewError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ReviewError(f"cannot write {target}: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ------------------------------------------------------------------------------ text


def comment_text(f: Finding, where: str = "") -> str:
    """A finding in plain words: message, what to try, the guidance, and tilint's signature.

    ``where`` prefixes the words when the note cannot sit on them (a Word header).
    """
    lines = []
    if where:
        lines.append(f'{where}: "{f.match}"')
    lines.append(f.message)
    if f.suggestions:
        lines.append("Try: " + "; ".join(f'"{s}"' for s in f.suggestions))
    for s in f.sources[:2]:
        lines.append(f"Source: {s.cite()}. {s.url}")
    lines.append(f"{SIGNATURE} · {f.rule_id} {f.name} ({f.severity})")
    return "\n".join(lines)


def summary_text(findings: list[Finding], coverage: Optional["CoverageReport"], changes: int = 0) -> str:
    """The summary note: counts, then each principle as covered / partial / missing."""
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    parts = [f"{counts[s]} {s}{'s' if counts[s] != 1 and s != 'info' else ''}" for s in ("error", "warning", "info") if s in counts]
    total = len(findings)
    head = f"tilint found {total} wording issue{'s' if total != 1 else ''}"
    head += f" ({', '.join(parts)}); each has its own comment on the words." if total else "."
    if changes:
        head += f" {changes} safe fix{'es are' if changes != 1 else ' is'} offered as tracked changes: accept or reject each."
    lines = [head]
    if coverage is not None:
        fw = coverage._framework
        title = fw.title if fw is not None else coverage.framework
        lines.append(f"Trauma-informed principles ({title}):")
        guidance: dict[str, str] = {}
        for p in coverage.principles:
            line = f"• {p.name}: {p.status}"
            if p.status != "covered":
                line += f". What to add: {p.suggestion}"
                guidance.update((s.id, f"{s.cite()}. {s.url}") for s in p.sources[:1])
            lines.append(line)
        lines += [f"Guidance: {text}" for text in guidance.values()]
    lines.append(f"{SIGNATURE} · summary")
    return "\n".join(lines)


def lint_and_cover(doc: Any, config: Config, *, coverage: bool = True) -> tuple[list[Finding], Optional["CoverageReport"]]:
    """Findings with words to anchor (coverage findings go in the summary) and, if asked, the coverage report."""
    from .. import _linter
    from ..coverage import check_document

    result = _linter(config).lint_document(doc)
    findings = [f for f in result.findings if f.match and f.category != "coverage"]
    if not coverage:
        return findings, None
    framework = config.coverage.get("framework", "samhsa-4r") if config.coverage else "samhsa-4r"
    return findings, result.coverage if result.coverage is not None else check_document(doc, framework=framework)
