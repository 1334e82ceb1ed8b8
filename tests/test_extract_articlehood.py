"""Articlehood from positive evidence, and what the record says about a lead, a byline and its source.

Short news items ("tin ngắn", one or two paragraphs) inside heavy portal sidebars are articles:
a headline, their own date line right above it, a main text block. A page whose main region is
a list of links to other pages is a listing, sidebars or not. Class names are hints: every case
runs with and without class attributes.
"""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta, timezone

import pytest

from archive import store
from archive.extract import extract, is_article

VN = timezone(timedelta(hours=7))
NOW = datetime(2024, 5, 23, 9, 0, tzinfo=VN)
URL = "https://tuyengiao.vn/tin-tuc/hoi-nghi-giao-ban-cong-tac-tuyen-giao-110200"
TITLE = "Hội nghị giao ban công tác tuyên giáo quý II năm 2024"
DATELINE = "Thứ Sáu, 10/5/2024 10:50'(GMT+7)"
P1 = (
    "Sáng 10/5, Ban Tuyên giáo Tỉnh ủy tổ chức hội nghị giao ban công tác tuyên giáo quý II năm 2024, "
    "đánh giá kết quả và triển khai nhiệm vụ thời gian tới."
)
P2 = "Hội nghị đã thảo luận các giải pháp nâng cao chất lượng công tác nắm bắt dư luận xã hội."
SIDEBARS = ("Mới nhất", "Đọc nhiều", "Các tin khác", "Thư viện ảnh", "Video", "Liên kết website")


def _links(section: str, n: int) -> str:
    return "".join(
        f'<li><a href="/tin-tuc/{section}-so-{i}-1100{i:02d}">Tin {section} số {i} về hoạt động tuyên giáo ở cơ sở</a></li>'
        for i in range(n)
    )


def _page(main: str, *, classes: bool, sidebars: tuple[str, ...] = SIDEBARS, title: str = TITLE) -> str:
    def c(name: str) -> str:
        return f' class="{name}"' if classes else ""

    boxes = "".join(
        f"<div{c('box')}><h3>{s}</h3><ul>{_links(f'box{k}', 8)}</ul></div>" for k, s in enumerate(sidebars)
    )
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title></head>
<body><div{c("header")}><span>Thứ Năm, 23/5/2024</span><ul{c("menu")}>{_links("menu", 9)}</ul></div>
<div{c("container")}><div{c("main")}>
<div{c("breadcrumb")}><a href="/">Trang chủ</a> » <a href="/tin-tuc">Tin tức</a></div>
{main}</div><div{c("sidebar")}>{boxes}</div></div>
<div{c("footer")}>Bản quyền thuộc về Ban Tuyên giáo Trung ương</div></body></html>"""


def _article(paragraphs: list[str], byline: str, *, classes: bool, lead: str | None = None) -> str:
    def c(name: str) -> str:
        return f' class="{name}"' if classes else ""

    sapo = f"<div{c('story-teaser')}><b>{lead}</b></div>" if lead else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<div{c('ml-lg-auto')}>{DATELINE}</div><h1{c('story-headline')}>{TITLE}</h1>{sapo}"
        f"<div{c('story-body')}>{body}<p>{byline}</p></div>"
    )


SHORT_CASES = list(
    itertools.product(
        [1, 2],  # paragraphs
        [True, False],  # class attributes
        ["(TG) - ", "QĐND - ", "(ĐCSVN) - ", "(Chinhphu.vn) - ", "TCCS - ", "TCCSĐT - ", "(LLCT) - ", ""],
    )
)


@pytest.mark.parametrize(("paragraphs", "classes", "tag"), SHORT_CASES)
def test_a_short_news_item_in_heavy_sidebars_is_a_dated_article(
    paragraphs: int, classes: bool, tag: str
) -> None:
    text = [tag + P1, P2][:paragraphs]
    rec = extract(_page(_article(text, "PV", classes=classes), classes=classes), URL, now=NOW)
    assert is_article(rec), rec["flags"]
    assert "listing" not in rec["flags"]
    assert rec["title"] == TITLE
    assert (rec["published"], rec["published_source"]) == ("2024-05-10T10:50:00+07:00", "dateline")
    assert rec["published_raw"] == DATELINE
    assert rec["text"] == "\n".join(text)
    assert rec["lead_tag"] == (tag.strip(" -()") or None)
    assert rec["author"] == "PV"
    assert rec["bylines"] == [{"name": "PV", "role": None, "person": False, "facet": "PV"}]


@pytest.mark.parametrize("classes", [True, False])
def test_a_list_of_links_in_the_main_region_is_a_listing_whatever_the_sidebars(classes: bool) -> None:
    items = "".join(
        f'<div><a href="/tin-tuc/bai-{i}-11030{i}">Bài viết số {i} của chuyên mục tin tức trong tuần</a>'
        f"<span>{i + 1}/5/2024</span></div>"
        for i in range(20)
    )
    rec = extract(
        _page(f"<h1>Tin tức</h1>{items}", classes=classes, title="Tin tức"),
        "https://tuyengiao.vn/tin-tuc",
        now=NOW,
    )
    assert "listing" in rec["flags"]
    assert not is_article(rec)


@pytest.mark.parametrize("classes", [True, False])
def test_a_lead_keeps_its_agency_tag_which_is_also_its_own_field(classes: bool) -> None:
    lead = "(TG) - Hội nghị đánh giá kết quả công tác tuyên giáo quý II và triển khai nhiệm vụ quý III."
    rec = extract(
        _page(_article([P1, P2], "Trọng Đạt", classes=classes, lead=lead), classes=classes), URL, now=NOW
    )
    assert rec["lead"] == lead
    assert rec["lead_tag"] == "TG"
    assert rec["text"] == f"{P1}\n{P2}"


@pytest.mark.parametrize(
    ("printed", "author", "bylines"),
    [
        (
            "Bài và ảnh: SƠN BÌNH",
            "SƠN BÌNH",
            [{"name": "SƠN BÌNH", "role": "Bài và ảnh", "person": True, "facet": "Sơn Bình"}],
        ),
        (
            "TIN, ẢNH: VĂN CHIẾN - NGỌC LAN",
            "VĂN CHIẾN - NGỌC LAN",
            [
                {"name": "VĂN CHIẾN", "role": "Tin, ảnh", "person": True, "facet": "Văn Chiến"},
                {"name": "NGỌC LAN", "role": "Tin, ảnh", "person": True, "facet": "Ngọc Lan"},
            ],
        ),
        ("Nhóm PV", "Nhóm PV", [{"name": "Nhóm PV", "role": None, "person": False, "facet": "Nhóm PV"}]),
        ("BTV", "BTV", [{"name": "BTV", "role": None, "person": False, "facet": "BTV"}]),
        ("ĐCSVN", "ĐCSVN", [{"name": "ĐCSVN", "role": None, "person": False, "facet": "ĐCSVN"}]),
        (
            "Trọng Đạt",
            "Trọng Đạt",
            [{"name": "Trọng Đạt", "role": None, "person": True, "facet": "Trọng Đạt"}],
        ),
    ],
)
def test_bylines_parse_role_labels_desks_and_upper_case(
    printed: str, author: str, bylines: list[dict]
) -> None:
    rec = extract(_page(_article([P1, P2], printed, classes=True), classes=True), URL, now=NOW)
    assert (rec["author"], rec["bylines"]) == (author, bylines)
    assert printed not in rec["text"]


@pytest.mark.parametrize(
    ("line", "source"), [("Theo TTXVN", "TTXVN"), ("Nguồn: Báo Nhân Dân", "Báo Nhân Dân")]
)
def test_syndication_lines_go_to_source(line: str, source: str) -> None:
    rec = extract(_page(_article([P1, P2, line], "", classes=True), classes=True), URL, now=NOW)
    assert rec["source"] == source
    assert line not in rec["text"]


def test_the_invitation_to_the_section_is_boilerplate() -> None:
    invitation = "*Mời bạn đọc vào chuyên mục Quốc phòng an ninh xem các tin, bài liên quan."
    rec = extract(
        _page(_article([P1, P2, invitation], "VĂN CHIẾN", classes=False), classes=False), URL, now=NOW
    )
    assert rec["text"] == f"{P1}\n{P2}"
    assert rec["author"] == "VĂN CHIẾN"


def test_new_record_fields_are_stored(tmp_path) -> None:  # noqa: ANN001
    lead = "(TG) - Hội nghị đánh giá kết quả công tác tuyên giáo quý II và triển khai nhiệm vụ quý III."
    html = _page(_article([P1, P2], "Bài và ảnh: SƠN BÌNH", classes=True, lead=lead), classes=True)
    record = extract(html, URL, now=NOW)
    db = store.open_db(tmp_path / "archive.db")
    store.record_page(db, {"url": URL, "status": 200, "kind": "article", "body": html.encode()}, record)
    row = db.execute("select lead_tag, bylines from articles").fetchone()
    version = db.execute("select lead_tag, bylines from article_versions").fetchone()
    db.close()
    assert row == version
    assert row[0] == "TG"
    assert json.loads(row[1]) == record["bylines"] != []


def test_a_first_paragraph_repeated_as_description_is_not_a_sapo() -> None:
    """Without a sapo, og:description often repeats the first paragraph: it stays in the body."""
    head = f'<meta property="og:description" content="{P1[:100]}">'
    main = f"<div>{DATELINE}</div><h1>{TITLE}</h1><div><p>{P1}</p><p>{P2}</p></div>"
    html = _page(main, classes=False).replace("</title>", f"</title>{head}")
    rec = extract(html, URL, now=NOW)
    assert rec["lead"] is None
    assert rec["text"] == f"{P1}\n{P2}"


def test_a_brief_item_that_trafilatura_reads_as_short_lines_keeps_its_paragraph() -> None:
    """One paragraph, its byline, a "Theo" line and a feedback form: the paragraph is the body."""
    main = (
        f"<h1>{TITLE}</h1><div><p>{P1}</p></div><div>Thái Sơn</div><p><em>Theo Báo Nhân Dân</em></p>"
        "<div><h3>Phản hồi</h3><p>Ý kiến phản hồi của bạn:(Không quá 1000 ký tự)</p></div>"
    )
    rec = extract(_page(main, classes=True), URL, now=NOW)
    assert rec["text"] == P1
    assert (rec["author"], rec["source"]) == ("Thái Sơn", "Báo Nhân Dân")
    assert "listing" not in rec["flags"]


def test_a_sentence_with_a_date_opening_a_brief_body_is_body() -> None:
    """Only a date line (no sentence) above the body is skipped, not a first sentence that has a date."""
    sentence = "Căn nhà mới rộng 80 m² của bà Trịnh Quốc Trí được bàn giao sáng 11/5/2020."
    rec = extract(_page(_article([sentence, P2, "Theo VOV"], "", classes=True), classes=True), URL, now=NOW)
    assert (rec["text"], rec["source"]) == (f"{sentence}\n{P2}", "VOV")
    assert is_article(rec)


def test_a_bare_agency_tag_may_carry_its_domain() -> None:
    rec = extract(_page(_article(["VOV.VN - " + P1, P2], "PV", classes=True), classes=True), URL, now=NOW)
    assert rec["lead_tag"] == "VOV.VN"
