"""What moves between the archive host and a crawl node: a seed going out, a hand-off coming back.

Nodes never write the archive. Before a portal's run, the archive host writes a **seed**: a
small archive database holding only what that portal's incremental crawl reads (its articles
with their validators and re-check times, the pages judged not articles, its learned URL shapes,
its last run), so the node's crawl is as incremental as one on the archive host. The node crawls
into that working copy and hands back its run as a **hand-off**: the run's captures as WARC 1.1
(``archive.warc``, the standard format, readable by any tool) and a JSON-lines file of what WARC
does not carry: each capture's kind and outcome as the node's crawl judged them (a removed
article, a page that is no article), its extracted record, the run's status and stats, and the
URL shapes it learned. The archive host ingests the WARC through ``archive.ingest`` with those
facts, so a hand-off is stored by the same idempotent path as any WARC file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlite_utils import Database

from archive import store
from archive.extract import EXTRACTOR_VERSION, extract
from archive.profiles import SiteProfile
from archive.warc import export_warc

#: Outcomes of a capture whose page was an article (its record travels with the hand-off).
ARTICLE_OUTCOMES = ("new", "changed", "unchanged")
#: What a node's crawl reads of an archived article: when to re-check it, how to ask (validators),
#: whether it is gone, and its record's hash (changed or not). Its text stays on the archive host,
#: which compares the node's records with its own.
SEED_ARTICLE_COLUMNS = (
    "url",
    "site",
    "status",
    "removed_at",
    "first_seen",
    "last_seen",
    "last_checked",
    "last_changed",
    "published",
    "version",
    "record_hash",
    "etag",
    "last_modified",
)
#: Suffix of the hand-off's JSON-lines file; the WARC files sit beside it.
RECORDS_SUFFIX = ".handoff.jsonl"


class HandoffError(Exception):
    """A hand-off or seed that cannot be written or read; the message says why."""


# -- the seed (archive host) ------------------------------------------------------------------


def _url_ranges(profile: SiteProfile) -> tuple[str, list[str]]:
    """SQL matching the portal's URLs (every host it has had) as key ranges, and its parameters."""
    netlocs = {urlsplit(profile.base_url).netloc}
    for host in profile.hosts:
        netlocs.update({host, f"www.{host}"})
    prefixes = [f"{scheme}://{n}/" for n in sorted(netlocs) for scheme in ("http", "https")]
    # "http://host/" <= url < "http://host0": the URLs under the prefix ("0" follows "/").
    params = [bound for p in prefixes for bound in (p, p[:-1] + "0")]
    return " or ".join("(url >= ? and url < ?)" for _ in prefixes), params


def write_seed(db: Database, profile: SiteProfile, out: Path) -> Path:
    """The portal's incremental state as a fresh archive database at ``out`` (overwritten)."""
    out.unlink(missing_ok=True)
    ranges, params = _url_ranges(profile)
    seed = store.open_db(out)
    try:
        with seed.atomic():
            columns = ", ".join(SEED_ARTICLE_COLUMNS)
            seed["articles"].insert_all(
                db.execute_returning_dicts(f"select {columns} from articles where {ranges}", params)
            )
            seed["url_shapes"].insert_all(
                db.execute_returning_dicts("select * from url_shapes where site = ?", [profile.name])
            )
            seed["crawl_runs"].insert_all(
                db.execute_returning_dicts(
                    "select * from crawl_runs where spider = ? order by id desc limit 1", [profile.name]
                )
            )
            # Judged not articles: kept without status, so that the hand-off's WARC leaves them out.
            judged = db.execute_returning_dicts(
                "select url, kind, outcome, reason, max(fetched_at) as fetched_at from captures "
                f"where outcome = 'not-article' and ({ranges}) group by url",
                params,
            )
            seed["captures"].insert_all(judged)
    finally:
        seed.conn.close()
    return out


# -- the hand-off (node) ----------------------------------------------------------------------


def _record_of(conn: Database, capture: Mapping[str, Any]) -> dict[str, Any] | None:
    """The capture's record, extracted again from its stored body (the crawl keeps no raw record)."""
    if capture["outcome"] not in ARTICLE_OUTCOMES or not capture["sha256"]:
        return None
    body = store.load_body(conn, capture["sha256"])
    return extract(body, capture["final_url"] or capture["url"], content_type=capture["content_type"])


def write_handoff(db_path: Path, stem: Path, token: str, site: str) -> Path:
    """Write a node's run as ``<stem>-*.warc.gz`` and ``<stem>.handoff.jsonl``; the JSON-lines path.

    The JSON-lines file is written last and renamed into place: once it exists, the hand-off is
    whole, and its first line lists the WARC files.
    """
    stem.parent.mkdir(parents=True, exist_ok=True)
    summary = export_warc(db_path, stem.parent, prefix=stem.name)
    db = store.open_db(db_path, create=False)
    try:
        run = db.execute_returning_dicts("select * from crawl_runs order by id desc limit 1")
        head = {
            "handoff": token,
            "site": site,
            "warc": [p.name for p in summary.files],
            "run": run[0] if run else None,
            "url_shapes": db.execute_returning_dicts("select * from url_shapes where site = ?", [site]),
        }
        records = stem.with_name(stem.name + RECORDS_SUFFIX)
        partial = records.with_name(records.name + ".open")
        with partial.open("w", encoding="utf-8") as out:
            out.write(json.dumps(head, ensure_ascii=False) + "\n")
            for capture in db.execute_returning_dicts(
                "select id, url, requested_url, final_url, kind, outcome, reason, news, sha256, content_type "
                "from captures where status is not null order by id"
            ):
                facts = {k: capture[k] for k in ("url", "requested_url", "kind", "outcome", "reason")}
                facts["news"] = json.loads(capture["news"]) if capture["news"] else None
                facts["record"] = _record_of(db, capture)
                out.write(json.dumps({"capture": str(capture["id"]), **facts}, ensure_ascii=False) + "\n")
        partial.replace(records)
    finally:
        db.conn.close()
    return records


# -- the hand-off read back (archive host) ----------------------------------------------------


@dataclass
class Handoff:
    """A node's run as the archive host reads it: the run, and the node's facts per capture."""

    token: str
    site: str
    warc: list[str]
    run: dict[str, Any] | None
    url_shapes: list[dict[str, Any]]
    captures: dict[str, dict[str, Any]] = field(default_factory=dict)

    def page_facts(self, capture_id: str | None) -> dict[str, Any] | None:
        """What the node's crawl knew of one capture (None for a record that is not the node's)."""
        return self.captures.get(capture_id or "")

    def record(self, facts: Mapping[str, Any]) -> dict[str, Any] | None:
        """The node's record, when this host's extractor would have made the same one."""
        record = facts.get("record")
        if record and record.get("extractor_version") == EXTRACTOR_VERSION:
            return record
        return None


def read_handoff(path: Path) -> Handoff:
    """Read a hand-off's JSON-lines file."""
    try:
        with path.open(encoding="utf-8") as lines:
            head = json.loads(next(lines))
            handoff = Handoff(head["handoff"], head["site"], head["warc"], head["run"], head["url_shapes"])
            for line in lines:
                facts = json.loads(line)
                handoff.captures[facts.pop("capture")] = facts
    except (OSError, StopIteration, KeyError, TypeError, ValueError) as exc:
        raise HandoffError(f"{path} is not a readable hand-off ({type(exc).__name__}: {exc})") from exc
    return handoff


def page_with_facts(page: dict[str, Any], facts: Mapping[str, Any]) -> dict[str, Any]:
    """A capture read from WARC, completed with what the node's crawl judged of it."""
    page = {**page, "url": facts["url"], "requested_url": facts["requested_url"], "kind": facts["kind"]}
    if facts.get("news"):
        page["news"] = facts["news"]
    if facts["outcome"] == "removed":
        page["removed"] = facts["reason"]
    elif facts["outcome"] == "not-article":
        page["note"] = facts["reason"]
    return page
