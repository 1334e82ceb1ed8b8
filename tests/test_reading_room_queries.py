"""Canned query pages as a reader meets them: titled, described, with an example, SQL on request,
and nothing run before anything is typed. Real Datasette over a real archive; every SQL statement
its connections run is recorded."""

from __future__ import annotations

import re

import pytest
from datasette import hookimpl
from datasette.plugins import pm

from archive import store
from archive.serve import build_datasette, load_metadata
from tests.archive_fixtures import EDITED, build_archive, page, record, url

QUERIES = load_metadata()["databases"]["archive"]["queries"]


class StatementLog:
    """A plugin recording every statement run on Datasette's connections (sqlite3's trace callback)."""

    __name__ = "statement-log"

    def __init__(self) -> None:
        self.statements: list[str] = []

    @hookimpl
    def prepare_connection(self, conn) -> None:
        conn.set_trace_callback(self.statements.append)

    def ran(self, fragment: str) -> bool:
        return any(fragment in statement for statement in self.statements)


@pytest.fixture(scope="module")
def archive_db(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("queries") / "archive.db")


@pytest.fixture
def logged(archive_db):
    """A fresh Datasette whose connections, opened from now on, log their statements."""
    log = StatementLog()
    pm.register(log, name="statement-log")
    try:
        yield build_datasette(archive_db), log
    finally:
        pm.unregister(name="statement-log")


#: Each canned query with parameters, the SQL fragment that shows it ran, and what a reader types.
WITH_INPUT = [
    ("search", "bm25(articles_fts", {"q": "van hoa"}),
    ("mentions_per_month", "strftime('%Y-%m', (rowid >> 16)", {"q": "van hoa", "category": ""}),
    ("version_history", "select version, captured_at, change_kind", {"url": url(EDITED)}),
]


@pytest.mark.parametrize(("name", "fragment", "typed"), WITH_INPUT, ids=[w[0] for w in WITH_INPUT])
@pytest.mark.parametrize("extra", [{}, {"_show_sql": "1"}], ids=["", "show-sql"])
async def test_a_canned_query_page_waits_for_input(logged, name, fragment, typed, extra):
    ds, log = logged
    empty = {key: "" for key in typed}
    for params in ({**extra}, {**empty, **extra}):
        r = await ds.client.get(f"/archive/{name}", params=params)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        html = r.text
        title = QUERIES[name]["title"]
        assert re.search(r"<title>\s*" + re.escape(str(escape(title))) + r" \| archive\s*</title>", html), (
            html[:600]
        )
        assert f">{escape(title)}</h1>" in html
        assert "metadata-description" in html  # the description is shown
        assert "Custom SQL query" not in html and "returning" not in html
        assert "0 results" not in html and "zero-results" not in html and "rows-and-columns" not in html
        for key in typed:
            assert f'name="{key}" value=""' in html
        assert ('<pre id="sql-query">' in html) == bool(extra), "the SQL is shown only when asked for"
        assert "Hide the SQL" in html if extra else "Show the SQL" in html
    assert not log.ran(fragment), "the query ran before anything was typed"
    # typed: Datasette runs the query
    r = await ds.client.get(f"/archive/{name}", params={**typed, **extra})
    assert r.status_code == 200 and log.ran(fragment)
    assert "rows-and-columns" in r.text and "Custom SQL query" not in r.text


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_canned_query_is_titled_described_and_hides_its_sql(name):
    query = QUERIES[name]
    assert query.get("title") and "Custom SQL" not in query["title"]
    assert query.get("description") or query.get("description_html")
    assert query.get("hide_sql") is True, f"{name} shows its SQL before a reader asks for it"


def escape(text: str) -> str:
    """``text`` as Jinja escapes it in a page."""
    return text.replace("&", "&amp;").replace("'", "&#39;").replace('"', "&#34;")


@pytest.mark.parametrize(
    ("name", "typed"), [("search", {"q": "văn hóa"}), ("mentions_per_month", {"q": "cong an"})]
)
async def test_the_example_is_a_link_that_runs_it(logged, name, typed):
    ds, _ = logged
    assert QUERIES[name]["example"] == typed
    html = (await ds.client.get(f"/archive/{name}")).text
    (href,) = re.findall(r'<p class="vn-example">Example:\s*<a href="([^"]+)">', html)
    assert html.count(f'placeholder="e.g. {typed["q"]}"') == 1
    r = await ds.client.get(href.replace("&amp;", "&"))
    assert r.status_code == 200 and "rows-and-columns" in r.text


async def test_an_example_only_the_archive_knows_is_read_from_it(logged, archive_db):
    """version_history's example is the archive's most recently edited article, and the link runs it."""
    ds, _ = logged
    assert "example" not in QUERIES["version_history"]
    html = (await ds.client.get("/archive/version_history")).text
    (href,) = re.findall(r'<p class="vn-example">Example:\s*<a href="([^"]+)">', html)
    assert html.count(f'placeholder="e.g. {url(EDITED)}"') == 1
    r = await ds.client.get(href.replace("&amp;", "&"))
    assert r.status_code == 200 and "rows-and-columns" in r.text and url(EDITED) in r.text


async def test_no_example_when_the_archive_has_none(tmp_path):
    """An archive without edits has no example to give: the form stands alone, no broken link."""
    path = tmp_path / "archive.db"
    db = store.open_db(path)
    store.record_page(db, page("van-hoa", "2023-03-02T00:00:00+00:00", None), record("van-hoa"))
    db.conn.close()
    ds = build_datasette(path)
    html = (await ds.client.get("/archive/version_history")).text
    assert 'class="vn-example"' not in html and "placeholder=" not in html
    assert 'name="url" value=""' in html


async def test_json_and_csv_of_an_empty_query_still_answer(logged):
    """Only the page waits: the API answers an empty query as Datasette always has."""
    ds, log = logged
    r = await ds.client.get("/archive/search.json", params={"q": ""})
    assert r.status_code == 200 and r.json()["rows"] == [] and log.ran("bm25(articles_fts")
    r = await ds.client.get("/archive/mentions_per_month.csv")
    assert r.status_code == 200 and r.text.strip() == "month,articles"


async def test_a_query_without_parameters_runs_at_once_under_its_title(logged):
    ds, _ = logged
    html = (await ds.client.get("/archive/edited_articles")).text
    assert "<title>Edited articles | archive</title>" in html
    assert '<h2 class="vn-row-count">1 row</h2>' in html and url(EDITED) in html
    assert "Custom SQL query" not in html and "Show the SQL" in html


async def test_custom_sql_keeps_datasettes_page(logged):
    ds, _ = logged
    html = (await ds.client.get("/archive", params={"sql": "select 1 as one, :x as x", "x": "a"})).text
    assert "Custom SQL query returning 1 row" in html and 'id="sql-editor"' in html
    assert html.index('id="sql-editor"') < html.index("Query parameters")
    html = (await ds.client.get("/archive", params={"sql": "select 1 where 0"})).text
    assert "0 results" in html  # a query that ran and found nothing says so


async def test_every_link_of_the_front_page_leads_somewhere(logged):
    """The front page's "where to start" names queries by address: a renamed query must not leave a dead link."""
    ds, _ = logged
    html = (await ds.client.get("/")).text
    links = set(re.findall(r'href="(/archive[^"#]*)"', html))
    assert {"/archive/edited_articles", "/archive/removed_articles", "/archive/cluster_spread"} <= links
    for link in sorted(links):
        r = await ds.client.get(link.replace("&amp;", "&"))
        assert r.status_code == 200, link
