"""The tilint language server: ``tilint lsp`` (stdio), for any editor with an LSP client.

Install with ``pip install tilint[lsp]`` (pygls and lsprotocol). pygls is imported
only by :mod:`tilint.lsp.server`, so the core install never needs it; see
docs/editors.md for editor set-up.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util

__all__ = ["available", "serve", "MISSING_MESSAGE"]

MISSING_MESSAGE = "the language server needs the 'lsp' extra (pygls 2): pip install 'tilint[lsp]'"


def available() -> bool:
    """True if pygls 2 and lsprotocol can be imported (pygls 1 has another API)."""
    if not all(importlib.util.find_spec(name) is not None for name in ("pygls", "lsprotocol")):
        return False
    try:
        return int(importlib.metadata.version("pygls").split(".")[0]) >= 2
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return True  # importable but not installed as a distribution (a checkout): try it


def serve() -> int:
    """Run the server on stdin/stdout until the client sends ``exit``; the exit code."""
    from .server import serve as _serve

    return _serve()
