"""Leases on portal runs (table ``node_leases``): no portal is crawled by two nodes at once.

The archive host is the only writer, so the leases live in the archive beside what they
protect, and taking one is one SQLite transaction. A lease is a time budget, not a heartbeat:
the job it was handed to is told the same deadline and stops itself before it passes, so a
lease that expires is safe to give to another node even when the first node was only cut off,
not dead.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from archive.store import write_transaction


@dataclass(frozen=True)
class Lease:
    """One portal's run held by one node until ``expires_at``."""

    site: str
    token: str
    node: str
    job: str
    attempt: int
    acquired_at: datetime
    expires_at: datetime

    def expired(self, now: datetime | None = None) -> bool:
        return (now or datetime.now(UTC)) >= self.expires_at


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds")


def _lease(row: tuple) -> Lease:
    site, token, node, job, attempt, acquired_at, expires_at = row
    return Lease(
        site,
        token,
        node,
        job or "",
        attempt,
        datetime.fromisoformat(acquired_at),
        datetime.fromisoformat(expires_at),
    )


_COLUMNS = "site, token, node, job, attempt, acquired_at, expires_at"


def held(db: Database) -> list[Lease]:
    """Every lease in the archive, expired ones included (the dispatcher decides what to do with them)."""
    return [_lease(r) for r in db.execute(f"select {_COLUMNS} from node_leases order by site")]


def acquire(db: Database, site: str, node: str, seconds: float, attempt: int) -> Lease | None:
    """Take ``site`` for ``node`` for ``seconds``; None when an unexpired lease holds it already."""
    now = datetime.now(UTC).replace(microsecond=0)
    lease = Lease(site, uuid.uuid4().hex, node, "", attempt, now, now + timedelta(seconds=seconds))
    with write_transaction(db.conn):
        row = db.execute("select expires_at from node_leases where site = ?", [site]).fetchone()
        if row and datetime.fromisoformat(row[0]) > now:
            return None
        db.execute(
            f"insert or replace into node_leases ({_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?)",
            [site, lease.token, node, "", attempt, _iso(now), _iso(lease.expires_at)],
        )
    return lease


def set_job(db: Database, lease: Lease, job: str) -> Lease:
    """Record the node's job id for the lease (the dispatcher polls it by this id)."""
    with write_transaction(db.conn):
        db.execute(
            "update node_leases set job = ? where site = ? and token = ?", [job, lease.site, lease.token]
        )
    return Lease(lease.site, lease.token, lease.node, job, lease.attempt, lease.acquired_at, lease.expires_at)


def release(db: Database, lease: Lease) -> bool:
    """End the lease if it is still this one (a newer lease on the portal is left alone)."""
    with write_transaction(db.conn):
        cursor = db.execute("delete from node_leases where site = ? and token = ?", [lease.site, lease.token])
    return cursor.rowcount == 1
