"""``vnarchive reextract`` on an archive an older extractor filled: what changes, what stays.

The archive holds three replica pages as a crawl stored them (raw body and record). For one, the
"older extractor" missed the sapo and all but the first paragraph; for one, its record is what
today's extractor makes; the third is a category listing an older extractor took for an
article. Today's extractor runs through the command, on the stored bodies only.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

import replica
from archive import store
from archive.cli import cli
from archive.extract import extract, is_article
from archive.vntext import nfc
from replica import pages

BASE = "http://127.0.0.1:8765"
CONTENT_TYPE = "text/html; charset=utf-8"
FETCHED = "2026-11-01T00:00:00+00:00"


def keep(db: Database, url: str, html: str, record: dict) -> None:
    """Store one capture of ``url`` with ``record``, as the crawl's archive pipeline does."""
    page = {
        "url": url,
        "final_url": url,
        "status": 200,
        "kind": "article",
        "content_type": CONTENT_TYPE,
        "headers": {"Content-Type": CONTENT_TYPE},
        "body": html.encode("utf-8"),
        "fetched_at": FETCHED,
    }
    store.record_page(db, page, record)


@pytest.fixture
def archive(tmp_path):
    """(db path, {role: (url, the replica's article or None, today's record)})."""
    site = replica.build_site()
    improved, same = [a for a in site.articles if a.lead and len(a.body().paragraphs) > 2][:2]
    category = site.categories[0]
    db_path = tmp_path / "archive.db"
    db = store.open_db(db_path)
    pages_by_role = {}
    for role, article in (("improved", improved), ("same", same)):
        url, html = BASE + article.path, pages.article_page(site, article)
        today = extract(html.encode("utf-8"), url, content_type=CONTENT_TYPE)
        assert is_article(today) and today["lead"] == nfc(article.lead)
        older = today if role == "same" else {**today, "lead": None, "text": today["text"].split("\n")[0]}
        keep(db, url, html, older)
        pages_by_role[role] = (url, article, today)
    listing_url, listing_html = f"{BASE}/{category.slug}", pages.listing(site, category, 1)
    assert not is_article(extract(listing_html.encode("utf-8"), listing_url, content_type=CONTENT_TYPE))
    older_listing = {**pages_by_role["same"][2], "title": category.name, "canonical_url": listing_url}
    keep(db, listing_url, listing_html, older_listing)
    pages_by_role["listing"] = (listing_url, None, older_listing)
    db.conn.close()
    return db_path, pages_by_role


def reextract(db_path) -> str:  # noqa: ANN001
    result = CliRunner().invoke(cli, ["reextract", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    return result.output


def versions(db: Database, url: str) -> list[tuple[int, str | None]]:
    return [
        (v["version"], v["lead"])
        for v in db.query("select version, lead from article_versions where url = ? order by version", [url])
    ]


def test_a_changed_record_is_a_new_version_and_the_rest_stays(archive):
    db_path, roles = archive
    assert reextract(db_path) == (
        "re-extracted 3 articles: 1 changed, 1 unchanged, 1 no longer recognised as articles\n"
        "propagation: 3 articles placed (new or changed), 1 text clusters in all\n"
    )
    db = Database(db_path)
    improved_url, improved, today = roles["improved"]
    row = db["articles"].get(improved_url)
    assert (row["version"], row["lead"], row["text"]) == (2, nfc(improved.lead), today["text"])
    assert versions(db, improved_url) == [(1, None), (2, nfc(improved.lead))]  # the old record stays
    [capture] = db.query("select id from captures where url = ?", [improved_url])
    assert row["capture_id"] == capture["id"]  # the same capture, read again: nothing was fetched
    events = [
        e["event"]
        for e in db.query("select event from article_events where url = ? order by id", [improved_url])
    ]
    assert events == ["first-seen", "reextracted"]

    same_url, same, _ = roles["same"]
    assert versions(db, same_url) == [(1, nfc(same.lead))]
    assert db["articles"].get(same_url)["version"] == 1

    listing_url, _, older_listing = roles["listing"]
    kept = db["articles"].get(listing_url)
    assert (kept["version"], kept["title"]) == (1, older_listing["title"])  # the archive keeps what it had


def test_a_second_reextraction_changes_nothing(archive):
    db_path, roles = archive
    reextract(db_path)
    assert reextract(db_path) == (
        "re-extracted 3 articles: 0 changed, 2 unchanged, 1 no longer recognised as articles\n"
        "propagation: 0 articles placed (new or changed), 1 text clusters in all\n"
    )
    db = Database(db_path)
    assert db["article_versions"].count == 4
    assert db.execute("select count(*) from article_events where event = 'reextracted'").fetchone() == (1,)
