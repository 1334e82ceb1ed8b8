"""The public instance attacked as a stranger would: a real ``vnarchive serve`` process on 127.0.0.1.

The archive is built with the store and is itself hostile: markup in titles, leads, texts, bylines,
sections, tags, captions and link titles, and ``javascript:`` URLs. The visitor tries to write
through ``?sql=`` and ``?_where=``, to run PRAGMAs off Datasette's allow-list, to hold the server
with slow queries, to inject SQL through filter column names (the ``?col__arraycontains=`` hole
that Datasette 0.65.3 closed, GHSA-w3hf-fcg5-p4cc) and other identifiers, and to get archived or
reflected markup run as HTML. The database file must come out byte for byte the same.

tests/test_datasette.py checks the same guarantees in process for a few pages and statements;
this file checks them over HTTP against the process a deployment runs, for the rest.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from datasette.utils import tilde_encode

from archive import runs, serve, store
from tests.archive_fixtures import free_port, stop

VNARCHIVE = Path(sys.executable).with_name("vnarchive")
if not VNARCHIVE.exists():  # pragma: no cover - a python outside the virtualenv
    VNARCHIVE = Path(shutil.which("vnarchive") or "vnarchive")
BASE = "http://127.0.0.1/tuyengiao"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
HOSTILE = f"{SCRIPT} {IMG}"
#: What must never reach an HTML page unescaped (the page's own <script> tags are fine).
RAW_MARKUP = ("<script>alert(", "<img src=x onerror", 'href="javascript:', "<svg onload")
TIME_LIMIT_S = serve.SETTINGS["sql_time_limit_ms"] / 1000
SLOW_CTE = "with recursive c(x) as (select 1 union all select x + 1 from c where x < 1000000000) select count(*) from c"


def article_url(slug: str) -> str:
    return f"{BASE}/{slug}.html"


def record(slug: str, **fields) -> dict:
    base = {
        "site": "tuyengiao",
        "title": f"Bài {slug}",
        "lead": "Tóm tắt.",
        "text": "Nội dung bài viết về văn hóa.",
        "author": "Phóng viên",
        "source": None,
        "category": "Thời sự",
        "tags": ["chung"],
        "images": [],
        "related": [],
        "published": "2023-03-01T08:00:00+07:00",
        "published_source": "css:.date",
        "published_raw": "01/03/2023",
        "modified": None,
        "language": "vi",
        "canonical_url": article_url(slug),
        "flags": [],
        "extractor": "vnarchive-test",
        "extractor_version": "1",
    }
    return {**base, **fields}


ARTICLES = {
    "plain": record("plain"),
    "title": record(
        "title", title=f"Tiêu đề {SCRIPT}", lead=f"Sapo {IMG}", text=f"Văn hóa mạng. {HOSTILE} hết."
    ),
    "byline": record(
        "byline",
        author=f"{SCRIPT}Tác giả",
        category=f"Mục {IMG}",
        tags=[SCRIPT, "chung"],
        images=[{"src": "javascript:alert(1)", "caption": f"Ảnh {IMG}"}],
        related=[
            {"url": "javascript:alert(1)", "title": f"Tin {SCRIPT}", "section": "<svg onload=alert(1)>"}
        ],
    ),
}


@pytest.fixture(scope="module")
def archive_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("public") / "archive.db"
    db = store.open_db(path)
    run = runs.start_run(db, "tuyengiao", BASE)
    for i, (slug, rec) in enumerate(ARTICLES.items()):
        page = {
            "url": article_url(slug),
            "status": 200,
            "kind": "article",
            "body": f"<html><body>{HOSTILE}</body></html>".encode(),
            "headers": {"Content-Type": "text/html; charset=utf-8"},
            "fetched_at": f"2023-03-02T00:00:{i:02d}+00:00",
        }
        store.record_page(db, page, rec, run_id=run)
    runs.finish_run(db, run, status="finished", exit_code=0, stats={})
    db.conn.close()
    return path


def fingerprint(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), st.st_mtime_ns, st.st_size


@pytest.fixture(scope="module")
def server(archive_db):
    """``vnarchive serve --db ARCHIVE --port FREE``; yields (base URL, the file's fingerprint before)."""
    before = fingerprint(archive_db)
    port = free_port()
    proc = subprocess.Popen(
        [str(VNARCHIVE), "serve", "--db", str(archive_db), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/-/versions.json", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, "vnarchive serve exited"
            assert time.monotonic() < deadline, "vnarchive serve did not answer within 30 s"
            time.sleep(0.1)
        yield base, before
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def base(server) -> str:
    return server[0]


def get(base: str, path: str, **params) -> httpx.Response:
    return httpx.get(base + path, params=params, timeout=TIME_LIMIT_S + 10)


def sql(base: str, query: str, **params) -> httpx.Response:
    return get(base, "/archive.json", sql=query, **params)


def article_count(db: Path) -> int:
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("select count(*) from articles").fetchone()[0]
    finally:
        conn.close()


# -- settings -------------------------------------------------------------------------------------


def test_settings_json_shows_the_public_limits(base):
    settings = get(base, "/-/settings.json").json()
    assert settings["sql_time_limit_ms"] == serve.SETTINGS["sql_time_limit_ms"] == 3000
    for name, value in serve.SETTINGS.items():
        assert settings[name] == value, name
    assert settings["template_debug"] is False and settings["trace_debug"] is False


def test_live_database_is_served_but_not_downloadable(base):
    assert get(base, "/-/databases.json").json()[0]["is_mutable"] is True
    assert get(base, "/archive.db").status_code == 403


# -- no writes ------------------------------------------------------------------------------------

#: A file the attacks try to create (the system temp dir: writable if anything is).
EVIL_DB = str(Path(tempfile.gettempdir()) / "vnarchive-evil.db")

WRITES = [
    "insert into articles (url) values ('http://evil/x')",
    "replace into articles (url) values ('http://evil/x')",
    "update articles set title = 'defaced'",
    "delete from articles",
    "drop table articles",
    "create table evil (x)",
    "alter table articles add column evil text",
    f"attach database '{EVIL_DB}' as evil",
    "detach database main",
    "pragma writable_schema = 1",
    "pragma writable_schema",
    "vacuum",
    f"vacuum into '{EVIL_DB}'",
    "reindex",
    "analyze",
    "begin immediate",
    "with x as (select 1) insert into articles (url) select 'http://evil/x' from x",
    "with x as (select 1) update articles set title = 'defaced'",
    "select 1; drop table articles",
    "select load_extension('/usr/lib/x86_64-linux-gnu/libc.so.6')",
    "select * from articles where url = (select load_extension('libc.so.6'))",
]


#: What Datasette answers to a write: its SELECT-only check, SQLite's read-only connection, its
#: one-statement rule, and the authorizer that refuses load_extension.
REFUSALS = {
    "Statement must be a SELECT",
    "attempt to write a readonly database",
    "You can only execute one statement at a time.",
    "not authorized",
}


@pytest.mark.parametrize("statement", WRITES)
def test_writes_through_sql_are_refused(base, archive_db, statement):
    r = sql(base, statement)
    assert r.status_code == 400, r.text  # refused as a bad request, not a server error
    assert r.json()["ok"] is False and r.json()["error"] in REFUSALS, r.json()["error"]
    assert article_count(archive_db) == len(ARTICLES)
    assert not Path(EVIL_DB).exists()


@pytest.mark.parametrize(
    "where",
    [
        "1=1; delete from articles",
        "1=1) or (select load_extension('libc.so.6')",
        "url in (select url from articles) ; drop table articles",
    ],
)
def test_writes_through_where_are_refused(base, archive_db, where):
    r = get(base, "/archive/articles.json", _where=where)
    assert r.status_code >= 400
    assert article_count(archive_db) == len(ARTICLES)


def test_posts_change_nothing(base, archive_db):
    for path in ("/archive/articles", "/archive/search", "/archive", "/archive/articles/-/insert"):
        r = httpx.post(base + path, data={"sql": "delete from articles", "title": "x", "q": "x"})
        assert r.status_code >= 400, path
    assert article_count(archive_db) == len(ARTICLES)


# -- PRAGMAs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "select * from pragma_journal_mode()",
        "select * from pragma_compile_options()",
        "select * from pragma_integrity_check()",
        "select * from pragma_data_version()",
        "SELECT * FROM PRAGMA_JOURNAL_MODE()",
        "select * from articles where 1 = (select 1 from pragma_quick_check())",
        "PRAGMA table_info(articles)",
    ],
)
def test_pragmas_outside_the_allow_list_are_refused(base, query):
    r = sql(base, query)
    assert r.status_code == 400
    assert "disallowed PRAGMA" in r.json()["error"] or "must be a SELECT" in r.json()["error"]


def test_allowed_pragma_functions_answer(base):
    r = sql(base, "select name from pragma_table_xinfo('articles') limit 1")
    assert r.status_code == 200 and r.json()["rows"]


def test_pragma_hidden_behind_a_comment_line_is_refused(base):
    r = sql(base, "select 'a\n--', (select journal_mode from pragma_journal_mode()) as j --'")
    assert r.status_code == 400, r.json().get("rows")


# -- slow queries -----------------------------------------------------------------------------------------


def test_slow_queries_are_cut_off_by_the_time_limit(base):
    """Three at once (Datasette's three SQL threads): each ends in an error within the limit + slack."""

    def timed(path: str, params: dict) -> tuple[float, httpx.Response]:
        start = time.monotonic()
        r = httpx.get(base + path, params=params, timeout=TIME_LIMIT_S + 30)
        return time.monotonic() - start, r

    attempts = [
        ("/archive.json", {"sql": SLOW_CTE}),
        ("/archive.json", {"sql": SLOW_CTE, "_timelimit": "600000"}),  # cannot raise the limit
        (
            "/archive/articles.json",
            {
                "_where": "(select count(*) from articles a, articles b, articles c, articles d, articles e,"
                " articles f, articles g, articles h, articles i, articles j, articles k, articles l,"
                " articles m, articles n, articles o, articles p, articles q, articles r, articles s) > 0"
            },
        ),
    ]
    with ThreadPoolExecutor(len(attempts)) as pool:
        results = list(pool.map(lambda a: timed(*a), attempts))
    for elapsed, r in results:
        assert r.status_code == 400, r.text[:200]
        assert "SQL query took too long" in r.json()["error"]
        # generous on a loaded 2-core machine: the message above is the proof that the limit cut it
        assert elapsed < TIME_LIMIT_S + 25, elapsed
    assert get(base, "/archive/articles.json", _size="1").status_code == 200  # still serving


def test_row_limits_hold(base):
    r = sql(
        base, "with recursive c(x) as (select 1 union all select x + 1 from c where x < 5000) select x from c"
    )
    assert r.status_code == 200 and r.json()["truncated"] is True
    assert len(r.json()["rows"]) == serve.SETTINGS["max_returned_rows"]
    assert get(base, "/archive/articles.json", _size="100000").status_code == 400


# -- SQL injection through identifiers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("tags])) or 1=1--__arraycontains", 400),  # GHSA-w3hf-fcg5-p4cc, fixed in Datasette 0.65.3
        ("tags])) or 1=1--__arraynotcontains", 400),
        ('tags")) or 1=1--__arraycontains', 400),
        ("tags])) or (select count(*) from bodies) > 0--__arraycontains", 400),
        ("title] = 1 or 1=1--__exact", 200),  # quoted as a column name: a filter that matches nothing
        ('title" = 1 or 1=1--__exact', 400),
        ("title] or 1=1--__contains", 200),
    ],
)
def test_filter_column_names_are_not_sql(base, key, status):
    """Either "no such column" or a filter on a column of that odd name: never a row let through."""
    r = get(base, "/archive/articles.json", **{key: "no-such-value", "_shape": "objects"})
    assert r.status_code == status and r.headers["content-type"].startswith("application/json"), r.text
    if status == 400:
        assert r.json()["error"].startswith("no such column: ") and "rows" not in r.json()
    else:
        assert r.json()["rows"] == [], f"injected SQL ran: {len(r.json()['rows'])} rows for {key!r}"


def test_array_filter_itself_works(base):
    """The control for the test above: the filter matches when the column and value are real."""
    r = get(base, "/archive/articles.json", tags__arraycontains="chung", _shape="objects")
    assert len(r.json()["rows"]) == len(ARTICLES)


@pytest.mark.parametrize(
    ("params", "filters"),
    [
        ({"_sort": "title] or 1=1--"}, False),
        ({"_sort_desc": "(select count(*) from bodies)"}, False),
        ({"_facet_array": "tags] --"}, False),
        ({"_facet": "title] , (select group_concat(sha256) from bodies) as x from articles --"}, False),
        ({"_search_title] match 'x') or 1=1--": "x"}, True),
        ({"_through": '{"table": "article_tags] --", "column": "tag", "value": "chung"}'}, True),
        ({"_search": '") OR 1=1 --'}, True),
        ({"_search": "x", "_searchmode": "raw", "_search_text) or 1=1 or (1": "x"}, True),
    ],
)
def test_other_identifiers_are_not_sql(base, archive_db, params, filters):
    """Sort, facet, search and through parameters name columns and tables: none of them runs as SQL."""
    r = get(base, "/archive/articles.json", _shape="objects", **params)
    if filters and r.status_code == 200:
        assert len(r.json()["rows"]) < len(ARTICLES), "a condition was injected"
    conn = sqlite3.connect(archive_db)
    shas = [row[0] for row in conn.execute("select sha256 from bodies")]
    conn.close()
    assert not any(sha in r.text for sha in shas), "hidden table content leaked"


# -- archived and reflected markup --------------------------------------------------------------------


def assert_no_raw_markup(html: str) -> None:
    for needle in RAW_MARKUP:
        assert needle not in html, needle


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/archive/articles", {}),
        ("/archive/articles", {"_facet": "tags"}),
        ("/archive/articles", {"_search": "van hoa"}),
        ("/archive/articles/" + tilde_encode(article_url("title")), {}),
        ("/archive/articles/" + tilde_encode(article_url("byline")), {}),
        ("/archive/article_versions", {}),
        ("/archive/article_versions/2", {}),
        ("/archive/article_tags", {}),
        ("/archive/article_images", {}),
        ("/archive/article_links", {}),
        ("/archive/search", {"q": "van hoa"}),
        ("/archive/top_authors", {}),
        ("/archive", {"sql": "select title, lead, text, author, category, tags, images from articles"}),
        ("/archive", {"sql": "select src, caption from article_images"}),
    ],
)
def test_archived_markup_is_escaped_on_html_pages(base, path, params):
    r = get(base, path, **params)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "alert(1)" in r.text, "the hostile text should be on this page"
    assert_no_raw_markup(r.text)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/archive/articles", {"_search": SCRIPT}),
        ("/archive/articles", {"title__contains": IMG}),
        ("/archive/articles", {"_where": f"title != '{SCRIPT}'"}),
        ("/archive/search", {"q": IMG}),
        ("/archive/version_history", {"url": f"{SCRIPT}{IMG}"}),
        ("/archive", {"sql": f"select '{SCRIPT}' as a, '{IMG}' as b, 'javascript:alert(1)' as c"}),
        ("/archive", {"sql": f"select * from no_such_table_{SCRIPT}"}),
        (f"/archive/{SCRIPT}", {}),
        (f"/archive/articles/{IMG}", {}),
    ],
)
def test_reflected_markup_is_escaped(base, path, params):
    r = get(base, path, **params)
    if r.headers["content-type"].startswith("text/html"):
        assert_no_raw_markup(r.text)


@pytest.mark.parametrize(
    "path",
    [
        "/archive/articles/" + tilde_encode(article_url("title")) + ".json",
        "/archive/articles.json",
        "/archive.json?sql=select+title,+lead,+text+from+articles",
    ],
)
def test_json_carries_markup_as_plain_data(base, path):
    r = httpx.get(base + path, params={"_shape": "objects"} if "sql=" not in path else None)
    assert r.headers["content-type"].startswith("application/json")
    text = "\n".join(
        str(v) for row in r.json()["rows"] for v in (row.values() if isinstance(row, dict) else row)
    )
    assert f"Văn hóa mạng. {HOSTILE} hết." in text  # exactly as archived: not escaped, not stripped
    assert "&lt;script" not in r.text


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/archive/articles.csv", {}),
        ("/archive.csv", {"sql": "select url, title, text from articles"}),
        ("/archive/search.csv", {"q": "van hoa"}),
        ("/archive/articles.csv", {"_stream": "on"}),
    ],
)
def test_csv_endpoints(base, path, params):
    """?_dl=1 is a text/csv download; without it Datasette shows the CSV as text/plain, never as HTML."""
    shown = get(base, path, **params)
    assert shown.status_code == 200 and shown.headers["content-type"] == "text/plain; charset=utf-8"
    download = get(base, path, _dl="1", **params)
    assert download.status_code == 200 and download.headers["content-type"] == "text/csv; charset=utf-8"
    assert download.headers["content-disposition"].startswith("attachment")
    assert SCRIPT in download.text  # data, as archived
    assert shown.text == download.text


# -- the file -------------------------------------------------------------------------------------------


def test_no_request_modifies_the_database_file(server, archive_db):
    """Last in the module: every request above, and a few more, left the file as it was."""
    base, before = server
    for statement in WRITES:
        sql(base, statement)
    for path in ("/", "/archive", "/archive/articles", "/archive/search?q=van+hoa", "/archive/articles.csv"):
        httpx.get(base + path)
    httpx.post(base + "/archive/search", data={"q": "x"})
    assert fingerprint(archive_db) == before
    wal = Path(f"{archive_db}-wal")
    assert not wal.exists() or wal.stat().st_size == 0, "something was written to the WAL"
    assert os.access(archive_db, os.R_OK)
