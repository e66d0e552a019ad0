"""Whole archives: incremental, parallel, resumable ingest with one writer.

The process running ``run_batch`` is the only one that writes the database.
It discovers files, decides what needs work (unchanged path → skip without
reading; known content hash → record another path of the same document),
hands the rest to workers (local processes, or a Dask cluster) that run the
stages and build the rows, and writes each returned document in a single
transaction. Because a document only exists once its transaction commits, a
run killed at any moment (SIGKILL included) leaves whole documents only, and
the next run picks up exactly what is missing.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import resource
import signal
import sqlite3
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from multiprocessing.connection import Connection, wait as wait_connections
from pathlib import Path
from typing import Any, Optional, Protocol, Union

from pipeline import store
from pipeline.context import Context, Options
from pipeline.discover import Item, Limits, Problem, discover
from pipeline.model import FileError

EXIT_OK = 0
EXIT_FAILED_DOCUMENTS = 1
EXIT_INTERRUPTED = 130

EXECUTORS = ("processes", "inline", "dask")


# --------------------------------------------------------------------------- per-document work


@dataclass
class Outcome:
    """What a worker sends back for one item: the document's rows, or why there are none."""

    item: Item
    rows: Optional[store.DocumentRows] = None
    error: Optional[FileError] = None  # set when no document could be built at all
    traceback: Optional[str] = None  # --fail-fast: the failure as it happened
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # CPU time of the worker and its tesseract processes on this item


def cpu_seconds() -> float:
    """CPU time used so far by this process and its finished child processes (the tesseract CLI)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def process_item(item: Item, ctx: Context, version: str, fail_fast: bool = False,
                 data: Optional[bytes] = None) -> Outcome:
    """Read one item (unless its bytes come along), run every stage and build its rows.
    Never raises for bad input."""
    # Imported here so that discovery and skip-only runs never pay for the NLP stack.
    from pipeline.process import new_document, process_document

    started, cpu_started = time.perf_counter(), cpu_seconds()
    try:
        if data is None:
            data = item.read()
    except Exception as exc:  # noqa: BLE001 - vanished file, unreadable archive member, ...
        return Outcome(item, error=FileError(item.path, "load", type(exc).__name__, str(exc) or repr(exc)))
    doc = new_document(item.path, data)
    del data  # the document holds the only copy, dropped by process_document
    try:
        process_document(doc, ctx, fail_fast=fail_fast)
    except Exception as exc:  # noqa: BLE001 - only reached with fail_fast
        stage = next((name for name in reversed(list(doc.timings)) if name), "process")
        return Outcome(item, error=FileError(item.path, stage, type(exc).__name__, str(exc) or repr(exc)),
                       traceback=traceback.format_exc())
    try:
        rows = store.document_rows(doc, version)
    except Exception as exc:  # noqa: BLE001 - a fact that cannot be stored fails its document only
        if fail_fast:
            return Outcome(item, error=FileError(item.path, "store", type(exc).__name__, str(exc)),
                           traceback=traceback.format_exc())
        doc.errors.append(FileError(item.path, "store", type(exc).__name__, str(exc) or repr(exc)))
        doc.parties, doc.signatories, doc.commitments, doc.indicators, doc.dates = [], [], [], [], []
        rows = store.document_rows(doc, version)
    return Outcome(item, rows=rows, seconds=time.perf_counter() - started, cpu_seconds=cpu_seconds() - cpu_started)


def hash_item(item: Item) -> str:
    """The document id (sha256 of the bytes), streamed so that big files are never held whole."""
    h = hashlib.sha256()
    with item.open() as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------- executors


class Executor(Protocol):
    def free(self) -> int: ...

    def submit(self, tid: int, item: Item) -> None: ...

    def wait(self, timeout: float) -> list[tuple[int, Outcome]]: ...

    def close(self) -> None: ...


class InlineExecutor:
    """Process in the writer itself: for debugging (``--executor inline``) and tiny batches."""

    def __init__(self, ctx: Context, version: str, fail_fast: bool) -> None:
        self._ctx = ctx
        self._version = version
        self._fail_fast = fail_fast
        self._pending: deque[tuple[int, Item]] = deque()

    def free(self) -> int:
        return 0 if self._pending else 1

    def submit(self, tid: int, item: Item) -> None:
        self._pending.append((tid, item))

    def wait(self, timeout: float) -> list[tuple[int, Outcome]]:
        if not self._pending:
            return []
        tid, item = self._pending.popleft()
        return [(tid, process_item(item, self._ctx, self._version, self._fail_fast))]

    def close(self) -> None:
        self._pending.clear()


_READY = -1  # task id of the message a worker sends once its models are loaded
_WARM_UP_TEXT = (
    "CONVENIO DE COOPERACIÓN. PRIMERA. Las partes se comprometen a cooperar.\n\n"
    "COOPERATION AGREEMENT. ARTICLE 1. The parties shall cooperate.\n"
).encode("utf-8")


def warm_up(ctx: Context) -> None:
    """Load the worker's models before its first document, so that a document's
    time limit measures the document and not the worker's start."""
    from pipeline.process import new_document, process_document

    from pipeline import extract, language, ocr

    process_document(new_document("warm-up.txt", _WARM_UP_TEXT), ctx)
    # What the small document above does not reach: rules and data built at first use.
    language.warm_up(ctx)
    extract.warm_up(ctx)
    try:
        ocr.engine(ctx).warm_up(ctx.options.ocr_langs)  # tesseract's models, for the first scanned page
    except RuntimeError:
        pass  # models that cannot load: each scanned page reports it, text documents go on


def _worker_main(conn: Connection, options: Options, version: str, fail_fast: bool) -> None:
    """A worker process: one Context (models loaded once), then documents until told to stop."""
    os.environ["OMP_THREAD_LIMIT"] = "1"  # one tesseract thread per worker: workers are the parallelism
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the writer handles Ctrl-C and stops the workers
    ctx = Context(options=options)
    warm_up(ctx)
    try:
        conn.send((_READY, None))
    except (BrokenPipeError, OSError):
        return
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return  # the writer is gone
        if message is None:
            return
        tid, item = message
        outcome = process_item(item, ctx, version, fail_fast)
        try:
            conn.send((tid, outcome))
        except (BrokenPipeError, OSError):
            return


@dataclass
class _Slot:
    process: Any
    conn: Connection
    # Tasks sent to this worker, in order: the first is the one it is working on, the
    # rest wait in its pipe so that it never sits idle while the writer stores a document.
    tasks: deque[tuple[int, Item]] = field(default_factory=deque)
    since: float = 0.0  # when the first task started (as far as the writer can tell)
    ready_at: Optional[float] = None  # set once the worker has loaded its models

    def deadline(self, timeout: Optional[float]) -> Optional[float]:
        if not timeout or not self.tasks or self.ready_at is None:
            return None
        return max(self.since, self.ready_at) + timeout


class ProcessExecutor:
    """Local worker processes, each with its own pipe, so that a crashed or hung worker
    costs one document (recorded as an error) and is replaced; documents queued behind
    it go to the replacement."""

    def __init__(self, workers: int, options: Options, version: str, fail_fast: bool,
                 doc_timeout: Optional[float] = None, depth: int = 2) -> None:
        self._n = max(1, workers)
        self._depth = max(1, depth)  # tasks a worker holds: the current one and those queued behind it
        self._args = (options, version, fail_fast)
        self._timeout = doc_timeout
        # spawn: the writer may run a progress thread, and forking a threaded process is unsafe.
        self._mp = multiprocessing.get_context("spawn")
        self._slots: list[_Slot] = []

    def _start(self) -> _Slot:
        parent, child = self._mp.Pipe(duplex=True)
        process = self._mp.Process(target=_worker_main, args=(child, *self._args), daemon=True,
                                   name=f"convenio-worker-{len(self._slots)}")
        process.start()
        child.close()
        slot = _Slot(process, parent)
        self._slots.append(slot)
        return slot

    def free(self) -> int:
        held = sum(len(s.tasks) for s in self._slots)
        return self._n * self._depth - held

    def submit(self, tid: int, item: Item) -> None:
        # Every worker gets a document before any gets a second one; workers start on
        # demand, so a run with nothing to do starts none.
        slot = min(self._slots, key=lambda s: len(s.tasks), default=None)
        if slot is None or (slot.tasks and len(self._slots) < self._n):
            slot = self._start()
        if not slot.tasks:
            slot.since = time.monotonic()
        slot.tasks.append((tid, item))
        slot.conn.send((tid, item))

    def _replace(self, slot: _Slot) -> None:
        """Stop ``slot``'s worker; the tasks queued behind its current one go to other workers."""
        self._slots.remove(slot)
        try:
            slot.conn.close()
        except OSError:
            pass
        if slot.process.is_alive():
            slot.process.kill()
        slot.process.join(5)
        slot.tasks.popleft()
        for tid, item in slot.tasks:
            self.submit(tid, item)

    def wait(self, timeout: float) -> list[tuple[int, Outcome]]:
        busy = [s for s in self._slots if s.tasks]
        if not busy:
            return []
        deadlines = [d for d in (s.deadline(self._timeout) for s in busy) if d is not None]
        if deadlines:  # wake up in time to stop a worker at its deadline
            timeout = max(0.0, min(timeout, min(deadlines) - time.monotonic()))
        waitables: list[Any] = [s.conn for s in busy] + [s.process.sentinel for s in busy]
        ready = set(wait_connections(waitables, timeout))
        results: list[tuple[int, Outcome]] = []
        for slot in busy:
            if slot.conn in ready:
                try:
                    message = slot.conn.recv()
                except (EOFError, OSError):
                    message = None  # died while sending: handled as a crash below
                if message is not None and message[0] == _READY:
                    slot.ready_at = time.monotonic()
                    continue
                if message is not None:
                    results.append(message)
                    slot.tasks.popleft()
                    slot.since = time.monotonic()  # the next queued task starts now
                    continue
            tid, item = slot.tasks[0]
            if slot.conn in ready or slot.process.sentinel in ready:
                slot.process.join(1)
                code = slot.process.exitcode
                reason = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
                results.append((tid, Outcome(item, error=FileError(
                    item.path, "process", "WorkerCrashed", f"the worker processing this file died ({reason})"))))
                self._replace(slot)
            elif (slot.deadline(self._timeout) or float("inf")) <= time.monotonic():
                results.append((tid, Outcome(item, error=FileError(
                    item.path, "process", "DocumentTimeout",
                    f"not finished after {self._timeout:g} s; the worker was stopped"))))
                self._replace(slot)
        return results

    def close(self) -> None:
        for slot in self._slots:
            try:
                if not slot.tasks:
                    slot.conn.send(None)
            except OSError:
                pass
        deadline = time.monotonic() + 5
        for slot in self._slots:
            if slot.tasks:
                slot.process.kill()
            slot.process.join(max(0.1, deadline - time.monotonic()))
            if slot.process.is_alive():
                slot.process.kill()
                slot.process.join(1)
            slot.conn.close()
        self._slots.clear()


# Dask: the Context lives in a worker plugin, so each Dask worker builds it (and loads
# the models) once, however many documents it handles.
DASK_PLUGIN = "convenio-context"


class ContextPlugin:
    """Dask worker plugin holding the worker's Context and its own pipeline version."""

    name = DASK_PLUGIN

    def __init__(self, options: Options) -> None:
        self.options = options
        self.context: Optional[Context] = None
        self.version = ""

    def setup(self, worker: Any) -> None:
        os.environ["OMP_THREAD_LIMIT"] = "1"
        options = self.options
        if not Path(options.models_dir).exists():
            # Another machine: use the models installed beside this worker's convenio.
            from pipeline.context import DEFAULT_MODELS_DIR

            options = Options(**{**asdict(options), "models_dir": DEFAULT_MODELS_DIR})
        self.context = Context(options=options)
        self.version = store.pipeline_version(options)
        warm_up(self.context)

    def teardown(self, worker: Any) -> None:
        self.context = None


def dask_process_item(item: Item, version: str, fail_fast: bool, data: Optional[bytes] = None) -> Outcome:
    """The per-document task run on Dask workers (``data``: the bytes, when workers
    do not share the writer's filesystem)."""
    from distributed import get_worker

    plugin = get_worker().plugins[DASK_PLUGIN]
    if plugin.version != version:
        # Workers running other code or models would stamp rows with the wrong version.
        return Outcome(item, error=FileError(
            item.path, "process", "VersionMismatch",
            f"worker pipeline version {plugin.version} differs from the writer's {version}"))
    return process_item(item, plugin.context, version, fail_fast, data)


class DaskExecutor:
    def __init__(self, scheduler: Union[str, Any], options: Options, version: str, fail_fast: bool,
                 ship_bytes: bool = False) -> None:
        from distributed import Client

        self._own = isinstance(scheduler, str)
        try:
            self._client = Client(scheduler, timeout="20s") if isinstance(scheduler, str) else scheduler
        except (OSError, TimeoutError) as exc:
            raise ConnectionError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        self._client.register_plugin(_as_worker_plugin(options), name=DASK_PLUGIN)
        threads = sum(self._client.nthreads().values()) or 1
        # A small queue beyond the thread count keeps workers busy without
        # shipping the whole archive's work (and results) at once.
        self._capacity = 2 * threads
        self._version = version
        self._fail_fast = fail_fast
        self._ship = ship_bytes
        self._futures: dict[Any, tuple[int, Item]] = {}
        self._unread: list[tuple[int, Outcome]] = []  # files the writer could not read to ship

    def free(self) -> int:
        return self._capacity - len(self._futures) - len(self._unread)

    def submit(self, tid: int, item: Item) -> None:
        try:
            data = item.read() if self._ship else None
        except Exception as exc:  # noqa: BLE001 - recorded like a read failure in a worker
            self._unread.append((tid, Outcome(item, error=FileError(item.path, "load", type(exc).__name__, str(exc)))))
            return
        future = self._client.submit(dask_process_item, item, self._version, self._fail_fast, data,
                                     key=f"convenio-{tid}-{hashlib.sha1(item.path.encode()).hexdigest()[:12]}",
                                     pure=False)
        self._futures[future] = (tid, item)

    def wait(self, timeout: float) -> list[tuple[int, Outcome]]:
        from distributed import wait as dask_wait

        if self._unread:
            unread, self._unread = self._unread, []
            return unread
        if not self._futures:
            return []
        try:
            done = dask_wait(list(self._futures), timeout=timeout, return_when="FIRST_COMPLETED").done
        except TimeoutError:
            return []
        results = []
        for future in done:
            tid, item = self._futures.pop(future)
            try:
                results.append((tid, future.result()))
            except Exception as exc:  # noqa: BLE001 - a lost worker fails this document only
                results.append((tid, Outcome(item, error=FileError(item.path, "process", type(exc).__name__, str(exc)))))
            future.release()
        return results

    def close(self) -> None:
        for future in self._futures:
            future.cancel()
        self._futures.clear()
        if self._own:
            self._client.close()


def _as_worker_plugin(options: Options) -> Any:
    from distributed.diagnostics.plugin import WorkerPlugin

    class _Plugin(ContextPlugin, WorkerPlugin):
        pass

    _Plugin.__module__ = __name__
    _Plugin.__qualname__ = "ContextWorkerPlugin"
    return _Plugin(options)


# --------------------------------------------------------------------------- progress


class _Progress:
    """A rich progress bar on a terminal; silent otherwise."""

    def __init__(self, enabled: bool, total: int, force: bool = False) -> None:
        self._bar = None
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)

        self._bar = Progress(
            SpinnerColumn(),
            TextColumn("[bold]ingest"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files • {task.fields[pages]} pages • {task.fields[ocr]} OCR • "
                       "{task.fields[skipped]} skipped • [red]{task.fields[errors]} errors"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True, force_terminal=force or None),  # stdout stays clean for pipes
            transient=False,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._task = self._bar.add_task("ingest", total=total, pages=0, ocr=0, skipped=0, errors=0)
        self._bar.start()

    def update(self, counts: "Counts") -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=counts.done, pages=counts.pages, ocr=counts.ocr_pages,
                             skipped=counts.skipped, errors=counts.errors)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()


# --------------------------------------------------------------------------- the batch


@dataclass
class Counts:
    files: int = 0
    processed: int = 0  # documents written by this run
    skipped: int = 0  # unchanged, already stored, or not agreement files
    duplicates: int = 0  # paths recorded as another copy of a stored document
    failed: int = 0  # documents and paths with errors
    pages: int = 0
    ocr_pages: int = 0
    errors: int = 0
    failed_other: int = 0  # failures that are not processed documents (refused, unreadable, copies)
    work_seconds: float = 0.0  # time workers spent on the documents written (excludes start-up)
    work_cpu_seconds: float = 0.0  # CPU time they spent on them (a shared machine's load inflates it less)

    @property
    def done(self) -> int:
        return self.processed + self.skipped + self.failed_other

    def as_run(self) -> dict[str, int]:
        return {"files": self.files, "processed": self.processed, "skipped": self.skipped, "failed": self.failed,
                "pages": self.pages, "ocr_pages": self.ocr_pages, "errors": self.errors}


@dataclass
class BatchSummary:
    run_id: int
    version: str
    counts: Counts
    seconds: float
    interrupted: bool = False
    aborted: Optional[str] = None  # --fail-fast: the traceback (or message) that stopped the run
    failures: list[FileError] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return self.counts.failed

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return EXIT_INTERRUPTED
        return EXIT_FAILED_DOCUMENTS if self.counts.failed or self.aborted else EXIT_OK

    def lines(self) -> list[str]:
        c = self.counts
        rate = f", {c.pages / self.seconds:.1f} pages/s" if c.pages and self.seconds else ""
        out = [
            f"run {self.run_id} ({self.version}) {'interrupted' if self.interrupted else 'finished'} "
            f"in {self.seconds:.1f} s{rate}",
            f"files {c.files}: processed {c.processed}, skipped {c.skipped} "
            f"(of which {c.duplicates} copies of stored documents), failed {c.failed}",
            f"pages {c.pages} (OCR {c.ocr_pages}), errors {c.errors}",
        ]
        for err in self.failures[:20]:
            out.append(f"  {err.path}: {err.stage}: {err.error_class}: {err.message[:200]}")
        if len(self.failures) > 20:
            out.append(f"  ... {len(self.failures) - 20} more in the errors table")
        return out


def parse_shard(value: Optional[str]) -> Optional[tuple[int, int]]:
    """'K/N' → (K, N): this run takes the K-th of N disjoint slices of the files (1-based)."""
    if not value:
        return None
    k, _, n = value.partition("/")
    shard = (int(k), int(n))
    if not 1 <= shard[0] <= shard[1]:
        raise ValueError(f"shard must be K/N with 1 <= K <= N, not {value}")
    return shard


def _shard_key(path: str, roots: Sequence[str]) -> str:
    """The path relative to the folder it was found under, so that machines that mount the archive at
    different places still agree on which shard a file belongs to."""
    for root in roots:
        if path == root:
            return os.path.basename(path)
        if path.startswith(root.rstrip(os.sep) + os.sep):
            return os.path.relpath(path, root)
    return path


def _in_shard(path: str, shard: Optional[tuple[int, int]], roots: Sequence[str] = ()) -> bool:
    if shard is None:
        return True
    key = _shard_key(path, roots)
    digest = int.from_bytes(hashlib.sha1(key.encode("utf-8", "surrogateescape")).digest()[:8], "big")
    return digest % shard[1] == shard[0] - 1


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


class _Stop(Exception):
    pass


def run_batch(
    paths: Sequence[Union[str, Path]],
    db_path: Union[str, Path],
    options: Optional[Options] = None,
    workers: Optional[int] = None,
    executor: str = "processes",
    *,
    scheduler: Union[str, Any, None] = None,
    force: bool = False,
    retry_failed: bool = False,
    fail_fast: bool = False,
    quiet: bool = False,
    progress: Optional[bool] = None,
    shard: Optional[tuple[int, int]] = None,
    doc_timeout: Optional[float] = None,
    limits: Limits = Limits(),
    on_update: Optional[Callable[[Counts], None]] = None,
    context: Optional[Context] = None,
    ship_bytes: bool = False,
) -> BatchSummary:
    """Ingest ``paths`` into the database at ``db_path`` and return what happened.

    ``executor``: "processes" (``workers`` local processes, default: all cores),
    "inline" (in this process) or "dask" (``scheduler``: an address or a Client).
    ``on_update`` is called with the running counts after every file is
    dispatched or written (for progress displays other than the terminal bar).
    ``context`` lets the inline executor reuse loaded models across batches
    (its options must then be ``options``). ``ship_bytes`` (Dask) sends each
    file's bytes with its task, for workers that do not see the same files.
    """
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {EXECUTORS}, not {executor!r}")
    if executor == "dask" and scheduler is None:
        raise ValueError("the dask executor needs a scheduler address (tcp://HOST:PORT)")
    options = options or (context.options if context is not None else Options())
    force = force or options.force
    workers = workers or default_workers()
    started = time.monotonic()
    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    db = store.connect(db_path)
    version = store.pipeline_version(options)
    run_options = {
        "paths": [os.path.abspath(p) for p in paths], "workers": workers, "executor": executor,
        "scheduler": scheduler if isinstance(scheduler, str) else None, "force": force,
        "retry_failed": retry_failed, "fail_fast": fail_fast, "ship_bytes": ship_bytes, "shard": f"{shard[0]}/{shard[1]}" if shard else None,
        "doc_timeout": doc_timeout, "options": {k: str(v) if isinstance(v, Path) else v
                                                for k, v in asdict(options).items()},
    }
    run_id = store.start_run(db, version, run_options)
    counts = Counts()
    summary = BatchSummary(run_id, version, counts, 0.0)
    known_paths = store.known_paths(db)
    known_docs = store.known_documents(db)

    roots = [os.path.abspath(os.fspath(p)) for p in paths]
    found = [f for f in discover(paths, limits) if _in_shard(f.path, shard, roots)]
    counts.files = len(found)
    # progress=None: a bar on a terminal only; True forces one (e.g. under a pager or a CI log).
    bar = _Progress(bool(progress if progress is not None else (not quiet and _is_terminal())), len(found),
                    force=bool(progress))
    pool: Optional[Executor] = None
    restore_sigterm = _sigterm_as_interrupt()
    touched: list[str] = []
    written: set[str] = set()  # documents written by this run (--force processes each once)
    inflight: dict[int, str] = {}  # task id → document id
    inflight_docs: set[str] = set()
    waiting: dict[str, list[Item]] = {}  # copies of a document being processed
    queue: deque[Union[Item, Problem]] = deque(found)
    last_flush = time.monotonic()
    next_tid = 0

    def fail_path(error: FileError, skipped: bool = False) -> None:
        store.write_path_error(db, error, run_id)
        counts.errors += 1
        if skipped:
            counts.skipped += 1
            return
        counts.failed += 1
        counts.failed_other += 1
        summary.failures.append(error)
        if fail_fast:
            summary.aborted = f"{error.path}: {error.stage}: {error.error_class}: {error.message}"
            raise _Stop

    def up_to_date(doc_version: str, status: str) -> bool:
        return not force and doc_version == version and (status == "ok" or not retry_failed)

    def write(outcome: Outcome, doc_id: str) -> None:
        item = outcome.item
        copies = waiting.pop(doc_id, [])
        if outcome.rows is None:
            assert outcome.error is not None
            queue.extendleft(copies)  # another copy may well be readable
            if outcome.traceback:
                summary.aborted = outcome.traceback
            fail_path(outcome.error)
            return
        rows = outcome.rows
        if rows.id != doc_id:  # the file changed between hashing and reading: re-examine its copies
            queue.extendleft(copies)
            copies = []
        seen = [store.PathSeen(i.path, i.size, i.mtime) for i in (item, *copies)]
        try:
            store.write_rows(db, rows, seen, run_id)
        except sqlite3.IntegrityError as exc:
            fail_path(FileError(item.path, "store", type(exc).__name__, str(exc)))
            return
        written.add(rows.id)
        counts.work_seconds += outcome.seconds
        counts.work_cpu_seconds += outcome.cpu_seconds
        known_docs[rows.id] = (version, rows.document["status"])
        counts.processed += 1
        counts.duplicates += len(copies)
        counts.pages += rows.document["pages"] or 0
        counts.ocr_pages += rows.document["ocr_pages"] or 0
        if not rows.errors:
            counts.skipped += len(copies)
        else:
            # Each copy of a failed file is a failed file for the archivist.
            counts.failed += 1 + len(copies)
            counts.failed_other += len(copies)
            counts.errors += len(rows.errors) * (1 + len(copies))
            summary.failures.extend(rows.errors)
            summary.failures.extend(replace(e, path=c.path) for c in copies for e in rows.errors)
            if fail_fast:
                summary.aborted = outcome.traceback or "; ".join(
                    f"{e.stage}: {e.error_class}: {e.message}" for e in rows.errors)
                raise _Stop

    def dispatch(entry: Union[Item, Problem]) -> Optional[tuple[str, Item]]:
        """Handle an entry that needs no worker; return (doc id, item) for one that does."""
        if isinstance(entry, Problem):
            fail_path(FileError(entry.path, entry.stage, entry.error_class, entry.message), skipped=entry.skipped)
            return None
        known = known_paths.get(entry.path)
        if (known is not None and known.size == entry.size and known.mtime == entry.mtime
                and up_to_date(known.version, known.status)):
            touched.append(entry.path)  # unchanged since it was stored: not even read
            counts.skipped += 1
            return None
        try:
            doc_id = hash_item(entry)
        except Exception as exc:  # noqa: BLE001 - vanished or unreadable: recorded, the batch goes on
            fail_path(FileError(entry.path, "load", type(exc).__name__, str(exc) or repr(exc)))
            return None
        if doc_id in inflight_docs:
            waiting.setdefault(doc_id, []).append(entry)
            return None
        stored = known_docs.get(doc_id)
        if doc_id in written or (stored is not None and up_to_date(*stored)):
            store.add_copy(db, doc_id, store.PathSeen(entry.path, entry.size, entry.mtime), run_id)
            counts.duplicates += 1
            if doc_id in written and known_docs[doc_id][1] == "failed":
                # A copy of a file that failed in this very run fails with it.
                counts.failed += 1
                counts.failed_other += 1
                counts.errors += 1
                summary.failures.append(FileError(entry.path, "load", "Copy", f"same bytes as a failed file ({doc_id[:12]})"))
            else:
                counts.skipped += 1
            return None
        return doc_id, entry

    try:
        while True:
            while queue and (pool is None or pool.free() > 0):
                task = dispatch(queue.popleft())
                bar.update(counts)
                if on_update is not None:
                    on_update(counts)
                if task is None:
                    continue
                if pool is None:
                    pool = _executor(executor, workers, options, version, fail_fast, scheduler, doc_timeout, context,
                                     ship_bytes)
                doc_id, item = task
                inflight[next_tid] = doc_id
                inflight_docs.add(doc_id)
                pool.submit(next_tid, item)
                next_tid += 1
            if not inflight:
                break
            assert pool is not None
            for tid, outcome in pool.wait(0.5):
                doc_id = inflight.pop(tid)
                inflight_docs.discard(doc_id)
                write(outcome, doc_id)
                if on_update is not None:
                    on_update(counts)
            bar.update(counts)
            if time.monotonic() - last_flush > 2.0:
                store.touch_paths(db, touched)
                touched.clear()
                store.update_run(db, run_id, counts.as_run())
                last_flush = time.monotonic()
    except _Stop:
        pass
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        restore_sigterm()
        bar.stop()
        if pool is not None:
            pool.close()
        store.touch_paths(db, touched)
        store.update_run(db, run_id, counts.as_run(), "interrupted" if summary.interrupted else "completed")
        db.close()
    summary.seconds = time.monotonic() - started
    return summary


def _executor(kind: str, workers: int, options: Options, version: str, fail_fast: bool, scheduler: Any,
              doc_timeout: Optional[float], context: Optional[Context], ship_bytes: bool) -> Executor:
    if kind == "inline":
        return InlineExecutor(context or Context(options=options), version, fail_fast)
    if kind == "dask":
        return DaskExecutor(scheduler, options, version, fail_fast, ship_bytes)
    return ProcessExecutor(workers, options, version, fail_fast, doc_timeout)


def _is_terminal() -> bool:
    from rich.console import Console

    return Console(stderr=True).is_terminal


def _sigterm_as_interrupt() -> Any:
    """Let SIGTERM stop a run as cleanly as Ctrl-C (the run row gets its counts)."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    return lambda: signal.signal(signal.SIGTERM, previous)


# --------------------------------------------------------------------------- shards


def merge_shards(out: Union[str, Path], shards: Iterable[Union[str, Path]]) -> store.MergeSummary:
    """Merge shard databases into ``out`` (created if needed) and rebuild full-text search."""
    return store.merge_databases(out, [Path(s) for s in shards])
