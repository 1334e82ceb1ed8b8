"""The full-text index follows each article's current text, and is written only when that text
(or the article's place in the newest-first order) changes: a re-check, a 304 or a removal
leaves it as it was."""

from __future__ import annotations

from archive import store
from tests.test_store import URL, page, record


def _index(db) -> list[tuple]:  # noqa: ANN001 - sqlite_utils.Database
    """The FTS index's own stored blocks: any write to the index changes them."""
    return db.execute("select id, block from articles_fts_data order by id").fetchall()


def _matches(db, query: str) -> list[str]:  # noqa: ANN001 - sqlite_utils.Database
    return [
        row[0]
        for row in db.execute(
            "select a.url from articles_fts f join articles a on a.rowid = f.rowid where articles_fts match ?",
            [query],
        )
    ]


def test_a_re_check_a_304_and_a_removal_leave_the_index_unwritten(fresh_db):
    store.record_page(fresh_db, page(fetched_at="2026-12-01T00:00:00+00:00"), record())
    before = _index(fresh_db)
    assert _matches(fresh_db, '"Quận 1"') == [URL]
    unchanged = store.record_page(fresh_db, page(fetched_at="2026-12-02T00:00:00+00:00"), record())
    assert unchanged["outcome"] == "unchanged"
    assert _index(fresh_db) == before
    not_modified = store.record_page(
        fresh_db, page(body=None, status=304, fetched_at="2026-12-03T00:00:00+00:00")
    )
    assert not_modified["outcome"] == "not-modified"
    removed = store.record_page(
        fresh_db, page(status=404, removed="http-404", fetched_at="2026-12-04T00:00:00+00:00")
    )
    assert removed["outcome"] == "removed"
    assert _index(fresh_db) == before
    assert fresh_db["articles"].get(URL)["last_checked"] == "2026-12-04T00:00:00+00:00"
    assert _matches(fresh_db, '"Quận 1"') == [URL]


def test_a_new_version_and_a_new_date_are_indexed_under_the_article_s_current_row(fresh_db):
    store.record_page(fresh_db, page(fetched_at="2026-12-01T00:00:00+00:00"), record())
    first_rowid = fresh_db.execute("select rowid from articles").fetchone()[0]
    edited = record(text="Đảng bộ Quận 3 đã tham gia học tập.", published="2022-09-15T08:00:00+07:00")
    changed = store.record_page(
        fresh_db, page(body=b"<html>v2</html>", fetched_at="2026-12-02T00:00:00+00:00"), edited
    )
    assert changed["outcome"] == "changed"
    rowid = fresh_db.execute("select rowid from articles").fetchone()[0]
    assert rowid > first_rowid  # a later date: a later place in the newest-first order
    assert _matches(fresh_db, '"Quận 3"') == [URL] and _matches(fresh_db, '"Quận 1"') == []
    assert _matches(fresh_db, "quan") == [URL]  # the folded columns too
    # the index holds the article once, under its current rowid, and nothing else
    assert fresh_db.execute("select rowid from articles_fts").fetchall() == [(rowid,)]
    integrity = "insert into articles_fts (articles_fts, rank) values ('integrity-check', 1)"
    fresh_db.execute(integrity)  # raises if the index and the rows it indexes disagree
