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
