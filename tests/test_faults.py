"""A real crawl of the replica in fault mode: every hostile answer is a recorded capture with a
reason, the run goes on, no article row comes from an error page, and the run says so."""

from __future__ import annotations

import json
import unicodedata

import httpx
import pytest
from sqlite_utils import Database

from crawler import discovery
from replica import ReplicaServer, build_site
from replica.faults import fault_article, path_of
from tests.crawling import scrapy_crawl

#: kind -> (article archived?, outcome of the fault URL's last capture, words expected in its reason)
EXPECTED = {
    "404": (False, "failed", "http-404"),
    "410": (False, "failed", "http-410"),
    "500-then-200": (True, "new", None),
    "503": (True, "new", None),
    "429": (True, "new", None),
    "never-answers": (False, "failed", "Timeout"),
    "reset-mid-body": (False, "failed", "DataLoss"),
    "truncated-body": (False, "failed", "DataLoss"),
    "redirect-loop": (False, "failed", "redirect loop"),
    "redirect-chain": (False, "failed", "redirect chain longer than 10 hops"),
    "redirect-offsite": (False, "failed", "redirect"),
    "huge-page": (False, "failed", "download max size"),
    "binary-as-html": (False, "not-article", "not an article"),
    "invalid-utf8": (True, "new", None),
    "windows-1258": (True, "new", None),
    "empty-200": (False, "not-article", "not an article"),
    "no-title": (False, "not-article", "not an article"),
    "no-body": (False, "not-article", "not an article"),
    "malformed-html": (True, "new", None),
    "duplicate": (True, "new", None),
}


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    site = build_site(n_articles=24, faults=True)
    db_path = tmp_path_factory.mktemp("faults") / "archive.db"
    with ReplicaServer(site, port=0) as server:
        result = scrapy_crawl(db_path, server.url, DOWNLOAD_TIMEOUT="3", RETRY_TIMES="2")
        yield server, Database(db_path), result


def captures_of(db, base, path):
    return list(db["captures"].rows_where("url = ?", [base + path], order_by="id"))


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_fault_is_recorded_with_a_reason(crawl, kind):
    server, db, _ = crawl
    archived, outcome, reason = EXPECTED[kind]
    captures = captures_of(db, server.url, path_of(kind))
    assert captures, f"no capture for {kind}"
    last = captures[-1]
    assert last["outcome"] == outcome, last
    if reason:
        assert reason.lower() in (last["reason"] or "").lower(), last
    rows = list(db["articles"].rows_where("url = ?", [server.url + path_of(kind)]))
    assert bool(rows) == archived
    if archived:
        truth = fault_article(server.site, kind)
        assert rows[0]["title"] == truth.title
        assert unicodedata.is_normalized("NFC", rows[0]["text"])


def test_windows_1258_page_decodes_to_the_same_nfc_text(crawl):
    server, db, _ = crawl
    row = db["articles"].get(server.url + path_of("windows-1258"))
    truth = fault_article(server.site, "windows-1258")
    assert truth.paragraphs[0][:60] in row["text"]
    assert "\ufffd" not in row["text"]


def test_duplicate_urls_make_one_article_fetched_once(crawl):
    server, db, _ = crawl
    base = server.url + path_of("duplicate")
    assert db.execute("select count(*) from articles where url like ?", [base + "%"]).fetchone()[0] == 1
    assert db.execute("select count(*) from captures where url = ?", [base]).fetchone()[0] == 1


def test_retry_after_is_honoured(crawl):
    _, db, _ = crawl
    [run] = db["crawl_runs"].rows
    stats = json.loads(run["stats"])
    assert stats["retry_after/waited_seconds"] >= 4  # 503 and 429 each asked twice for 1 s


def test_sitemaps_gzip_and_malformed(crawl):
    server, db, _ = crawl
    gz = captures_of(db, server.url, "/sitemap-gz.xml.gz")
    assert gz and gz[0]["outcome"] == "stored"
    broken = captures_of(db, server.url, "/sitemap-hong.xml")
    # cut mid-element with a stray "&": still a <urlset>, so kept as fetched (not "unreadable sitemap"),
    # and what it lists is what the parser recovers from it
    assert [(c["outcome"], c["reason"]) for c in broken] == [("stored", None)]
    body = httpx.get(server.url + "/sitemap-hong.xml").content
    listed = {e.loc for e in discovery.parse_sitemap(body)}
    assert listed <= {row["url"] for row in db["captures"].rows}


def test_run_goes_on_and_reports_partial_failure(crawl):
    server, db, result = crawl
    assert result.returncode == 0
    [run] = db["crawl_runs"].rows
    assert run["status"] == "partial" and run["exit_code"] == 3
    failed = sum(1 for v in EXPECTED.values() if v[1] == "failed")
    assert run["failures"] >= failed
    live = [a for a in server.site.articles if a.status == "live"]
    assert db.execute("select count(*) from articles where url not like '%/kiem-thu/%'").fetchone()[0] == len(
        live
    )
    archived = sum(1 for v in EXPECTED.values() if v[0])
    assert db.execute("select count(*) from articles where url like '%/kiem-thu/%'").fetchone()[0] == archived


def test_no_article_row_from_an_error_page(crawl):
    _, db, _ = crawl
    bad = db.execute(
        """select a.url from articles a join captures c on c.id = a.capture_id
           where c.status != 200 or c.error is not null"""
    ).fetchall()
    assert bad == []
