"""archive.dates and the extractor's choice of date: formats, traps, future and impossible dates."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from archive.dates import parse_iso, parse_vn_date, split_updated
from archive.extract import extract

VN = timezone(timedelta(hours=7))
NOW = datetime(2024, 5, 23, 9, 0, tzinfo=VN)


@pytest.mark.parametrize(
    ("raw", "iso", "has_time"),
    [
        ("Thứ Tư, 14/9/2022 10:10'(GMT+7)", "2022-09-14T10:10:00+07:00", True),
        ("Thứ Năm, 19/5/2022 7:22'(GMT+7)", "2022-05-19T07:22:00+07:00", True),
        ("14/09/2022 | 10:10", "2022-09-14T10:10:00+07:00", True),
        ("10:10 14/09/2022", "2022-09-14T10:10:00+07:00", True),
        ("22:45, ngày 22-11-2020", "2020-11-22T22:45:00+07:00", True),
        ("Ngày 14 tháng 9 năm 2022", "2022-09-14T00:00:00+07:00", False),
        ("ngày 3 tháng 6 năm 2024", "2024-06-03T00:00:00+07:00", False),
        ("14 tháng 9, 2022", "2022-09-14T00:00:00+07:00", False),
        ("Thứ tư, 08 Tháng 9 2021 15:09", "2021-09-08T15:09:00+07:00", True),
        ("Cập nhật: 10:10, 14/09/2022", "2022-09-14T10:10:00+07:00", True),
        ("01/04/2022 - 15:28 GMT+7", "2022-04-01T15:28:00+07:00", True),
        ("Thứ hai - 04/07/2022 04:34", "2022-07-04T04:34:00+07:00", True),
        ("Thứ ba, 13/12/2016 | 20:40 GMT+7", "2016-12-13T20:40:00+07:00", True),
        ("Chủ nhật, 11/9/2022, 07:30 (GMT+7)", "2022-09-11T07:30:00+07:00", True),
        ("Thứ Hai, 05/09/2022 - 08:00", "2022-09-05T08:00:00+07:00", True),
        ("15:05 - 25/05/2024", "2024-05-25T15:05:00+07:00", True),
        ("04/02/2022 18:09 | 2 năm trước", "2022-02-04T18:09:00+07:00", True),
        ("17/5/2023", "2023-05-17T00:00:00+07:00", False),
        ("2022-09-14T10:10:00+07:00", "2022-09-14T10:10:00+07:00", True),
        ("2022-09-14T10:10:00+0700", "2022-09-14T10:10:00+07:00", True),
        ("2022-09-14T03:10:00Z", "2022-09-14T10:10:00+07:00", True),
        ("2022-09-14T03:10:00.000Z", "2022-09-14T10:10:00+07:00", True),
        ("2026-10-07 07:49 + 07:00", "2026-10-07T07:49:00+07:00", True),
        ("2022-09-14", "2022-09-14T00:00:00+07:00", False),
        # Local time stays local: 01:30 on the 15th is the 15th, not the 14th (UTC).
        ("15/9/2022 01:30", "2022-09-15T01:30:00+07:00", True),
        ("2022-09-14T18:30:00Z", "2022-09-15T01:30:00+07:00", True),
        # Another offset is converted to Vietnam's wall clock.
        ("14/09/2022 10:10 GMT+9", "2022-09-14T08:10:00+07:00", True),
    ],
)
def test_formats(raw: str, iso: str, has_time: bool) -> None:
    parsed = parse_vn_date(raw)
    assert parsed is not None, raw
    assert parsed.iso() == iso
    assert parsed.has_time is has_time
    assert parsed.raw == raw


@pytest.mark.parametrize(
    "raw",
    [
        "31/2/2022",
        "30/02/2024 10:00",
        "14/13/2022",
        "25:10 14/09/2022",
        "Năm 2022",
        "Tháng 9/2022",
        "2022",
        "94,27%",
        "",
        "Hà Nội",
        "1/1/1900",
    ],
)
def test_invalid_or_partial_dates_give_none(raw: str) -> None:
    assert parse_vn_date(raw) is None


def test_nfd_input_is_read() -> None:
    import unicodedata

    assert (
        parse_vn_date(unicodedata.normalize("NFD", "Ngày 14 tháng 9 năm 2022")).iso()
        == "2022-09-14T00:00:00+07:00"
    )


def test_future_dates_are_rejected() -> None:
    assert parse_vn_date("24/5/2024 10:00", now=NOW) is None
    assert parse_vn_date("23/5/2024 10:00", now=NOW) is not None  # within the slack
    assert parse_vn_date("22/5/2024 10:00", now=NOW) is not None


def test_split_updated() -> None:
    published, modified = split_updated("Đăng lúc 10:10 14/09/2022 | Cập nhật: 08:00, 15/09/2022")
    assert parse_vn_date(published).iso() == "2022-09-14T10:10:00+07:00"
    assert parse_vn_date(modified).iso() == "2022-09-15T08:00:00+07:00"


def test_parse_iso_naive_is_local() -> None:
    assert parse_iso("2022-09-14T10:10:00").iso() == "2022-09-14T10:10:00+07:00"


def _page(header: str = "", before: str = "", after: str = "", related: str = "", head: str = "") -> str:
    body = " ".join(["Đây là một câu văn của bài viết, đủ dài để được coi là nội dung chính của trang."] * 6)
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Tiêu đề bài viết thử nghiệm về ngày tháng</title>{head}</head>
<body><div class="top"><span>{header}</span></div>
<ul class="menu"><li><a href="/">Trang chủ</a></li><li><a href="/a">Thời sự</a></li><li><a href="/b">Kinh tế</a></li>
<li><a href="/c">Văn hóa</a></li><li><a href="/d">Xã hội</a></li><li><a href="/e">Thế giới</a></li></ul>
<div class="content"><div class="meta">{before}</div><h1>Tiêu đề bài viết thử nghiệm về ngày tháng</h1><div class="meta2">{after}</div>
<div class="body"><p>{body}</p><p>{body}</p><p>Nguyễn Văn An</p></div>
<div class="other"><h3>Các tin khác</h3><ul>{related}</ul></div></div>
<div class="footer">Bản quyền thuộc về Ban Tuyên giáo Trung ương</div></body></html>"""


RELATED = "".join(
    f'<li><a href="/tin-{i}-{i}123">Một bản tin khác có tiêu đề đủ dài số {i}</a> <span>({d})</span></li>'
    for i, d in enumerate(["12/9/2022", "10/9/2022", "8/9/2022"])
)


def test_header_date_is_not_the_publish_date() -> None:
    rec = extract(
        _page(header="Thứ Năm, 23/5/2024", before="Thứ Tư, 14/9/2022 10:10'(GMT+7)"),
        "https://example.vn/a-1",
        now=NOW,
    )
    assert rec["published"] == "2022-09-14T10:10:00+07:00"
    assert rec["published_source"] == "dateline"


def test_header_date_alone_is_never_taken() -> None:
    rec = extract(_page(header="Thứ Năm, 23/5/2024", related=RELATED), "https://example.vn/a-1", now=NOW)
    assert rec["published"] is None
    assert "no-date" in rec["flags"]


def test_header_date_with_weekday_day_under_13_is_never_taken() -> None:
    rec = extract(
        _page(header="Thứ Hai, 6/5/2024"), "https://example.vn/a-1", now=datetime(2024, 5, 6, 9, tzinfo=VN)
    )
    assert rec["published"] is None


def test_related_list_dates_are_never_taken() -> None:
    rec = extract(_page(related=RELATED), "https://example.vn/a-1", now=NOW)
    assert rec["published"] is None
    rec = extract(_page(after="14/09/2022 | 10:10", related=RELATED), "https://example.vn/a-1", now=NOW)
    assert rec["published"] == "2022-09-14T10:10:00+07:00"


def test_dateline_after_title_with_update() -> None:
    rec = extract(
        _page(after="Thứ Tư, 14/9/2022 10:10 | Cập nhật: 10:10, 15/09/2022"),
        "https://example.vn/a-1",
        now=NOW,
    )
    assert rec["published"] == "2022-09-14T10:10:00+07:00"
    assert rec["modified"] == "2022-09-15T10:10:00+07:00"


def test_meta_and_jsonld_dates() -> None:
    head = '<meta property="article:published_time" content="2022-09-14T03:10:00Z">'
    rec = extract(_page(head=head, header="Thứ Năm, 23/5/2024"), "https://example.vn/a-1", now=NOW)
    assert (rec["published"], rec["published_source"]) == ("2022-09-14T10:10:00+07:00", "meta")
    head = '<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2022-09-14T10:10:00+0700"}</script>'
    rec = extract(_page(head=head), "https://example.vn/a-1", now=NOW)
    assert (rec["published"], rec["published_source"]) == ("2022-09-14T10:10:00+07:00", "jsonld")


def test_future_meta_date_is_rejected() -> None:
    head = '<meta property="article:published_time" content="2030-01-01T10:00:00+07:00">'
    rec = extract(_page(head=head, after="14/09/2022 10:10"), "https://example.vn/a-1", now=NOW)
    assert rec["published"] == "2022-09-14T10:10:00+07:00"


def test_date_only_is_flagged() -> None:
    rec = extract(_page(after="Ngày 14 tháng 9 năm 2022"), "https://example.vn/a-1", now=NOW)
    assert rec["published"] == "2022-09-14T00:00:00+07:00"
    assert "published-date-only" in rec["flags"]


def test_url_date_of_baochinhphu() -> None:
    rec = extract(
        _page(),
        "https://baochinhphu.vn/mot-bai-viet-102251029120855211.htm",
        now=datetime(2026, 1, 1, tzinfo=VN),
    )
    assert (rec["published"], rec["published_source"]) == ("2025-10-29T12:08:55+07:00", "url")


def test_every_profile_date_example_parses() -> None:
    from archive.profiles import PROFILES

    examples = [(p.name, raw, iso) for p in PROFILES.values() for raw, iso in p.date_examples]
    assert {name for name, _, _ in examples} == set(PROFILES)
    for name, raw, iso in examples:
        parsed = parse_vn_date(raw)
        assert parsed is not None and parsed.iso() == iso, (name, raw)


def test_separate_update_line_is_the_modified_date() -> None:
    after = "Thứ Tư, 14/9/2022 10:10</div><div>Cập nhật: 10:10, 15/09/2022"
    rec = extract(_page(after=after), "https://example.vn/a-1", now=NOW)
    assert rec["published"] == "2022-09-14T10:10:00+07:00"
    assert rec["modified"] == "2022-09-15T10:10:00+07:00"


def test_todays_date_just_above_the_title_is_the_masthead_not_the_publish_date() -> None:
    """A bare date of the crawl day right above the headline is the site's "today", never the date."""
    rec = extract(_page(before="Thứ Năm, 23/5/2024"), "https://example.vn/a-1", now=NOW)
    assert rec["published"] is None
    assert "no-date" in rec["flags"]


def test_todays_masthead_above_loses_to_the_articles_own_bare_date_below() -> None:
    rec = extract(
        _page(before="Thứ Năm, 23/5/2024", after="Ngày 14 tháng 9 năm 2022"),
        "https://example.vn/a-1",
        now=NOW,
    )
    assert (rec["published"], rec["published_source"]) == ("2022-09-14T00:00:00+07:00", "dateline")


def test_an_earlier_bare_date_above_the_title_is_the_articles() -> None:
    """Only the crawl day's date is taken for the masthead: another bare date above the title counts."""
    rec = extract(_page(before="Thứ Ba, 21/5/2024"), "https://example.vn/a-1", now=NOW)
    assert (rec["published"], rec["published_source"]) == ("2024-05-21T00:00:00+07:00", "dateline")


def test_todays_date_with_a_time_above_the_title_is_the_articles() -> None:
    """A time of day makes it the article's own date line, even on the crawl day."""
    rec = extract(_page(before="Thứ Năm, 23/5/2024 08:15"), "https://example.vn/a-1", now=NOW)
    assert rec["published"] == "2024-05-23T08:15:00+07:00"
