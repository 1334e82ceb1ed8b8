"""The reading room as a person sees it: real Datasette on 127.0.0.1, real headless Chromium.

Pages are opened at 1,400 and 800 px; each test keeps its screenshots in tests/artefacts/
(gitignored) for a person to look at. Every request a page makes is recorded: none may leave
127.0.0.1 (the archived portal must never learn who reads its pages).
"""

from __future__ import annotations

import re

import pytest
from datasette.utils import tilde_encode

from tests.archive_fixtures import EDITED, REMOVED, build_archive, running_server, url
from tests.reading_room_browser import BROWSER_MARKS, open_page, visible_text

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = build_archive(tmp_path_factory.mktemp("reading") / "archive.db")
    with running_server("--db", str(db)) as base:
        yield base


def article_path(slug: str) -> str:
    return f"/archive/articles/{tilde_encode(url(slug))}"


def assert_no_markup_or_json(text: str) -> None:
    assert "<mark>" not in text and "</mark>" not in text
    assert not re.search(r'\[\s*"|\[\{"|\{"src"', text), "raw JSON on the page"


@pytest.mark.parametrize("width", [1400, 800])
def test_article_page_reads_as_an_article(server, browser, width):
    page = open_page(browser, server, article_path(EDITED), width, "article")
    try:
        assert page.js("document.querySelector('h1').textContent.trim()") == (
            "Từng bước xây dựng không gian văn hóa Hồ Chí Minh"
        )
        column = page.js("document.querySelector('.vn-body').getBoundingClientRect().width")
        if width == 1400:
            assert column >= 600
        else:
            assert column >= width * 0.9, "the text column does not fill a narrow screen"
        text = visible_text(page)
        assert_no_markup_or_json(text)
        assert "Ảnh minh họa" in text and "image at the portal" in text  # caption, linked out
        assert page.js("document.images.length") == 0, "an archived image would be loaded"
        assert "Versions (2)" in text and "what changed" in text
        assert "Minh Anh" in text and "Văn hóa" in text and "tag-van-hoa" in text
        # the related article we hold links into the archive
        assert page.js(f"!!document.querySelector('.vn-related a[href=\"{article_path('dang')}\"]')")
    finally:
        page.close()


def test_removed_article_has_a_banner(server, browser):
    page = open_page(browser, server, article_path(REMOVED), 1400, "removed")
    try:
        banner = page.js("document.querySelector('.vn-banner').innerText")
        assert "Removed from" in banner and "2023-04-01" in banner and "http-404" in banner
    finally:
        page.close()


def test_diff_view_marks_words(server, browser):
    page = open_page(browser, server, article_path(EDITED) + "/diff?from=1&to=2", 1400, "diff")
    try:
        inserted = page.js("[...document.querySelectorAll('.vn-change ins.vn-ins')].map(e => e.textContent)")
        assert inserted == [" Đoạn bổ sung sau khi sửa."]
        assert page.js("document.querySelectorAll('.vn-change del.vn-del').length") == 0
        # the marked words only, not the whole paragraph
        assert "Thủ đô Hà Nội" not in "".join(inserted)
    finally:
        page.close()


def test_citation_copies(server, browser):
    page = open_page(browser, server, article_path(EDITED), 1400, "cite")
    try:
        origin = server
        browser.send(
            "Browser.grantPermissions",
            {"origin": origin, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]},
        )
        page.send("Emulation.setFocusEmulationEnabled", {"enabled": True})
        page.click("button[data-copy='vn-cite-text']")
        assert page.js("document.querySelector('.vn-copied').textContent") == "Copied."
        copied = page.js("navigator.clipboard.readText()", gesture=True)
        assert copied == page.js("document.getElementById('vn-cite-text').textContent")
        assert url(EDITED) in copied and "sha256" in copied and "Từng bước" in copied
        page.click("button[data-copy='vn-cite-bibtex']")
        assert page.js("navigator.clipboard.readText()", gesture=True).startswith("@online{")
    finally:
        page.close()


@pytest.mark.parametrize("width", [1400, 800])
def test_ranked_search_page_before_and_after_a_search(server, browser, width):
    page = open_page(browser, server, "/archive/search", width, "search-empty")
    try:
        assert page.js("document.title") == "Search articles, ranked by relevance | archive"
        text = visible_text(page)
        assert "Custom SQL query" not in text and "0 results" not in text and "No article matches" not in text
        assert "Example: q = văn hóa" in text and "Show the SQL" in text
        assert (
            page.js("document.querySelectorAll('.vn-results, table.rows-and-columns, pre#sql-query').length")
            == 0
        )
    finally:
        page.close()
    page = open_page(browser, server, "/archive/search?q=van+hoa", width, "search-results")
    try:
        marks = page.js("[...document.querySelectorAll('.vn-results mark')].map(m => m.textContent)")
        assert set(marks) >= {"văn hóa", "văn hoá"} and len(marks) >= 4
        text = visible_text(page)
        assert_no_markup_or_json(text)
        assert text.count("4 articles match, all of them ranked, best first.") == 1
        assert page.js("document.querySelectorAll('.vn-results > li').length") == 4
        # the table (score, plain passage) is one click away, closed
        assert page.js("document.querySelector('details.vn-table-view').open") is False
        titles = page.js(
            "[...document.querySelectorAll('.vn-result-title')].map(a => a.getAttribute('href'))"
        )
        assert article_path("van-hoa") in titles
    finally:
        page.close()


def test_month_query_draws_nothing_before_input(server, browser):
    page = open_page(browser, server, "/archive/mentions_per_month", 1400, "mentions-empty")
    try:
        text = visible_text(page)
        assert "No dated articles to chart." not in text and "0 results" not in text
        assert page.js("document.getElementById('vn-chart')") is None
    finally:
        page.close()
    page = open_page(browser, server, "/archive/mentions_per_month?q=van+hoa&category=", 1400, "mentions")
    try:
        page.settle()
        assert page.js("document.querySelectorAll('#vn-chart rect.vn-bar').length") >= 4
        assert page.js("document.title") == "Articles mentioning a term, per month | archive"
    finally:
        page.close()
