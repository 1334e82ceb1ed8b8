import pytest

from archive.urls import canonical_url, clean_url


@pytest.mark.parametrize(
    "url",
    [
        "https://tuyengiao.vn/van-hoa-xa-hoi/bai-viet-123",
        "https://tuyengiao.vn/van-hoa-xa-hoi/bai-viet-123/",
        "https://www.tuyengiao.vn/van-hoa-xa-hoi/bai-viet-123",
        "https://TUYENGIAO.vn:443/van-hoa-xa-hoi/bai-viet-123?utm_source=facebook&utm_medium=x",
        "https://tuyengiao.vn/van-hoa-xa-hoi/bai-viet-123?fbclid=abc#binh-luan",
    ],
)
def test_one_article_one_key(url):
    assert canonical_url(url) == "https://tuyengiao.vn/van-hoa-xa-hoi/bai-viet-123"


def test_content_parameters_are_kept_and_sorted():
    assert (
        canonical_url("http://127.0.0.1:8765/kinh-te?page=2&utm_campaign=x")
        == "http://127.0.0.1:8765/kinh-te?page=2"
    )
    assert canonical_url("http://h/x?b=2&a=1") == "http://h/x?a=1&b=2"


def test_clean_url_keeps_host_form_for_requests():
    assert clean_url("http://www.example.vn/a/?utm_source=x#top") == "http://www.example.vn/a/"
    assert clean_url("http://example.vn:80") == "http://example.vn/"
