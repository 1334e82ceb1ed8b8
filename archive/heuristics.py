"""Vietnamese portal conventions as text predicates: the one place the extractor's rules live.

Everything here works on cleaned (NFC, single-spaced) strings, so that it holds whatever markup
a portal uses: section headings that end an article ("Các tin khác", "Phản hồi"), footer lines,
labels ("Nguồn:", "Tags:", "Từ khóa:"), bylines, breadcrumbs' home crumb, soft-404 wording.
Markup-level evidence (position relative to the title, links, structure) is in archive.extract.
"""

from __future__ import annotations

import re

from archive.vntext import fold, rstrip_marks

# Section headings that follow an article body on these portals. Folded (no diacritics,
# lowercase) so that "CÁC TIN KHÁC", "Các tin khác:" and "Cac tin khac" all match.
#: Headings of the editorial link graph: their links are the record's ``related``.
RELATED_HEADINGS = frozenset(
    fold(h)
    for h in (
        "Các tin khác",
        "Tin khác",
        "Các tin đã đưa",
        "Tin đã đưa",
        "Tin liên quan",
        "Tin bài liên quan",
        "Bài liên quan",
        "Bài viết liên quan",
        "Các bài liên quan",
        "Các bài khác",
        "Các bài viết khác",
        "Bài viết khác",
        "Tin cùng chuyên mục",
        "Bài cùng chuyên mục",
        "Cùng chuyên mục",
        "Đọc thêm",
        "Xem thêm",
        "Có thể bạn quan tâm",
        "Tin tức liên quan",
    )
)
#: Other headings after which nothing belongs to the article (feedback, sidebars, galleries).
END_HEADINGS = frozenset(
    fold(h)
    for h in (
        "Phản hồi",
        "Ý kiến phản hồi",
        "Ý kiến phản hồi của bạn",
        "Gửi phản hồi",
        "Ý kiến bạn đọc",
        "Gửi ý kiến",
        "Bình luận",
        "Ý kiến",
        "Thư viện ảnh",
        "Thư viện video",
        "Liên kết website",
        "Liên kết",
        "Mới nhất",
        "Tin mới nhất",
        "Tin mới",
        "Xem nhiều",
        "Xem nhiều nhất",
        "Đọc nhiều",
        "Đọc nhiều nhất",
        "Tin đọc nhiều",
        "Tin xem nhiều",
        "Tin nổi bật",
        "Nổi bật",
        "Tiêu điểm",
        "Video",
        "Multimedia",
        "Chia sẻ",
        "Chia sẻ bài viết",
        "In bài",
        "Quay lại",
        "Về đầu trang",
        "Chuyên mục",
    )
)
#: Lines that start a site footer ("Bản quyền thuộc về ...", addresses, licence lines).
_FOOTER_START = re.compile(
    r"^(?:©|\(c\)|copyright|ban quyen|giay phep|co quan chu quan|chiu trach nhiem|ghi ro nguon|"
    r"(?:tong bien tap|dia chi|dien thoai|email|fax|tru so|toa soan|duong day nong)\s*:)",
)
#: Form and widget text that never belongs to an article wherever it appears.
_WIDGET = re.compile(
    r"^(?:y kien phan hoi cua ban|khong qua \d+ ky tu|ho va ten|ho ten|email|so dien thoai|noi dung|"
    r"ma xac nhan|gui|gui y kien|gui phan hoi|huy|nhap lai|chia se|in bai|luu bai|gop y|"
    r"theo doi chung toi|lien he|dang nhap|dang ky|tim kiem|trang chu|ve dau trang|quay lai|"
    r"xem tiep|xem them|doc tiep|binh luan|facebook|twitter|zalo|email|print|share)"
    r"[ :.]{0,3}(?:\((?:khong qua|toi da) \d+ ky tu\))?[ :.]{0,3}$"
)
_LABEL = r"\s*[:：]\s*"
_SOURCE = re.compile(r"^\(?\s*(?:Nguồn|Nguồn tin|Nguồn bài)" + _LABEL + r"(?P<v>.+?)\s*\)?\.?$", re.I)
_THEO = re.compile(r"^\(?\s*Theo\s+(?P<v>[^.!?]{2,80}?)\s*\)?$")
_TAGS_LABEL = re.compile(r"^(?:Tags?|Từ\s+khóa|Từ\s+khoá|Chủ\s+đề|Keywords?)\s*[:：]?\s*", re.I)
#: A byline's role label: "Bài và ảnh:", "TIN, ẢNH:", "Tác giả:" (the role is the group).
_AUTHOR_LABEL = re.compile(
    r"^(?P<role>Tác\s+giả|(?:Bài|Tin)(?:\s*(?:và|,|&)\s*ảnh)?|Ảnh|Người\s+viết|Phóng\s+viên|Thực\s+hiện|By)"
    r"\s*[:：]\s*",
    re.I,
)
#: Bylines that name a desk, not a person: kept, and marked so.
_PLACEHOLDER_BYLINES = frozenset(
    fold(p)
    for p in ("PV", "BTV", "CTV", "ĐCSVN", "Ban biên tập", "Nhóm PV", "Nhóm phóng viên", "Phóng viên",
              "Biên tập viên", "Cộng tác viên", "Tòa soạn", "Tổng hợp", "Nhóm tác giả", "TTXVN", "TG", "QĐND")
)  # fmt: skip
#: Agency tags printed bare at the head of a lead ("QĐND - "); bracketed ones are read whatever
#: their name ("(TG) - ", "(Chinhphu.vn) - "). A bare upper-case word may be a place instead.
LEAD_TAGS = frozenset(
    [
        "QĐND",
        "TCCS",
        "TCCSĐT",
        "TTXVN",
        "ĐCSVN",
        "LLCT",
        "TG",
        "VOV",
        "VTV",
        "CAND",
        "SGGP",
        "HNM",
        "PLVN",
        "NDĐT",
    ]
)
_LEAD_TAG = re.compile(r"^(?:\((?P<p>[^()\s]{2,24})\)|(?P<u>[A-ZĐ]{2,10}(?:\.VN)?))[ \u00a0]?[-–—][ \u00a0]")
#: The closing invitation to a section ("Mời bạn đọc vào chuyên mục ... xem các tin, bài liên quan").
_INVITATION = re.compile(r"^[*\s]*moi (?:ban doc|quy doc gia|doc gia|quy vi|cac ban)\b")
_HOME = frozenset({"trang chu", "home", "trang nhat", "trang chinh"})
_NOT_FOUND = re.compile(
    r"khong tim thay|khong ton tai|da bi xoa|da bi go|trang ban (?:yeu cau|tim)|duong dan khong|"
    r"\b404\b|page not found|not found|loi he thong|da xay ra loi|an error occurred|server error|"
    r"bai viet khong|noi dung khong"
)


def key(text: str | None) -> str:
    """The comparison form of a heading or label: folded, without end punctuation."""
    return rstrip_marks(fold(text or "").strip(), ":：.»›>|-–—")


def is_related_heading(text: str) -> bool:
    """ "Các tin khác", "Tin liên quan": a heading over the editorial related-links list."""
    return len(text) <= 40 and key(text) in RELATED_HEADINGS


def is_end_heading(text: str) -> bool:
    """A section heading after which the page is no longer the article."""
    if len(text) > 60:
        return False
    k = key(text)
    return k in END_HEADINGS or k in RELATED_HEADINGS or bool(_FOOTER_START.match(k))


def is_footer_line(text: str) -> bool:
    """A site-footer line: copyright, licence, address."""
    return len(text) <= 300 and bool(_FOOTER_START.match(fold(text)))


def is_widget_line(text: str) -> bool:
    """Form labels and share buttons ("Ý kiến phản hồi của bạn", "Gửi", "Chia sẻ")."""
    return len(text) <= 80 and bool(_WIDGET.match(key(text) or fold(text)))


def is_home_crumb(text: str) -> bool:
    """The first breadcrumb ("Trang chủ", "Home")."""
    return key(text) in _HOME


def source_of(text: str) -> str | None:
    """ "Nguồn: TTXVN" -> "TTXVN"; None for any other line."""
    if len(text) > 200:
        return None
    m = _SOURCE.match(text)
    return m["v"].strip() if m else None


def theo_source(text: str) -> str | None:
    """A closing "Theo Báo Nhân Dân" / "(Theo TTXVN)" line -> its outlet; None otherwise."""
    m = _THEO.match(text)
    if not m or not _capitalised(m["v"].split()[0]):
        return None
    return m["v"].strip()


def strip_tags_label(text: str) -> tuple[bool, str]:
    """Whether ``text`` starts with a "Tags:"/"Từ khóa:" label, and the text after it."""
    m = _TAGS_LABEL.match(text)
    if not m or (not m.group(0).rstrip().endswith((":", "：")) and m.end() != len(text)):
        return False, text
    return True, text[m.end() :]


def strip_author_label(text: str) -> str:
    """ "Tác giả: Trọng Đạt" -> "Trọng Đạt"."""
    return _AUTHOR_LABEL.sub("", text).strip()


def author_role(text: str) -> str | None:
    """The role label a byline opens with, in sentence case: "BÀI VÀ ẢNH: X" -> "Bài và ảnh"."""
    m = _AUTHOR_LABEL.match(text)
    if not m:
        return None
    role = " ".join(m["role"].split())
    return role.capitalize() if role.isupper() else role[:1].upper() + role[1:]


def is_placeholder_byline(name: str) -> bool:
    """A desk or agency byline ("PV", "BTV", "ĐCSVN", "Ban biên tập", "Nhóm PV"), not a person."""
    return key(strip_paren_tail(name)) in _PLACEHOLDER_BYLINES


def lead_tag(text: str | None) -> str | None:
    """The agency tag a lead opens with, without its brackets: "(TG) - Sáng 10/5, ..." -> "TG"."""
    m = _LEAD_TAG.match(text or "")
    if not m:
        return None
    if m["u"]:
        return m["u"] if m["u"].removesuffix(".VN") in LEAD_TAGS else None
    return m["p"] if any(ch.isupper() for ch in m["p"]) else None


def is_invitation_line(text: str) -> bool:
    """ "Mời bạn đọc vào chuyên mục ... xem các tin, bài liên quan.": the portal's, not the article's."""
    if len(text) > 250:
        return False
    folded = fold(text)
    return bool(_INVITATION.match(folded)) and " xem " in folded


_CATEGORY_LABEL = re.compile(
    r"^(?:Danh\s+mục|Chuyên\s+mục|Chuyên\s+trang|Mục)\s*[:：]\s*(?P<v>.{2,60})$", re.I
)
#: CMS account names that meta "author" tags carry instead of a person.
_ACCOUNTS = frozenset(
    fold(a)
    for a in ("admin", "administrator", "webmaster", "super user", "quản trị", "quản trị viên", "biên tập viên",
              "ban biên tập", "tòa soạn", "editor", "author", "user")
)  # fmt: skip
_AFFILIATION = re.compile(
    r"^(?:Học viện|Trường|Viện|Đại học|Ban|Bộ|Sở|Tạp chí|Báo|Trung tâm|Khoa|Ủy ban|Văn phòng|Cục|Vụ|Hội|Tỉnh ủy|Thành ủy)\b"
)


def category_label(text: str) -> str | None:
    """ "Danh mục: Thực tiễn" / "Chuyên mục: Xây dựng Đảng" -> the section name."""
    m = _CATEGORY_LABEL.match(text)
    return m["v"].strip() if m else None


def is_account_name(text: str) -> bool:
    """A CMS account ("Administrator", "admin") rather than a person's name."""
    return key(text) in _ACCOUNTS


def looks_like_affiliation(text: str) -> bool:
    """The line under a byline naming the author's institution ("Học viện Chính trị quốc gia Hồ Chí Minh")."""
    return len(text) <= 100 and text[-1:] not in ".!?:;," and bool(_AFFILIATION.match(text))


def looks_not_found(text: str) -> bool:
    """Soft-404 or error wording ("Không tìm thấy trang", "404", "Đã xảy ra lỗi")."""
    return bool(_NOT_FOUND.search(fold(text)))


def _capitalised(word: str) -> bool:
    return word[:1].isupper() or word[:1].isdigit()


#: A short bracketed tail: "Minh Anh (tổng hợp)". The blanks before it are cut by strip_paren_tail:
#: a leading ``\s*`` in the pattern retried every run of blanks from each of its positions.
_PAREN_TAIL = re.compile(r"\([^()]{1,40}\)\s*$")


def strip_paren_tail(text: str) -> str:
    """``text`` without a short bracketed tail and the blanks before it: "PV (tổng hợp)" -> "PV"."""
    m = _PAREN_TAIL.search(text)
    return text[: m.start()].rstrip() if m else text


_NAME_JOINERS = frozenset({"-", "–", "—", ",", "và", "&", "/"})
_NOT_NAMES = frozenset(
    fold(w)
    for w in (
        "Phản hồi",
        "Chia sẻ",
        "Tags",
        "Từ khóa",
        "Video",
        "Ảnh",
        "Nguồn",
        "Xem thêm",
        "Kết luận",
        "Tài liệu tham khảo",
        "Mục lục",
        "Ghi chú",
    )
)


def looks_like_byline(text: str) -> bool:
    """A trailing byline: a short, name-like line with no final period.

    "Trọng Đạt", "Minh Anh (tổng hợp)", "Thu Hà - Quang Minh", "PV", "Bài, ảnh: Ngọc Lan".
    A short last sentence ("Hội nghị kết thúc.") or a heading in lowercase is not one.
    """
    line = strip_author_label(text)
    if not line or theo_source(line) or source_of(line):
        return False
    if len(line) > 70 or line[-1] in ".!?:;,…" or any(ch.isdigit() for ch in line):
        return False
    if key(line) in _NOT_NAMES or line.startswith(("(", "*", "-", "•")):
        return False
    core = strip_paren_tail(line).strip()
    words = re.findall(r"[-–—,&/]|[^\s,\-–—&/]+", core)
    names = [w for w in words if w not in _NAME_JOINERS]
    if not names or len(names) > 8:
        return False
    if len(names) > 5 and not any(w in _NAME_JOINERS for w in words):
        return False
    return all(_capitalised(w) or w.isupper() for w in names) and any(ch.isalpha() for ch in core)


def count_sentences(text: str) -> int:
    """Rough sentence count: terminal punctuation followed by space or end."""
    return len(re.findall(r"[.!?…](?:\s|$)", text))
