"""The store's transactions take the write lock when they begin: several connections write one
archive at once (each portal of a ``crawl --all``, its crawl state, placement after a run)."""

from __future__ import annotations

import contextlib
import sqlite3

import pytest

from archive import runs, store


def test_a_page_s_transaction_holds_the_write_lock_from_its_start(fresh_db, db_path):
    """record_page reads (is the body stored? the article?) before it writes: begun as a plain
    deferred transaction, its first write would fail at once, without waiting, whenever another
    connection had committed since those reads (another portal's page, the crawl state)."""
    other = sqlite3.connect(db_path, timeout=0)
    try:
        with store.write_transaction(fresh_db.conn), pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("insert into frontier (url) values ('http://x/a')")
        other.execute("insert into frontier (url) values ('http://x/a')")  # free again once committed
        other.commit()
    finally:
        other.close()


@contextlib.contextmanager
def another_writer_before_the_first_write(db, db_path, table: str):
    """While the block runs, another connection (no waiting: timeout 0) tries to commit just as
    ``db``'s connection starts its first insert or update into ``table``; yields what it got:
    ["committed"], or ["database is locked"] when ``db`` held the write lock already."""
    other = sqlite3.connect(db_path, timeout=0)
    attempts: list[str] = []

    def commit_from_elsewhere(sql: str) -> None:
        head = sql.lstrip().lower()
        if not attempts and head.startswith(("insert", "update")) and table in sql:
            try:
                other.execute("insert into frontier (url) values ('http://x/a')")
                other.commit()
                attempts.append("committed")
            except sqlite3.OperationalError as exc:
                other.rollback()
                attempts.append(str(exc))

    db.conn.set_trace_callback(commit_from_elsewhere)
    try:
        yield attempts
    finally:
        db.conn.set_trace_callback(None)
        other.close()


def test_a_run_closes_when_another_connection_commits_between_its_read_and_its_write(fresh_db, db_path):
    """finish_run reads the run's row before it writes it (sqlite-utils' update). Another
    connection (another portal's page, placement) committing in between made its write fail at
    once with "database is locked", and the run stayed "running"; holding the lock from the
    start, the other connection waits instead, and the run is closed."""
    run = runs.start_run(fresh_db, "tuyengiao", "https://tuyengiao.vn")
    with another_writer_before_the_first_write(fresh_db, db_path, "crawl_runs") as attempts:
        row = runs.finish_run(fresh_db, run, status="ok", exit_code=0, stats={"pages": 1})
    assert attempts == ["database is locked"]  # the other writer had to wait for this one
    assert row["status"] == "ok" and row["exit_code"] == 0 and row["finished_at"]


@pytest.mark.parametrize("kind", ["placement", "lease"])
def test_the_other_writers_hold_the_lock_from_their_start_too(fresh_db, db_path, kind):
    """Placement after a run reads its candidates before writing its links; a node lease reads
    the current holder before writing. Each in a deferred transaction failed at once ("database
    is locked") when another connection committed between its read and its write: placement
    after the runs of a crawl --all did."""
    from archive import leases
    from archive.propagation import place
    from replica.propagation import archive_corpus, generate

    corpus = generate(6, seed=3)
    archive_corpus(fresh_db, corpus)
    writes = {"placement": "propagation_bands", "lease": "node_leases"}[kind]
    with another_writer_before_the_first_write(fresh_db, db_path, writes) as attempts:
        if kind == "placement":
            assert place(fresh_db, corpus.articles[0].url) == "placed"
        else:
            assert leases.acquire(fresh_db, "tuyengiao", "node-1", 60, 1) is not None
    assert attempts == ["database is locked"]  # the other writer waited for this one
