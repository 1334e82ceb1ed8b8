"""Vietnamese search: the query builder alone, then the behaviour researchers see through ?_search=."""

from __future__ import annotations

import random
import sqlite3
import unicodedata

import pytest

from archive import store
from archive.datasette_plugins import vnqueries, vnresults
from archive.search import build_fts_query, capped_count, new_style_tones, snippet
from archive.serve import build_datasette, load_metadata
from tests.archive_fixtures import ARTICLES, build_archive, url


@pytest.fixture(scope="module")
def archive_db(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("search") / "archive.db")


@pytest.fixture(scope="module")
def ds(archive_db):
    return build_datasette(archive_db)


async def search(ds, query: str, **params) -> set[str]:
    r = await ds.client.get(
        "/archive/articles.json", params={"_search": query, "_shape": "objects", "_col": "title", **params}
    )
    assert r.status_code == 200, r.text
    slugs = {slug for slug in ARTICLES if url(slug) in {row["url"] for row in r.json()["rows"]}}
    return slugs


VAN_HOA = {"van-hoa", "van-hoa-moi", "nfd", "xss"}
NFD = unicodedata.normalize("NFD", "văn hóa")

MATRIX = [
    # folded: a query without accents matches every spelling
    ("van hoa", VAN_HOA),
    ("ha noi", {"van-hoa", "cong-an"}),
    ("dang cong san", {"dang"}),
    ("xay dung", {"van-hoa"}),
    ("dang", {"dang", "nfd", "dang-trien-khai"}),
    # exact: accents typed are respected, in both tone placements, NFC or NFD, any case
    ("văn hóa", VAN_HOA),
    ("văn hoá", VAN_HOA),
    (NFD, VAN_HOA),
    ("VĂN HÓA", VAN_HOA),
    ("Hà Nội", {"van-hoa", "cong-an"}),
    ("Đảng Cộng sản", {"dang"}),
    ("Đảng", {"dang", "nfd"}),
    ("Ðảng", {"dang", "nfd"}),  # U+00D0 lookalike typed
    ("đang", {"dang-trien-khai"}),
    ("thủy", {"van-hoa-moi"}),
    ("thuỷ", {"van-hoa-moi"}),
    # a phrase by default
    ("công an", {"cong-an"}),
    ("cong an", {"cong-an"}),
    # mixed: mostly unaccented -> loose
    ("Đảng cong san", {"dang"}),
    # punctuation is part of a phrase, never syntax
    ("05-CT/TW", {"chi-thi"}),
    ("Cập nhật:", {"chi-thi"}),
    ("Cập nhật: 10:10", {"chi-thi"}),
    # explicit syntax
    ('"công an" OR "05-CT/TW"', {"cong-an", "chi-thi"}),
    ("“công an” OR “05-CT/TW”", {"cong-an", "chi-thi"}),
    ("Đả*", {"dang", "nfd", "an-toan"}),  # "bảo đảm" too: a prefix
    ("van hoa NOT ha noi", {"van-hoa-moi", "nfd", "xss"}),
]


@pytest.mark.parametrize(("query", "expected"), MATRIX, ids=[q for q, _ in MATRIX])
async def test_search_matrix(ds, query, expected):
    assert await search(ds, query) == expected


COP = {"cong-an"}


@pytest.mark.parametrize(
    ("query", "then_words", "after_words"),
    [
        # syntax alone matches nothing, and beside a phrase it is ignored
        ('"', COP, COP),
        ("((", COP, COP),
        (")", COP, COP),
        ("AND", COP, COP),
        ("NOT", COP, COP),
        ("*", COP, COP),
        ("-", COP, COP),
        (":", COP, COP),
        ("''", COP, COP),
        # words inside odd syntax are words: they join the phrase next to them ("a công an")
        ("OR a", set(), COP),  # ... OR "a": the operator stands between two phrases
        ("{title}", set(), set()),
        ("title:", set(), set()),
        ("^a", set(), set()),
        ("NEAR(a b)", set(), set()),
        ("a + b", set(), set()),
    ],
)
async def test_odd_queries_never_error(ds, query, then_words, after_words):
    """FTS5 syntax typed by accident is never an error: alone it matches nothing, beside words as shown."""
    assert await search(ds, query) == set()
    assert await search(ds, query + " công an") == then_words
    assert await search(ds, "công an " + query) == after_words


async def test_search_combines_with_filters(ds):
    assert await search(ds, "van hoa", category="Văn hóa") == {"van-hoa", "van-hoa-moi", "nfd"}


async def test_stored_text_keeps_published_spelling(ds):
    r = await ds.client.get("/archive/articles.json", params={"_search": "thuy loi", "_shape": "objects"})
    (row,) = r.json()["rows"]
    assert row["title"] == "Công tác văn hoá và thuỷ lợi"  # new placement, as published


async def test_column_search_on_fold_column(ds):
    r = await ds.client.get(
        "/archive/articles.json", params={"_search_title_fold": "cong an", "_shape": "objects"}
    )
    assert [row["url"] for row in r.json()["rows"]] == [url("cong-an")]


async def test_ranked_search_exports_plain_passages_and_its_page_highlights_them(ds):
    r = await ds.client.get("/archive/search.json", params={"q": "van hoa", "_shape": "objects"})
    rows = r.json()["rows"]
    assert {row["url"] for row in rows} == {url(s) for s in VAN_HOA}
    assert [row["score"] for row in rows] == sorted(row["score"] for row in rows)
    by_url = {row["url"]: row["passage"] for row in rows}
    # the export carries the published text around the match, no markup, no per-row note
    assert "Công tác văn hoá và thuỷ lợi" in by_url[url("van-hoa-moi")]
    assert "không gian văn hóa Hồ Chí Minh" in by_url[url("van-hoa")]
    assert not [p for p in by_url.values() if "<mark>" in p or "\x01" in p]
    assert "ranked" not in rows[0] and "snippet" not in rows[0]
    csv_text = (await ds.client.get("/archive/search.csv", params={"q": "van hoa"})).text
    assert "<mark>" not in csv_text and csv_text.splitlines()[0].endswith(",passage,score")
    # the page: a folded match is highlighted in the published spelling, whatever the spelling
    html = (await ds.client.get("/archive/search", params={"q": "van hoa"})).text
    assert "<mark>văn hoá</mark>" in html and "<mark>văn hóa</mark>" in html
    assert html.count("<mark>") >= len(VAN_HOA)
    assert html.count('class="vn-ranked-note"') == 1 and "4 articles match, all of them ranked" in html


def test_passages_keep_a_mark_tag_the_article_itself_holds():
    """Our markers are told from an archived "<mark>": the text comes back as it was."""
    text = "Bài <mark>cũ</mark> về văn hóa."
    marked = text.replace("văn hóa", "\x01văn hóa\x02")
    assert vnresults.passage(text, marked, None) == text
    assert vnresults.passage(text, marked, None, ("[", "]")) == "Bài <mark>cũ</mark> về [văn hóa]."
    assert str(vnresults.marked(vnresults.sql_marked_passage(text, marked, None))) == (
        "Bài &lt;mark&gt;cũ&lt;/mark&gt; về <mark>văn hóa</mark>."
    )


async def test_ranked_search_accepts_anything(ds):
    for q in ["", "05-CT/TW", "Cập nhật:", '"']:
        r = await ds.client.get("/archive/search.json", params={"q": q})
        assert r.status_code == 200, (q, r.text)


# -- the builder alone --------------------------------------------------------------------


def test_unaccented_query_is_a_folded_phrase():
    assert build_fts_query("Van  Hoa") == '({title_fold lead_fold text_fold} : "van hoa")'


def test_accented_query_is_exact_in_every_spelling():
    q = build_fts_query("văn hoá")
    assert q.startswith("({title lead text} : (")
    for form in ("văn hóa", "văn hoá", unicodedata.normalize("NFD", "văn hóa")):
        assert f'"{form}"' in q


def test_operators_only_between_phrases():
    assert build_fts_query("OR a AND AND b NOT") == (
        '({title_fold lead_fold text_fold} : "a") AND ({title_fold lead_fold text_fold} : "b")'
    )


def test_empty_query_matches_nothing():
    assert build_fts_query("") == build_fts_query("  ,;  ") == '""'


@pytest.mark.parametrize(
    ("traditional", "new"),
    [
        ("hóa", "hoá"),
        ("thủy", "thuỷ"),
        ("khỏe", "khoẻ"),
        ("Hòa Bình", "Hoà Bình"),
        ("quý", "quý"),
        ("hoặc", "hoặc"),
    ],
)
def test_new_style_tones(traditional, new):
    assert new_style_tones(traditional) == new


def test_builder_never_makes_a_syntax_error():
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "create virtual table t using fts5(title, lead, text, title_fold, lead_fold, text_fold,"
        " tokenize='unicode61 remove_diacritics 0')"
    )
    conn.execute("insert into t values ('Văn hóa', '', 'a', 'van hoa', '', 'a')")
    alphabet = list("ab đĐảăâ \"“”*():^-+{}/,.;!?ANDORNOT\u0301\u00d0_\t\\'")
    rng = random.Random(4)
    matched = 0
    for _ in range(2000):
        query = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
        (n,) = conn.execute("select count(*) from t where t match ?", [build_fts_query(query)]).fetchone()
        if not any(c.isalnum() for c in query):
            assert n == 0, query  # nothing to search for: nothing found, never everything
        matched += n
    assert matched > 20  # the row is found by some: a builder that matched nothing would not pass


def test_snippet_maps_a_folded_match_back_to_the_published_text():
    text = "Công tác văn hoá và thuỷ lợi"
    marked_fold = "cong tac \x01van hoa\x02 va thuy loi"
    assert snippet(text, text, marked_fold) == "Công tác <mark>văn hoá</mark> và thuỷ lợi"


def test_snippet_windows_long_text():
    text = " ".join(["mở đầu"] * 100) + " Đảng viên " + " ".join(["kết thúc"] * 100)
    marked = text.replace("Đảng", "\x01Đảng\x02")
    out = snippet(text, marked, None, width=120)
    assert out.startswith("…") and out.endswith("…") and "<mark>Đảng</mark>" in out
    assert len(out) < 140


# -- the newest-first path of the search box (archive.search, the vnsearch plugin) ----------------

TOPICS = ["văn hóa cơ sở", "Đảng Cộng sản Việt Nam", "văn hoá truyền thống", "công an nhân dân"]


def many_record(i: int, published: str | None) -> dict:
    return {
        "site": "tuyengiao",
        "title": f"Bài {i}: {TOPICS[i % 4]}",
        "lead": None,
        "text": f"Nội dung {i} về {TOPICS[(i * 7) % 4]} và {TOPICS[i % 3]}.",
        "author": "Ban Biên tập",
        "category": ["Văn hóa", "Xây dựng Đảng"][i % 2],
        "published": published,
        "language": "vi",
        "flags": [],
    }


def many_published(i: int) -> str | None:
    """Dates with many ties (7 articles per minute), date-only ones, and undated articles."""
    if i % 23 == 0:
        return None
    if i % 11 == 0:
        return f"2023-03-{1 + i % 28:02d}"
    return f"2023-{1 + (i // 60) % 12:02d}-{1 + (i // 7) % 28:02d}T08:{(i // 7) % 60:02d}:00+07:00"


@pytest.fixture(scope="module")
def many_db(tmp_path_factory):
    """300 articles through the real store; every tenth later gets a new date (its row moves)."""
    path = tmp_path_factory.mktemp("many") / "archive.db"
    db = store.open_db(path)
    for i in range(300):
        page = {"url": f"https://tuyengiao.vn/a/{i}", "status": 200, "kind": "article", "body": b"x"}
        store.record_page(db, {**page, "fetched_at": f"2024-01-01T00:{i // 60:02d}:{i % 60:02d}+00:00"},
                          many_record(i, many_published(i)))  # fmt: skip
    for i in range(0, 300, 10):
        page = {"url": f"https://tuyengiao.vn/a/{i}", "status": 200, "kind": "article", "body": b"y"}
        store.record_page(db, {**page, "fetched_at": "2024-02-01T00:00:00+00:00"},
                          many_record(i, many_published(i + 1)))  # fmt: skip
    db.close()
    return path


async def walk_pages(ds, query: str, size: int, **filters) -> tuple[list[tuple], list[bool]]:
    """Every (url, published) of a search, page after page as the next links lead; and per page
    whether the newest-first path served it."""
    rows, fast = [], []
    path = "/archive/articles.json"
    params = {"_search": query, "_size": size, "_col": "published", **filters}
    while path:
        r = await ds.client.get(path, params=params)
        assert r.status_code == 200, r.text
        data = r.json()
        fast.append("json_each(:vnpage)" in data["query"]["sql"])
        rows += [(row[0], row[1]) for row in data["rows"]]
        path, params = (data["next_url"].split("localhost", 1)[1], None) if data["next_url"] else (None, None)
    return rows, fast


@pytest.mark.parametrize("query", ["van hoa", "văn hóa", "Đảng", "cong an nhan dan", "văn hóa OR công an"])
@pytest.mark.parametrize("size", [1, 7, 50])
async def test_plain_search_pages_are_those_of_the_search_over_every_match(many_db, query, size):
    ds = build_datasette(many_db)
    fast_rows, fast_pages = await walk_pages(ds, query, size)
    full_rows, full_pages = await walk_pages(ds, query, size, status__not="gone")  # a filter: old path
    assert any(fast_pages) and not any(full_pages)
    conn = sqlite3.connect(many_db)
    expected = conn.execute(
        "select url, published from articles where rowid in (select rowid from articles_fts "
        "where articles_fts match ?) order by published desc, url",
        [build_fts_query(query)],
    ).fetchall()
    assert len(fast_rows) == len(set(fast_rows)) == len(expected) > 0
    assert set(fast_rows) == set(expected)
    # the same order as Datasette's own: by date, newest first, undated last
    assert [p for _, p in fast_rows] == [p for _, p in full_rows] == [p for _, p in expected]


async def test_plain_search_says_how_many_match(many_db):
    ds = build_datasette(many_db)
    conn = sqlite3.connect(many_db)
    (count,) = conn.execute(
        "select count(*) from articles_fts where articles_fts match ?", [build_fts_query("văn hóa")]
    ).fetchone()
    r = await ds.client.get("/archive/articles.json", params={"_search": "văn hóa"})
    assert f'search matches "văn hóa" ({count} articles, newest first)' in r.json()["human_description_en"]
    assert r.json()["filtered_table_rows_count"] is None and r.json()["facet_results"] == {}
    assert capped_count(conn, build_fts_query("văn hóa"), cap=5) == 6
    assert capped_count(conn, build_fts_query("văn hóa"), cap=count) == count


async def test_a_filter_added_to_a_plain_search_brings_back_count_and_facets(many_db):
    ds = build_datasette(many_db)
    html = (await ds.client.get("/archive/articles", params={"_search": "van hoa"})).text
    # the page's links and form carry the search only (vnresults cleans vnsearch's markers out),
    # so a filter added from the page is a new request that vnsearch judges afresh
    assert 'name="_nofacet"' not in html and "_nocount=vn" not in html and 'data-plain="1"' in html
    r = await ds.client.get(
        "/archive/articles.json",
        params={"_vnsearch": "van hoa", "_nocount": "vn", "_nofacet": "vn", "category": "Văn hóa"},
    )
    data = r.json()
    assert data["filtered_table_rows_count"] > 0 and "category" in data["facet_results"]
    r = await ds.client.get("/archive/articles.json", params={"_search": "van hoa", "_vnsearch": "Đảng"})
    assert 'search matches "van hoa"' in r.json()["human_description_en"]  # the box's new search wins


async def test_plain_search_csv_and_raw_mode(many_db):
    ds = build_datasette(many_db)
    r = await ds.client.get(
        "/archive/articles.csv", params={"_search": "Đảng", "_size": "max", "_col": "title"}
    )
    assert r.status_code == 200
    conn = sqlite3.connect(many_db)
    (count,) = conn.execute(
        "select count(*) from articles_fts where articles_fts match ?", [build_fts_query("Đảng")]
    ).fetchone()
    assert len(r.text.strip().splitlines()) == count + 1
    r = await ds.client.get(
        "/archive/articles.json", params={"_search": "title_fold: dang", "_searchmode": "raw"}
    )
    assert r.status_code == 200 and "json_each" in r.json()["query"]["sql"] and r.json()["rows"]
    r = await ds.client.get("/archive/articles.json", params={"_search": '"unbalanced', "_searchmode": "raw"})
    assert r.status_code == 400  # FTS5's own error, reported by Datasette as before


async def test_mentions_per_month_from_the_index_equals_the_month_column(many_db):
    ds = build_datasette(many_db)
    conn = sqlite3.connect(many_db)
    for query in ("van hoa", "Đảng"):
        expected = conn.execute(
            "select published_month, count(*) from articles where rowid in (select rowid from "
            "articles_fts where articles_fts match ?) and published_month is not null group by 1 order by 1",
            [build_fts_query(query)],
        ).fetchall()
        for category in ("", "Văn hóa"):
            r = await ds.client.get(
                "/archive/mentions_per_month.json",
                params={"q": query, "category": category, "_shape": "array"},
            )
            got = [(row["month"], row["articles"]) for row in r.json()]
            if category:
                assert 0 < sum(n for _, n in got) < sum(n for _, n in expected)
            else:
                assert got == [tuple(row) for row in expected]


RANKED_CAP = 20_000  # the ranked canned query ranks this many newest matches at most


def ranked_sql(cap: int) -> str:
    """The ranked canned query with its cap of newest matches set to ``cap``."""
    sql = load_metadata()["databases"]["archive"]["queries"]["search"]["sql"]
    for old, new in ((RANKED_CAP + 1, cap + 1), (RANKED_CAP - 1, cap - 1)):
        assert str(old) in sql
        sql = sql.replace(str(old), str(new))
    return sql


def test_ranked_search_ranks_only_the_newest_matches_past_its_cap_and_says_so(many_db):
    conn = sqlite3.connect(many_db)
    conn.create_function("escape_fts", 1, build_fts_query)
    conn.create_function("vn_passage", 3, vnresults.sql_passage)
    match = build_fts_query("van hoa")
    newest = [r[0] for r in conn.execute(
        "select rowid from articles_fts where articles_fts match ? order by rowid desc", [match]
    )]  # fmt: skip
    capped = conn.execute(ranked_sql(30), {"q": "van hoa"}).fetchall()
    ids = {conn.execute("select rowid from articles where url = ?", [row[2]]).fetchone()[0] for row in capped}
    assert ids == set(newest[:30])
    every = conn.execute(ranked_sql(len(newest)), {"q": "van hoa"}).fetchall()
    assert len(every) == min(100, len(newest))
    scores = [row[-1] for row in every]
    assert scores == sorted(scores)
    # the page's note says which: the plugin's cap is the SQL's
    assert vnqueries.RANK_CAP == RANKED_CAP
    assert vnqueries.ranked_note(RANKED_CAP + 1).startswith(
        "More than 20,000 articles match: the newest 20,000 of them are ranked"
    )
    assert (
        vnqueries.ranked_note(len(newest)) == f"{len(newest)} articles match, all of them ranked, best first."
    )


async def test_ranked_search_in_datasette_under_the_cap(many_db):
    ds = build_datasette(many_db)
    r = await ds.client.get("/archive/search.json", params={"q": "Đảng", "_shape": "objects"})
    rows = r.json()["rows"]
    assert rows and "ranked" not in rows[0]
    html = (await ds.client.get("/archive/search", params={"q": "Đảng"})).text
    assert html.count("all of them ranked") == 1 and "The best 100 are shown." in html
