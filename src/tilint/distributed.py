"""Folder scans on a Dask cluster (``pip install tilint[dask]``).

The client only lists the inputs: local paths through :func:`tilint.linter.discover`
(the workers must see the same paths), fsspec URLs (``s3://``, ``gs://``, ``file://``)
through their filesystem, names and sizes only. It cuts the sorted list into tasks of
about ``batch_bytes`` and yields each :class:`~tilint.models.FileResult` in the same
order as a local run, as soon as every earlier one is in. Workers read the files
themselves (nothing is downloaded by the client) and build one
:class:`~tilint.linter.Linter` per process, reused by every task they run.

Faults are Dask's to handle: a task whose worker dies is run again on another worker
(up to ``distributed.scheduler.allowed-failures`` times). Each task's result is gathered
once, so no file is lost or reported twice.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Any, Iterator, Optional, Sequence

from .config import Config, _glob_match
from .discovery import Discovery, discover
from .linter import Linter, shared_linter
from .models import FileError, FileResult
from .readers import reader_for

__all__ = ["SchedulerError", "close", "connect", "discover_inputs", "lint_batch", "lint_found", "lint_paths", "plan_batches", "session"]

DEFAULT_BATCH_BYTES = 1 << 20  # 1 MiB of input a task: a few seconds of work, little overhead

EXTRA_HINT = "the Dask scheduler needs the dask extra: pip install 'tilint[dask]'"


class SchedulerError(ValueError):
    """The cluster cannot be used: the extra is not installed, or the scheduler is not reachable."""


def _require_dask() -> Any:
    try:
        import distributed
    except ImportError:
        raise SchedulerError(EXTRA_HINT) from None
    return distributed


def is_url(path: str | Path) -> bool:
    """An fsspec URL (``proto://…``), as opposed to a local path."""
    return "://" in str(path)


def connect(scheduler: str) -> Any:
    """A :class:`distributed.Client` for ``tcp://HOST:PORT`` (a running cluster) or
    ``local:N`` (a :class:`~distributed.LocalCluster` of N worker processes, one thread
    each, closed with the client)."""
    distributed = _require_dask()
    if scheduler.startswith("local:"):
        try:
            n = int(scheduler.split(":", 1)[1])
        except ValueError:
            raise SchedulerError(f"--scheduler local:N needs a number of workers, not '{scheduler}'") from None
        if n < 1:
            raise SchedulerError("--scheduler local:N needs at least one worker")
        cluster = distributed.LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            # the scheduler serves HTTP routes even with no dashboard, by default on
            # port 8787 of every interface: keep it on a free loopback port
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            silence_logs=40,
        )
        client = distributed.Client(cluster)
        client._tilint_cluster = cluster  # closed by close()
        return client
    if "://" not in scheduler:
        raise SchedulerError(f"--scheduler takes tcp://HOST:PORT or local:N, not '{scheduler}'")
    try:
        return distributed.Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise SchedulerError(f"cannot reach the Dask scheduler at {scheduler} ({exc.__class__.__name__})") from None


def close(client: Any) -> None:
    """Close a client from :func:`connect` (and its local cluster, if it started one)."""
    cluster = getattr(client, "_tilint_cluster", None)
    client.close()
    if cluster is not None:
        cluster.close()


def discover_inputs(paths: Sequence[str | Path], config: Config, *, gitignore: bool = False) -> tuple[Discovery, dict[str, int]]:
    """Expand local paths and fsspec URLs into the files to lint, with their sizes.

    Local paths follow :func:`~tilint.discovery.discover` exactly; URL folders are
    listed recursively with the same include, exclude and supported-type filters.
    """
    local = [p for p in paths if not is_url(p)]
    found = discover(local, config.include, config.exclude, gitignore=gitignore) if local else Discovery([])
    sizes = {f: _local_size(f) for f in found.files}
    for url in (str(p) for p in paths if is_url(p)):
        _discover_url(url, config, found, sizes)
    found.files = sorted(dict.fromkeys(found.files))
    return found, sizes


def _local_size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0  # the worker reports why it cannot be read


def _discover_url(url: str, config: Config, found: Discovery, sizes: dict[str, int]) -> None:
    import fsspec

    try:
        fs, root = fsspec.core.url_to_fs(url)
        if fs.isdir(root):
            listing = fs.find(root, detail=True)
            for path in sorted(listing):
                name = fs.unstrip_protocol(path)
                if any(_glob_match(name, p) for p in config.exclude):
                    found.skip(name, "excluded")
                elif reader_for(PurePosixPath(path)) is None:
                    found.skip(name, "unsupported type")
                elif not any(_glob_match(name, p) for p in config.include):
                    found.skip(name, "not matched by include")
                else:
                    found.files.append(name)
                    sizes[name] = int(listing[path].get("size") or 0)
        elif fs.exists(root):
            found.files.append(url)
            sizes[url] = int(fs.size(root) or 0)
        else:
            found.missing.append((url, "no such file or directory"))
    except ImportError as exc:  # a protocol whose fsspec backend is not installed (s3fs, gcsfs)
        found.missing.append((url, f"cannot open this URL ({exc})"))
    except Exception as exc:  # credentials, network: one line for the URL, the scan goes on
        found.missing.append((url, f"cannot list ({exc.__class__.__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''})"))


def plan_batches(files: Sequence[str], sizes: dict[str, int], batch_bytes: int = DEFAULT_BATCH_BYTES) -> list[list[str]]:
    """Consecutive runs of ``files`` (already sorted) of about ``batch_bytes`` each.

    Sizing by bytes, not by count, keeps a task of three handbooks and a task of a
    hundred one-page letters about equally long.
    """
    batches: list[list[str]] = []
    current: list[str] = []
    total = 0
    for f in files:
        current.append(f)
        total += max(sizes.get(f, 0), 1)
        if total >= batch_bytes:
            batches.append(current)
            current, total = [], 0
    if current:
        batches.append(current)
    return batches


# -- on the workers ---------------------------------------------------------------------
def _lint_one(linter: Linter, path: str) -> FileResult:
    if not is_url(path):
        return linter.lint_file(path)
    import fsspec

    limit = linter.config.max_file_size
    try:
        with fsspec.open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except Exception as exc:
        reason = (exc.__class__.__name__ + (f": {str(exc).splitlines()[0][:200]}" if str(exc) else ""))
        return FileResult(path=path, errors=[FileError(f"cannot read ({reason})")])
    if len(data) > limit:
        return FileResult(path=path, errors=[FileError(f"file is over the {limit / 1_048_576:.1f} MB limit (max-file-size)")])
    return linter.lint_bytes(path, data)


def lint_batch(paths: Sequence[str], config: Config) -> list[FileResult]:
    """The task each worker runs: lint a batch of paths or URLs with the worker's linter
    (built by the first task it runs, reused by the rest)."""
    linter = shared_linter(config)
    return [_lint_one(linter, p) for p in paths]


# -- on the client ----------------------------------------------------------------------
def lint_paths(
    paths: Sequence[str | Path],
    client: Any,
    config: Optional[Config] = None,
    *,
    batch_bytes: int = DEFAULT_BATCH_BYTES,
    found: Optional[Discovery] = None,
    sizes: Optional[dict[str, int]] = None,
) -> Iterator[FileResult]:
    """Lint files, folders and fsspec URLs on a Dask cluster.

    Yields one :class:`FileResult` per file, sorted by path exactly as
    :meth:`tilint.Linter.iter_found` does for a local run (missing paths included), each
    as soon as it and every earlier one are in. ``client`` is a
    :class:`distributed.Client`; see :func:`connect`.
    """
    config = config or Config()
    if found is None:
        found, sizes = discover_inputs(paths, config)
    return lint_found(found, client, config, sizes=sizes, batch_bytes=batch_bytes)


def lint_found(
    found: Discovery, client: Any, config: Config, *, sizes: Optional[dict[str, int]] = None, batch_bytes: int = DEFAULT_BATCH_BYTES
) -> Iterator[FileResult]:
    """:func:`lint_paths` for what was already discovered (``found.missing`` reported too)."""
    import heapq

    if sizes is None:
        sizes = {f: _local_size(f) for f in found.files if not is_url(f)}
    batches = plan_batches(found.files, sizes, batch_bytes)
    # pure=False: a re-run after an edit must not reuse an earlier result for the same paths
    futures = client.map(lint_batch, batches, config=config, pure=False) if batches else []
    missing = sorted((FileResult(path=p, errors=[FileError(m)]) for p, m in found.missing), key=lambda r: r.path)

    def in_order() -> Iterator[FileResult]:
        for future in futures:
            yield from future.result()
            future.release()  # results are streamed on; the cluster need not keep them

    yield from heapq.merge(missing, in_order(), key=lambda r: r.path)


class session:
    """``with session("local:2") as client:`` — :func:`connect`, then :func:`close`."""

    def __init__(self, scheduler: str):
        self.scheduler = scheduler

    def __enter__(self) -> Any:
        self.client = connect(self.scheduler)
        return self.client

    def __exit__(self, *exc: object) -> None:
        close(self.client)
