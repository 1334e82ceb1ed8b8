"""``vnarchive ingest``: WARC and WACZ files, ours and another crawler's, read back into an archive."""

from __future__ import annotations

import gzip
import urllib.request
import zipfile
from pathlib import Path

import pytest
from warcio.capture_http import capture_http
from warcio.warcwriter import WARCWriter

from archive.warc import export_warc
from replica import ReplicaServer, build_site
from tests.crawling import vnarchive
from tests.warc_crawl import crawled_archive, rows

ARTICLES = "select url, version, record_hash, site, first_seen, last_seen from articles order by url"
VERSIONS = "select url, version, record_hash, captured_at from article_versions order by url, version"


@pytest.fixture(scope="module")
def db_path(tmp_path_factory) -> Path:
    return crawled_archive(tmp_path_factory)


@pytest.fixture(scope="module")
def warcs(db_path, tmp_path_factory) -> list[Path]:
    return export_warc(db_path, tmp_path_factory.mktemp("warc"), max_bytes=60_000).files


def _counts(db: Path) -> tuple:
    return tuple(
        rows(db, f"select count(*) from {t}")[0][0]
        for t in ("captures", "articles", "article_versions", "bodies", "warc_sources")
    )


def test_round_trip_gives_the_same_articles_and_twice_adds_nothing(db_path, warcs, tmp_path):
    fresh = tmp_path / "fresh.db"
    first = vnarchive("ingest", *map(str, warcs), "--db", str(fresh))
    assert first.returncode == 0, first.stderr
    assert rows(fresh, ARTICLES) == rows(db_path, ARTICLES)  # same keys, record hashes, versions, times
    assert rows(fresh, VERSIONS) == rows(db_path, VERSIONS)
    assert rows(fresh, "select count(*) from article_versions where version = 2")[0][0] == 1
    spiders = [s for (s,) in rows(fresh, "select spider from crawl_runs order by id")]
    assert spiders == [f"ingest:{p.name}" for p in warcs]
    provenance = rows(
        fresh,
        "select w.warc_file, w.record_id, w.warc_date, c.fetched_at from warc_sources w "
        "join captures c on c.id = w.capture_id",
    )
    assert provenance and all(
        f in {p.name for p in warcs} and rid.startswith("<urn:uuid:") and d == at
        for f, rid, d, at in provenance
    )
    # the ingested texts are placed in the propagation index, every one at its current record
    unplaced = "select count(*) from articles a left join propagation_state s on s.url = a.url where s.record_hash is not a.record_hash"
    assert rows(fresh, unplaced) == [(0,)] and "articles placed in text clusters" in first.stdout
    before = _counts(fresh)
    again = vnarchive("ingest", *map(str, warcs), "--db", str(fresh))
    assert again.returncode == 0, again.stderr
    assert "already archived" in again.stdout and " new" not in again.stdout
    assert again.stdout.count("; 0 articles placed in text clusters") == len(warcs)
    assert _counts(fresh) == before


def test_a_wacz_ingests_like_its_warcs(db_path, tmp_path):
    made = vnarchive("warc", "--db", str(db_path), "--out", str(tmp_path), "--wacz")
    assert made.returncode == 0, made.stderr
    fresh = tmp_path / "fresh.db"
    result = vnarchive("ingest", made.stdout.strip(), "--db", str(fresh))
    assert result.returncode == 0, result.stderr
    assert rows(fresh, ARTICLES) == rows(db_path, ARTICLES)
    assert all("!archive/" in f for (f,) in rows(fresh, "select warc_file from warc_sources"))


def test_another_crawlers_warc_fills_the_archive(tmp_path):
    """warcio's own capture (raw bytes, its own record layout) stands for Heritrix or Browsertrix."""
    site = build_site(n_articles=3)
    path = tmp_path / "other-crawler.warc.gz"
    with ReplicaServer(site, port=0) as server, path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        with capture_http(writer):
            for article in site.articles:
                urllib.request.urlopen(server.url + article.path).read()
            urllib.request.urlopen(server.url + "/robots.txt").read()
    fresh = tmp_path / "fresh.db"
    result = vnarchive("ingest", str(path), "--db", str(fresh))
    assert result.returncode == 0, result.stderr
    titles = {t for (t,) in rows(fresh, "select title from articles")}
    assert titles == {a.title for a in site.articles}
    assert "1 not HTML" in result.stdout  # robots.txt counted, not kept
    assert rows(fresh, "select count(*) from warc_sources")[0][0] == 3


@pytest.mark.parametrize("kind", ["truncated", "text", "zip", "missing", "gzip"])
def test_bad_files_fail_in_one_line(kind, warcs, tmp_path):
    path = tmp_path / f"bad-{kind}.warc.gz"
    if kind == "truncated":
        data = warcs[0].read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif kind == "text":
        path.write_text("<html>not a WARC</html>")
    elif kind == "zip":
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("readme.txt", "no WARC here")
    elif kind == "gzip":
        path.write_bytes(gzip.compress(b"just some text"))
    db = tmp_path / "a.db"
    result = vnarchive("ingest", str(path), "--db", str(db))
    assert result.returncode == 1, result.stdout
    assert result.stderr.startswith("Error: ") and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not db.exists() or rows(db, "select count(*) from captures")[0][0] == 0
