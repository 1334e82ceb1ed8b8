"""The run's status and exit code, from what the run recorded."""

import pytest

from archive import runs, store
from tests.test_store import page
from tests.test_store import record as short_record

BODY = "Ban Thường vụ Quận ủy kịp thời xây dựng các kế hoạch lãnh đạo, chỉ đạo việc học tập nghị quyết. " * 4


def record(**changes):
    return short_record(**{"text": BODY, **changes})


def article_page(n, status=200, **extra):
    return {
        **page(f"<html>{n}</html>".encode(), status=status, **extra),
        "url": f"https://tuyengiao.vn/a/bai-{n}",
    }


def close(db, run):
    return runs.close_run(db, run, reason="finished", stats={})


@pytest.fixture
def run(fresh_db):
    return runs.start_run(fresh_db, "tuyengiao", "https://tuyengiao.vn")


def test_ok(fresh_db, run):
    for n in range(3):
        store.record_page(fresh_db, article_page(n), record(), run_id=run)
    row = close(fresh_db, run)
    assert (row["status"], row["exit_code"]) == ("ok", 0)


def test_partial_failures(fresh_db, run):
    store.record_page(fresh_db, article_page(1), record(), run_id=run)
    store.record_page(fresh_db, article_page(2, status=None, error="TimeoutError"), run_id=run)
    assert close(fresh_db, run)["exit_code"] == runs.EXIT_CODES["partial"] == 3


def test_blocked_when_most_answers_are_403_or_429(fresh_db, run):
    store.record_page(fresh_db, article_page(1), record(), run_id=run)
    for n in range(2, 5):
        store.record_page(fresh_db, article_page(n, status=403), run_id=run)
    row = close(fresh_db, run)
    assert (row["status"], row["exit_code"]) == ("blocked", 4)


def test_empty_when_article_pages_yield_nothing(fresh_db, run):
    for n in range(3):
        store.record_page(fresh_db, article_page(n), None, run_id=run)
    assert close(fresh_db, run)["status"] == "empty"


def test_coverage_warning_when_new_articles_lack_dates(fresh_db, run):
    for n in range(10):
        rec = record(published=None) if n < 2 else record()
        store.record_page(fresh_db, article_page(n), rec, run_id=run)
    row = close(fresh_db, run)
    assert (row["status"], row["exit_code"]) == ("coverage", 6)
    assert runs.field_coverage(fresh_db, run)["missing"]["published"] == 2
    assert "WARNING: of 10 new articles, 2 without published" in runs.summary(row)


def test_interrupted(fresh_db, run):
    store.record_page(fresh_db, article_page(1), record(), run_id=run)
    row = runs.close_run(fresh_db, run, reason="shutdown", stats={})
    assert (row["status"], row["exit_code"]) == ("interrupted", 7)
    assert "interrupted, exit code 7" in runs.summary(row)


def test_a_brief_item_has_a_body_an_empty_one_does_not(fresh_db, run):
    brief = "Sáng 10/5, Ban Tuyên giáo tổ chức hội nghị báo cáo viên tháng 5."  # a whole "tin ngắn"
    for n in range(10):
        store.record_page(fresh_db, article_page(n), record(text=brief if n < 5 else BODY), run_id=run)
    assert runs.field_coverage(fresh_db, run)["missing"]["text"] == 0
    assert close(fresh_db, run)["status"] == "ok"
    second = runs.start_run(fresh_db, "tuyengiao", "https://tuyengiao.vn")
    for n in range(10, 20):
        store.record_page(
            fresh_db, article_page(n), record(text="Ảnh: TTXVN" if n < 12 else BODY), run_id=second
        )
    assert runs.field_coverage(fresh_db, second)["missing"]["text"] == 2
    assert close(fresh_db, second)["status"] == "coverage"
