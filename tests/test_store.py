import json
import sqlite3

import pytest
from sqlite_utils import Database

from archive import runs, store
from archive.migrations import migrations

URL = "https://tuyengiao.vn/van-hoa-xa-hoi/khong-gian-van-hoa-113371"


def record(**changes):
    base = {
        "site": "tuyengiao",
        "title": "Từng bước xây dựng “không gian văn hóa Hồ Chí Minh”",
        "lead": None,
        "text": "Tham dự đoàn công tác còn có đại diện của các vụ.\nĐảng bộ Quận 1 đã tham gia học tập.",
        "author": "Trọng Đạt",
        "source": None,
        "category": "Văn hóa - Xã hội",
        "tags": ["Quận 1", "văn hóa"],
        "images": [
            {"src": "https://tuyengiao.vn/Uploads/2022/9/14/1.jpg", "caption": "Toàn cảnh buổi làm việc"}
        ],
        "related": [
            {"url": "https://tuyengiao.vn/kinh-te/x-113300", "title": "Tin khác", "section": "Các tin khác"}
        ],
        "published": "2022-09-14T10:10:00+07:00",
        "published_source": "dateline",
        "published_raw": "Thứ Tư, 14/9/2022 10:10'(GMT+7)",
        "modified": None,
        "language": "vi",
        "canonical_url": None,
        "flags": [],
        "extractor": "vnarchive",
        "extractor_version": "1",
    }
    return {**base, **changes}


def page(body=b"<html>v1</html>", status=200, **extra):
    return {
        "url": URL,
        "status": status,
        "kind": "article",
        "body": body,
        "headers": {"ETag": '"v1"'},
        **extra,
    }


def test_first_capture_creates_article_version_and_event(fresh_db):
    run = runs.start_run(fresh_db, "tuyengiao", "https://tuyengiao.vn")
    capture = store.record_page(fresh_db, page(), record(), run_id=run)
    assert capture["outcome"] == "new"
    article = fresh_db["articles"].get(URL)
    assert article["version"] == 1 and article["status"] == "live" and article["etag"] == '"v1"'
    assert article["published_date"] == "2022-09-14" and article["published_month"] == "2022-09"
    assert article["text_fold"].startswith("tham du doan cong tac")
    assert json.loads(article["tags"]) == ["Quận 1", "văn hóa"]
    assert [r["caption"] for r in fresh_db["article_images"].rows] == ["Toàn cảnh buổi làm việc"]
    assert [r["section"] for r in fresh_db["article_links"].rows] == ["Các tin khác"]
    assert store.load_body(fresh_db, capture["sha256"]) == b"<html>v1</html>"
    assert [e["event"] for e in fresh_db["article_events"].rows] == ["first-seen"]


def test_same_record_again_is_unchanged_and_body_stored_once(fresh_db):
    store.record_page(fresh_db, page(), record())
    again = store.record_page(fresh_db, page(), record())
    assert again["outcome"] == "unchanged"
    assert fresh_db["captures"].count == 2 and fresh_db["bodies"].count == 1
    assert fresh_db["article_versions"].count == 1


def test_edits_become_versions_never_overwrites(fresh_db):
    store.record_page(fresh_db, page(), record())
    edited = record(title="Xây dựng không gian văn hóa Hồ Chí Minh ở Quận 1")
    assert store.record_page(fresh_db, page(b"<html>v2</html>"), edited)["outcome"] == "changed"
    spaced = record(title=edited["title"], text=record()["text"].replace(" Quận 1", "  Quận 1"))
    assert store.record_page(fresh_db, page(b"<html>v3</html>"), spaced)["outcome"] == "changed"
    versions = list(fresh_db["article_versions"].rows_where(order_by="version"))
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert [v["change_kind"] for v in versions] == ["first", "substantive", "trivial"]
    assert json.loads(versions[1]["changed_fields"]) == ["title"]
    assert versions[0]["title"] == record()["title"]
    assert fresh_db["articles"].get(URL)["version"] == 3


def test_removed_then_restored_keeps_last_good_record(fresh_db):
    store.record_page(fresh_db, page(), record())
    gone = store.record_page(fresh_db, page(b"Not found", status=404, removed="http-404"))
    assert gone["outcome"] == "removed"
    article = fresh_db["articles"].get(URL)
    assert article["status"] == "removed" and article["removed_at"] and article["title"] == record()["title"]
    assert store.record_page(fresh_db, page(), record())["outcome"] == "unchanged"
    assert fresh_db["articles"].get(URL)["status"] == "live"
    events = [e["event"] for e in fresh_db["article_events"].rows_where(order_by="id")]
    assert events == ["first-seen", "removed", "restored"]


def test_not_modified_moves_last_checked_and_last_seen_only(fresh_db):
    store.record_page(fresh_db, page(fetched_at="2024-01-01T00:00:00+00:00"), record(), run_id=None)
    before = fresh_db["articles"].get(URL)
    capture = store.record_page(fresh_db, page(b"", status=304, fetched_at="2024-01-08T00:00:00+00:00"))
    assert capture["outcome"] == "not-modified" and capture["sha256"] is None
    assert fresh_db["article_versions"].count == 1
    after = fresh_db["articles"].get(URL)
    assert (after["last_checked"], after["last_seen"]) == ("2024-01-08T00:00:00+00:00",) * 2
    assert before["last_checked"] == "2024-01-01T00:00:00+00:00"
    unchanged = {k: v for k, v in after.items() if k not in ("last_checked", "last_seen")}
    assert unchanged == {k: v for k, v in before.items() if k not in ("last_checked", "last_seen")}


def test_failures_and_non_articles_create_no_article(fresh_db):
    assert (
        store.record_page(fresh_db, page(None, status=None, error="TimeoutError: took too long"))["outcome"]
        == "failed"
    )
    assert store.record_page(fresh_db, page(b"<html>listing</html>"), None)["outcome"] == "not-article"
    assert store.record_page(fresh_db, page(b"oops", status=500))["outcome"] == "failed"
    listing = {"url": "https://tuyengiao.vn/kinh-te", "status": 200, "kind": "listing", "body": b"<html>"}
    assert store.record_page(fresh_db, listing)["outcome"] == "stored"
    assert fresh_db["articles"].count == 0 and fresh_db["captures"].count == 4


def test_run_counts_and_close(fresh_db):
    run = runs.start_run(fresh_db, "tuyengiao", "https://tuyengiao.vn")
    store.record_page(fresh_db, page(), record(), run_id=run)
    store.record_page(fresh_db, page(None, status=None, error="reset"), run_id=run)
    row = runs.finish_run(fresh_db, run, status="partial", exit_code=3, stats={"x": 1})
    assert (row["pages_fetched"], row["articles_new"], row["failures"]) == (2, 1, 1)
    assert row["finished_at"] and json.loads(row["stats"]) == {"x": 1}


def test_a_failed_write_leaves_nothing_half_done(fresh_db):
    bad = record(title=object())  # not storable: the whole page must roll back
    with pytest.raises(TypeError):
        store.record_page(fresh_db, page(), bad)
    assert fresh_db["captures"].count == 0 and fresh_db["articles"].count == 0
    assert fresh_db["bodies"].count == 0


def test_refuses_newer_schema_and_non_sqlite(tmp_path, fresh_db, db_path):
    fresh_db["_sqlite_migrations"].insert(
        {"migration_set": "vnarchive", "name": "m999_from_the_future", "applied_at": "2030-01-01"}
    )
    with pytest.raises(store.ArchiveError, match="newer vnarchive"):
        store.open_db(db_path)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(store.ArchiveError, match="not an archive database"):
        store.open_db(junk)
    with pytest.raises(store.ArchiveError, match="no archive"):
        store.open_db(tmp_path / "missing.db", create=False)


def test_wal_mode(fresh_db):
    assert fresh_db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert isinstance(fresh_db.conn, sqlite3.Connection)


def test_known_article_answering_with_no_article_is_a_soft_404(fresh_db):
    store.record_page(fresh_db, page(), record())
    capture = store.record_page(fresh_db, page(b"<html>Bai viet khong ton tai</html>"), None)
    assert capture["outcome"] == "removed"
    [event] = fresh_db["article_events"].rows_where("event = 'removed'")
    assert event["detail"] == "soft-404"


# -- articles.rowid: newest first ---------------------------------------------------------------


def rowid_of(db, url: str) -> int:
    return db.execute("select rowid from articles where url = ?", [url]).fetchone()[0]


def fts_urls(db, query: str) -> set[str]:
    sql = (
        "select url from articles where rowid in (select rowid from articles_fts where articles_fts match ?)"
    )
    return {r[0] for r in db.execute(sql, [query])}


def test_rowid_order_is_newest_first_with_undated_last(fresh_db):
    dates = [
        "2022-09-14T10:10:00+07:00",
        "2023-01-02",
        "2022-09-14T10:10:00+07:00",  # same second: a slot after the first
        None,
        "2021-05-01T00:00:00+07:00",
        "hôm nay",
    ]
    for i, published in enumerate(dates):
        store.record_page(fresh_db, page(url=f"{URL}-{i}"), record(published=published))
    by_rowid = [r[0] for r in fresh_db.execute("select published from articles order by rowid desc")]
    assert by_rowid[:4] == ["2023-01-02", *["2022-09-14T10:10:00+07:00"] * 2, "2021-05-01T00:00:00+07:00"]
    assert set(by_rowid[4:]) == {None, "hôm nay"}  # undated: by first_seen, below every date
    assert rowid_of(fresh_db, f"{URL}-2") == rowid_of(fresh_db, f"{URL}-0") + 1
    assert rowid_of(fresh_db, f"{URL}-0") == store.rowid_base("2022-09-14T10:10:00+07:00", None)


def test_a_new_date_moves_the_article_and_its_index_entry(fresh_db):
    store.record_page(fresh_db, page(), record())
    store.record_page(fresh_db, page(url=URL + "-later"), record(published="2023-06-01T09:00:00+07:00"))
    before = rowid_of(fresh_db, URL)
    assert before < rowid_of(fresh_db, URL + "-later")
    moved = record(published="2024-01-01T09:00:00+07:00", text="Đảng bộ Quận 3 đã tham gia học tập.")
    assert store.record_page(fresh_db, page(b"<html>v2</html>"), moved)["outcome"] == "changed"
    after = rowid_of(fresh_db, URL)
    assert after == store.rowid_base("2024-01-01T09:00:00+07:00", None) > rowid_of(fresh_db, URL + "-later")
    assert fts_urls(fresh_db, '"Quận 3"') == {URL} and fts_urls(fresh_db, '"Quận 1"') == {URL + "-later"}
    fresh_db.execute("insert into articles_fts (articles_fts, rank) values ('integrity-check', 1)")
    # an edit that keeps the date keeps the place
    store.record_page(fresh_db, page(b"<html>v3</html>"), {**moved, "title": "Tiêu đề mới"})
    assert rowid_of(fresh_db, URL) == after


def test_migration_renumbers_an_older_archive_and_keeps_its_search(db_path):
    """An archive written before m006 (rowids in arrival order) is renumbered newest first."""
    older = Database(sqlite3.connect(db_path, isolation_level=None))
    migrations.apply(older, stop_before="m006_articles_newest_first")
    dates = ["2022-09-14T10:10:00+07:00", None, "2023-01-02", "2022-09-14T10:10:00+07:00", "2020-02-02"]
    for i, published in enumerate(dates):
        older["articles"].insert(
            {
                "url": f"{URL}-{i}",
                "title": f"Bài {i} văn hóa",
                "text": f"Đảng bộ số {i}",
                "text_fold": f"dang bo so {i}",
                "published": published,
                "first_seen": f"2024-01-0{i + 1}T00:00:00+00:00",
                "version": 1,
            }
        )
    assert [r[0] for r in older.execute("select rowid from articles order by rowid")] == [1, 2, 3, 4, 5]
    queries = ['"văn hóa"', "text_fold : dang", '"số 3"']
    found = {q: fts_urls(older, q) for q in queries}
    older.close()

    db = store.open_db(db_path)
    assert "m006_articles_newest_first" in {m.name for m in migrations.applied(db)}
    rowids = dict(db.execute("select url, rowid from articles").fetchall())
    assert rowids[f"{URL}-0"] == store.rowid_base(dates[0], None)
    assert rowids[f"{URL}-3"] == rowids[f"{URL}-0"] + 1  # same second, arrival order kept
    assert rowids[f"{URL}-1"] == store.rowid_base(None, "2024-01-02T00:00:00+00:00")
    newest_first = [r[0] for r in db.execute("select url from articles order by rowid desc")]
    assert newest_first == [f"{URL}-{i}" for i in (2, 3, 0, 4, 1)]
    assert {q: fts_urls(db, q) for q in queries} == found
    db.execute("insert into articles_fts (articles_fts, rank) values ('integrity-check', 1)")
    # the triggers are back: a new article is indexed
    store.record_page(db, page(url=URL + "-new"), record())
    assert fts_urls(db, '"Quận 1"') == {URL + "-new"}


def test_an_unlisted_host_takes_the_crawls_site_and_keeps_it_on_reextraction(fresh_db):
    """The replica on 127.0.0.1 crawled as tuyengiao: its articles say tuyengiao, as its runs do."""
    replica = "http://127.0.0.1:8765/van-hoa-xa-hoi/khong-gian-van-hoa-113371"
    store.record_page(fresh_db, page(url=replica), record(site="127.0.0.1"), site="tuyengiao")
    assert fresh_db["articles"].get(replica)["site"] == "tuyengiao"
    assert [v["site"] for v in fresh_db["article_versions"].rows] == ["tuyengiao"]
    # a re-extraction (which knows no crawl) names the host again: the article keeps its site
    assert store.apply_reextraction(fresh_db, replica, record(site="127.0.0.1")) == "unchanged"
    changed = store.apply_reextraction(fresh_db, replica, record(site="127.0.0.1", title="Sửa"))
    assert changed == "changed" and fresh_db["articles"].get(replica)["site"] == "tuyengiao"
    # a host the sites file lists keeps its entry's name, whatever the crawl is called
    store.record_page(fresh_db, page(), record(), site="127.0.0.1")
    assert fresh_db["articles"].get(URL)["site"] == "tuyengiao"
