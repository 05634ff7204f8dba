"""Piped output without trailing spaces (rich pads table cells and titles)."""

from __future__ import annotations

from typing import TextIO

__all__ = ["NoTrailingSpaces", "plain_stream"]


class NoTrailingSpaces:
    """A file wrapper that strips trailing spaces from every line (rich pads tables)."""

    def __init__(self, out: TextIO):
        self.out = out
        self._pending = ""

    def write(self, text: str) -> int:
        text = self._pending + text
        lines = text.split("\n")
        self._pending = lines.pop()
        for line in lines:
            self.out.write(line.rstrip() + "\n")
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self.out.write(self._pending.rstrip())
            self._pending = ""
        self.out.flush()

    def isatty(self) -> bool:
        return False


def plain_stream(out: TextIO) -> TextIO:
    """``out`` itself on a terminal; elsewhere a wrapper that strips trailing spaces."""
    if hasattr(out, "isatty") and out.isatty():
        return out
    return NoTrailingSpaces(out)  # type: ignore[return-value]
