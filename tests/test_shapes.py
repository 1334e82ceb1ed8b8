"""URL shapes: the abstraction the crawler learns a portal by, and the budget for unproven shapes."""

from __future__ import annotations

import pytest

from archive import shapes, store


@pytest.mark.parametrize(
    ("url", "shape"),
    [
        ("http://a.vn/kinh-te/tong-bi-thu-tiep-110278", "/{slug}/{slug}-{id}"),
        ("http://a.vn/kinh-te/hoi-nghi-110279", "/{slug}/{slug}-{id}"),
        ("http://a.vn/kinh-te?page=3", "/{slug}?page"),
        ("https://nhandan.vn/xuat-khau-post812345.html", "/{slug}-post{id}.html"),
        ("https://baochinhphu.vn/thu-tuong-102251029120855211.htm", "/{slug}-{id}.htm"),
        ("https://d.vn/tin-hoat-dong/hoi-nghi.html?categoryId=1,2", "/{slug}/{slug}.html?categoryid"),
        ("https://t.vn/blogs/trien-khai-nhiem-vu", "/blogs/{slug}"),
        ("http://a.vn/tag/dang", "/tag/{w}"),
        ("http://a.vn/2024/05/10", "/{n}/{n}/{n}"),
        ("http://a.vn/", "/"),
    ],
)
def test_shape(url, shape):
    assert shapes.shape(url) == shape


def test_traps():
    assert shapes.trap_reason("http://a.vn/" + "x" * 600) == "url-too-long"
    assert shapes.trap_reason("http://a.vn/lich/thang/lich/thang/lich/2024") == "repeated-segment"
    assert shapes.trap_reason("http://a.vn/kinh-te/hoi-nghi-110279") is None


def test_an_unproven_shape_gets_a_bounded_number_of_fetches_a_productive_one_all():
    book = shapes.ShapeBook("a", probe_budget=3)
    tags = [f"http://a.vn/tag/tu-khoa-so-{n}" for n in range(10)]
    allowed = [u for u in tags if book.allow_probe(u)]
    assert allowed == tags[:3] and book.refused == 7
    for url in allowed:
        book.judged(url, False)
    assert book.barren(tags[0]) and not book.productive(tags[0])
    assert not book.allow_probe(tags[9])
    articles = [f"http://a.vn/kinh-te/bai-viet-so-{n}-11{n:04d}" for n in range(10)]
    book.judged(articles[0], True, requested=False)
    assert book.productive(articles[5])
    assert all(book.allow_probe(u) for u in articles)


def test_shapes_are_kept_for_the_next_run(fresh_db):
    book = shapes.ShapeBook("a")
    book.judged("http://a.vn/kinh-te/bai-1-110001", True, requested=False)
    book.judged("http://a.vn/tag/x-y", False, requested=False)
    shapes.save(fresh_db, book, store.utcnow())
    again = shapes.load(fresh_db, "a")
    assert again.productive("http://a.vn/van-hoa/bai-2-110002")
    assert again.barren("http://a.vn/tag/z-w")
    assert shapes.load(fresh_db, "b").table() == []
