"""The watchdog: each file is checked in a worker process under a deadline and a memory
bound, so a file that hangs or balloons inside a C library costs only its own result.

A worker is a process forked from the caller (it inherits the compiled rules and, when
the caller built it first, the spaCy pipeline). The parent hands it one file at a time
over a pipe and waits with ``select``; a worker past its file's deadline is killed
(``SIGKILL``: nothing it runs can ignore that) and replaced, and one that dies gets its
file a one-line error. Memory is bounded by ``RLIMIT_AS`` set in the worker before each
file: an allocation past it fails (``MemoryError`` in Python, a failed ``malloc`` in a
C library) rather than taking the machine's memory.

Files are handed out largest first, one at a time, to whichever worker is free (so no
large file is left for one worker at the end), and results come back in the caller's
order. Objects the caller names as ``shared`` (a rule's sources, the same in every
finding of that rule) travel back as a reference to the parent's own copy, which the
forked worker inherited: they were most of a result's bytes and of the parent's time
unpickling. A file whose worker dies is tried once more in a fresh one (the out-of-memory
killer may have picked the worker for another process's use); a second death is its
error. Only imports the standard library's ``os``, ``io``, ``pickle`` and ``select``, so a
one-file pre-commit run pays for a fork and nothing else.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import select
import signal
import struct
import time
import traceback
from typing import Callable, Generator, Iterable, Iterator, NoReturn, Optional, Sequence, Union

from .models import FileError, FileResult

__all__ = ["available", "run_isolated", "unbounded", "timeout_message", "memory_message", "crash_message"]

_HEADER = struct.Struct("!Q")
_LIMIT_MB: Optional[int] = None  # the bound in force in this (worker) process
workers_started = 0  # in this process, over its life (tests read it)
# CPU seconds of the last run_isolated: this process's own when it forked its first worker, and each reaped
# worker's (benchmarks/run.py reads them to find what -j N leaves serial)
cpu = {"parent_at_first_fork": None, "workers": []}  # type: dict
_OPEN: set[int] = set()  # the parent's ends of every live worker's pipes


def available() -> bool:
    """Workers are forked: Linux and macOS (elsewhere files are checked in-process)."""
    return hasattr(os, "fork")


def timeout_message(seconds: float) -> str:
    return f"not checked: reading and checking it took over {seconds:g} s (the per-file time limit, `timeout`)"


def memory_message(mb: int) -> str:
    return f"not checked: it needed over {mb:,} MB of memory (the per-file limit, `max-memory`)"


def crash_message(status: int, mb: int) -> str:
    how = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit code {os.waitstatus_to_exitcode(status)}"
    return f"not checked: its worker process crashed ({how}), perhaps out of memory (the limit is {mb:,} MB)"


def run_isolated(
    files: Sequence[str],
    work: Callable[[str], FileResult],
    *,
    jobs: int,
    timeout: float,
    max_memory_mb: int,
    shared: Iterable[object] = (),
) -> Generator[FileResult, None, None]:
    """``work(path)`` for each of ``files`` in ``jobs`` forked workers, results in
    ``files`` order. ``shared``: objects that exist before the workers are forked and
    outlive them, sent back by reference wherever a result holds them."""
    cpu.update(parent_at_first_fork=None, workers=[])  # this run's figures only
    table = {id(obj): obj for obj in shared}
    sizes = {}
    for f in files:
        try:
            sizes[f] = os.path.getsize(f)
        except OSError:
            sizes[f] = 0  # the worker reports it
    pending = sorted(range(len(files)), key=lambda i: -sizes[files[i]])[::-1]  # pop() takes the largest
    done: dict[int, FileResult] = {}
    retried: set[int] = set()
    workers: list[_Worker] = []
    next_out = 0
    try:
        while next_out < len(files):
            while pending and len(workers) < min(jobs, len(files)):
                workers.append(_Worker(work, max_memory_mb, table))
            for w in workers:
                if w.task is None and pending:
                    w.give(pending.pop(), files, timeout)
            busy = [(w.task, w) for w in workers if w.task is not None]
            if busy:
                wait = max(min(w.deadline for _, w in busy) - time.monotonic(), 0)
                ready = select.select([w.results for _, w in busy], [], [], wait)[0]
                for i, w in busy:
                    if w.results in ready:
                        result = w.receive(files[i], max_memory_mb)
                        if not w.alive and i not in retried:  # killed from outside (the OOM killer)? once more
                            retried.add(i)
                            pending.append(i)
                            workers.remove(w)
                            continue
                    elif time.monotonic() >= w.deadline:
                        result = FileResult(path=files[i], errors=[FileError(timeout_message(timeout))])
                        w.stop()
                    else:
                        continue
                    done[i] = result
                    if not w.alive:
                        workers.remove(w)
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
    finally:
        for w in workers:
            w.stop()


class _Raised:
    """An exception a worker raised, with its traceback as text (as concurrent.futures does)."""

    def __init__(self, exc: BaseException, tb: str):
        self.exc, self.tb = exc, tb

    def reraise(self) -> NoReturn:
        cause = RuntimeError(f"in the worker process:\n{self.tb}") if self.tb else None
        raise self.exc from cause


class _Worker:
    """One forked process serving files over two pipes."""

    def __init__(self, work: Callable[[str], FileResult], max_memory_mb: int, shared: dict[int, object]):
        self.shared = shared
        task_r, self.tasks = os.pipe()
        self.results, result_w = os.pipe()
        self.task: Optional[int] = None
        self.deadline = 0.0
        self.alive = True
        global workers_started
        workers_started += 1
        if cpu["parent_at_first_fork"] is None:
            cpu["parent_at_first_fork"] = time.process_time()
        self.pid = os.fork()
        if self.pid == 0:  # the worker: never returns
            code = 1
            try:
                for fd in (self.tasks, self.results, *_OPEN):  # other workers' too: their end-of-file must reach them
                    os.close(fd)
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
                _serve(task_r, result_w, work, max_memory_mb, shared)
                code = 0
            finally:
                os._exit(code)
        os.close(task_r)
        os.close(result_w)
        _OPEN.update((self.tasks, self.results))

    def give(self, i: int, files: Sequence[str], timeout: float) -> None:
        self.task, self.deadline = i, time.monotonic() + timeout
        _write(self.tasks, files[i])

    def receive(self, path: str, max_memory_mb: int) -> FileResult:
        try:
            result = _read(self.results, self.shared)
            if isinstance(result, _Raised):
                self.task = None
                result.reraise()
            assert isinstance(result, FileResult)  # a worker sends nothing else
        except (EOFError, OSError, pickle.UnpicklingError):
            status = self._reap()
            self.alive = False
            self._close()
            return FileResult(path=path, errors=[FileError(crash_message(status, max_memory_mb))])
        self.task = None
        return result

    def stop(self) -> None:
        """Kill a busy worker (an idle one reads end-of-file and exits) and reap it."""
        if not self.alive:
            return
        self.alive = False
        if self.task is not None:
            os.kill(self.pid, signal.SIGKILL)
        self._close()
        self._reap()

    def _reap(self) -> int:
        _, status, usage = os.wait4(self.pid, 0)
        cpu["workers"].append(usage.ru_utime + usage.ru_stime)
        return status

    def _close(self) -> None:
        for fd in (self.tasks, self.results):
            _OPEN.discard(fd)
            os.close(fd)


def _serve(tasks: int, results: int, work: Callable[[str], FileResult], max_memory_mb: int, shared: dict[int, object]) -> None:
    while True:
        try:
            path = _read(tasks)
        except EOFError:
            return
        assert isinstance(path, str)  # the parent sends nothing else
        _limit_memory(max_memory_mb)
        result: Union[FileResult, _Raised]
        try:
            result = work(path)
        except MemoryError:
            result = FileResult(path=path, errors=[FileError(memory_message(max_memory_mb))])
        except Exception as exc:  # a defect in tilint: the caller raises it, as in-process
            result = _Raised(exc, traceback.format_exc())
        _limit_memory(None)
        try:
            _write(results, result, shared)
        except (pickle.PicklingError, TypeError, AttributeError):
            _write(results, _Raised(RuntimeError(f"{result!r:.200}"), ""))


@contextlib.contextmanager
def unbounded() -> Iterator[None]:
    """Lift the memory bound while tilint builds its own pipeline (spaCy, the coverage
    classifier): the bound is for what a file makes tilint take, so it starts again,
    at full size, from what the process holds afterwards."""
    limit = _LIMIT_MB
    if limit is None:
        yield
        return
    _limit_memory(None)
    try:
        yield
    finally:
        _limit_memory(limit)


def _limit_memory(mb: Optional[int]) -> None:
    """Let this process grow by at most ``mb`` MB of address space from now (None: lift)."""
    global _LIMIT_MB
    _LIMIT_MB = mb
    try:
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if mb is None:
            soft = hard
        else:
            with open("/proc/self/statm") as fh:
                size = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
            soft = size + mb * 1024 * 1024
            if hard != resource.RLIM_INFINITY:
                soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    except (ImportError, OSError, ValueError):
        pass  # no /proc or no RLIMIT_AS (macOS): the deadline still applies


_MISSING = object()


class _Pickler(pickle.Pickler):
    """Objects of ``shared`` (id -> object, inherited from the parent) as their id."""

    def __init__(self, file: io.BytesIO, shared: dict[int, object]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.shared = shared

    def persistent_id(self, obj: object) -> Optional[int]:
        return id(obj) if self.shared.get(id(obj), _MISSING) is obj else None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, shared: dict[int, object]):
        super().__init__(file)
        self.shared = shared

    def persistent_load(self, pid: object) -> object:
        return self.shared[pid]  # type: ignore[index]


def _write(fd: int, obj: object, shared: Optional[dict[int, object]] = None) -> None:
    buffer = io.BytesIO()
    _Pickler(buffer, shared or {}).dump(obj)
    data = buffer.getvalue()
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def _read(fd: int, shared: Optional[dict[int, object]] = None) -> object:
    (size,) = _HEADER.unpack(_read_exactly(fd, _HEADER.size))
    return _Unpickler(io.BytesIO(_read_exactly(fd, size)), shared or {}).load()


def _read_exactly(fd: int, size: int) -> bytes:
    parts, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)
