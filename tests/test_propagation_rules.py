"""What makes two bodies one text: figures that agree, and an excerpt that joins one host, not two.

Each case is stored through the real store and placed, in every order, on a real archive.
"""

from __future__ import annotations

import itertools
import random

from archive import store
from archive.propagation import body_of, compare, place, propagate
from archive.propagation_text import containment, jaccard, paragraph_digests
from archive.vntext import fold

VOCABULARY = [
    "ban",
    "thường",
    "vụ",
    "tỉnh",
    "ủy",
    "tổ",
    "chức",
    "hội",
    "nghị",
    "quán",
    "triệt",
    "nghị",
    "quyết",
    "trung",
    "ương",
    "công",
    "tác",
    "tuyên",
    "giáo",
    "tình",
    "hình",
    "mới",
    "yêu",
    "cầu",
    "cấp",
    "đảng",
    "tăng",
    "cường",
    "kiểm",
    "tra",
    "giám",
    "sát",
    "việc",
    "thực",
    "hiện",
    "gắn",
    "trách",
    "nhiệm",
    "người",
    "đứng",
    "đầu",
    "kết",
    "quả",
    "cơ",
    "sở",
    "khu",
    "dân",
    "cư",
    "thảo",
    "luận",
    "kế",
    "hoạch",
    "kỷ",
    "niệm",
    "ngày",
    "lễ",
    "lớn",
    "năm",
    "biểu",
    "dương",
    "tập",
    "thể",
    "cá",
    "nhân",
    "tiêu",
    "biểu",
    "học",
    "làm",
    "theo",
    "tư",
    "tưởng",
    "đạo",
    "đức",
    "phong",
    "cách",
    "nhân",
    "dân",
    "xây",
    "dựng",
    "phát",
    "triển",
    "kinh",
    "tế",
    "xã",
    "hội",
    "địa",
    "phương",
]


def _paragraph(rng: random.Random, n: int = 60) -> str:
    return " ".join(rng.choice(VOCABULARY) for _ in range(n)) + "."


def _body(url: str, text: str):
    folded = fold(text)
    return body_of(url, folded, paragraph_digests(folded, folded=True))


def _store(db, url: str, text: str) -> None:
    page = {"url": url, "status": 200, "kind": "article", "body": text.encode(), "headers": {}}
    store.record_page(db, page, {"title": url, "text": text, "language": "vi"}, site=url.split("/")[2])


def _clusters(db) -> set[frozenset[str]]:
    groups: dict[int, set[str]] = {}
    for url, cluster in db.execute("select url, cluster_id from text_cluster_members"):
        groups.setdefault(cluster, set()).add(url)
    return {frozenset(g) for g in groups.values()}


def test_reports_of_one_template_with_other_figures_are_not_one_text():
    template = (
        "Phát biểu khai mạc tối {d}/{m}/2024, đồng chí Phó Chủ tịch Ủy ban nhân dân tỉnh khẳng định ngày hội là "
        "dịp để đồng bào các dân tộc giao lưu, học hỏi, tôn vinh những giá trị văn hóa truyền thống tốt đẹp. "
        "Trong ba ngày diễn ra sự kiện, hơn {a} nghệ nhân, diễn viên quần chúng và vận động viên đã tham gia "
        "các nội dung thi trình diễn trang phục truyền thống, hát dân ca, tái hiện lễ hội dân gian. "
        "Ban tổ chức ghi nhận khoảng {b} lượt khách tham quan đến ngày {e}/{m}/2024."
    )
    one = template.format(d=21, m=1, a="3.412", b="25.421", e=22)
    other = template.format(d=8, m=2, a="2.994", b="18.340", e=9)
    a, b = _body("http://a.example.vn/1", one), _body("http://b.example.vn/1", other)
    assert jaccard(a.hashes, b.hashes) >= 0.5  # by their shingles alone, one text
    assert compare(a, b) is None
    same = compare(a, _body("http://c.example.vn/1", one.replace("Phát biểu khai mạc", "Khai mạc")))
    assert same is not None and same["kind"] == "near-duplicate"


def test_an_excerpt_contained_in_two_articles_joins_the_one_that_contains_it_best(tmp_path):
    """Were every containment a link of the cluster, the excerpt would join two unrelated articles."""
    rng = random.Random(4)
    p1, p2 = _paragraph(rng), _paragraph(rng)
    words = p2.split()
    for i in range(7, len(words), 19):  # a few words of its second paragraph changed
        words[i] = "khác"
    texts = {
        "http://a.example.vn/goc": "\n".join([p1, p2, *(_paragraph(rng) for _ in range(3))]),
        "http://b.example.vn/khac": "\n".join([p1, " ".join(words), *(_paragraph(rng) for _ in range(4))]),
        "http://c.example.vn/trich": "\n".join([p1, p2]),
    }
    a, b, e = (_body(url, text) for url, text in texts.items())
    assert containment(e.hashes, a.hashes) == 1.0
    assert 0.8 <= containment(e.hashes, b.hashes) < 1.0  # a near-duplicate of both
    assert jaccard(a.hashes, b.hashes) < 0.5 and containment(a.hashes, b.hashes) < 0.8  # not of each other
    seen = set()
    for i, order in enumerate(itertools.permutations(texts)):
        db = store.open_db(tmp_path / f"{i}.db")
        for url, text in texts.items():
            _store(db, url, text)
        for url in order:
            place(db, url)
        near = db.execute("select count(*) from text_links where kind = 'near-duplicate'").fetchone()[0]
        assert near == 2
        seen.add(frozenset(_clusters(db)))
    assert seen == {frozenset({frozenset({"http://a.example.vn/goc", "http://c.example.vn/trich"})})}


def test_when_the_better_host_goes_the_excerpt_moves_to_the_other(tmp_path):
    rng = random.Random(4)
    p1, p2 = _paragraph(rng), _paragraph(rng)
    words = p2.split()
    for i in range(7, len(words), 19):
        words[i] = "khác"
    db = store.open_db(tmp_path / "archive.db")
    _store(db, "http://a.example.vn/goc", "\n".join([p1, p2, *(_paragraph(rng) for _ in range(3))]))
    _store(
        db, "http://b.example.vn/khac", "\n".join([p1, " ".join(words), *(_paragraph(rng) for _ in range(4))])
    )
    _store(db, "http://c.example.vn/trich", "\n".join([p1, p2]))
    propagate(db)
    edited = "\n".join(_paragraph(rng) for _ in range(5))  # beyond recognition
    _store(db, "http://a.example.vn/goc", edited)
    propagate(db)
    assert _clusters(db) == {frozenset({"http://b.example.vn/khac", "http://c.example.vn/trich"})}
    first = db.execute("select first_url, members from text_clusters").fetchall()
    assert first == [("http://b.example.vn/khac", 2)]
