"""A minimal JSON-RPC client for driving ``tilint lsp`` over stdio from Python.

Standard library only. The test suite and benchmarks/lsp_latency.py use it; it may
also serve scripts that want editor-style diagnostics. Requests the server sends
(``client/registerCapability``...) are answered with ``null`` and recorded.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

__all__ = ["StdioClient", "LspError"]


class LspError(Exception):
    """The server answered a request with an error."""


class StdioClient:
    def __init__(self, argv: Sequence[str], *, cwd: Optional[str | Path] = None, env: Optional[dict] = None):
        self.proc = subprocess.Popen(list(argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env)
        self.messages: list[dict] = []  # notifications and requests from the server, in order
        self.stderr: list[str] = []
        self._responses: dict[int, dict] = {}
        self._cond = threading.Condition()
        self._next_id = 0
        self._write_lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    # -- wire ---------------------------------------------------------------------------
    def _send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        with self._write_lock:
            assert self.proc.stdin is not None
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.proc.stdin.flush()

    def send_raw(self, body: bytes) -> None:
        """Send a frame with any body (to test how the server copes with bad input)."""
        with self._write_lock:
            assert self.proc.stdin is not None
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.proc.stdin.flush()

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    with self._cond:
                        self._cond.notify_all()
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if length is None:
                continue
            message = json.loads(out.read(length))
            if "method" in message and "id" in message:  # a request from the server
                self._send({"id": message["id"], "result": None})
            with self._cond:
                if "method" in message:
                    self.messages.append(message)
                else:
                    self._responses[message["id"]] = message
                self._cond.notify_all()

    def _drain_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line.decode("utf-8", "replace"))

    # -- API ----------------------------------------------------------------------------
    def notify(self, method: str, params: Any = None) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: Any = None, *, timeout: float = 120) -> Any:
        with self._cond:
            self._next_id += 1
            rid = self._next_id
        self._send({"id": rid, "method": method, "params": params})
        with self._cond:
            if not self._cond.wait_for(lambda: rid in self._responses or self.proc.poll() is not None, timeout):
                raise TimeoutError(f"no answer to {method} in {timeout} s")
            if rid not in self._responses:
                raise LspError(f"the server exited while answering {method}")
            response = self._responses.pop(rid)
        if "error" in response:
            raise LspError(response["error"].get("message", str(response["error"])))
        return response.get("result")

    def wait_for(self, method: str, predicate: Callable[[Any], bool] = lambda p: True, *, after: int = 0, timeout: float = 120) -> tuple[int, Any]:
        """The first message ``method`` at index >= ``after`` whose params satisfy
        ``predicate``; returns (index, params)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for i in range(after, len(self.messages)):
                    m = self.messages[i]
                    if m["method"] == method and predicate(m.get("params")):
                        return i, m.get("params")
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.proc.poll() is not None:
                    raise TimeoutError(f"no {method} matching in {timeout} s; stderr: {''.join(self.stderr)[-2000:]}")
                self._cond.wait(remaining)

    def diagnostics(self, uri: str, version: Optional[int] = None, *, after: int = 0, timeout: float = 120,
                    where: Callable[[list], bool] = lambda d: True) -> tuple[int, list[dict]]:
        """The next diagnostics published for ``uri`` (of ``version``, if given)."""
        def match(p: Any) -> bool:
            return p["uri"] == uri and (version is None or p.get("version") == version) and where(p["diagnostics"])

        i, params = self.wait_for("textDocument/publishDiagnostics", match, after=after, timeout=timeout)
        return i, params["diagnostics"]

    def initialize(self, root: Path, options: Optional[dict] = None, *, watch: bool = True, folders: Sequence[Path] = ()) -> Any:
        """``initialize`` and ``initialized``; ``folders`` are the workspace folders (default: root)."""
        uri = root.resolve().as_uri()
        workspace = [{"uri": f.resolve().as_uri(), "name": f.name} for f in folders or [root]]
        caps = {
            "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": watch}, "workspaceFolders": True},
            "textDocument": {"publishDiagnostics": {"versionSupport": True}, "hover": {"contentFormat": ["markdown"]}},
            "general": {"positionEncodings": ["utf-16"]},
        }
        result = self.request("initialize", {"processId": None, "rootUri": uri, "capabilities": caps,
                                             "workspaceFolders": workspace,
                                             "initializationOptions": options or {}})
        self.notify("initialized", {})
        return result

    def shutdown(self, *, timeout: float = 60) -> int:
        """``shutdown`` then ``exit``; the server's exit code."""
        self.request("shutdown")
        self.notify("exit")
        try:
            return self.proc.wait(timeout)
        finally:
            self.close()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass
