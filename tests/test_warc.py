"""``vnarchive warc``: WARC 1.1 and WACZ written from the archive, checked by the ecosystem's tools."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.wacz import read_package
from archive.warc import CAPTURE_ID, PAYLOAD_TRANSFORMED, export_warc
from tests.crawling import vnarchive
from tests.warc_crawl import crawled_archive, rows

WARCIO = str(Path(sys.executable).with_name("warcio"))


@pytest.fixture(scope="module")
def db_path(tmp_path_factory) -> Path:
    return crawled_archive(tmp_path_factory)


@pytest.fixture(scope="module")
def warcs(db_path, tmp_path_factory) -> list[Path]:
    summary = export_warc(db_path, tmp_path_factory.mktemp("warc"), max_bytes=40_000)
    return summary.files


def _records(files: list[Path]) -> list[tuple[str, dict, object, bytes]]:
    out = []
    for path in files:
        with path.open("rb") as handle:
            for record in ArchiveIterator(handle):
                head = dict(record.rec_headers.headers)
                out.append((record.rec_type, head, record.http_headers, record.content_stream().read()))
    return out


def test_warcio_check_and_index_pass_on_rotated_files(warcs, db_path):
    assert len(warcs) > 1, "40 KB files: the export must rotate"
    assert all(p.name.endswith(".warc.gz") for p in warcs)
    check = subprocess.run([WARCIO, "check", "-v", *map(str, warcs)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    assert "digest pass" in check.stdout and "failed" not in check.stdout
    index = subprocess.run(
        [WARCIO, "index", "-f", "warc-type,warc-target-uri", *map(str, warcs)], capture_output=True, text=True
    )
    assert index.returncode == 0, index.stderr
    types = [json.loads(line)["warc-type"] for line in index.stdout.splitlines()]
    answered = rows(db_path, "select count(*) from captures where status is not null")[0][0]
    assert types.count("response") + types.count("revisit") == answered
    assert types.count("request") == types.count("metadata") == answered
    assert types.count("warcinfo") == len(warcs)


def test_responses_carry_the_stored_decoded_body_and_say_so(warcs, db_path):
    bodies = dict(rows(db_path, "select id, sha256 from captures"))
    responses = [r for r in _records(warcs) if r[0] == "response"]
    assert responses
    for _, head, http, payload in responses:
        assert head[PAYLOAD_TRANSFORMED].startswith("content-decoded")
        assert hashlib.sha256(payload).hexdigest() == bodies[int(head[CAPTURE_ID])]
        sha1 = "sha1:" + base64.b32encode(hashlib.sha1(payload).digest()).decode()
        assert head["WARC-Payload-Digest"] == sha1
        assert http.get_header("Content-Encoding") is None and http.get_header("Transfer-Encoding") is None
        assert http.get_header("Content-Length") == str(len(payload))


def test_304s_and_unchanged_bodies_are_revisits_of_the_first_response(warcs, db_path):
    records = _records(warcs)
    ids = {head["WARC-Record-ID"]: (kind, head) for kind, head, _, _ in records}
    revisits = [head for kind, head, _, _ in records if kind == "revisit"]
    statuses = dict(rows(db_path, "select id, status from captures"))
    not_modified = [h for h in revisits if statuses[int(h[CAPTURE_ID])] == 304]
    assert len(not_modified) == rows(db_path, "select count(*) from captures where status = 304")[0][0] > 0
    assert all(h["WARC-Profile"].endswith("/revisit/server-not-modified") for h in not_modified)
    identical = [h for h in revisits if h["WARC-Profile"].endswith("/revisit/identical-payload-digest")]
    assert identical, "the second run refetched unchanged listings"
    for head in not_modified + identical:
        kind, original = ids[head["WARC-Refers-To"]]
        assert kind == "response"
        assert original["WARC-Target-URI"] == head["WARC-Refers-To-Target-URI"] == head["WARC-Target-URI"]
        assert original["WARC-Date"] == head["WARC-Refers-To-Date"] < head["WARC-Date"]
        assert original["WARC-Payload-Digest"] == head["WARC-Payload-Digest"]


def test_metadata_links_every_version_to_its_capture(warcs, db_path):
    fields = []
    for kind, head, _, payload in _records(warcs):
        if kind == "metadata":
            assert head["WARC-Concurrent-To"]
            fields.append(dict(line.split(": ", 1) for line in payload.decode().splitlines()))
    linked = {
        (f["article-url"], int(f["article-version"]), f["record-hash"]) for f in fields if "article-url" in f
    }
    versions = set(rows(db_path, "select url, version, record_hash from article_versions"))
    assert versions and versions <= linked
    assert any(v == 2 for _, v, _ in versions), "the edited article has a second version"


def test_wacz_package_indexes_every_capture(db_path, tmp_path):
    result = vnarchive("warc", "--db", str(db_path), "--out", str(tmp_path), "--wacz")
    assert result.returncode == 0, result.stderr
    wacz = Path(result.stdout.strip())
    package = read_package(wacz)  # every file checked against its sha256
    with zipfile.ZipFile(wacz) as zf:
        names = zf.namelist()
        index = zf.read("indexes/index.cdxj").decode().splitlines()
        pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").decode().splitlines()]
    assert {r["path"] for r in package["resources"]} == set(names) - {
        "datapackage.json",
        "datapackage-digest.json",
    }
    assert any(n.startswith("archive/") and n.endswith(".warc.gz") for n in names)
    entries = {(json.loads(line.split(" ", 2)[2])["url"], line.split(" ", 2)[1]) for line in index}
    captures = rows(db_path, "select final_url, fetched_at from captures where status is not null")
    assert {
        (url, at[:19].replace("-", "").replace("T", "").replace(":", "")) for url, at in captures
    } == entries
    assert pages[0]["format"] == "json-pages-1.0"
    assert len(pages) - 1 == rows(db_path, "select count(distinct capture_id) from article_versions")[0][0]


def test_not_an_archive_is_one_line(tmp_path):
    bogus = tmp_path / "x.db"
    bogus.write_text("not sqlite")
    result = vnarchive("warc", "--db", str(bogus), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ") and len(result.stderr.strip().splitlines()) == 1
