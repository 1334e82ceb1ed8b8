"""archive.heuristics: the Vietnamese text rules, one case per decision they make."""

from __future__ import annotations

import pytest

from archive import heuristics as H
from archive import vntext


@pytest.mark.parametrize(
    "line",
    [
        "Trọng Đạt",
        "Minh Anh (tổng hợp)",
        "Thu Hà - Quang Minh",
        "Hồng Nhung (theo Báo Cần Thơ)",
        "PV",
        "THU HÀ",
        "Bài và ảnh: VĂN CHIẾN",
        "PGS, TS Trần Văn Phòng",
        "Ngọc Lan và Văn Long",
    ],
)
def test_bylines(line: str) -> None:
    assert H.looks_like_byline(line)


@pytest.mark.parametrize(
    "line",
    [
        "Hội nghị kết thúc tốt đẹp.",  # a short last sentence
        "Xem thêm tại đây",  # lowercase words: not a name
        "Theo TTXVN",  # a source
        "Nguồn: Báo Nhân Dân",
        "Phản hồi",
        "Ngày 14/9/2022",
        "Đồng chí Lại Xuân Môn lưu ý một số nhiệm vụ Quận ủy Quận 1 cần tập trung làm tốt",
        "Kết luận",
        "",
    ],
)
def test_not_bylines(line: str) -> None:
    assert not H.looks_like_byline(line)


@pytest.mark.parametrize(
    ("line", "end", "related"),
    [
        ("Các tin khác", True, True),
        ("CÁC TIN KHÁC", True, True),
        ("Tin liên quan:", True, True),
        ("Phản hồi", True, False),
        ("Xem nhiều nhất", True, False),
        ("Liên kết website", True, False),
        ("Thư viện ảnh", True, False),
        ("Mới nhất", True, False),
        ("Bản quyền thuộc về Ban Tuyên giáo Trung ương", True, False),
        ("Các tin khác đã được đăng trong số báo trước cho thấy điều đó.", False, False),
        ("Văn hóa - Xã hội", False, False),
    ],
)
def test_section_headings(line: str, end: bool, related: bool) -> None:
    assert H.is_end_heading(line) is end
    assert H.is_related_heading(line) is related


def test_labels() -> None:
    assert H.source_of("Nguồn: Báo Nhân Dân") == "Báo Nhân Dân"
    assert H.source_of("(Nguồn: TTXVN)") == "TTXVN"
    assert H.theo_source("Theo TTXVN") == "TTXVN"
    assert H.theo_source("Theo báo cáo, kinh tế tăng trưởng") is None
    assert H.strip_tags_label("Từ khóa: Internet, an ninh mạng") == (True, "Internet, an ninh mạng")
    assert H.strip_tags_label("Tags") == (True, "")
    assert H.strip_tags_label("Tagsmith was here") == (False, "Tagsmith was here")
    assert H.category_label("Danh mục: Thực tiễn") == "Thực tiễn"
    assert H.is_home_crumb("Trang chủ") and not H.is_home_crumb("Kinh tế")
    assert H.is_account_name("Administrator") and not H.is_account_name("Thu Hà")
    assert H.looks_like_affiliation("Học viện Chính trị quốc gia Hồ Chí Minh")
    assert H.is_widget_line("Ý kiến phản hồi của bạn:") and H.is_footer_line(
        "© Bản quyền thuộc về Báo Nhân Dân"
    )
    assert H.looks_not_found("Không tìm thấy trang") and not H.looks_not_found("Hội nghị báo cáo viên")


def test_fold_matches_vntext_fold() -> None:
    for text in (
        "Đảng Cộng sản Việt Nam",
        "văn hoá, thuỷ lợi, khỏe",
        "ỨNG DỤNG",
        "Ðảng",
        "ạảấầẩẫậắằẳẵặẹẻẽếềểễệ",
    ):
        assert H.fold(vntext.nfc(text)) == vntext.fold(text)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Văn hóa", "Văn hóa"),  # already NFC: returned as is
        ("Va\u0306n ho\u0301a", "Văn hóa"),  # decomposed (NFD) input composed
        ("Đả\u00adng\u200b Cộng\u2060 sản\ufeff", "Đảng Cộng sản"),  # invisible characters dropped
        ("a\u200d\u0301", "a\u0301"),  # removed after composing, which the joiner prevented
        ("", ""),
        (None, None),
    ],
)
def test_nfc(text: str | None, want: str | None) -> None:
    assert vntext.nfc(text) == want


def test_fold_table_is_the_fold_map() -> None:
    """The list table folds every character as the dict of changes does, past its end included."""
    every = "".join(map(chr, range(0x2100))) + "\u3000\U0001f600"
    assert every.translate(vntext.FOLD_TABLE) == every.translate(vntext._fold_map())
    assert vntext.fold("Ðảng CỘNG Sản Việt Nam – ĐỔI MỚI") == "dang cong san viet nam – doi moi"


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Hội nghị báo cáo viên", "Hội nghị báo cáo viên"),  # nothing to change
        ("  Hội  nghị\u00a0 báo\tcáo\u2003viên\u3000", "Hội nghị báo cáo viên"),
        ("Hội\u202fnghị", "Hội nghị"),
        ("\u00a0\u200b \n", None),
        ("dòng một\ndòng hai", "dòng một\ndòng hai"),  # newlines are the caller's
    ],
)
def test_clean_line(text: str, want: str | None) -> None:
    assert vntext.clean_line(text) == want
