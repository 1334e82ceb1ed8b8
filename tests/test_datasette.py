"""Datasette over a real archive: metadata, canned queries, read-only guarantees, escaping, serving."""

from __future__ import annotations

import json
import sqlite3

import httpx
import pytest
import yaml
from click.testing import CliRunner
from datasette.utils import tilde_encode

from archive import export, serve
from archive.cli import cli
from tests.archive_fixtures import EDITED, REMOVED, build_archive, running_server, url


@pytest.fixture(scope="module")
def archive_db(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("datasette") / "archive.db")


@pytest.fixture(scope="module")
def ds(archive_db):
    return serve.build_datasette(archive_db)


async def rows(ds, path: str, **params) -> list[dict]:
    r = await ds.client.get(path, params={"_shape": "objects", **params})
    assert r.status_code == 200, r.text
    return r.json()["rows"]


# -- metadata -------------------------------------------------------------------------------


def test_metadata_describes_every_table_and_column(archive_db):
    tables = yaml.safe_load(serve.METADATA_PATH.read_text())["databases"]["archive"]["tables"]
    conn = sqlite3.connect(archive_db)
    names = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")]
    assert sorted(names) == sorted(tables), "metadata.yml tables differ from the schema"
    for name in names:
        meta = tables[name]
        if meta.get("hidden") and "columns" not in meta:
            continue  # FTS internals
        columns = [r[1] for r in conn.execute(f"pragma table_info([{name}])")]
        assert set(meta.get("columns", {})) == set(columns), name
        assert all(meta["columns"].values()), f"{name}: empty column description"


def test_packaged_metadata_is_the_repository_file():
    repo_file = serve.PACKAGE_DIR.parent / "metadata.yml"
    assert serve.METADATA_PATH.read_bytes() == repo_file.read_bytes()


async def test_internal_tables_hidden(ds):
    r = await ds.client.get("/archive.json")
    hidden = {t["name"] for t in r.json()["tables"] if t["hidden"]}
    assert {"bodies", "_sqlite_migrations", "articles_fts", "articles_fts_data"} <= hidden
    assert "articles" not in hidden


async def test_articles_newest_first_with_facets(ds):
    r = await ds.client.get("/archive/articles.json", params={"_shape": "objects"})
    data = r.json()
    published = [row["published"] for row in data["rows"]]
    assert published == sorted(published, reverse=True)
    assert {"category", "author", "site", "published_year", "published_month"} <= set(data["facet_results"])


@pytest.mark.parametrize(
    ("params", "index"),
    [
        (
            {"published_year": "2024", "_sort_desc": "published"},
            "SEARCH articles USING INDEX idx_articles_published_year_published",
        ),
        (
            {"category": "Thời sự"},
            "SEARCH articles USING INDEX idx_articles_category_published",
        ),  # newest first
        ({"_sort": "title"}, "SCAN articles USING INDEX idx_articles_title"),
    ],
)
async def test_article_pages_read_an_index_not_the_whole_table(ds, archive_db, params, index):
    """At a million articles a scan or a sort of every matching row runs past the SQL time limit."""
    r = await ds.client.get("/archive/articles.json", params=params)
    assert r.status_code == 200, r.text
    query = r.json()["query"]
    conn = sqlite3.connect(f"{archive_db.as_uri()}?mode=ro", uri=True)
    plan = " | ".join(row[3] for row in conn.execute(f"explain query plan {query['sql']}", query["params"]))
    assert plan.startswith(index) and "TEMP B-TREE" not in plan, plan


async def test_year_facet_and_count_read_an_index(archive_db):
    conn = sqlite3.connect(f"{archive_db.as_uri()}?mode=ro", uri=True)
    for sql in (
        "select published_year, count(*) from articles where published_year is not null group by published_year",
        "select count(*) from articles where published_year = 2024",
    ):
        plan = " | ".join(row[3] for row in conn.execute(f"explain query plan {sql}"))
        assert "COVERING INDEX" in plan, plan


async def test_index_page_has_title_and_licence(ds):
    html = (await ds.client.get("/")).text
    assert "Vietnamese propaganda-agency portals" in html
    assert "© their publishers" in html


# -- canned queries -------------------------------------------------------------------------


async def test_edited_articles(ds):
    (row,) = await rows(ds, "/archive/edited_articles.json")
    assert row["url"] == url(EDITED) and row["substantive_edits"] == 1


async def test_removed_articles(ds):
    (row,) = await rows(ds, "/archive/removed_articles.json")
    assert row["url"] == url(REMOVED) and row["reason"] == "http-404"


async def test_version_history(ds):
    history = await rows(ds, "/archive/version_history.json", url=url(EDITED))
    assert [(v["version"], v["change_kind"]) for v in history] == [(1, "first"), (2, "substantive")]
    assert history[1]["text"].endswith("Đoạn bổ sung sau khi sửa.")


async def test_top_authors(ds):
    authors = await rows(ds, "/archive/top_authors.json")
    assert {a["author"]: a["articles"] for a in authors} == {"Minh Anh": 3, "Trần Bình": 3, "Lê Hoa": 3}


async def test_mentions_per_month_by_category(ds):
    months = await rows(ds, "/archive/mentions_per_month.json", q="van hoa", category="Văn hóa")
    assert months == [
        {"month": "2022-09", "articles": 1},
        {"month": "2022-10", "articles": 1},
        {"month": "2022-11", "articles": 1},
    ]
    assert len(await rows(ds, "/archive/mentions_per_month.json", q="van hoa", category="")) == 4


# -- read-only and escaping -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("update articles set title = 'x'", "Statement must be a SELECT"),
        ("with x as (select 1) delete from articles", "readonly"),
        ("select 1; delete from articles", "You can only execute one statement at a time."),
        ("PRAGMA journal_mode=delete", "Statement must be a SELECT"),
        ("select * from pragma_journal_mode()", "disallowed PRAGMA"),
    ],
)
async def test_sql_that_writes_or_pragmas_is_refused(ds, archive_db, sql, message):
    r = await ds.client.get("/archive.json", params={"sql": sql})
    assert r.status_code == 400 and message in r.json()["error"]
    assert sqlite3.connect(archive_db).execute("select count(*) from articles").fetchone() == (9,)


async def test_allowed_pragma_function_works(ds):
    r = await ds.client.get(
        "/archive.json", params={"sql": "select name from pragma_table_info('articles')", "_shape": "array"}
    )
    assert r.status_code == 200
    names = [row["name"] for row in r.json()]
    assert names[:2] == ["url", "site"] and "title" in names and "text_fold" in names


@pytest.mark.parametrize(
    "path",
    [
        "/archive/articles",
        "/archive/articles?_search=van+hoa",
        "/archive/search?q=van+hoa",
        "/archive/article_versions",
    ],
)
async def test_archived_markup_is_shown_as_text(ds, path):
    html = (await ds.client.get(path)).text
    assert "alert(" in html  # the hostile article is on the page...
    assert "<script>alert(" not in html  # ...but never as markup
    assert "<img src=x onerror" not in html
    assert "&lt;script&gt;alert(" in html


async def test_article_row_page_escapes_markup(ds):
    r = await ds.client.get("/archive/articles/" + tilde_encode(url("xss")))
    assert r.status_code == 200 and tilde_encode(url("xss")) in r.text  # the article's own page
    assert "<script>alert(" not in r.text and "&lt;script&gt;" in r.text


async def test_raw_bodies_are_never_served_as_html(ds, archive_db):
    conn = sqlite3.connect(archive_db)
    (sha,) = conn.execute("select sha256 from captures where url = ?", [url("xss")]).fetchone()
    r = await ds.client.get(f"/archive/bodies/{sha}.blob", params={"_blob_column": "body"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/binary"
    assert r.headers["content-disposition"].startswith("attachment")
    stored = conn.execute("select body from bodies where sha256 = ?", [sha]).fetchone()[0]
    assert r.content == stored  # the stored bytes, downloaded, not rendered
    page = await ds.client.get(f"/archive/bodies/{sha}")
    assert "<script>alert(" not in page.text


# -- serving ----------------------------------------------------------------------------------


def test_live_database_is_never_immutable(tmp_path):
    args = serve.datasette_args(tmp_path / "archive.db", serve.METADATA_PATH, host="127.0.0.1", port=1)
    assert "-i" not in args and "--immutable" not in args
    args = serve.datasette_args(tmp_path / "a.db", serve.METADATA_PATH, host="h", port=1, immutable=True)
    assert args[:2] == ["-i", str(tmp_path / "a.db")]


def test_snapshot_is_served_with_its_inspect_data(archive_db, tmp_path):
    """A snapshot's counts and hash come from its inspect data; a live file never has any."""
    snap = export.snapshot(archive_db, tmp_path)
    args = serve.datasette_args(snap / "archive.db", serve.METADATA_PATH, host="h", port=1, immutable=True)
    assert args[args.index("--inspect-file") + 1] == str(snap / export.INSPECT_FILE)
    live = serve.datasette_args(archive_db, serve.METADATA_PATH, host="h", port=1)
    assert "--inspect-file" not in live
    ds = serve.build_datasette(snap / "archive.db", immutable=True)
    assert ds.inspect_data == json.loads((snap / export.INSPECT_FILE).read_text())


def test_metadata_follows_the_database_name():
    assert "queries" in serve.load_metadata("crawl2024")["databases"]["crawl2024"]


def test_real_server_live_and_snapshot(archive_db, tmp_path):
    """`vnarchive serve` as a real process: HTTP search on the live file, then a snapshot, immutable."""
    with running_server("--db", str(archive_db)) as base:
        (db,) = httpx.get(f"{base}/-/databases.json").json()
        assert db["name"] == "archive" and db["is_mutable"] is True
        r = httpx.get(f"{base}/archive/articles.json", params={"_search": "Đảng", "_shape": "objects"})
        assert {row["url"] for row in r.json()["rows"]} == {url("dang"), url("nfd")}
        r = httpx.get(
            f"{base}/archive/articles.json", params={"_search": "dang cong san", "_shape": "objects"}
        )
        assert [row["url"] for row in r.json()["rows"]] == [url("dang")]
        page = httpx.get(f"{base}/archive/search", params={"q": "05-CT/TW"})
        assert page.status_code == 200 and "Thực hiện Chỉ thị số 05-CT/TW" in page.text

    snap = export.snapshot(archive_db, tmp_path)
    with running_server("--snapshot", str(snap)) as base:
        (db,) = httpx.get(f"{base}/-/databases.json").json()
        assert db["name"] == "archive" and db["is_mutable"] is False
        r = httpx.get(f"{base}/archive/articles.json", params={"_search": "van hoa", "_shape": "objects"})
        assert len(r.json()["rows"]) == 4
        # VACUUM INTO kept every rowid: the newest-first path over the FTS index finds the same rows
        r = httpx.get(f"{base}/archive/articles.json", params={"_search": "van hoa", "_size": 2})
        assert "json_each(:vnpage)" in r.json()["query"]["sql"] and len(r.json()["rows"]) == 2


def test_serve_setting_overrides_ours(archive_db):
    """`vnarchive serve --setting NAME VALUE` reaches Datasette; our other settings stay."""
    args = serve.datasette_args(
        archive_db, serve.METADATA_PATH, host="h", port=1, settings={"default_allow_sql": False}
    )
    assert args.count("default_allow_sql") == 1
    assert args[args.index("default_allow_sql") + 1] == "off"
    with running_server("--db", str(archive_db), "--setting", "default_allow_sql", "off") as base:
        settings = httpx.get(f"{base}/-/settings.json").json()
        assert settings["default_allow_sql"] is False
        assert settings["sql_time_limit_ms"] == serve.SETTINGS["sql_time_limit_ms"]
        assert httpx.get(f"{base}/archive.json", params={"sql": "select 1"}).status_code == 403
        assert len(httpx.get(f"{base}/archive/articles.json").json()["rows"]) == 9  # tables still served


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (["no_such_setting", "1"], "no_such_setting is not a valid option"),
        (["default_allow_sql", "maybe"], '"default_allow_sql" should be on/off/true/false/1/0'),
        (["sql_time_limit_ms", "fast"], '"sql_time_limit_ms" should be an integer'),
    ],
)
def test_serve_refuses_unknown_settings(archive_db, setting, message):
    result = CliRunner().invoke(cli, ["serve", "--db", str(archive_db), "--setting", *setting])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Serving" not in result.output
