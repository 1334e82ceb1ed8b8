"""Write the archive's captures as WARC 1.1 files (read-only on the archive).

WARC is how web archives hand captures to each other (Heritrix, Browsertrix, the Wayback
Machine, pywb all read it), so a capture written here can be replayed, indexed and cited with
their tools. Each capture becomes a ``request`` record (rebuilt: the crawler keeps no request
headers, and the record says so), a ``response`` record with the HTTP headers as received, or a
``revisit`` for a 304 or a body already written for the same URL, and a ``metadata`` record
tying it to the archive: capture id, outcome, article and version.

The store keeps bodies as Scrapy handed them, after Content-Encoding (gzip, br) was decoded. A
response record therefore carries the decoded payload, drops the Content-Encoding,
Transfer-Encoding and Content-Length the server sent (kept as ``X-Archive-Orig-*``, the
Wayback Machine's convention), sets Content-Length to the stored payload's, and says so in its
``WARC-Payload-Transformed`` field, so that its block and payload digests are those of the bytes
in the record and every reader can replay it.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive import store

#: Rotate to a new file once one reaches this size (the WARC standard's advice is about 1 GB).
DEFAULT_MAX_BYTES = 1_000_000_000
#: Our WARC field saying the payload is not the bytes on the wire (the crawler decoded it).
PAYLOAD_TRANSFORMED = "WARC-Payload-Transformed"
#: Its value on every response record written from the store.
DECODED = "content-decoded; Content-Encoding and Transfer-Encoding removed before storage"
#: Our WARC field on request records: only the method, target and Host are known.
REQUEST_RECONSTRUCTED = "WARC-Request-Reconstructed"
#: Our WARC field naming the capture a record was written from (captures.id).
CAPTURE_ID = "WARC-Vnarchive-Capture"
#: HTTP headers that describe the wire bytes, not the stored payload.
WIRE_HEADERS = ("content-encoding", "transfer-encoding", "content-length")
SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"


class WarcError(Exception):
    """An archive or output directory that cannot be written from or to; the message says why."""


@dataclass
class WarcSummary:
    """What an export wrote: files, records per type, captures left out (no HTTP answer)."""

    files: list[Path] = field(default_factory=list)
    records: dict[str, int] = field(default_factory=dict)
    captures: int = 0
    skipped: int = 0


def open_archive(db_path: str | Path) -> sqlite3.Connection:
    """The archive read-only: an export never writes, and may read a snapshot's immutable copy."""
    path = Path(db_path)
    if not path.is_file():
        raise WarcError(f"no archive at {path}")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        store.check_archive(conn, path)
    except store.ArchiveError as exc:
        conn.close()
        raise WarcError(str(exc)) from exc
    conn.row_factory = sqlite3.Row
    return conn


def warc_date(iso: str) -> str:
    """A capture's UTC ISO time as WARC-Date (``2026-12-02T15:22:17Z``)."""
    parsed = datetime.fromisoformat(iso)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def response_headers(status: int, headers: dict[str, str], body_length: int) -> StatusAndHeaders:
    """The HTTP head as received, made true of the decoded payload that follows it."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    kept = []
    for name, value in headers.items():
        if name.lower() == "content-length" and value.strip() == str(body_length):
            continue  # true of the stored payload as well: written once, below
        if name.lower() in WIRE_HEADERS:
            kept.append((f"X-Archive-Orig-{name}", value))
        else:
            kept.append((name, value))
    if status not in (204, 304) and not 100 <= status < 200:
        kept.append(("Content-Length", str(body_length)))
    return StatusAndHeaders(f"{status} {phrase}".strip(), kept, protocol="HTTP/1.1")


def request_headers(url: str) -> StatusAndHeaders:
    """A GET for ``url`` with its Host: all the archive knows of the request."""
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return StatusAndHeaders(f"GET {target} HTTP/1.1", [("Host", parts.netloc)], is_http_request=True)


class RotatingWarcWriter:
    """Writes records into ``<prefix>-<time>-<serial>.warc.gz`` files of at most about ``max_bytes``.

    A file is written under ``.open`` and renamed when closed (as Heritrix does), so a reader
    never takes a half-written file for a finished one.
    """

    def __init__(self, out_dir: Path, prefix: str, max_bytes: int, info: dict[str, str]) -> None:
        self.out_dir, self.prefix, self.max_bytes, self.info = out_dir, prefix, max_bytes, info
        self.stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        self.serial = 0
        self.handle: IO[bytes] | None = None
        self.writer: WARCWriter | None = None
        self.path: Path | None = None
        self.files: list[Path] = []

    def current(self) -> WARCWriter:
        """The writer of the current file, starting a new file when the last one is full."""
        if self.handle is not None and self.handle.tell() >= self.max_bytes:
            self.close()
        if self.writer is None:
            self.serial += 1
            self.path = self.out_dir / f"{self.prefix}-{self.stamp}-{self.serial:05d}.warc.gz"
            self.handle = open(f"{self.path}.open", "xb")  # noqa: SIM115 - closed in close()
            self.writer = WARCWriter(self.handle, gzip=True, warc_version="1.1")
            self.writer.write_record(self.writer.create_warcinfo_record(self.path.name, self.info))
        return self.writer

    def close(self) -> None:
        if self.handle is None or self.path is None:
            return
        self.handle.close()
        os.replace(f"{self.path}.open", self.path)
        self.files.append(self.path)
        self.handle, self.writer, self.path = None, None, None


def _captures(conn: sqlite3.Connection) -> Iterator[sqlite3.Row]:
    return iter(conn.execute("select * from captures where status is not null order by id"))


def _article_version(conn: sqlite3.Connection, url: str, capture_id: int) -> sqlite3.Row | None:
    """The version of ``url`` the archive held once this capture was stored."""
    return conn.execute(
        "select version, record_hash, title, site from article_versions where url = ? and capture_id <= ? "
        "order by version desc limit 1",
        [url, capture_id],
    ).fetchone()


def _metadata_fields(conn: sqlite3.Connection, capture: sqlite3.Row) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "vnarchive-capture-id": capture["id"],
        "vnarchive-run-id": capture["run_id"],
        "url": capture["url"],
        "requested-url": capture["requested_url"],
        "kind": capture["kind"],
        "outcome": capture["outcome"],
        "reason": capture["reason"],
        "body-sha256": capture["sha256"],
    }
    if capture["outcome"] in ("new", "changed", "unchanged", "not-modified", "removed"):
        version = _article_version(conn, capture["url"], capture["id"])
        if version is not None:
            fields.update(
                {
                    "article-url": capture["url"],
                    "article-version": version["version"],
                    "record-hash": version["record_hash"],
                    "site": version["site"],
                }
            )
    return fields


def _fields_payload(fields: dict[str, Any]) -> BytesIO:
    lines = "".join(f"{k}: {' '.join(str(v).split())}\r\n" for k, v in fields.items() if v is not None)
    return BytesIO(lines.encode("utf-8"))


def write_capture(
    writer: WARCWriter,
    conn: sqlite3.Connection,
    capture: sqlite3.Row,
    written: dict[tuple[str, str], tuple[str, str, str]],
    last_body: dict[str, tuple[str, str, str]],
) -> list[str]:
    """Write one capture's records; returns their types.

    ``written`` maps (URL, body sha256) to the (record id, date, payload digest) of the
    response that first carried that body, for identical-payload revisits; ``last_body`` maps a
    URL to its latest full response, which a 304 revisits.
    """
    uri = capture["final_url"] or capture["url"]
    date = warc_date(capture["fetched_at"])
    status = capture["status"]
    headers = json.loads(capture["headers"] or "{}")
    body = store.load_body(_Reader(conn), capture["sha256"]) if capture["sha256"] else b""
    ours = {CAPTURE_ID: str(capture["id"]), "WARC-Date": date}
    seen = written.get((uri, capture["sha256"])) if capture["sha256"] else None
    if status == 304 or seen:
        http = response_headers(status, headers, len(body))
        record = writer.create_warc_record(uri, "revisit", http_headers=http, warc_headers_dict=ours)
        earlier = seen or last_body.get(uri)
        profile = (
            writer.REVISIT_PROFILE_1_1 if seen else SERVER_NOT_MODIFIED
        )  # a 304 vouches for the earlier payload; an equal digest proves it
        record.rec_headers.add_header("WARC-Profile", profile)
        if earlier:
            record_id, earlier_date, digest = earlier
            record.rec_headers.add_header("WARC-Refers-To", record_id)
            record.rec_headers.add_header("WARC-Refers-To-Target-URI", uri)
            record.rec_headers.add_header("WARC-Refers-To-Date", earlier_date)
            record.rec_headers.add_header("WARC-Payload-Digest", digest)
    else:
        http = response_headers(status, headers, len(body))
        record = writer.create_warc_record(
            uri,
            "response",
            payload=BytesIO(body),
            length=len(body),
            http_headers=http,
            warc_headers_dict={**ours, PAYLOAD_TRANSFORMED: DECODED},
        )
    response_id = record.rec_headers.get_header("WARC-Record-ID")
    request = writer.create_warc_record(
        uri,
        "request",
        http_headers=request_headers(uri),
        warc_headers_dict={**ours, REQUEST_RECONSTRUCTED: "method, target and Host only"},
    )
    writer.write_request_response_pair(request, record)
    if record.rec_type == "response":
        digest = record.rec_headers.get_header("WARC-Payload-Digest")
        if capture["sha256"]:
            written[(uri, capture["sha256"])] = (response_id, date, digest)
        last_body[uri] = (response_id, date, digest)
    payload = _fields_payload(_metadata_fields(conn, capture))
    metadata = writer.create_warc_record(
        uri,
        "metadata",
        payload=payload,
        length=len(payload.getvalue()),
        warc_content_type="application/warc-fields",
        warc_headers_dict={**ours, "WARC-Concurrent-To": response_id},
    )
    writer.write_record(metadata)
    return [record.rec_type, "request", "metadata"]


class _Reader:
    """Just enough of a sqlite-utils Database for ``store.load_body`` on a plain connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.execute = conn.execute


def export_warc(
    db_path: str | Path,
    out_dir: str | Path,
    *,
    prefix: str = "vnarchive",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> WarcSummary:
    """Write every capture that got an HTTP answer to rotating ``.warc.gz`` files in ``out_dir``.

    Captures without an answer (timeouts, refused connections) have nothing to put in a WARC
    and are counted as skipped; the archive's own tables keep them.
    """
    conn = open_archive(db_path)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WarcError(f"cannot create {out}: {exc.strerror or exc}") from exc
    from importlib.metadata import version

    info = {
        "software": f"vnarchive {version('vnarchive')} (warcio {version('warcio')})",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "description": "Captures of the vnarchive archive; response payloads are stored decoded "
        f"(see {PAYLOAD_TRANSFORMED}); request records are rebuilt ({REQUEST_RECONSTRUCTED}).",
    }
    rotating = RotatingWarcWriter(out, prefix, max_bytes, info)
    summary = WarcSummary()
    written: dict[tuple[str, str], tuple[str, str, str]] = {}
    last_body: dict[str, tuple[str, str, str]] = {}
    try:
        summary.skipped = conn.execute("select count(*) from captures where status is null").fetchone()[0]
        for capture in _captures(conn):
            for rec_type in write_capture(rotating.current(), conn, capture, written, last_body):
                summary.records[rec_type] = summary.records.get(rec_type, 0) + 1
            summary.captures += 1
    except OSError as exc:
        raise WarcError(f"cannot write to {out}: {exc.strerror or exc}") from exc
    finally:
        rotating.close()
        conn.close()
    summary.files = rotating.files
    return summary
