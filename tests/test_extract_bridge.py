"""archive.extract.bridge's shortcuts into trafilatura give what trafilatura's own calls give.

The bridge skips work trafilatura would do for nothing (markup searches that keep only links
whose href names the field); these pages take both the shortcut and the full path.
"""

from __future__ import annotations

import pytest
from lxml import html as lxml_html
from trafilatura.metadata import extract_catstags, extract_metadata

from archive.extract.bridge import (
    MainText,
    catstags,
    htmldate_markup,
    json_may_name_category,
    parses_like_trafilatura,
    trafilatura_field,
    trafilatura_meta_tags,
)

_HEAD = "<head><title>T</title>{meta}</head>"
_LINKED = """
<div class="entry-meta"><a href="/category/kinh-te/">Kinh tế</a> <a href="/news/">News</a></div>
<div class="tags"><a href="/tag/dau-tu/">Đầu tư</a><a href="/tags/von/">Vốn</a></div>
<footer class="entry-footer"><a href="/categories/the-gioi/">Thế giới</a></footer>
"""
_UNLINKED = """
<div class="entry-meta"><a href="/kinh-te/">Kinh tế</a></div>
<div class="tags"><a href="/chu-de/dau-tu">Đầu tư</a></div>
"""
_SECTION = '<meta property="article:section" content=" Chính trị "><meta name="subject" content="Xã hội">'

PAGES = {
    "linked": _HEAD.format(meta="") + f"<body><p>x</p>{_LINKED}</body>",
    "linked-with-section": _HEAD.format(meta=_SECTION) + f"<body>{_LINKED}</body>",
    "unlinked": _HEAD.format(meta="") + f"<body>{_UNLINKED}</body>",
    "unlinked-with-section": _HEAD.format(meta=_SECTION) + f"<body>{_UNLINKED}</body>",
    "section-in-body": _HEAD.format(meta="") + f"<body>{_SECTION}{_UNLINKED}</body>",
}


def _root(markup: str) -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring(f"<html>{markup}</html>")


@pytest.mark.parametrize("name", sorted(PAGES))
@pytest.mark.parametrize("metatype", ["category", "tag"])
def test_catstags_is_extract_catstags(name: str, metatype: str) -> None:
    root = _root(PAGES[name])
    assert catstags(metatype, root) == extract_catstags(metatype, root)


def test_the_pages_take_both_paths() -> None:
    """Links naming the type on some pages (the full search), none on others (the shortcut)."""
    found = {name: extract_catstags("category", _root(markup)) for name, markup in PAGES.items()}
    assert found["linked"] == ["Kinh tế"]  # the first search that finds links wins
    assert found["unlinked-with-section"] == ["Chính trị", "Xã hội"]
    assert found["unlinked"] == found["section-in-body"] == []
    assert extract_catstags("tag", _root(PAGES["linked"])) == ["Đầu tư", "Vốn"]


@pytest.mark.parametrize("name", sorted(PAGES))
def test_fields_are_extract_metadata_fields(name: str) -> None:
    root = _root(PAGES[name])
    whole = extract_metadata(root, "https://example.org/a")
    meta_tags = trafilatura_meta_tags(root)
    for field in ("categories", "tags"):
        assert trafilatura_field(root, field, meta_tags) == getattr(whole, field), field


@pytest.mark.parametrize("char", ["\x00", "\x08", "\x0b", "\x0c", "\x0e", "\x1f", "\ufffe", "\uffff"])
def test_a_character_trafilatura_removes_sends_it_the_text(char: str) -> None:
    page = f"<!DOCTYPE html><html><head><title>T</title></head><body><p>a{char}b</p></body></html>"
    assert not parses_like_trafilatura(page)
    assert parses_like_trafilatura(page.replace(char, "\t\n\r "))


def test_htmldate_leaves_our_tree_as_it_was() -> None:
    """htmldate_markup hands htmldate the page's own tree: its pruning must not reach it."""
    markup = (
        "<html><head><title>T</title><style>p{}</style></head><body><nav><a href='/'>Trang chủ</a></nav>"
        "<div class='post'><div class='date'>12/03/2024</div><p>Bài viết về <b>kinh tế</b>.</p>"
        "<script>var d='x';</script></div><footer>© 2024</footer></body></html>"
    )
    root = lxml_html.document_fromstring(markup)
    before = lxml_html.tostring(root)
    assert htmldate_markup(root) == "2024-03-12T00:00:00"  # found in the pruned copy
    assert lxml_html.tostring(root) == before


_BODY = (
    "<body><article><h1>Tiêu đề</h1><p>" + "Nội dung bài viết khá dài. " * 40 + "</p></article>{tail}</body>"
)
_LD = '<script type="application/ld+json">{{"@context": "https://schema.org", {json}}}</script>'
#: (head, body's tail, trafilatura's category); a page whose scripts could name a category has
#: trafilatura's meta tags read, the others not.
CATEGORY_PAGES = {
    "no json": ("", _UNLINKED, []),
    "json without a section": (
        _LD.format(json='"@type": "NewsArticle", "headline": "Tiêu đề"'),
        _UNLINKED,
        [],
    ),
    "json without a section, linked": (_LD.format(json='"@type": "WebPage"'), _LINKED, ["Kinh tế"]),
    "other script type": ('<script type="application/json">{"articleSection": "Thể thao"}</script>', "", []),
    "json section": (
        _LD.format(json='"@type": "NewsArticle", "articleSection": "Kinh tế"'),
        _LINKED,
        ["Kinh tế"],
    ),
    "escaped json section": (
        _LD.format(json='"@type": "NewsArticle", "\\u0061rticleSection": "Xã hội"'),
        "",
        ["Xã hội"],
    ),
    "broken json section": (
        '<script type="application/ld+json">{"articleSection": "Pháp luật",</script>',
        "",
        ["Pháp luật"],
    ),
    "tag inside a broken key": (
        '<script type="application/ld+json">{"article<b>Section": "Văn hóa",</script>',
        "",
        ["Văn hóa"],
    ),
}
_READ_NO_META_TAGS = {
    "no json",
    "json without a section",
    "json without a section, linked",
    "other script type",
}


@pytest.mark.parametrize("name", sorted(CATEGORY_PAGES))
def test_the_category_is_extract_metadata_s_with_or_without_reading_meta_tags(name: str) -> None:
    """MainText skips trafilatura's meta tags for the category when its scripts cannot name one."""
    head, tail, category = CATEGORY_PAGES[name]
    markup = f"<!DOCTYPE html><html><head><title>T</title>{head}</head>{_BODY.format(tail=tail)}</html>"
    root = lxml_html.document_fromstring(markup)
    scripts = list(root.iter("script"))
    main = MainText(root, markup, "https://example.org/a", None, scripts)
    assert main.found
    whole = extract_metadata(lxml_html.document_fromstring(markup), "https://example.org/a")
    assert main.field("categories") == whole.categories == category
    assert json_may_name_category(scripts) == (name not in _READ_NO_META_TAGS)
