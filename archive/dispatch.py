"""The coordinator on the archive host (``vnarchive dispatch``): portal runs spread over scrapyd nodes.

One loop, the archive's only writer: for each portal, take a lease, write its seed, schedule the
run on a free node, poll the node, fetch the hand-off the finished job left, ingest it
(archive.ingest, idempotent) and release the lease. A node that stops answering keeps its
leases until they expire (its jobs stop themselves by then), and its portals are then run again
on another node. Leases live in the archive, so a coordinator started again after a crash takes
over the runs in flight instead of starting them twice.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive import leases, store
from archive.handoff import RECORDS_SUFFIX, HandoffError, read_handoff, write_seed
from archive.ingest import IngestError, ingest_handoff
from archive.lock import LockHeld
from archive.nodes import Node, NodeError
from archive.profiles import SiteProfile


class DispatchError(Exception):
    """Dispatching cannot start (no node answers, a bad option); the message is one line."""


@dataclass
class Options:
    """How runs are handed out: lease length, the jobs' stop margin, polling, retries, Scrapy settings."""

    lease_seconds: float = 6 * 3600.0
    #: None: the jobs' own NODE_STOP_MARGIN (crawler/settings.py).
    stop_margin: float | None = None
    poll_seconds: float = 5.0
    max_attempts: int = 3
    per_node: int = 1
    settings: dict[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    """How one portal's dispatch ended: its run on the archive host, or why there is none."""

    site: str
    run: dict[str, Any] | None = None
    error: str | None = None
    attempts: int = 0


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


class SeedServer:
    """Serves the seeds directory over HTTP to the nodes (plain static files, GET only)."""

    def __init__(self, directory: Path, host: str, port: int) -> None:
        handler = functools.partial(_Quiet, directory=str(directory))
        try:
            self.httpd = http.server.ThreadingHTTPServer((host, port), handler)
        except OSError as exc:
            raise DispatchError(f"cannot serve seeds on {host}:{port}: {exc.strerror or exc}") from exc
        self.base = f"http://{host}:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="seeds", daemon=True)

    def __enter__(self) -> SeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Dispatcher:
    """The coordinator's state for one ``dispatch`` of a list of portals."""

    def __init__(
        self,
        db_path: Path,
        profiles: list[SiteProfile],
        nodes: list[Node],
        work: Path,
        options: Options,
        say: Callable[[str], None],
    ) -> None:
        self.db_path = db_path
        self.profiles = {p.name: p for p in profiles}
        self.nodes = {n.url: n for n in nodes}
        self.work = work
        self.options = options
        self.say = say
        self.pending = list(self.profiles)
        self.inflight: dict[str, leases.Lease] = {}
        self.attempts: dict[str, int] = {}
        self.outcomes: dict[str, Outcome] = {}
        self.down: set[str] = set()
        #: The node each portal's last failed attempt ran on.
        self.failed_on: dict[str, str] = {}
        self.db = store.open_db(db_path)

    # -- the loop ----------------------------------------------------------------------------

    def run(self, listen: tuple[str, int]) -> list[Outcome]:
        try:
            for node in self.nodes.values():
                node.check()  # NodeError: one line, before anything is leased
            seeds = self.work / "seeds"
            seeds.mkdir(parents=True, exist_ok=True)
            self._adopt()
            with SeedServer(seeds, *listen) as server:
                while self.pending or self.inflight:
                    self._poll()
                    self._recheck_down()
                    self._schedule(server, seeds)
                    if self.pending and not self.inflight and len(self.down) == len(self.nodes):
                        for site in list(self.pending):
                            self._give_up(site, "no node is reachable")
                        break
                    time.sleep(self.options.poll_seconds)
        finally:
            self.db.conn.close()
        return [self.outcomes[name] for name in self.profiles if name in self.outcomes]

    def _adopt(self) -> None:
        """Runs in flight under leases an earlier coordinator took: polled, not started again."""
        for lease in leases.held(self.db):
            if lease.site in self.profiles and lease.site in self.pending:
                self.pending.remove(lease.site)
                self.inflight[lease.site] = lease
                self.attempts[lease.site] = lease.attempt
                self.nodes.setdefault(lease.node, Node(lease.node))
                self.say(
                    f"{lease.site}: taking over run {lease.token} on {lease.node} (lease until {lease.expires_at})"
                )

    def _recheck_down(self) -> None:
        for url in sorted(self.down):
            try:
                self.nodes[url].check()
            except NodeError:
                continue
            self.down.discard(url)
            self.say(f"node {url} answers again")

    def _node_lost(self, node: Node, exc: NodeError) -> None:
        if node.url not in self.down:
            self.down.add(node.url)
            self.say(str(exc))

    # -- scheduling --------------------------------------------------------------------------

    def _free_node(self, site: str) -> Node | None:
        busy = dict.fromkeys(self.nodes, 0)
        for lease in self.inflight.values():
            busy[lease.node] = busy.get(lease.node, 0) + 1
        free = [url for url, n in busy.items() if url not in self.down and n < self.options.per_node]
        if not free:
            return None
        # Another node than the one the portal's last attempt was lost on, when there is one.
        free.sort(key=lambda url: (url == self.failed_on.get(site), busy[url]))
        return self.nodes[free[0]]

    def _schedule(self, server: SeedServer, seeds: Path) -> None:
        for site in list(self.pending):
            node = self._free_node(site)
            if node is None:
                return
            attempt = self.attempts.get(site, 0) + 1
            lease = leases.acquire(self.db, site, node.url, self.options.lease_seconds, attempt)
            if lease is None:
                continue  # held by another coordinator: its run is not ours to start
            seed = write_seed(self.db, self.profiles[site], seeds / f"{lease.token}.db")
            settings = {
                **self.options.settings,
                "ARCHIVE_DB_PATH": f"runs/{lease.token}.db",
                "NODE_SEED_URL": f"{server.base}/{seed.name}",
                # the node's copy holds one run's texts: placement is the archive host's, at ingest
                "PROPAGATE_AFTER_RUN": "False",
                "NODE_TOKEN": lease.token,
                "NODE_DEADLINE": str(lease.expires_at.timestamp()),
            }
            if self.options.stop_margin is not None:
                settings["NODE_STOP_MARGIN"] = str(self.options.stop_margin)
            try:
                job = node.schedule(site, settings, lease.token)
            except NodeError as exc:
                leases.release(self.db, lease)
                seed.unlink(missing_ok=True)
                self._node_lost(node, exc)
                continue
            self.pending.remove(site)
            self.attempts[site] = attempt
            self.inflight[site] = leases.set_job(self.db, lease, job)
            self.say(
                f"{site}: attempt {attempt} scheduled on {node.url} (job {job}, lease until {lease.expires_at})"
            )

    # -- polling -----------------------------------------------------------------------------

    def _poll(self) -> None:
        now = datetime.now(UTC)
        for site, lease in list(self.inflight.items()):
            node = self.nodes[lease.node]
            try:
                state = node.state(lease.job) if lease.job else None
                if state == "finished":
                    self._collect(site, lease, node)
                    continue
            except NodeError as exc:
                self._node_lost(node, exc)
                state = None
            if lease.expired(now):
                if state in ("pending", "running"):
                    self.say(f"{site}: job {lease.job} on {node.url} outlived its lease: cancelled")
                    with contextlib.suppress(NodeError):
                        node.cancel(lease.job)
                self._retry(site, lease, f"lease expired ({node.url} lost or too slow)")

    def _collect(self, site: str, lease: leases.Lease, node: Node) -> None:
        """Fetch a finished job's hand-off and ingest it; a job that left none is tried again."""
        items = node.items_url(lease.job)
        if items is None:
            self._retry(site, lease, f"job {lease.job} on {node.url} is finished but unlisted")
            return
        base = items.rsplit(".", 1)[0]
        into = self.work / "handoffs"
        into.mkdir(parents=True, exist_ok=True)
        records = node.download(base + RECORDS_SUFFIX, into / f"{lease.token}{RECORDS_SUFFIX}")
        if records is None:
            log = items.replace("/items/", "/logs/", 1).rsplit(".", 1)[0] + ".log"
            self._retry(site, lease, f"job {lease.job} on {node.url} ended without a hand-off (log: {log})")
            return
        try:
            handoff = read_handoff(records)
            warcs = []
            for name in handoff.warc:
                path = node.download(f"{base.rsplit('/', 1)[0]}/{name}", into / name)
                if path is None:
                    raise HandoffError(f"{node.url} no longer serves {name}")
                warcs.append(path)
            run = ingest_handoff(self.db_path, handoff, warcs)
        except LockHeld as exc:
            self.say(f"{site}: hand-off waits: {exc}")
            return
        except (HandoffError, IngestError) as exc:
            self._retry(site, lease, str(exc))
            return
        leases.release(self.db, lease)
        (self.work / "seeds" / f"{lease.token}.db").unlink(missing_ok=True)
        for path in [records, *warcs]:
            path.unlink(missing_ok=True)
        del self.inflight[site]
        self.outcomes[site] = Outcome(site, run=run, attempts=self.attempts[site])
        self.say(f"{site}: run {run['id']} ingested from {node.url}: {run['status']}")

    def _retry(self, site: str, lease: leases.Lease, why: str) -> None:
        leases.release(self.db, lease)
        (self.work / "seeds" / f"{lease.token}.db").unlink(missing_ok=True)
        del self.inflight[site]
        self.failed_on[site] = lease.node
        if self.attempts.get(site, 0) >= self.options.max_attempts:
            self._give_up(site, f"{why}; gave up after {self.attempts[site]} attempts")
            return
        self.say(f"{site}: {why}; will run again on another node")
        self.pending.append(site)

    def _give_up(self, site: str, why: str) -> None:
        if site in self.pending:
            self.pending.remove(site)
        self.outcomes[site] = Outcome(site, error=why, attempts=self.attempts.get(site, 0))
        self.say(f"{site}: {why}")


def dispatch(
    db_path: str | Path,
    profiles: list[SiteProfile],
    node_urls: list[str],
    *,
    work: str | Path | None = None,
    listen: tuple[str, int] = ("127.0.0.1", 0),
    options: Options | None = None,
    say: Callable[[str], None] = print,
) -> list[Outcome]:
    """Run every portal of ``profiles`` once over the scrapyd nodes at ``node_urls``; one outcome each.

    Raises DispatchError when no portal or no node is given, and NodeError when a node does not
    answer (or does not serve the project) at the start.
    """
    if not profiles:
        raise DispatchError("no portal to dispatch")
    if not node_urls:
        raise DispatchError("no node given (--node URL, once per scrapyd node)")
    db_path = Path(db_path)
    work_dir = Path(work) if work else db_path.with_name(db_path.stem + "-dispatch")
    dispatcher = Dispatcher(
        db_path, profiles, [Node(u) for u in node_urls], work_dir, options or Options(), say
    )
    return dispatcher.run(listen)
