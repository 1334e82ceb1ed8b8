"""Import captures from WARC and WACZ files made by any crawler (``vnarchive ingest``).

Heritrix, Browsertrix, the Wayback Machine's downloads and our own ``vnarchive warc`` all write
WARC: reading it lets a researcher fill the archive's past, articles removed before our first
crawl included. Each HTML response becomes a capture stored through the store's own write path
(``store.record_ingested``: ``record_page`` plus where it came from), extracted like a crawled
page, at the time its WARC-Date gives.

The store builds an article's history forwards in time, so records are taken in WARC-Date
order (a first pass reads only their heads), and a capture older than what the archive already
holds of its article is kept as a capture but not made the article's current record. The same
record is stored once however often it is ingested: its WARC-Record-ID, or the same URL, time,
status and body as a capture already held (our own export read back), says it is there.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from archive import propagation, runs, store
from archive.extract import extract, is_article
from archive.handoff import Handoff, page_with_facts
from archive.lock import ArchiveLock
from archive.urls import canonical_url
from archive.warc import CAPTURE_ID

HTML_TYPES = ("text/html", "application/xhtml+xml")
IDENTICAL = ("identical-payload-digest",)
NOT_MODIFIED = "server-not-modified"
#: Errors a damaged or foreign file raises while it is read.
READ_ERRORS = (ArchiveLoadFailed, EOFError, OSError, zlib.error, ValueError, zipfile.BadZipFile)


class IngestError(Exception):
    """A file that cannot be ingested (missing, not WARC/WACZ, damaged); the message says why."""


@dataclass
class Entry:
    """What the first pass learns of a record: enough to sort it and to find it again."""

    member: str  # the WARC file's name (inside the WACZ, for a package)
    offset: int
    rec_type: str
    record_id: str
    uri: str
    date: str  # WARC-Date as the store's UTC ISO time
    digest: str | None
    refers_to: str | None
    profile: str
    capture: str | None = None  # the capture id our own export wrote the record from


@dataclass
class IngestSummary:
    """What an ingest did: the run, and how many records went where."""

    run_id: int
    counts: dict[str, int] = field(default_factory=dict)
    #: Articles then placed in the propagation index (new or changed texts: archive.propagation).
    placed: int = 0

    def add(self, key: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1


def iso_date(warc_date: str) -> str:
    """WARC-Date (``2026-12-02T15:22:17Z``, maybe with fractions) as the store's ``+00:00`` seconds."""
    core = warc_date.strip().rstrip("Z").split(".")[0]
    if len(core) < 19 or core[10] != "T":
        raise ValueError(f"bad WARC-Date {warc_date!r}")
    return core[:19] + "+00:00"


class Source:
    """A WARC file, or the WARC files inside a WACZ, opened for reading by member and offset."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip: zipfile.ZipFile | None = None
        self.handles: dict[str, IO[bytes]] = {}
        if not path.is_file():
            raise IngestError(f"no such file: {path}")
        if zipfile.is_zipfile(path):
            try:
                self.zip = zipfile.ZipFile(path)
            except READ_ERRORS as exc:
                raise IngestError(f"{path} is not a readable WACZ file ({exc})") from exc
            self.members = [n for n in self.zip.namelist() if n.endswith((".warc", ".warc.gz"))]
            if not self.members:
                raise IngestError(f"{path} is a zip file with no WARC files in it (not a WACZ)")
        else:
            with path.open("rb") as handle:
                head = handle.read(512)
            if head[:2] == b"\x1f\x8b":
                with contextlib.suppress(*READ_ERRORS), gzip.open(path) as handle:
                    head = handle.read(16)
            if not head.startswith(b"WARC/"):
                raise IngestError(f"{path} is neither a WARC nor a WACZ file")
            self.members = [path.name]

    def open(self, member: str) -> IO[bytes]:
        if member not in self.handles:
            self.handles[member] = self.zip.open(member) if self.zip else self.path.open("rb")
        return self.handles[member]

    def check_complete(self, member: str) -> None:
        """Refuse a gzip WARC cut off mid-way: warcio reads it to the cut without a word."""
        if not member.endswith(".gz"):
            return
        handle = self.open(member)
        handle.seek(0)
        try:
            with gzip.GzipFile(fileobj=handle) as unzipped:
                while unzipped.read(1 << 20):
                    pass
        except EOFError as exc:
            raise IngestError(f"{self.path}: {member} is truncated ({exc})") from exc

    def records(self, member: str) -> Iterator[tuple[ArchiveIterator, ArcWarcRecord]]:
        """Every record of one WARC file, in file order, with the iterator that knows its offset.

        Read a record's content before asking its offset: asking reads the record to its end.
        """
        handle = self.open(member)
        handle.seek(0)
        iterator = ArchiveIterator(handle, check_digests=False)
        for record in iterator:
            yield iterator, record

    def record_at(self, member: str, offset: int) -> ArcWarcRecord:
        handle = self.open(member)
        handle.seek(offset)
        return next(iter(ArchiveIterator(handle)))

    def close(self) -> None:
        for handle in self.handles.values():
            handle.close()
        if self.zip:
            self.zip.close()


def scan(source: Source) -> tuple[list[Entry], dict[str, str]]:
    """First pass: the response and revisit records in WARC-Date order, and each response's site.

    The site is what our own export's metadata record says (``site:``): the portal the crawl
    named, which the page alone cannot tell when it was served from an unknown host.
    """
    entries: list[Entry] = []
    sites: dict[str, str] = {}
    for member in source.members:
        source.check_complete(member)
        for iterator, record in source.records(member):
            head = record.rec_headers
            if record.rec_type == "metadata":
                site = _warc_fields(record.content_stream().read()).get("site")
                if site and head.get_header("WARC-Concurrent-To"):
                    sites[head.get_header("WARC-Concurrent-To")] = site
            offset = iterator.get_record_offset()
            if record.rec_type not in ("response", "revisit") or not record.http_headers:
                continue
            entries.append(
                Entry(
                    member=member,
                    offset=offset,
                    rec_type=record.rec_type,
                    record_id=head.get_header("WARC-Record-ID") or f"{member}@{offset}",
                    uri=head.get_header("WARC-Target-URI") or "",
                    date=iso_date(head.get_header("WARC-Date") or ""),
                    digest=head.get_header("WARC-Payload-Digest"),
                    refers_to=head.get_header("WARC-Refers-To"),
                    profile=head.get_header("WARC-Profile") or "",
                    capture=head.get_header(CAPTURE_ID),
                )
            )
    entries.sort(key=lambda e: e.date)  # stable: file order within a second
    return entries, sites


def _warc_fields(data: bytes) -> dict[str, str]:
    fields = {}
    for line in data.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip().lower()] = value.strip()
    return fields


def _headers(record: ArcWarcRecord) -> dict[str, str]:
    """The HTTP headers, first value of each, as the crawler keeps them."""
    headers: dict[str, str] = {}
    for name, value in record.http_headers.headers:
        headers.setdefault(name, value)
    return headers


def _original(source: Source, entry: Entry, by_id: dict[str, Entry], by_digest: dict) -> Entry | None:
    """The response an identical-payload revisit stands for: by WARC-Refers-To, else by URL and digest."""
    if entry.refers_to and entry.refers_to in by_id:
        return by_id[entry.refers_to]
    return by_digest.get((entry.uri, entry.digest)) or by_digest.get((None, entry.digest))


def _page(source: Source, entry: Entry, originals: tuple[dict, dict]) -> dict[str, Any] | None:
    """The fetch a record describes, as ``store.record_page`` takes it; None for an unresolvable revisit."""
    record = source.record_at(entry.member, entry.offset)
    status = int(record.http_headers.get_statuscode() or 0)
    headers = _headers(record)
    body: bytes | None = None
    if entry.rec_type == "response":
        body = record.content_stream().read()  # Content- and Transfer-Encoding decoded, as Scrapy does
    elif NOT_MODIFIED in entry.profile or status == 304:
        status = 304
    else:
        original = _original(source, entry, *originals)
        if original is None:
            return None
        body = source.record_at(original.member, original.offset).content_stream().read()
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    return {
        "url": canonical_url(entry.uri),
        "requested_url": entry.uri,
        "final_url": entry.uri,
        "fetched_at": entry.date,
        "status": status,
        "kind": "page",
        "content_type": content_type,
        "headers": headers,
        "body": body or None,
    }


def _already(db, entry: Entry, page: dict[str, Any]) -> bool:
    if db.execute("select 1 from warc_sources where record_id = ?", [entry.record_id]).fetchone():
        return True
    digest = hashlib.sha256(page["body"]).hexdigest() if page["body"] else None
    return (
        db.execute(
            "select 1 from captures where final_url = ? and fetched_at = ? and status = ? and sha256 is ?",
            [page["final_url"], page["fetched_at"], page["status"], digest],
        ).fetchone()
        is not None
    )


def _older(db, url: str, fetched_at: str) -> bool:
    """Whether the archive already checked the article at ``url`` after ``fetched_at``."""
    row = db.execute("select last_checked from articles where url = ?", [url]).fetchone()
    return bool(row and row[0] and row[0] > fetched_at)


def ingest_file(db_path: str | Path, path: str | Path, handoff: Handoff | None = None) -> IngestSummary:
    """Import every HTML response (and revisit) of a WARC or WACZ file into the archive.

    One run row (spider ``ingest:<file name>``) holds the captures; each is committed with its
    WARC file and record id. Non-HTML responses (images, scripts, styles) are counted, not kept.
    With a crawl node's ``handoff`` (archive.handoff), the run is the portal's, resumed if an
    earlier ingest of the same hand-off was cut off, every capture is stored as the node judged
    it, with the node's record, and the run ends with the node's status and learned URL shapes.
    """
    path = Path(path)
    source = Source(path)
    try:
        try:
            entries, sites = scan(source)
        except READ_ERRORS as exc:
            raise IngestError(f"{path} is damaged or not a WARC file ({type(exc).__name__}: {exc})") from exc
        by_id = {e.record_id: e for e in entries if e.rec_type == "response"}
        by_digest: dict[tuple[str | None, str | None], Entry] = {}
        for e in by_id.values():
            by_digest.setdefault((e.uri, e.digest), e)
            by_digest.setdefault((None, e.digest), e)
        with ArchiveLock(db_path):
            db = store.open_db(db_path)
            try:
                summary = _import(db, source, path, entries, sites, (by_id, by_digest), handoff)
                # the archive's past filled in: where else, and when, did these texts appear
                summary.placed = propagation.propagate(db)["placed"]
                return summary
            finally:
                db.conn.close()
    finally:
        source.close()


def ingest_handoff(db_path: str | Path, handoff: Handoff, warcs: list[Path]) -> dict[str, Any]:
    """A crawl node's hand-off (its WARC files and facts) as one run of its portal; that run's row.

    Ingesting the same hand-off again, whole or after an ingest cut off mid-way, adds nothing
    but what is missing, to the same run.
    """
    for path in warcs:
        ingest_file(db_path, path, handoff)
    with ArchiveLock(db_path):
        db = store.open_db(db_path)
        try:
            run_id = _run(db, Path(f"{handoff.token}.warc.gz"), handoff)
            if not warcs:  # a run that got no answer at all is still the portal's run
                _finish(db, run_id, True, IngestSummary(run_id), handoff)
            return db["crawl_runs"].get(run_id)
        finally:
            db.conn.close()


def _run(db, path: Path, handoff: Handoff | None) -> int:
    if handoff is None:
        return runs.start_run(db, f"ingest:{path.name}", path.name)
    row = db.execute(
        "select id from crawl_runs where spider = ? and json_extract(stats, '$.handoff') = ?",
        [handoff.site, handoff.token],
    ).fetchone()
    if row:  # an ingest of this hand-off was cut off: its run goes on
        return row[0]
    run_id = runs.start_run(db, handoff.site, (handoff.run or {}).get("base_url") or "")
    runs.merge_run_stats(db, run_id, {"handoff": handoff.token})
    return run_id


def _finish(db, run_id: int, ok: bool, summary: IngestSummary, handoff: Handoff | None) -> None:
    status, exit_code = ("ok", 0) if ok else ("partial", 3)
    stats: dict[str, Any] = {"ingest": summary.counts}
    if handoff is not None:
        node_run = handoff.run or {}
        if ok:
            status, exit_code = node_run.get("status") or status, node_run.get("exit_code") or 0
        stats["node_run"] = {
            k: node_run.get(k) for k in ("started_at", "finished_at", "host", "pages_fetched")
        }
        stats.update(json.loads(node_run.get("stats") or "{}"))
        with db.atomic():
            db["url_shapes"].upsert_all(handoff.url_shapes, pk=("site", "shape"))
    runs.finish_run(db, run_id, status=status, exit_code=exit_code, stats=stats)
    if handoff is not None and handoff.run:  # the run's times are the node's, not the ingest's
        times = {k: handoff.run[k] for k in ("started_at", "finished_at") if handoff.run.get(k)}
        with db.atomic():
            db["crawl_runs"].update(run_id, times)


def _import(
    db, source: Source, path: Path, entries: list[Entry], sites: dict, originals, handoff: Handoff | None
) -> IngestSummary:
    run_id = _run(db, path, handoff)
    summary = IngestSummary(run_id)
    ok = False
    try:
        for entry in entries:
            _import_one(db, source, path, entry, sites, originals, summary, handoff)
        ok = True
    except READ_ERRORS as exc:
        summary.add("unreadable")
        raise IngestError(f"{path}: a record could not be read ({type(exc).__name__}: {exc})") from exc
    finally:
        _finish(db, run_id, ok, summary, handoff)
    return summary


def _import_one(db, source, path, entry, sites, originals, summary: IngestSummary, handoff=None) -> None:
    page = _page(source, entry, originals)
    if page is None:
        summary.add("revisit without its original")
        return
    if _already(db, entry, page):
        summary.add("already archived")
        return
    facts = handoff.page_facts(entry.capture) if handoff else None
    content_type = (page["content_type"] or "").split(";")[0].strip().lower()
    if facts is None and page["status"] != 304 and page["body"] and content_type not in HTML_TYPES:
        summary.add("not HTML")
        return
    record = None
    if facts is not None:
        page = page_with_facts(page, facts)
        record = handoff.record(facts)
    if record is None and page["status"] == 200 and page["body"] and (facts is None or facts["record"]):
        extracted = extract(page["body"], entry.uri, content_type=page["content_type"])
        if is_article(extracted):
            record = extracted
    if _older(db, page["url"], entry.date) and (record is not None or page["status"] == 304):
        # The store moves an article forwards in time: an older capture is evidence, not its record.
        if page["status"] == 304:
            summary.add("older than the archive's record")
            return
        record = None
        summary.add("older than the archive's record")
    elif page["status"] == 304 and facts is None:
        page["kind"] = "article"
    if record is not None and facts is None:
        page["kind"] = "article"
    warc_file = f"{path.name}!{entry.member}" if source.zip else path.name
    capture = store.record_ingested(
        db,
        page,
        record,
        {
            "warc_file": warc_file,
            "record_id": entry.record_id,
            "target_uri": entry.uri,
            "warc_date": entry.date,
        },
        run_id=summary.run_id,
        site=handoff.site if handoff else sites.get(entry.record_id) or sites.get(entry.refers_to or ""),
    )
    summary.add(capture["outcome"])
