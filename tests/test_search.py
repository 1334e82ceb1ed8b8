"""Vietnamese search: the query builder alone, then the behaviour researchers see through ?_search=."""

from __future__ import annotations

import random
import sqlite3
import unicodedata

import pytest

from archive.search import build_fts_query, new_style_tones, snippet
from archive.serve import build_datasette
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


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "((",
        ")",
        "AND",
        "OR a",
        "NOT",
        "*",
        "-",
        ":",
        "{title}",
        "title:",
        "^a",
        "NEAR(a b)",
        "a + b",
        "''",
    ],
)
async def test_odd_queries_never_error(ds, query):
    await search(ds, query)


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


async def test_ranked_search_with_highlighted_snippets(ds):
    r = await ds.client.get("/archive/search.json", params={"q": "van hoa", "_shape": "objects"})
    rows = r.json()["rows"]
    assert {row["url"] for row in rows} == {url(s) for s in VAN_HOA}
    assert [row["score"] for row in rows] == sorted(row["score"] for row in rows)
    by_url = {row["url"]: row["snippet"] for row in rows}
    # a folded match is highlighted in the published spelling, whatever the spelling
    assert "<mark>văn hoá</mark>" in by_url[url("van-hoa-moi")]
    assert "<mark>văn hóa</mark>" in by_url[url("van-hoa")]
    assert "<mark>" in by_url[url("nfd")]


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
    for _ in range(2000):
        query = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
        conn.execute("select count(*) from t where t match ?", [build_fts_query(query)]).fetchone()


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
