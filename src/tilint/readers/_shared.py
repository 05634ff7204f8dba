"""Helpers shared by the structured-document readers (Word, OpenDocument, HTML, PDF).

* :class:`SectionTracker` turns a stream of headings with levels into the heading
  path (``("3 Procedure", "3.2 Missed appointments")``) stored in
  :attr:`Location.section`.
* :func:`open_zip` opens a .docx/.odt container and refuses zip bombs *before*
  anything is extracted, using the sizes the archive declares. Python's
  :mod:`zipfile` never inflates a member past its declared size (it stops and
  fails the CRC check), so checking the declared sizes bounds memory.
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
    "SectionTracker", "open_zip", "check_xml_part", "missing_part", "quiet_libraries", "time_limit",
    "ZIP_LIMITS", "first_line",
]

# Zip bomb limits: total declared uncompressed size, one member's expansion ratio
# (only for members big enough to matter), and member count. Real policy documents
# are far below these: a 40-page .docx inflates to ~1 MB of XML.
ZIP_LIMITS = {
    "max_total": 200 * 1024 * 1024,
    "max_ratio": 100,
    "ratio_floor": 1024 * 1024,
    "max_members": 10_000,
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


def check_xml_part(zf: zipfile.ZipFile, name: str, kind: str) -> None:
    """Refuse a part that is not well-formed XML or declares a DTD.

    Office and ODF XML never have a DTD; entity declarations only serve expansion
    tricks. Checking here, with a parser that resolves nothing, also gives one
    clear message naming the part instead of whatever the format library says.
    Missing parts are ignored (the caller checks required ones).
    """
    from lxml import etree

    try:
        content = zf.read(name)
    except KeyError:
        return
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError, NotImplementedError):
        raise ReadError(f"damaged {kind}: cannot extract {name}") from None
    if b"<!DOCTYPE" in content[:4096] or b"<!ENTITY" in content[:4096]:
        raise ReadError(f"refused {kind}: {name} declares a DTD (entity expansion is not allowed)")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        line = f"line {exc.lineno}: " if exc.lineno else ""
        message = (exc.msg or "not well-formed").splitlines()[0]
        message = message.split(" (<string>", 1)[0]
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
