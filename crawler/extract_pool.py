"""The crawl process's extraction workers: one pool, shared by every portal crawled in it.

``vnarchive crawl --all`` runs one Scrapy crawler per portal in one process; were each to start
its own workers, memory would grow with the number of portals. Every crawler's extraction
pipeline instead borrows the same ``EXTRACT_WORKERS`` processes (``shared_pool``), handed out
fairly: a free worker goes to the portal holding the fewest, so a portal whose pages are slow
to extract never holds them all while another portal waits.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import gc
import itertools
import multiprocessing
import queue
import signal
import threading
import weakref
from collections import deque
from collections.abc import Callable, Hashable
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from typing import Any

from archive.extract import extract, is_article

#: How long a new worker may take to start (imports), before its first page's timeout begins.
WORKER_START_TIMEOUT = 120.0


def extract_page(body: bytes, url: str, content_type: str | None) -> tuple[dict[str, Any] | None, str | None]:
    """(record, None) for an article page; (None, why not) for any other page. Runs in a worker."""
    record = extract(body, url, content_type=content_type)
    if is_article(record):
        return record, None
    return None, "not an article: " + (", ".join(record.get("flags") or []) or "no title or too little text")


#: Net allocations of container objects after which a worker's young generation is collected.
YOUNG_COLLECTION_THRESHOLD = 10_000


def settle_worker() -> None:
    """After a worker's imports, before its first page: the garbage collector set for a worker's life.

    A worker lives for the whole crawl, and the collector's full collections walk every object
    alive: the imported modules, trafilatura's and jusText's word lists, the compiled patterns.
    Those live as long as the worker, so walking them finds nothing; frozen (``gc.freeze``,
    after one collection so that no garbage of the imports is kept), a full collection walks
    only what the pages since made (on the Zyte pages about 0.5 ms instead of 20-30 ms each).

    The young generation is collected after 10,000 net allocations of container objects, not
    Python 3.11's 700 (3.13's is 2,000): a page's extraction makes thousands of blocks, lists
    and tuples that all die with the page, and at 700 the collector walked them several times
    a page, promoting those alive to older generations (0.3 ms of collection a Zyte page, none
    at 10,000). Garbage in cycles, which only the collector frees, still is, once 10,000 such
    objects have accumulated.

    ``bench/extract_speed.py`` calls this too after its warm-up, so that it measures what a
    worker pays.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *gc.get_threshold()[1:])


class ExtractTimeout(Exception):
    """A page took longer than EXTRACT_TIMEOUT; its worker was killed and replaced."""


class WorkerDied(Exception):
    """A worker process ended while extracting a page (a crash); it was replaced."""


def _worker_main(conn: Connection) -> None:
    """A worker's loop: (body, url, content_type) in, ("ok", result) or ("error", message) out.

    It first says "ready" (its imports done, and settled: ``settle_worker``), so that a page's
    timeout never counts start-up.
    Shutdown signals are the crawl's to handle: a signal to the process group must not kill a
    worker under the page it is extracting (the crawl stops its workers itself).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    settle_worker()
    conn.send("ready")
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            conn.send(("ok", extract_page(*task)))
        except Exception as exc:  # noqa: BLE001 - reported to the crawl as a failed capture
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


class _Slot:
    """One worker process, its pipe, and the thread that waits on the pipe; a page that overstays
    kills the process, and the slot gets a new one.

    A ProcessPoolExecutor cannot do that: a cancelled future's worker keeps computing, so two
    pathological pages held both workers while every page queued behind them timed out. The
    waiting thread lives as long as the slot (starting a thread per page held Scrapy's thread
    until the new one ran) and is a daemon, not an executor's thread: the interpreter joins
    those at exit, before it ends daemon worker processes, so a crawl stopped uncleanly (a
    second signal) waited for a thread blocked on its busy worker's pipe, then on the worker it
    started in its place: minutes, with no output.
    """

    def __init__(self, context: BaseContext) -> None:
        self.context = context
        self.process: BaseProcess | None = None
        self.conn: Connection | None = None
        self.ready = False
        self.stopped = False
        self.jobs: queue.SimpleQueue[tuple | None] = queue.SimpleQueue()
        #: Held to replace or stop the process: a page that fails as the crawl stops starts none.
        self.lock = threading.Lock()
        self.start()
        _slots.add(self)
        threading.Thread(target=self._serve, name="extract", daemon=True).start()

    def submit(self, task: tuple, timeout: float, then: Callable[[], None]) -> asyncio.Future:
        """``run(task, timeout)`` in the slot's thread, as a future of the running loop; ``then()``
        on the loop once it is done (even when the awaiting coroutine was cancelled meanwhile)."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self.jobs.put((task, timeout, loop, future, then))
        return future

    def _serve(self) -> None:
        while (job := self.jobs.get()) is not None:
            task, timeout, loop, future, then = job
            try:
                outcome, failed = self.run(task, timeout), False
            except BaseException as exc:  # noqa: BLE001 - handed to the awaiting coroutine
                outcome, failed = exc, True
            with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is waiting
                loop.call_soon_threadsafe(_settle, future, outcome, failed, then)

    def start(self) -> None:
        self.conn, child = self.context.Pipe()
        self.process = self.context.Process(target=_worker_main, args=(child,), daemon=True)
        self.process.start()
        child.close()
        self.ready = False
        # after multiprocessing's own exit handler (it starts with the first process), so run before it
        atexit.unregister(_kill_workers)
        atexit.register(_kill_workers)

    def run(self, task: tuple, timeout: float) -> Any:
        """Extract one page in this slot's process (blocking: called in a thread).

        A worker found dead is replaced and the page tried once more on the new one: a worker
        killed between pages (the OOM killer, an operator) costs no page, and a page that kills
        two workers in a row is a failed capture.
        """
        try:
            return self._run_once(task, timeout)
        except WorkerDied:
            return self._run_once(task, timeout)

    def _run_once(self, task: tuple, timeout: float) -> Any:
        self._wait_ready()
        assert self.conn is not None
        try:
            self.conn.send(task)
            answer = self.conn.recv() if self.conn.poll(timeout) else None
        except (EOFError, OSError):
            self.restart()
            raise WorkerDied("the extraction worker died") from None
        if answer is None:
            self.restart()
            raise ExtractTimeout(f"took longer than {timeout:g} s")
        status, value = answer
        if status == "error":
            raise RuntimeError(value)
        return value

    def _wait_ready(self) -> None:
        """Wait for a new worker's "ready" (its imports), so that start-up never counts as a page's time."""
        if self.ready:
            return
        if self.conn is None:
            raise WorkerDied("the extraction workers were stopped")
        try:
            if not self.conn.poll(WORKER_START_TIMEOUT) or self.conn.recv() != "ready":
                raise EOFError
        except (EOFError, OSError):
            self.restart()
            raise WorkerDied("an extraction worker did not start") from None
        self.ready = True

    def restart(self) -> None:
        with self.lock:
            self.kill()
            if not self.stopped:  # a page still running when the crawl stopped starts no new worker
                self.start()

    def kill(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.kill()
        if self.process is not None:
            self.process.join()
        if self.conn is not None:
            self.conn.close()
        self.process, self.conn = None, None

    def stop(self, grace: float) -> None:
        """Ask the process to end; kill it if it is still busy after ``grace`` seconds."""
        with self.lock:
            self.stopped = True
            process, conn = self.process, self.conn
        self.jobs.put(None)
        if process is None:
            return
        with contextlib.suppress(OSError, ValueError, AttributeError):
            conn.send(None)
        process.join(grace)
        with self.lock:
            self.kill()


class ExtractPool:
    """``workers`` extraction processes shared by clients (one per portal crawler), handed out fairly.

    A page waits for a free worker; the timeout starts once it has one. When several clients
    wait, a freed worker goes to the one holding the fewest workers (the longest waiting among
    equals): a client whose pages each take the whole timeout holds at most its share while
    others wait, however many pages it queued first.
    """

    def __init__(self, workers: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.slots = [_Slot(context) for _ in range(workers)]
        self.idle: list[_Slot] = list(self.slots)
        self.busy: dict[Hashable, int] = {}
        #: Per client, its pages waiting for a worker: (arrival number, future of a slot).
        self.waiting: dict[Hashable, deque[tuple[int, asyncio.Future]]] = {}
        self.arrivals = itertools.count()

    async def extract(
        self, client: Hashable, task: tuple[bytes, str, str | None], timeout: float
    ) -> tuple[dict[str, Any] | None, str | None]:
        """``extract_page(*task)`` in a worker, as ``client``'s page: raises ExtractTimeout, WorkerDied."""
        granted = self._acquire(client)
        try:
            slot = await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():  # granted, then cancelled before resuming
                self._release(client, granted.result())
            raise
        # back to the pool only once its thread is done with it, even if this await is cancelled
        return await slot.submit(task, timeout, then=lambda: self._release(client, slot))

    def _acquire(self, client: Hashable) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        if self.idle:
            self.busy[client] = self.busy.get(client, 0) + 1
            future.set_result(self.idle.pop())
        else:
            self.waiting.setdefault(client, deque()).append((next(self.arrivals), future))
        return future

    def _release(self, client: Hashable, slot: _Slot) -> None:
        self.busy[client] -= 1
        for pages in self.waiting.values():
            while pages and pages[0][1].done():  # cancelled while waiting
                pages.popleft()
        waiting = [c for c, pages in self.waiting.items() if pages]
        if not waiting:
            self.idle.append(slot)
            return
        chosen = min(waiting, key=lambda c: (self.busy.get(c, 0), self.waiting[c][0][0]))
        _, future = self.waiting[chosen].popleft()
        self.busy[chosen] = self.busy.get(chosen, 0) + 1
        future.set_result(slot)

    def forget(self, client: Hashable) -> None:
        """A client that is done keeps no entry here, nor what it refers to (its crawler) alive."""
        if not self.busy.get(client):
            self.busy.pop(client, None)
        if not self.waiting.get(client):
            self.waiting.pop(client, None)

    def stop(self) -> None:
        """Idle workers end at once; a busy one is killed after a second, not waited for."""
        for slot in self.slots:
            slot.stop(grace=1.0)


_shared: ExtractPool | None = None
_clients: set[Hashable] = set()
_slots: weakref.WeakSet[_Slot] = weakref.WeakSet()


def _kill_workers() -> None:
    """At the crawl process's exit, kill the workers it did not stop (an unclean stop skips that).

    multiprocessing's own exit handler ends a leftover worker with SIGTERM, which a worker
    ignores (``_worker_main``), then waits for it: forever, the worker waiting for a page.
    """
    for slot in list(_slots):
        slot.stopped = True
        if slot.process is not None and slot.process.is_alive():
            slot.process.kill()


def shared_pool(client: Hashable, workers: int) -> ExtractPool:
    """The process's pool (started with ``workers`` processes by its first client), ``client`` counted in.

    One pool per process whatever the number of portals: that bounds the crawl's memory. Every
    portal of one run has the same settings, so the first client's ``workers`` is everyone's.
    """
    global _shared
    if _shared is None:
        _shared = ExtractPool(workers)
    _clients.add(client)
    return _shared


def leave_pool(client: Hashable) -> None:
    """``client`` is done; the last one out stops the workers."""
    global _shared
    _clients.discard(client)
    if _shared is not None:
        _shared.forget(client)
    if not _clients and _shared is not None:
        _shared.stop()
        _shared = None


def _settle(future: asyncio.Future, outcome: Any, failed: bool, then: Callable[[], None]) -> None:
    if not future.done():  # not cancelled while the page ran
        if failed:
            future.set_exception(outcome)
        else:
            future.set_result(outcome)
    then()
