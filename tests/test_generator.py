"""replica.generator: deterministic pages whose truth matches what they print, on every axis value,
and the generated site served by the real ReplicaServer. Extraction pass rates live in
bench/variants.py, not here."""

from __future__ import annotations

import re
import unicodedata
import urllib.request
import xml.etree.ElementTree as ET
from collections import Counter
from urllib.error import HTTPError

import pytest
from lxml import html as lxml_html

from replica import ReplicaServer
from replica.generator import AXES, FIELDS, GeneratedSite, check, sample, variant
from replica.generator.check import norm
from replica.generator.families import FAMILIES

N = 64


@pytest.fixture(scope="module")
def variants():
    return list(sample(N, seed=3))


def page_text(v) -> str:
    """The page as NFC text, decoded with the charset it declares."""
    return unicodedata.normalize("NFC", v.html.decode(v.charset.replace("windows-", "cp")))


def visible(v) -> str:
    return norm(lxml_html.fromstring(page_text(v)).text_content())


def test_same_seed_same_bytes_other_seed_other_page():
    assert variant(41).html == variant(41).html
    assert variant(41, family="qdnd").html == variant(41, family="qdnd").html
    assert [v.html for v in sample(5, seed=9)] == [v.html for v in sample(5, seed=9)]
    assert variant(41).html != variant(42).html


def test_every_axis_value_is_reached_and_balanced(variants):
    for axis, values in AXES.items():
        counts = Counter(v.axes[axis] for v in variants)
        assert set(counts) == set(values), axis
        assert max(counts.values()) - min(counts.values()) <= 1, (axis, counts)
    assert set(AXES["family"]) == set(FAMILIES)


def test_fixed_axes_are_kept():
    v = variant(5, family="liferay", length="brief", byline="role", date="none", encoding="cp1258")
    assert (v.axes["family"], v.axes["length"], v.axes["byline"]) == ("liferay", "brief", "role")
    with pytest.raises(ValueError, match="unknown value"):
        variant(5, family="wordpress")


def test_truth_is_what_the_page_prints(variants):
    for v in variants:
        text, t = visible(v), v.truth
        assert norm(t.title) in text
        for para in t.paragraphs:
            assert norm(para) in text, (v.seed, para[:40])
        if t.lead:
            assert norm(t.lead) in text
            if v.axes["sapo"] == "tagged":
                assert t.agency and t.lead.startswith(t.agency)
        if t.byline:
            assert norm(t.byline) in text
        for pic in t.images:
            assert pic.src in page_text(v)
            if pic.caption:
                assert norm(pic.caption) in text
        assert f'rel="canonical" href="{t.canonical_url}"' in page_text(v)
        assert all(unicodedata.is_normalized("NFC", p) for p in [t.title, *t.paragraphs])


def test_axis_values_shape_the_page(variants):
    for v in variants:
        t, axes, page = v.truth, v.axes, page_text(v)
        chars = sum(len(p) for p in t.paragraphs)
        low, high = {"brief": (1, 2), "short": (3, 5), "medium": (6, 12), "long": (1, 30)}[axes["length"]]
        assert low <= len(t.paragraphs) <= high and 80 <= chars <= 20_000, (axes["length"], len(t.paragraphs))
        assert (t.lead is None) == (axes["sapo"] == "absent")
        assert (t.byline is None) == (axes["byline"] == "none")
        assert t.placeholder_author == (axes["byline"] == "placeholder")
        assert (t.source is None) == (axes["source"] == "none")
        n_boxes = len(v.story.boxes)
        assert {"none": n_boxes == 0, "few": 1 <= n_boxes <= 3, "many": 4 <= n_boxes <= 8}[axes["sidebars"]]
        assert all(link.when > v.story.published for box in v.story.boxes for link in box.links)
        n_img = len(t.images)
        assert {"none": n_img == 0, "few": 1 <= n_img <= 3, "few-twice": 1 <= n_img <= 3}.get(
            axes["images"], 4 <= n_img <= 10
        )
        iso = v.story.published.replace(second=0).isoformat()
        assert (f'content="{iso}"' in page) == (axes["date"] == "meta")
        assert ('"datePublished": ' in page) == (axes["date"] == "jsonld")
        assert (f'<time datetime="{iso}"' in page) == (axes["date"] == "time")
        if axes["date"] == "none" and axes["family"] != "vccorp":
            assert t.published is None
        if t.published is not None:
            assert t.published.utcoffset().total_seconds() == 7 * 3600
        assert datefmt_today(v) not in {norm(p) for p in t.paragraphs}


def datefmt_today(v) -> str:
    """The masthead's own date, which must never be the article's."""
    from replica.generator import datefmt

    return datefmt.masthead(v.story.date_style, v.story.today)


def test_encodings_really_differ():
    nfc = variant(8, encoding="utf8-nfc", classless="no")
    nfd = variant(8, encoding="utf8-nfd", classless="no")
    cp = variant(8, encoding="cp1258", classless="no")
    assert nfc.truth.as_dict() == nfd.truth.as_dict() == cp.truth.as_dict()
    text = nfd.html.decode("utf-8")
    assert unicodedata.is_normalized("NFD", text) and not unicodedata.is_normalized("NFC", text)
    with pytest.raises(UnicodeDecodeError):
        cp.html.decode("utf-8")
    assert cp.content_type == "text/html; charset=windows-1258" and b'charset="windows-1258"' in cp.html
    assert unicodedata.normalize("NFC", cp.html.decode("cp1258")) == nfc.html.decode("utf-8").replace(
        'charset="utf-8"', 'charset="windows-1258"'
    )
    assert re.search("[\u0300\u0301\u0303\u0309\u0323]", cp.html.decode("cp1258"))


def test_classless_pages_have_no_class_or_id():
    for family in FAMILIES:
        v = variant(12, family=family, classless="yes")
        root = lxml_html.fromstring(v.html)
        assert not root.xpath("//*[@class or @id]"), family
        assert norm(v.truth.paragraphs[0]) in visible(v)


def test_a_record_equal_to_the_truth_passes_and_mistakes_fail():
    v = variant(21, byline="placeholder", sapo="tagged", date="line", images="few")
    t = v.truth
    record = {
        "title": t.title,
        "lead": t.lead.removeprefix(t.agency),
        "text": "\n".join(t.paragraphs),
        "author": None,
        "source": t.source,
        "category": t.category,
        "tags": list(t.tags),
        "images": [{"src": p.src, "caption": p.caption} for p in t.images],
        "canonical_url": t.canonical_url,
        "published": t.published.isoformat(),
    }
    verdicts = check(record, t, is_article=True)
    assert list(verdicts) == list(FIELDS) and all(x.ok for x in verdicts.values()), verdicts
    bad = record | {
        "text": record["text"] + "\n" + t.boilerplate[-1],
        "published": "2001-01-01T00:00:00+07:00",
        "lead": None,
    }
    failed = {f for f, x in check(bad, t, is_article=False).items() if not x.ok}
    assert failed == {"is_article", "clean", "published", "lead"}


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except HTTPError as e:
        return e.code, dict(e.headers), e.read()


@pytest.mark.parametrize("family", ["qdnd", "vccorp", "sharepoint"])
def test_generated_site_is_served(family):
    site = GeneratedSite(family, n_articles=40, seed=1)
    with ReplicaServer(site) as server:
        status, _, robots = _get(server.url + "/robots.txt")
        assert status == 200 and f"Sitemap: {server.url}/sitemap.xml" in robots.decode()
        status, _, xml = _get(server.url + "/sitemap.xml")
        locs = [e.text for e in ET.fromstring(xml).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
        assert status == 200 and len(locs) == 40
        assert _get(server.url + "/rss")[0] == 200
        assert _get(server.url + "/")[0] == 200
        status, headers, body = _get(locs[0])
        v = site.article(locs[0].removeprefix(server.url), server.url)
        assert status == 200 and body == v.html and headers["Content-Type"] == v.content_type
        status, _, printed = _get(v.url + ("&" if "?" in v.url else "?") + "print=1")
        assert status == 200 and b"window.print()" in printed
        assert f'rel="canonical" href="{v.url}"'.encode() in printed
        cat = max(site.categories, key=lambda c: sum(e.category == c for e in site.entries))
        url, seen = server.url + site.listing(cat), set()
        while url:
            status, _, page = _get(url)
            assert status == 200, url
            seen |= set(re.findall(r'<h3><a href="([^"]+)"', page.decode()))
            nxt = re.search(r'class="pager"><a href="([^"]+)"', page.decode())
            url = server.url + nxt.group(1).replace("&amp;", "&") if nxt else None
        assert len(seen) == sum(e.category == cat for e in site.entries) > 6
        assert _get(server.url + "/khong-co-trang-nay-999")[0] == 404
