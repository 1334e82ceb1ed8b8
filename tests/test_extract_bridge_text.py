"""archive.extract.bridge.main_text gives the text trafilatura's own bare_extraction gives.

main_text runs trafilatura's steps for our options less work that cannot change the text (the
backup tree of the comparison ``fast`` never runs, EXSLT regexes decided once per id and class
value, expressions no id or class can satisfy). Each page below takes one of those paths, and
the text is compared with trafilatura's, given our tree and given the markup.
"""

from __future__ import annotations

import json

import pytest
from lxml import etree
from lxml import html as lxml_html
from trafilatura import bare_extraction
from trafilatura.baseline import html2txt
from trafilatura.metadata import extract_author
from trafilatura.settings import BASIC_CLEAN_XPATH
from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH

from archive.extract import bridge
from archive.extract.bridge import text as bridge_text

URL = "https://example.org/tin-tuc/bai-viet-1.html"

_SENTENCE = (
    "Hội nghị đã thảo luận về tình hình kinh tế xã hội của tỉnh trong năm qua và đề ra "
    "phương hướng, nhiệm vụ trọng tâm cho năm tới với nhiều giải pháp cụ thể. "
)
_ARTICLE = "".join(f"<p>{_SENTENCE * 2} Đoạn {i}.</p>" for i in range(8))
_SHORT = f"<p>{_SENTENCE}</p>"
_SIDEBAR = (
    "<div class='sidebar'>" + "".join(f"<p>Tin khác số {i}: {_SENTENCE}</p>" for i in range(30)) + "</div>"
)
_LINK_BOX = (
    "<div class='box-tin'>"
    + "".join(
        f"<div class='item'><a href='/tin-{i}.html'>Tin khác số {i}: {_SENTENCE}</a></div>" for i in range(30)
    )
    + "</div>"
)
_LINK_LIST = (
    "<div class='box-tin'><ul>"
    + "".join(f"<li><a href='/tin-{i}.html'>Tin khác số {i}: {_SENTENCE}</a></li>" for i in range(30))
    + "</ul></div>"
)
_COMMENTS = (
    "<div id='comments'><h3>Bình luận</h3><p>Bài viết rất hay, cảm ơn tác giả đã chia sẻ thông tin.</p></div>"
    "<ol class='commentlist'><li>Ý kiến của bạn đọc thứ nhất về bài viết này.</li></ol>"
    "<ul class='commentary'><li>Commentary is content, not comments: it stays.</li></ul>"
)
_INFINITE = (
    "<div class='infinite-scroll'><h2>Bài tiếp theo</h2>"
    + "".join(f"<p>Bài viết nối tiếp, đoạn {i}. {_SENTENCE}</p>" for i in range(6))
    + "</div><div id='mvp-post-add-box'><p>Quảng cáo nối tiếp.</p></div>"
)
_SHARE = "<div class='elementor-share-buttons'><a href='https://facebook.com/x'>Chia sẻ Facebook</a></div>"
_COOKIE = (
    "<div class='Cookie-Banner'><p>Trang này dùng cookie để cải thiện trải nghiệm của bạn đọc.</p></div>"
    "<section id='onetrust-consent-sdk'><p>Đồng ý với chính sách quyền riêng tư của chúng tôi.</p></section>"
)
_FORUM = json.dumps(
    {"@context": "https://schema.org", "@type": "DiscussionForumPosting", "headline": "Chủ đề"}
)


def _page(body: str, head: str = "") -> str:
    return (
        "<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'><title>Bài viết - Báo</title>"
        f"{head}</head><body><header><nav><a href='/'>Trang chủ</a></nav></header>{body}"
        "<footer class='site-footer'><p>© 2024 Báo điện tử. Giấy phép số 123/GP-BTTTT.</p></footer></body></html>"
    )


PAGES = {
    "article": _page(f"<article><h1>Tiêu đề</h1>{_ARTICLE}</article>"),
    "comments": _page(f"<article><h1>Tiêu đề</h1>{_ARTICLE}</article>{_COMMENTS}"),
    "nested-comments": _page(
        f"<article><h1>Tiêu đề</h1>{_ARTICLE}</article><div id='comments'><div class='comments-area'>"
        "<p>Ý kiến lồng trong một khung ý kiến khác.</p></div></div>"
    ),
    "forum": _page(
        f"<article><h1>Tiêu đề</h1>{_SHORT}</article>{_COMMENTS}",
        f"<script type='application/ld+json'>{_FORUM}</script>",
    ),
    "infinite-scroll": _page(f"<article><h1>Tiêu đề</h1>{_ARTICLE}</article>{_INFINITE}{_SHARE}"),
    "infinite-scroll-holding-h1": _page(f"<div class='infinite-scroll'><h1>Tiêu đề</h1>{_ARTICLE}</div>"),
    "short-among-paragraphs": _page(f"<article><h1>Tiêu đề</h1>{_SHORT}</article>{_SIDEBAR}"),
    "short-among-link-lists": _page(f"<article><h1>Tiêu đề</h1>{_SHORT}</article>{_LINK_LIST}"),
    "short-among-link-boxes": _page(f"<article><h1>Tiêu đề</h1>{_SHORT}</article>{_LINK_BOX}"),
    "short-with-cookie-banner": _page(f"{_COOKIE}<article><h1>Tiêu đề</h1>{_SHORT}</article>{_LINK_BOX}"),
    "short-with-comments": _page(f"<article><h1>Tiêu đề</h1>{_SHORT}</article>{_COMMENTS}{_LINK_BOX}"),
    "tiny": _page("<div><span>Một dòng.</span></div>"),
    "no-text": "<!DOCTYPE html><html><head><title>T</title></head><body><div><img src='a.jpg'></div></body></html>",
    "private-use-id": _page(f"<div id='comments\ue000'>{_SHORT}</div>{_COMMENTS}{_SIDEBAR}"),
    "uppercase-ids": _page(f"<div id='Comment-Box'><p>Bình luận.</p></div>{_ARTICLE}{_COOKIE}"),
}


def _ours(markup: str) -> lxml_html.HtmlElement:
    """The tree as archive.extract parses a page (archive/extract/core.py's _parse)."""
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False)
    parser.set_element_class_lookup(etree.ElementDefaultClassLookup(element=lxml_html.HtmlElement))
    return lxml_html.document_fromstring(markup, parser=parser)


def _trafilatura(given: lxml_html.HtmlElement | str) -> str | None:
    doc = bare_extraction(
        given,
        url=URL,
        fast=True,
        with_metadata=False,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        date_extraction_params={"original_date": True, "extensive_search": False},
        config=bridge._CONFIG,
    )
    return None if doc is None else doc.text


@pytest.mark.parametrize("name", sorted(PAGES))
def test_main_text_is_bare_extractions_text(name: str) -> None:
    markup = PAGES[name]
    assert bridge.parses_like_trafilatura(markup)
    root = _ours(markup)
    before = lxml_html.tostring(root)
    assert bridge.main_text(root, URL) == _trafilatura(_ours(markup))
    assert lxml_html.tostring(root) == before  # trafilatura pruned a copy, never our tree
    assert bridge.main_text(markup, URL) == _trafilatura(markup)


def test_the_pages_take_each_path() -> None:
    """What the pages are for: each branch of trafilatura's sequence is taken by one of them."""
    texts = {name: _trafilatura(_ours(markup)) for name, markup in PAGES.items()}
    assert texts["no-text"] is None
    assert "Đoạn 7." in texts["article"]
    assert "Bình luận" not in texts["comments"]
    assert "lồng" not in texts["nested-comments"]
    assert "Bài viết nối tiếp" not in texts["infinite-scroll"]
    assert "Chia sẻ Facebook" not in texts["infinite-scroll"]
    assert "Đoạn 7." in texts["infinite-scroll-holding-h1"]  # the container holds the h1: kept
    assert "Một dòng." in texts["tiny"]  # below the minimum: the baseline's reading
    # a short reading in a long page: the page text is measured, the recall retry runs ...
    for name in ("short-among-link-lists", "short-among-link-boxes", "short-with-cookie-banner"):
        assert 0.2 * len(html2txt(_ours(PAGES[name]))) > 2 * len(_SENTENCE), name
    assert "Tin khác số 29" in texts["short-among-link-lists"]  # ... and its longer reading wins
    assert "Tin khác số" not in texts["short-among-link-boxes"]  # ... or not
    assert "cookie" not in html2txt(_ours(PAGES["short-with-cookie-banner"]))  # not page text


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_text_length_is_html2txts(name: str) -> None:
    root = _ours(PAGES[name])
    names = bridge_text.page_names(root)
    assert bridge_text._page_text_length(root, names) == len(html2txt(root))


@pytest.mark.parametrize("name", sorted(PAGES))
def test_name_tests_select_what_the_expressions_select(name: str) -> None:
    root = _ours(PAGES[name])
    names = bridge_text.page_names(root)
    for ours, theirs in [
        *zip(bridge_text._RAW_PRUNE, RAW_TREE_PRUNE_XPATH, strict=True),
        *zip(bridge_text._COMMENTS_PRUNE, REMOVE_COMMENTS_AND_LISTS_XPATH, strict=True),
        (bridge_text._BASIC_CLEAN, BASIC_CLEAN_XPATH),
    ]:
        assert ours(root, names) == theirs(root), theirs.path


def test_name_tests_select_on_these_pages() -> None:
    """The comparisons above compare something: the expressions select on some pages, not others."""
    selected = {
        name: [len(x(_ours(markup))) for x in (*RAW_TREE_PRUNE_XPATH, *REMOVE_COMMENTS_AND_LISTS_XPATH)]
        for name, markup in PAGES.items()
    }
    assert selected["article"] == [0, 0, 0]
    assert selected["infinite-scroll"] == [2, 1, 0]
    assert selected["comments"] == [0, 0, 2]
    assert selected["uppercase-ids"] == [0, 0, 1]
    cookie = [
        el.get("class") or el.get("id") for el in BASIC_CLEAN_XPATH(_ours(PAGES["short-with-cookie-banner"]))
    ]
    assert {"Cookie-Banner", "onetrust-consent-sdk"} <= set(cookie)


def test_markup_trafilatura_refuses() -> None:
    fragment = "<p>Một đoạn văn bản không phải là một trang.</p>"
    assert not bridge.parses_like_trafilatura(fragment)
    assert bridge.main_text(fragment, URL) is None
    assert _trafilatura(fragment) is None


def test_the_prune_expressions_are_gated() -> None:
    """Pages whose ids and classes pass none of their tests never run the prune expressions."""
    assert all(x.gate for x in (*bridge_text._RAW_PRUNE, *bridge_text._COMMENTS_PRUNE))
    assert bridge_text._BASIC_CLEAN.gate is None  # it also selects by tag: always run ...
    gates = bridge_text._BASIC_CLEAN.gates  # ... but without its cookie-banner alternative
    assert gates[-1] is not None and all(gate is None for gate in gates[:-1])


def test_alternatives_of_a_union() -> None:
    union = ".//aside|.//div[contains(@class|@id, 'a|b')]|.//*[re:test(@id, \"x|y\")]|(.//p|.//q)"
    assert bridge_text._alternatives(union) == [
        ".//aside",
        ".//div[contains(@class|@id, 'a|b')]",
        './/*[re:test(@id, "x|y")]',
        "(.//p|.//q)",
    ]
    assert bridge_text.page_names(_ours(PAGES["private-use-id"])) is None  # the original expressions


_BY = "<p>" + _SENTENCE + "</p>"
AUTHOR_PAGES = {
    "class": _page(f"<article><h1>T</h1><span class='author-name'>Nguyễn Văn An</span>{_BY}</article>"),
    "in-sidebar-then-byline": _page(
        f"<div class='sidebar'><span class='author'>Tác giả Khác</span></div><article>{_BY}"
        "<div class='byline'>Trần Thị Bình</div></article>"
    ),
    "holding-a-date": _page(
        f"<article>{_BY}<div class='byline'>Lê Văn Cường<time>12/03/2024</time> <figure>Ảnh</figure></div></article>"
    ),
    "glued-to-a-date": _page(
        f"<article>{_BY}<p class='meta-author'>Phạm<span class='date'>12/03</span>Dũng</p></article>"
    ),
    "in-a-figure": _page(
        f"<article><figure><span class='author'>Ảnh: Hoàng Em</span></figure>{_BY}</article>"
    ),
    "itemprop": _page(f"<article>{_BY}<a itemprop='author' href='/tac-gia/vu'>Vũ Giang</a></article>"),
    # rel='me' tests a child element's text: "me" once the time inside it is pruned
    "rel-element": _page(f"<article>{_BY}<span><rel>m<time>12/03</time>e</rel> Đỗ Hà</span></article>"),
    "none": _page(f"<article>{_BY}</article>"),
}


@pytest.mark.parametrize("name", sorted(AUTHOR_PAGES))
def test_author_is_extract_authors(name: str) -> None:
    root = _ours(AUTHOR_PAGES[name])
    before = lxml_html.tostring(root)
    assert bridge_text.author(root, bridge_text.page_names(root)) == extract_author(_ours(AUTHOR_PAGES[name]))
    assert lxml_html.tostring(root) == before


def test_the_author_pages_find_what_they_say() -> None:
    found = {name: extract_author(_ours(markup)) for name, markup in AUTHOR_PAGES.items()}
    assert found["class"] == "Nguyễn Văn An"
    assert found["in-sidebar-then-byline"] == "Trần Thị Bình"  # the sidebar's is pruned
    assert found["holding-a-date"] == "Lê Văn Cường"  # read without the time and the figure
    assert found["glued-to-a-date"] == "PhạmDũng"  # the date's tail joins the text before it
    assert found["in-a-figure"] is None
    assert found["itemprop"] == "Vũ Giang"
    assert found["none"] is None
    assert found["rel-element"] == "Me Đỗ Hà"
