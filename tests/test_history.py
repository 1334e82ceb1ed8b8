from archive import history, store
from tests.test_store import URL, page, record


def test_diff_shows_changed_fields_only(fresh_db):
    store.record_page(fresh_db, page(), record())
    store.record_page(
        fresh_db, page(b"v2"), record(title="Tiêu đề mới", text=record()["text"] + "\nĐoạn mới.")
    )
    old, new = history.versions(fresh_db, URL)
    text = history.diff_versions(old, new)
    assert "@@ title @@" in text and "+Tiêu đề mới" in text
    assert "@@ text @@" in text and "+Đoạn mới." in text
    assert "@@ author @@" not in text
    assert history.diff_versions(old, old) == ""


def test_reextraction_keeps_old_record_as_a_version(fresh_db):
    store.record_page(fresh_db, page(), record())
    better = record(lead="Sapo mà bộ trích xuất cũ bỏ sót.")
    [current] = store.current_captures(fresh_db)
    assert store.apply_reextraction(fresh_db, URL, record()) == "unchanged"
    assert store.apply_reextraction(fresh_db, URL, better) == "changed"
    assert store.apply_reextraction(fresh_db, URL, None) == "not-article"
    article = fresh_db["articles"].get(URL)
    assert article["lead"] == better["lead"] and article["version"] == 2
    assert article["capture_id"] == current["capture_id"]
    events = [e["event"] for e in fresh_db["article_events"].rows_where(order_by="id")]
    assert events == ["first-seen", "reextracted"]


OLD = {
    "version": 1,
    "captured_at": "2024-01-01T00:00:00Z",
    "change_kind": None,
    "title": "Tiêu đề",
    "lead": None,
    "author": "Trọng Đạt",
    "tags": '["Quận 1", "văn hóa"]',
    "text": "Đoạn 1.\nĐoạn 2.\nĐoạn 3.\nĐoạn 4.",
}
NEW = {
    **OLD,
    "version": 2,
    "captured_at": "2024-02-01T00:00:00Z",
    "change_kind": "substantive",
    "title": "Tiêu đề mới",
    "lead": "Sapo",
    "tags": ["Quận 1", "kinh tế"],
    "text": "Đoạn 1.\nĐoạn 2.\nĐoạn ba.\nĐoạn 4.",
}


def test_diff_is_exactly_the_changed_lines_in_reading_order():
    """Written by hand: header, then each changed field in DIFF_FIELDS order, one line of context."""
    assert history.diff_versions(OLD, NEW) == "\n".join(
        [
            "--- version 1 (captured 2024-01-01T00:00:00Z)",
            "+++ version 2 (captured 2024-02-01T00:00:00Z, substantive)",
            "@@ title @@",
            "-Tiêu đề",
            "+Tiêu đề mới",
            "@@ lead @@",
            "+Sapo",
            "@@ tags @@",
            " Quận 1",
            "-văn hóa",
            "+kinh tế",
            "@@ text @@",
            " Đoạn 2.",
            "-Đoạn 3.",
            "+Đoạn ba.",
            " Đoạn 4.",
        ]
    )


def test_diff_context_and_values_that_only_look_like_json():
    no_context = history.diff_versions(OLD, NEW, context=0).split("\n")
    assert no_context[-3:] == ["@@ text @@", "-Đoạn 3.", "+Đoạn ba."]
    bracketed = {**OLD, "title": "[Video] Tiêu đề"}  # starts with "[" but is no JSON list
    assert history.diff_versions(OLD, bracketed).split("\n")[2:] == [
        "@@ title @@",
        "-Tiêu đề",
        "+[Video] Tiêu đề",
    ]
    assert history.diff_versions(OLD, {**OLD, "tags": ["Quận 1", "văn hóa"]}) == ""  # JSON text == list


def test_versions_are_listed_oldest_first_for_one_url_only(fresh_db):
    for n in range(3):
        store.record_page(fresh_db, page(f"v{n}".encode()), record(title=f"Tiêu đề {n}"))
    other = "https://tuyengiao.vn/kinh-te/khac-113999"
    store.record_page(fresh_db, page(b"x", url=other), record(title="Khác"))
    listed = history.versions(fresh_db, URL)
    assert [(v["version"], v["title"]) for v in listed] == [
        (1, "Tiêu đề 0"),
        (2, "Tiêu đề 1"),
        (3, "Tiêu đề 2"),
    ]
    assert history.versions(fresh_db, "https://tuyengiao.vn/none-1") == []


def test_versions_follow_their_numbers_not_the_order_rows_were_written(fresh_db):
    """An archive merged from two files may hold version 2's row before version 1's."""
    store.record_page(fresh_db, page(b"v1"), record(title="Một"))
    store.record_page(fresh_db, page(b"v2"), record(title="Hai"))
    rows = list(fresh_db["article_versions"].rows_where(order_by="version desc"))
    rows[0]["id"], rows[1]["id"] = rows[1]["id"], rows[0]["id"]  # version 2 gets the lower rowid
    fresh_db["article_versions"].delete_where()
    fresh_db["article_versions"].insert_all(rows)
    assert [v["title"] for v in history.versions(fresh_db, URL)] == ["Một", "Hai"]
