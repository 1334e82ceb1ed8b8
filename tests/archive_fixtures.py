"""A small archive built through the real store, for the search, Datasette and export tests.

Each article exists to test one behaviour; the comment says which.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from archive import runs, store

BASE = "http://127.0.0.1/tuyengiao"
XSS_TEXT = "Văn hóa mạng. <script>alert('xss')</script> <img src=x onerror=alert(1)> hết."

ARTICLES = {
    # traditional tone placement ("hóa"); Hồ Chí Minh, Hà Nội
    "van-hoa": {
        "title": "Từng bước xây dựng không gian văn hóa Hồ Chí Minh",
        "lead": "Hà Nội triển khai nhiều hoạt động.",
        "text": "Thủ đô Hà Nội xây dựng không gian văn hóa Hồ Chí Minh ở các cơ sở.",
        "category": "Văn hóa",
        "author": "Minh Anh",
        "published": "2022-09-14T10:10:00+07:00",
    },
    # new tone placement ("hoá", "thuỷ") as published
    "van-hoa-moi": {
        "title": "Công tác văn hoá và thuỷ lợi",
        "lead": "Báo cáo năm.",
        "text": "Công tác văn hoá và thuỷ lợi được đẩy mạnh.",
        "category": "Văn hóa",
        "author": "Minh Anh",
        "published": "2022-10-01T08:00:00+07:00",
    },
    # "Đảng Cộng sản"
    "dang": {
        "title": "Ủy viên Trung ương Đảng làm việc tại tỉnh",
        "lead": "Đoàn công tác của Trung ương.",
        "text": "Đảng Cộng sản Việt Nam lãnh đạo toàn diện. Đảng viên gương mẫu.",
        "category": "Xây dựng Đảng",
        "author": "Trần Bình",
        "published": "2022-10-05T09:00:00+07:00",
    },
    # stored in NFD, as a careless extractor might
    "nfd": {
        "title": unicodedata.normalize("NFD", "Không gian văn hóa cơ sở"),
        "lead": None,
        "text": unicodedata.normalize("NFD", "Không gian văn hóa cơ sở của đảng viên."),
        "category": "Văn hóa",
        "author": "Lê Hoa",
        "published": "2022-11-02T07:30:00+07:00",
    },
    # "đang" but never "Đảng"
    "dang-trien-khai": {
        "title": "Đang triển khai kế hoạch mới",
        "lead": None,
        "text": "Tỉnh đang triển khai; đăng ký sớm; đáng chú ý.",
        "category": "Thời sự",
        "author": "Trần Bình",
        "published": "2023-01-10T15:00:00+07:00",
    },
    # punctuation in queries
    "chi-thi": {
        "title": "Thực hiện Chỉ thị số 05-CT/TW",
        "lead": "Cập nhật: 10:10, 15/01/2023",
        "text": "Học tập và làm theo tư tưởng, đạo đức theo Chỉ thị số 05-CT/TW của Bộ Chính trị.",
        "category": "Xây dựng Đảng",
        "author": "Trần Bình",
        "published": "2023-01-15T10:10:00+07:00",
    },
    # "công tác ... an toàn": must not match the phrase "công an"
    "an-toan": {
        "title": "Công tác bảo đảm an toàn giao thông",
        "lead": None,
        "text": "Công tác tuyên truyền bảo đảm an toàn được chú trọng.",
        "category": "Thời sự",
        "author": "Lê Hoa",
        "published": "2023-02-01T08:00:00+07:00",
    },
    # the phrase "công an"
    "cong-an": {
        "title": "Công an Hà Nội ra quân",
        "lead": None,
        "text": "Lực lượng công an thành phố ra quân đầu năm.",
        "category": "Thời sự",
        "author": "Lê Hoa",
        "published": "2023-02-03T08:00:00+07:00",
    },
    # archived markup must show as text, never run
    "xss": {
        "title": "Bài có <script>alert('xss')</script> trong tiêu đề",
        "lead": None,
        "text": XSS_TEXT,
        "category": "Thời sự",
        "author": "Minh Anh",
        "published": "2023-03-01T08:00:00+07:00",
    },
}
EDITED = "van-hoa"  # gets a second, substantive version
REMOVED = "an-toan"  # later marked removed


def url(slug: str) -> str:
    return f"{BASE}/{slug}.html"


def record(slug: str, **changes) -> dict:
    """A full extracted record for one of ARTICLES, as the extractor would hand it to the store."""
    a = {**ARTICLES[slug], **changes}
    return {
        "site": "tuyengiao",
        "title": a["title"],
        "lead": a["lead"],
        "text": a["text"],
        "author": a["author"],
        "source": None,
        "category": a["category"],
        "tags": ["tag-" + slug, "chung"],
        "images": [{"src": f"{BASE}/img/{slug}.jpg", "caption": "Ảnh minh họa"}],
        "related": [{"url": url("dang"), "title": "Tin liên quan", "section": "Các tin khác"}],
        "published": a["published"],
        "published_source": "css:.article-date",
        "published_raw": a["published"],
        "modified": None,
        "language": "vi",
        "canonical_url": url(slug),
        "flags": [],
        "extractor": "vnarchive-test",
        "extractor_version": "1",
    }


def page(slug: str, fetched_at: str, body: bytes | None = None, **extra) -> dict:
    body = body if body is not None else f"<html><body><h1>{slug}</h1></body></html>".encode()
    return {
        "url": url(slug),
        "status": 200,
        "kind": "article",
        "body": body,
        "headers": {"Content-Type": "text/html; charset=utf-8"},
        "fetched_at": fetched_at,
        **extra,
    }


def build_archive(path: Path) -> Path:
    """Create the fixture archive at ``path`` with two crawl runs, an edit and a removal."""
    db = store.open_db(path)
    run = runs.start_run(db, "tuyengiao", BASE)
    for i, slug in enumerate(ARTICLES):
        # the xss article's raw HTML is itself hostile
        body = f"<html><script>alert('{slug}')</script></html>".encode() if slug == "xss" else None
        store.record_page(db, page(slug, f"2023-03-02T00:00:{i:02d}+00:00", body), record(slug), run_id=run)
    runs.finish_run(db, run, status="finished", exit_code=0, stats={"pages": len(ARTICLES)})

    run2 = runs.start_run(db, "tuyengiao", BASE)
    edited = record(EDITED, text=ARTICLES[EDITED]["text"] + " Đoạn bổ sung sau khi sửa.")
    store.record_page(db, page(EDITED, "2023-04-01T00:00:00+00:00", b"<html>v2</html>"), edited, run_id=run2)
    store.record_page(
        db,
        {**page(REMOVED, "2023-04-01T00:00:01+00:00", b"gone"), "status": 404, "removed": "http-404"},
        None,
        run_id=run2,
    )
    runs.finish_run(db, run2, status="finished", exit_code=0, stats={})
    db.conn.close()
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(argv: list[str], port: int, timeout: float = 30) -> Iterator[str]:
    """Start a Datasette process on ``port``, wait until it answers, yield its URL, stop it."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{base}/-/versions.json", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {proc.stderr.read().decode(errors='replace')}")
            time.sleep(0.1)
        yield base
    finally:
        stop(proc)
        proc.stderr.close()


@contextmanager
def running_server(*args: str, timeout: float = 30) -> Iterator[str]:
    """``vnarchive serve ARGS`` in a fresh process (plugins are process-global); yields its URL."""
    port = free_port()
    code = "import sys; from archive.publish_cli import serve_command; serve_command(sys.argv[1:])"
    with serving([sys.executable, "-c", code, *args, "--port", str(port)], port, timeout) as base:
        yield base


def stop(proc: subprocess.Popen) -> None:
    """End a server process: politely, then for certain."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
