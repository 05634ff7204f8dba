"""Helpers shared by the structured-document readers (Word, OpenDocument, HTML, PDF).

* :class:`SectionTracker` turns a stream of headings with levels into the heading
  path (``("3 Procedure", "3.2 Missed appointments")``) stored in
  :attr:`Location.section`.
* :func:`open_zip` opens a .docx/.odt container and refuses zip bombs *before*
  anything is extracted, using the sizes the archive declares; :func:`safe_package`
  then inflates every part in small chunks (declared sizes can lie), streams its XML
  through a parser that keeps nothing, and re-packs what it read for the format
  library.
* :func:`time_limit` interrupts a read that runs too long (pure-Python parsers
  such as pdfminer can spin on hostile input).
* :func:`quiet_libraries` keeps library log records (pypdf, pdfminer) and
  warnings off stderr while a reader runs.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import signal
import threading
import warnings
import zipfile
from typing import Iterator

from . import ReadError

__all__ = [
    "SectionTracker", "open_zip", "missing_part", "quiet_libraries", "safe_package",
    "time_limit", "ZIP_LIMITS", "first_line",
]

# Zip bomb limits: total declared uncompressed size, one member's expansion ratio
# (only for members big enough to matter), and member count. Real policy documents
# are far below these: a 40-page .docx inflates to ~1 MB of XML.
ZIP_LIMITS = {
    "max_total": 200 * 1024 * 1024,
    "max_ratio": 100,
    "ratio_floor": 1024 * 1024,
    "max_members": 10_000,
    # what the XML parts may really hold, measured while inflating (declared sizes can lie)
    "max_xml_bytes": 64 * 1024 * 1024,
    "max_xml_elements": 400_000,  # odfpy keeps ~400 bytes of Python objects per node
    "max_xml_depth": 1_000,
    "keep_binary": 64 * 1024,  # larger non-XML parts (images, embeddings) are not needed for text
}


class SectionTracker:
    """Keeps the current heading path; a heading replaces those at its level or deeper."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, str]] = []

    def heading(self, level: int, text: str) -> tuple[str, ...]:
        """Record a heading of ``level`` (1 = top) and return the new path."""
        self._stack = [h for h in self._stack if h[0] < level]
        self._stack.append((level, text))
        return self.path

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(text for _, text in self._stack)


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (library messages can be multi-line)."""
    text = str(exc).strip().splitlines()
    return text[0].strip() if text else exc.__class__.__name__


def missing_part(exc: KeyError) -> str:
    """The member name from zipfile's "There is no item named 'x' in the archive"."""
    text = str(exc.args[0]) if exc.args else ""
    m = re.search(r"named '([^']*)'", text)
    return m.group(1) if m else text.strip("'\"")


def open_zip(data: bytes, kind: str, required: str) -> zipfile.ZipFile:
    """Open ``data`` as a zip container of ``kind`` (e.g. "Word document") safely.

    Raises :class:`ReadError` if it is not a zip, lacks the ``required`` member,
    or declares sizes that look like a zip bomb.
    """
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReadError(f"{kind} is password-protected or in an old binary format; save it as {_ext(kind)} without a password")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise ReadError(f"damaged {kind}: not a valid zip container (truncated or corrupt file?)") from None
    if len(infos) > ZIP_LIMITS["max_members"]:
        raise ReadError(f"refused {kind}: {len(infos)} parts in the archive (possible zip bomb)")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > ZIP_LIMITS["ratio_floor"] and info.file_size > ZIP_LIMITS["max_ratio"] * max(info.compress_size, 1):
            raise ReadError(
                f"refused {kind}: part {info.filename} expands {info.file_size // max(info.compress_size, 1)}x "
                f"(possible zip bomb)"
            )
    if total > ZIP_LIMITS["max_total"]:
        raise ReadError(
            f"refused {kind}: parts expand to {total / 1_048_576:.0f} MB, over the "
            f"{ZIP_LIMITS['max_total'] / 1_048_576:.0f} MB limit (possible zip bomb)"
        )
    names = {info.filename for info in infos}
    if required not in names:
        raise ReadError(f"damaged {kind}: {required} is missing")
    return zf


def safe_package(data: bytes, kind: str, required: str) -> bytes:
    """A copy of a .docx/.odt container that a format library can open within bounds.

    :func:`open_zip` checks the sizes the archive declares, but a declared size bounds
    only what :mod:`zipfile` returns, not what it inflates: ``ZipFile.read`` inflates a
    member's whole compressed stream before cutting it to the declared size. So every
    member is inflated here in small chunks, its XML streamed through a parser that
    counts elements and depth and keeps nothing, and the container is re-packed
    (stored) with exactly what was read. Large non-XML parts (pictures) are emptied:
    only text is read. Raises :class:`ReadError` with one line on any breach.
    """
    zf = open_zip(data, kind, required)
    out = io.BytesIO()
    budget = {"bytes": ZIP_LIMITS["max_xml_bytes"], "elements": ZIP_LIMITS["max_xml_elements"]}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as packed:
        for info in zf.infolist():
            if info.is_dir():
                continue
            content = _inflate(zf, info, kind, budget)
            packed.writestr(zipfile.ZipInfo(info.filename, date_time=info.date_time), content)
    return out.getvalue()


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, kind: str, budget: dict) -> bytes:
    chunks: list[bytes] = []
    size = 0
    try:
        with zf.open(info) as member:
            head = member.read(4096)
            is_xml = head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
            limit = budget["bytes"] if is_xml else ZIP_LIMITS["keep_binary"]
            chunk = head
            while chunk:
                size += len(chunk)
                if size > limit:
                    if not is_xml:  # a picture or embedding: not needed, not kept
                        return b""
                    raise ReadError(
                        f"refused {kind}: its XML expands past {ZIP_LIMITS['max_xml_bytes'] // 1_048_576} MB (possible zip bomb)"
                    )
                chunks.append(chunk)
                chunk = member.read(1 << 20)
    except ReadError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError, NotImplementedError):
        raise ReadError(f"damaged {kind}: cannot extract {info.filename}") from None
    content = b"".join(chunks)
    if is_xml:
        budget["bytes"] -= len(content)
        _stream_check(content, info.filename, kind, budget)
    return content


def _stream_check(content: bytes, name: str, kind: str, budget: dict) -> None:
    """Parse ``content`` keeping nothing: refuse DTDs, malformed XML, and more elements
    or deeper nesting than a real document has (memory stays flat whatever the part holds)."""
    from lxml import etree

    if b"<!DOCTYPE" in content[:4096] or b"<!ENTITY" in content[:4096]:
        raise ReadError(f"refused {kind}: {name} declares a DTD (entity expansion is not allowed)")
    depth = 0
    max_depth = ZIP_LIMITS["max_xml_depth"]
    try:
        events = etree.iterparse(
            io.BytesIO(content), events=("start", "end"), resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
        )
        for event, element in events:
            if event == "start":
                depth += 1
                budget["elements"] -= 1
                if depth > max_depth:
                    raise ReadError(f"refused {kind}: {name} is nested too deeply (over {max_depth:,} levels)")
                if budget["elements"] < 0:
                    raise ReadError(
                        f"refused {kind}: over {ZIP_LIMITS['max_xml_elements']:,} XML elements (too large to read safely)"
                    )
            else:
                depth -= 1
                element.clear(keep_tail=True)  # keep memory flat
    except etree.XMLSyntaxError as exc:
        line = f"line {exc.lineno}: " if exc.lineno else ""
        message = (exc.msg or "not well-formed").splitlines()[0].split(" (<string>", 1)[0]
        raise ReadError(f"damaged {kind}: invalid XML in {name} ({line}{message})") from None


def _ext(kind: str) -> str:
    return ".docx" if kind.startswith("Word") else ".odt"


_QUIET_LOGGERS = ("pypdf", "pypdfium2", "docx", "odf")


@contextlib.contextmanager
def quiet_libraries() -> Iterator[None]:
    """Silence library loggers and warnings for the duration of a read."""
    saved = []
    for name in _QUIET_LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level))
        # Child loggers ("pypdf._reader") inherit this effective level.
        logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in saved:
            logger.setLevel(level)


class _Timeout(BaseException):
    """Raised by the alarm; a BaseException so library ``except Exception`` cannot swallow it."""


@contextlib.contextmanager
def time_limit(seconds: float, message: str) -> Iterator[None]:
    """Raise ``ReadError(message)`` if the block runs longer than ``seconds``.

    Uses SIGALRM, so it works only in the main thread on POSIX and only when no
    one else uses the alarm; otherwise it does nothing and the caller's own
    between-page checks are the bound. (``--jobs`` workers run reads in their
    main thread, so they are covered.)
    """
    usable = (
        seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0
    )
    if not usable:
        yield
        return

    def on_alarm(signum: int, frame: object) -> None:
        raise _Timeout()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Timeout:
        raise ReadError(message) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
