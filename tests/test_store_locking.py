"""The store's transactions take the write lock when they begin: several connections write one
archive at once (each portal of a ``crawl --all``, its crawl state, placement after a run)."""

from __future__ import annotations

import sqlite3

import pytest

from archive import store


def test_a_page_s_transaction_holds_the_write_lock_from_its_start(fresh_db, db_path):
    """record_page reads (is the body stored? the article?) before it writes: begun as a plain
    deferred transaction, its first write would fail at once, without waiting, whenever another
    connection had committed since those reads (another portal's page, the crawl state)."""
    other = sqlite3.connect(db_path, timeout=0)
    try:
        with store._transaction(fresh_db.conn), pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("insert into frontier (url) values ('http://x/a')")
        other.execute("insert into frontier (url) values ('http://x/a')")  # free again once committed
        other.commit()
    finally:
        other.close()


def test_a_run_closes_when_another_connection_commits_between_its_read_and_its_write(fresh_db, db_path):
    """finish_run reads the run's row before it writes it (sqlite-utils' update). Another
    connection (another portal's page, placement) committing in between made its write fail at
    once with "database is locked", and the run stayed "running"; holding the lock from the
    start, the other connection waits instead, and the run is closed."""
    run = store.start_run(fresh_db, "tuyengiao", "https://tuyengiao.vn")
    other = sqlite3.connect(db_path, timeout=0)
    attempts: list[str] = []

    def commit_from_elsewhere(sql: str) -> None:
        # Runs as finish_run's connection starts each statement: just before its first write.
        if not attempts and sql.lstrip().lower().startswith("update") and "crawl_runs" in sql:
            try:
                other.execute("insert into frontier (url) values ('http://x/a')")
                other.commit()
                attempts.append("committed")
            except sqlite3.OperationalError as exc:
                other.rollback()
                attempts.append(str(exc))

    fresh_db.conn.set_trace_callback(commit_from_elsewhere)
    try:
        row = store.finish_run(fresh_db, run, status="ok", exit_code=0, stats={"pages": 1})
    finally:
        fresh_db.conn.set_trace_callback(None)
        other.close()
    assert attempts == ["database is locked"]  # the other writer had to wait for this one
    assert row["status"] == "ok" and row["exit_code"] == 0 and row["finished_at"]
