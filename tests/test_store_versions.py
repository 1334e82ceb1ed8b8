"""Versions and tombstones as a researcher reads them: which version, which event, which dates.

Each case records hand-made pages into a real SQLite archive and checks the rows against
expectations written by hand (no goldens): a new article, a recapture that changes nothing, an
edit of each kind ``classify_change`` tells apart, a removal and a return, a 304, a
re-extraction (tests/test_store_pages.py: every other page, and the run rows). bench/mutation.py
runs both against archive/store.py: a changed operator or constant in the write path must fail
one of these tests.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

import pytest
from sqlite_utils import Database

from archive import store

URL = "https://tuyengiao.vn/thoi-su/hoc-tap-va-lam-theo-113500"
T0 = "2024-01-01T08:00:00+00:00"
T1 = "2024-01-08T08:00:00+00:00"
T2 = "2024-01-15T08:00:00+00:00"
T3 = "2024-01-22T08:00:00+00:00"
SECOND = 1 << 16  # keys per second in the newest-first order (store.SLOT_BITS)


def rec(**changes: Any) -> dict[str, Any]:
    base = {
        "url": URL,
        "site": "tuyengiao",
        "title": "Học tập và làm theo tư tưởng Hồ Chí Minh",
        "lead": "Sapo của bài.",
        "lead_tag": None,
        "text": "Đảng bộ Quận 1 đã học tập.\nBài viết thứ hai.",
        "author": "Trọng Đạt",
        "bylines": [{"name": "Trọng Đạt", "role": None, "person": True, "facet": "Trọng Đạt"}],
        "source": None,
        "category": "Thời sự",
        "tags": ["Quận 1", "học tập"],
        "images": [{"src": "https://tuyengiao.vn/a.jpg", "caption": "Toàn cảnh"}],
        "related": [],
        "published": "2022-09-14T03:30:00+07:00",
        "published_source": "dateline",
        "published_raw": "14/9/2022 03:30",
        "modified": None,
        "language": "vi",
        "canonical_url": None,
        "flags": [],
        "extractor": "vnarchive",
        "extractor_version": "1",
    }
    return {**base, **changes}


def fetch(at: str, body: bytes | None = b"<html>v1</html>", status: int | None = 200, **extra: Any) -> dict:
    return {"url": URL, "fetched_at": at, "status": status, "kind": "article", "body": body, **extra}


def article(db: Database, url: str = URL) -> dict[str, Any]:
    return db["articles"].get(url)


def versions(db: Database) -> list[dict[str, Any]]:
    return list(db["article_versions"].rows_where("url = ?", [URL], order_by="version"))


def events(db: Database) -> list[tuple]:
    rows = db["article_events"].rows_where("url = ?", [URL], order_by="id")
    return [(e["event"], e["at"], e["capture_id"], e["detail"]) for e in rows]


def rowid(db: Database, url: str = URL) -> int:
    return db.execute("select rowid from articles where url = ?", [url]).fetchone()[0]


def seconds_since_1900(*args: int) -> int:
    return int((datetime(*args) - datetime(1900, 1, 1)).total_seconds())


# -- classify_change: what kind of edit, which fields ------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, ("trivial", [])),
        ({"title": "Tiêu đề đã sửa"}, ("substantive", ["title"])),
        ({"lead": "Sapo mới."}, ("substantive", ["lead"])),
        ({"text": "Đảng bộ Quận 3 đã học tập."}, ("substantive", ["text"])),
        ({"author": "Minh Anh"}, ("substantive", ["author"])),
        ({"published": "2022-09-15T03:30:00+07:00"}, ("substantive", ["published"])),
        # whitespace alone is no edit of the words: the field changed, trivially
        ({"text": "Đảng bộ  Quận 1 đã học tập.\n\nBài viết thứ hai. "}, ("trivial", ["text"])),
        ({"lead": None}, ("substantive", ["lead"])),
        ({"category": "Xây dựng Đảng"}, ("trivial", ["category"])),
        ({"source": "Theo TTXVN"}, ("trivial", ["source"])),
        ({"tags": ["học tập", "Quận 1"]}, ("trivial", ["tags"])),
        (
            {"images": [{"src": "https://tuyengiao.vn/a.jpg", "caption": "Quang cảnh"}]},
            ("trivial", ["images"]),
        ),
        ({"site": "127.0.0.1", "published_raw": "14/09/2022"}, ("trivial", ["site", "published_raw"])),
        # provenance only: no versioned field changed
        ({"flags": ["no-date"], "extractor_version": "2", "canonical_url": URL}, ("trivial", [])),
        # in VERSIONED_FIELDS order, substantive as soon as one substantive field is
        ({"category": "Xây dựng Đảng", "title": "Tiêu đề đã sửa"}, ("substantive", ["title", "category"])),
        ({"title": " Học tập và làm theo  tư tưởng Hồ Chí Minh", "tags": []}, ("trivial", ["title", "tags"])),
    ],
)
def test_classify_change_by_field(changes: dict, expected: tuple) -> None:
    assert store.classify_change(rec(), rec(**changes)) == expected


def test_an_empty_lead_where_there_was_none_is_trivial() -> None:
    assert store.classify_change(rec(lead=None), rec(lead="")) == ("trivial", ["lead"])
    assert store.classify_change(rec(lead=""), rec(lead="  ")) == ("trivial", ["lead"])


# -- record_hash: the stored fingerprint of a record -------------------------------------------


def test_record_hash_is_sha256_of_the_sorted_versioned_fields_as_utf8_json() -> None:
    """Archives hold these hashes: another serialisation would make every article "changed"."""
    record = {"title": "Văn hóa", "text": "Đảng bộ.", "tags": ["Quận 1"], "extractor": "x", "flags": ["a"]}
    written = (
        '{"author": null, "bylines": null, "category": null, "images": null, "language": null, '
        '"lead": null, "lead_tag": null, "modified": null, "published": null, "published_raw": null, '
        '"published_source": null, "site": null, "source": null, "tags": ["Quận 1"], '
        '"text": "Đảng bộ.", "title": "Văn hóa"}'
    )
    assert store.record_hash(record) == hashlib.sha256(written.encode("utf-8")).hexdigest()
    assert store.record_hash({**record, "extractor": "y", "canonical_url": URL}) == store.record_hash(record)
    assert store.record_hash({**record, "title": "Văn hoá"}) != store.record_hash(record)


# -- the published date's parts and the article's place in the order ---------------------------


@pytest.mark.parametrize(
    ("published", "parts"),
    [
        # the Vietnamese day as printed, not the UTC day (03:30+07:00 is 20:30 the day before)
        ("2022-09-14T03:30:00+07:00", ("2022-09-14", "2022-09", 2022)),
        ("2021-12-31", ("2021-12-31", "2021-12", 2021)),
        ("2021-12-3", (None, None, None)),
        ("2021-12", (None, None, None)),
        ("", (None, None, None)),
        (None, (None, None, None)),
    ],
)
def test_published_parts(published: str | None, parts: tuple) -> None:
    expected = dict(zip(("published_date", "published_month", "published_year"), parts, strict=True))
    assert store._published_parts(published) == expected


def test_rowid_base_by_hand() -> None:
    assert store.rowid_base("1900-01-02T00:00:00+07:00", None) == (1 << 50) + 86400 * SECOND
    assert store.rowid_base("1900-01-01T00:00:00", "1900-01-01T00:00:09") == 1 << 50
    assert store.rowid_base(None, "1900-01-01T00:00:09+00:00") == 9 * SECOND
    assert store.rowid_base("hôm nay", "1900-01-01T00:01:00") == 60 * SECOND
    assert store.rowid_base(None, None) == 0


def test_new_article_rowid_takes_the_next_free_slot_of_its_second(fresh_db: Database) -> None:
    published = "2020-05-01T10:00:00+07:00"
    base = (1 << 50) + seconds_since_1900(2020, 5, 1, 10) * SECOND
    put = lambda key, name: fresh_db.execute(  # noqa: E731
        "insert into articles (rowid, url) values (?, ?)", [key, f"{URL}-{name}"]
    )
    # neighbours in the seconds before and after do not count
    put(base - 1, "before")
    put(base + SECOND, "after")
    assert store.new_article_rowid(fresh_db, published, None) == base
    put(base, "first")
    put(base + 5, "sixth")
    assert store.new_article_rowid(fresh_db, published, None) == base + 6
    # a full second (its last slot taken) sends the article to the second before, and that one
    # is full too ("before" holds its last slot): two seconds before
    put(base + SECOND - 1, "last")
    assert store.new_article_rowid(fresh_db, published, None) == base - 2 * SECOND
    put(base - 2 * SECOND, "earlier")
    assert store.new_article_rowid(fresh_db, published, None) == base - 2 * SECOND + 1
    # a full second whose second before has room: the very next second down, not one further
    later = base + 7 * SECOND
    put(later + SECOND - 1, "later-last")
    assert store.new_article_rowid(fresh_db, "2020-05-01T10:00:07+07:00", None) == later - SECOND


# -- a new article, and a recapture that changes nothing ----------------------------------------


def test_a_new_article(fresh_db: Database) -> None:
    headers = {"ETag": '"abc"', "Last-Modified": "Mon, 01 Jan 2024 07:00:00 GMT"}
    capture = store.record_page(fresh_db, fetch(T0, headers=headers), rec())
    assert (capture["outcome"], capture["reason"]) == ("new", None)
    row = article(fresh_db)
    assert {k: row[k] for k in ("status", "removed_at", "version", "capture_id")} == {
        "status": "live",
        "removed_at": None,
        "version": 1,
        "capture_id": capture["id"],
    }
    assert (row["first_seen"], row["last_seen"], row["last_checked"], row["last_changed"]) == (T0,) * 4
    assert (row["etag"], row["last_modified"]) == ('"abc"', "Mon, 01 Jan 2024 07:00:00 GMT")
    assert (row["published_date"], row["published_month"], row["published_year"]) == (
        "2022-09-14",
        "2022-09",
        2022,
    )
    assert row["title_fold"] == "hoc tap va lam theo tu tuong ho chi minh"
    assert row["lead_fold"] == "sapo cua bai."
    assert row["text_fold"] == "dang bo quan 1 da hoc tap.\nbai viet thu hai."
    assert json.loads(row["tags"]) == ["Quận 1", "học tập"] and row["author"] == "Trọng Đạt"
    assert rowid(fresh_db) == (1 << 50) + seconds_since_1900(2022, 9, 14, 3, 30) * SECOND
    [v1] = versions(fresh_db)
    assert (v1["version"], v1["change_kind"], json.loads(v1["changed_fields"])) == (1, "first", [])
    assert (v1["captured_at"], v1["capture_id"], v1["title"]) == (T0, capture["id"], rec()["title"])
    assert v1["record_hash"] == row["record_hash"] == store.record_hash(rec())
    assert events(fresh_db) == [("first-seen", T0, capture["id"], None)]


def test_an_undated_article_sorts_by_when_it_was_first_seen(fresh_db: Database) -> None:
    store.record_page(fresh_db, fetch(T0), rec(published=None))
    assert rowid(fresh_db) == seconds_since_1900(2024, 1, 1, 8) * SECOND
    row = article(fresh_db)
    assert (row["published_date"], row["published_year"]) == (None, None)


def test_an_unchanged_recapture_makes_no_version_and_moves_the_checks(fresh_db: Database) -> None:
    first = store.record_page(fresh_db, fetch(T0, headers={"ETag": '"v1"'}), rec())
    # a newer extractor's provenance alone is no change either
    again = store.record_page(
        fresh_db, fetch(T1, headers={"etag": '"v2"'}), rec(extractor_version="2", flags=["no-date"])
    )
    assert (again["outcome"], again["reason"]) == ("unchanged", None)
    row = article(fresh_db)
    assert (row["first_seen"], row["last_changed"], row["version"]) == (T0, T0, 1)
    assert (row["last_seen"], row["last_checked"], row["capture_id"]) == (T1, T1, again["id"])
    assert (row["etag"], row["last_modified"], row["extractor_version"]) == ('"v2"', None, "1")
    assert len(versions(fresh_db)) == 1
    assert events(fresh_db) == [("first-seen", T0, first["id"], None)]


# -- edits: each kind becomes the next version, with its event ----------------------------------


@pytest.mark.parametrize(
    ("changes", "kind", "fields"),
    [
        ({"title": "Tiêu đề đã sửa"}, "substantive", ["title"]),
        ({"author": None}, "substantive", ["author"]),
        ({"text": "Đảng bộ Quận 1 đã học tập.\n\nBài viết   thứ hai."}, "trivial", ["text"]),
        ({"category": "Xây dựng Đảng"}, "trivial", ["category"]),
        ({"tags": ["Quận 1"]}, "trivial", ["tags"]),
        ({"images": [], "bylines": []}, "trivial", ["bylines", "images"]),
        ({"tags": None, "images": None}, "trivial", ["tags", "images"]),
        ({"lead_tag": "TG", "modified": "2022-09-15T08:00:00+07:00"}, "trivial", ["lead_tag", "modified"]),
    ],
)
def test_an_edit_is_the_next_version(fresh_db: Database, changes: dict, kind: str, fields: list) -> None:
    store.record_page(fresh_db, fetch(T0), rec())
    edit = store.record_page(fresh_db, fetch(T1, b"<html>v2</html>"), rec(**changes))
    assert (edit["outcome"], edit["reason"]) == ("changed", None)
    v1, v2 = versions(fresh_db)
    assert (v2["version"], v2["change_kind"], json.loads(v2["changed_fields"])) == (2, kind, fields)
    assert (v2["captured_at"], v2["capture_id"]) == (T1, edit["id"])
    assert v1["title"] == rec()["title"] and v1["change_kind"] == "first"
    row = article(fresh_db)
    assert (row["version"], row["first_seen"], row["last_changed"], row["last_checked"]) == (2, T0, T1, T1)
    assert row["record_hash"] == v2["record_hash"] == store.record_hash(rec(**changes)) != v1["record_hash"]
    assert events(fresh_db)[1:] == [("changed", T1, edit["id"], kind)]
    # the article's tags and images are the newest version's
    tags = [r["tag"] for r in fresh_db["article_tags"].rows_where("url = ?", [URL], order_by="tag")]
    assert tags == sorted(rec(**changes)["tags"] or [])
    images = [
        r["caption"] for r in fresh_db["article_images"].rows_where("url = ?", [URL], order_by="position")
    ]
    assert images == [i["caption"] for i in rec(**changes)["images"] or []]


def test_an_article_stored_without_tags_or_images_is_edited(fresh_db: Database) -> None:
    store.record_page(fresh_db, fetch(T0), rec(tags=None, images=None, bylines=None))
    edit = store.record_page(fresh_db, fetch(T1), rec(tags=None, images=None, bylines=None, title="Sửa"))
    assert edit["outcome"] == "changed"
    assert json.loads(versions(fresh_db)[1]["changed_fields"]) == ["title"]
    store.record_page(fresh_db, fetch(T2), rec(title="Sửa"))
    assert json.loads(versions(fresh_db)[2]["changed_fields"]) == ["bylines", "tags", "images"]
    assert versions(fresh_db)[2]["change_kind"] == "trivial"


def test_versions_count_up_and_the_article_shows_the_newest(fresh_db: Database) -> None:
    store.record_page(fresh_db, fetch(T0), rec())
    store.record_page(fresh_db, fetch(T1), rec(title="Lần sửa thứ nhất"))
    store.record_page(fresh_db, fetch(T2), rec(title="Lần sửa thứ nhất", lead="Sapo  của bài."))
    last = store.record_page(fresh_db, fetch(T3), rec(title="Lần sửa thứ hai", lead=None))
    assert [(v["version"], v["change_kind"]) for v in versions(fresh_db)] == [
        (1, "first"),
        (2, "substantive"),
        (3, "trivial"),
        (4, "substantive"),
    ]
    assert json.loads(versions(fresh_db)[3]["changed_fields"]) == ["title", "lead"]
    row = article(fresh_db)
    assert (row["version"], row["title"], row["lead"], row["lead_fold"]) == (4, "Lần sửa thứ hai", None, None)
    assert row["title_fold"] == "lan sua thu hai" and row["capture_id"] == last["id"]
    assert [e[:2] for e in events(fresh_db)] == [
        ("first-seen", T0),
        ("changed", T1),
        ("changed", T2),
        ("changed", T3),
    ]


def test_a_new_date_moves_the_article_and_no_date_puts_it_by_first_seen(fresh_db: Database) -> None:
    store.record_page(fresh_db, fetch(T0), rec())
    store.record_page(fresh_db, fetch(T1), rec(published="2023-03-02T00:00:00+07:00"))
    assert rowid(fresh_db) == (1 << 50) + seconds_since_1900(2023, 3, 2) * SECOND
    row = article(fresh_db)
    assert (row["published_date"], row["published_month"], row["published_year"]) == (
        "2023-03-02",
        "2023-03",
        2023,
    )
    store.record_page(fresh_db, fetch(T2), rec(published=None))
    assert rowid(fresh_db) == seconds_since_1900(2024, 1, 1, 8) * SECOND  # first_seen T0, not T2
    assert article(fresh_db)["published_date"] is None
    # an edit that keeps the date keeps the key
    store.record_page(fresh_db, fetch(T3), rec(published=None, title="Tiêu đề khác"))
    assert rowid(fresh_db) == seconds_since_1900(2024, 1, 1, 8) * SECOND


# -- removal, return, 304 -----------------------------------------------------------------------


def test_a_removal_is_a_tombstone_not_a_deletion(fresh_db: Database) -> None:
    store.record_page(fresh_db, fetch(T0), rec())
    gone = store.record_page(fresh_db, fetch(T1, b"Not found", status=404, removed="http-404"))
    assert (gone["outcome"], gone["reason"]) == ("removed", "http-404")
    row = article(fresh_db)
    assert (row["status"], row["removed_at"], row["last_checked"], row["last_seen"]) == (
        "removed",
        T1,
        T1,
        T0,
    )
    assert (row["title"], row["version"], fresh_db["articles"].count) == (rec()["title"], 1, 1)
    assert len(versions(fresh_db)) == 1
    # still gone a week later: checked again, removed when it was first found gone, one event
    still = store.record_page(fresh_db, fetch(T2, b"Gone", status=410, removed="http-410"))
    assert (still["outcome"], still["reason"]) == ("removed", "http-410")
    row = article(fresh_db)
    assert (row["status"], row["removed_at"], row["last_checked"], row["last_seen"]) == (
        "removed",
        T1,
        T2,
        T0,
    )
    assert events(fresh_db)[1:] == [("removed", T1, gone["id"], "http-404")]


def test_a_return_after_removal_is_restored(fresh_db: Database) -> None:
    store.record_page(fresh_db, fetch(T0), rec())
    store.record_page(fresh_db, fetch(T1, None, status=410, removed="http-410"))
    back = store.record_page(fresh_db, fetch(T2), rec())
    assert back["outcome"] == "unchanged"
    row = article(fresh_db)
    assert (row["status"], row["removed_at"], row["last_seen"], row["version"]) == ("live", None, T2, 1)
    assert [e[0] for e in events(fresh_db)] == ["first-seen", "removed", "restored"]
    assert events(fresh_db)[2] == ("restored", T2, back["id"], None)
    # back edited: restored, then changed
    store.record_page(fresh_db, fetch(T2, None, status=404, removed="http-404"))
    edited = store.record_page(fresh_db, fetch(T3), rec(title="Đăng lại, đã sửa"))
    assert edited["outcome"] == "changed" and article(fresh_db)["status"] == "live"
    assert events(fresh_db)[-2:] == [
        ("restored", T3, edited["id"], None),
        ("changed", T3, edited["id"], "substantive"),
    ]


def test_a_live_article_seen_again_has_no_restored_event(fresh_db: Database) -> None:
    store.record_page(fresh_db, fetch(T0), rec())
    store.record_page(fresh_db, fetch(T1), rec(title="Đã sửa"))
    assert [e[0] for e in events(fresh_db)] == ["first-seen", "changed"]


def test_a_304_moves_the_checks_only(fresh_db: Database) -> None:
    store.record_page(fresh_db, fetch(T0, headers={"ETag": '"v1"'}), rec())
    before = article(fresh_db)
    same = store.record_page(fresh_db, fetch(T1, None, status=304))
    assert (same["outcome"], same["reason"], same["sha256"]) == ("not-modified", None, None)
    after = article(fresh_db)
    assert (after["last_checked"], after["last_seen"]) == (T1, T1)
    moved = ("last_checked", "last_seen")
    assert {k: v for k, v in after.items() if k not in moved} == {
        k: v for k, v in before.items() if k not in moved
    }
    assert len(versions(fresh_db)) == 1 and len(events(fresh_db)) == 1


def test_a_304_for_a_removed_article_restores_it(fresh_db: Database) -> None:
    store.record_page(fresh_db, fetch(T0), rec())
    store.record_page(fresh_db, fetch(T1, None, status=404, removed="http-404"))
    back = store.record_page(fresh_db, fetch(T2, None, status=304))
    assert back["outcome"] == "not-modified"
    row = article(fresh_db)
    assert (row["status"], row["removed_at"], row["last_checked"], row["last_seen"]) == ("live", None, T2, T2)
    assert events(fresh_db)[2:] == [("restored", T2, back["id"], None)]
    assert len(versions(fresh_db)) == 1


def test_a_304_for_an_unknown_page_creates_nothing(fresh_db: Database) -> None:
    capture = store.record_page(fresh_db, fetch(T0, None, status=304))
    assert (capture["outcome"], capture["reason"]) == ("not-modified", None)
    assert fresh_db["articles"].count == 0 and fresh_db["article_events"].count == 0


# -- re-extraction of the current capture --------------------------------------------------------


def test_reextraction(fresh_db: Database) -> None:
    store.record_page(fresh_db, fetch(T0), rec())
    current = store.record_page(fresh_db, fetch(T1), rec())  # the current capture is now this one
    with pytest.raises(KeyError) as missing:
        store.apply_reextraction(fresh_db, URL + "-missing", rec())
    assert missing.value.args == (URL + "-missing",)
    assert store.apply_reextraction(fresh_db, URL, None) == "not-article"
    assert store.apply_reextraction(fresh_db, URL, rec(extractor_version="2")) == "unchanged"
    assert len(versions(fresh_db)) == 1 and len(events(fresh_db)) == 1
    assert (
        store.apply_reextraction(fresh_db, URL, rec(category="Xây dựng Đảng", extractor_version="2"))
        == "changed"
    )
    v2 = versions(fresh_db)[1]
    # the version is of the capture it was extracted from, not of the moment of re-extraction
    assert (v2["version"], v2["captured_at"], v2["capture_id"]) == (2, T1, current["id"])
    assert (v2["change_kind"], json.loads(v2["changed_fields"])) == ("trivial", ["category"])
    row = article(fresh_db)
    assert (row["version"], row["category"], row["extractor_version"]) == (2, "Xây dựng Đảng", "2")
    assert (row["last_changed"], row["last_seen"], row["last_checked"], row["capture_id"]) == (
        T1,
        T1,
        T1,
        current["id"],
    )
    event, at, capture_id, detail = events(fresh_db)[1]
    assert (event, capture_id, detail) == ("reextracted", current["id"], "trivial")
    assert at > T1  # the moment of re-extraction, after every capture
    assert (
        store.apply_reextraction(fresh_db, URL, rec(title="Tiêu đề đúng", category="Xây dựng Đảng"))
        == "changed"
    )
    assert versions(fresh_db)[2]["change_kind"] == "substantive" and events(fresh_db)[2][3] == "substantive"


def test_reextraction_at_a_listed_host_takes_the_sites_files_name(fresh_db: Database) -> None:
    """tuyengiao.vn is in sites.toml: a record naming its entry is right, whatever was stored before."""
    store.record_page(fresh_db, fetch(T0), rec(site="tuyengiao-cu"))
    assert article(fresh_db)["site"] == "tuyengiao-cu"
    assert store.apply_reextraction(fresh_db, URL, rec(site="tuyengiao")) == "changed"
    assert article(fresh_db)["site"] == "tuyengiao"
    assert json.loads(versions(fresh_db)[1]["changed_fields"]) == ["site"]
