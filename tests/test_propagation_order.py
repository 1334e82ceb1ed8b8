"""Who published first: ties, offsets and undated members of a text cluster, as docs/propagation.md says.

Articles stored through the real store (``first_seen`` is the capture time), placed, read back.
"""

from __future__ import annotations

import pytest

from archive import store
from archive.propagation import propagate

TEXT = (
    "Ban Thường vụ Tỉnh ủy tổ chức hội nghị quán triệt nghị quyết của Trung ương về công tác "
    "tuyên giáo trong tình hình mới, yêu cầu các cấp ủy đảng tăng cường kiểm tra, giám sát việc "
    "thực hiện, gắn trách nhiệm người đứng đầu với kết quả tuyên truyền ở cơ sở và khu dân cư. "
    "Hội nghị cũng thảo luận kế hoạch kỷ niệm các ngày lễ lớn trong năm và việc biểu dương những "
    "tập thể, cá nhân tiêu biểu trong học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh."
)


def _store(db, site: str, published: str | None, seen: str, text: str = TEXT) -> str:
    url = f"http://{site}.example.vn/bai-viet.html"
    page = {
        "url": url,
        "status": 200,
        "kind": "article",
        "body": f"<html>{site}</html>".encode(),
        "headers": {"Content-Type": "text/html; charset=utf-8"},
        "fetched_at": seen,
    }
    record = {"title": "Quán triệt nghị quyết", "text": text, "published": published, "language": "vi"}
    store.record_page(db, page, record, site=site)
    return url


def _members(db) -> list[dict]:
    rows = db.execute(
        "select url, position, is_first, delay_hours from text_cluster_members order by cluster_id, position"
    ).fetchall()
    return [dict(zip(("url", "position", "is_first", "delay_hours"), r, strict=True)) for r in rows]


@pytest.fixture
def db(tmp_path):
    db = store.open_db(tmp_path / "archive.db")
    yield db
    db.conn.close()


def test_the_same_instant_in_two_offsets_is_a_tie_won_by_the_copy_seen_first(db):
    later_seen = _store(db, "a", "2024-05-01T10:00:00+07:00", "2024-05-02T00:00:00+00:00")
    seen_first = _store(db, "b", "2024-05-01T03:00:00+00:00", "2024-05-01T00:00:00+00:00")
    propagate(db)
    members = _members(db)
    assert [m["url"] for m in members] == [seen_first, later_seen]
    assert members[1]["delay_hours"] == 0.0


def test_a_time_without_offset_is_vietnam_time(db):
    with_offset = _store(db, "a", "2024-05-01T10:00:00+07:00", "2024-05-01T00:00:00+00:00")
    # 09:00 in Hanoi, an hour before, though "09:00" read as UTC would be seven hours later
    without = _store(db, "b", "2024-05-01T09:00:00", "2024-05-02T00:00:00+00:00")
    propagate(db)
    members = _members(db)
    assert [m["url"] for m in members] == [without, with_offset]
    assert members[1]["delay_hours"] == 1.0


def test_undated_members_come_after_every_dated_one_and_have_no_delay(db):
    undated_seen_first = _store(db, "a", None, "2024-04-01T00:00:00+00:00")
    dated = _store(db, "b", "2024-06-01T08:00:00+07:00", "2024-06-02T00:00:00+00:00")
    undated_later = _store(db, "c", None, "2024-07-01T00:00:00+00:00")
    propagate(db)
    members = _members(db)
    assert [m["url"] for m in members] == [dated, undated_seen_first, undated_later]
    assert [m["is_first"] for m in members] == [1, 0, 0]
    assert members[1]["delay_hours"] is None and members[2]["delay_hours"] is None
    undated = db.execute("select undated from text_clusters").fetchone()[0]
    assert undated == 2


def test_with_no_date_at_all_the_first_seen_is_first_then_the_smaller_url(db):
    second = _store(db, "b", None, "2024-04-01T00:00:00+00:00")
    third = _store(db, "c", None, "2024-04-01T00:00:00+00:00")
    first = _store(db, "z", None, "2024-03-01T00:00:00+00:00")
    propagate(db)
    assert [m["url"] for m in _members(db)] == [first, second, third]


def test_placing_in_another_order_names_the_same_first_publisher(tmp_path):
    """The first publisher is a property of the members, not of the order they were placed in."""
    firsts = []
    for order in ((0, 1, 2), (2, 1, 0)):
        db = store.open_db(tmp_path / f"archive-{order[0]}.db")
        specs = [
            ("a", "2024-05-01T10:00:00+07:00", "2024-05-03T00:00:00+00:00"),
            ("b", "2024-05-01T08:00:00+07:00", "2024-05-04T00:00:00+00:00"),
            ("c", None, "2024-05-01T00:00:00+00:00"),
        ]
        urls = [_store(db, *specs[i]) for i in order]
        for url in urls:
            propagate(db, [url])
        firsts.append(db.execute("select first_url from text_clusters").fetchone()[0])
        db.conn.close()
    assert firsts == ["http://b.example.vn/bai-viet.html"] * 2
