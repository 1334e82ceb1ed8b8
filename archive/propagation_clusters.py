"""Clusters of near-identical bodies: the connected groups of "near-duplicate" links, kept as data.

A cluster is maintained where it changes: an article joins (merging the clusters it links),
or leaves (its cluster's remaining members are split along their links). The first publisher
is the earliest member by publication instant (offsets honoured); ties go to the member the
archive saw first, then to the smaller URL; undated members come after every dated one (by
first seen) and are first only in a cluster where no member has a date.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sqlite_utils import Database

from archive.propagation_state import stored_hashes
from archive.propagation_text import containment, jaccard
from archive.store import utcnow

#: Vietnam's offset, assumed for a publication time printed without one.
VN = timezone(timedelta(hours=7))


def instant(published: str | None) -> datetime | None:
    """The moment ``published`` names, or None when it is no date."""
    if not published:
        return None
    try:
        parsed = datetime.fromisoformat(published)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=VN)


def order_key(member: dict[str, Any]) -> tuple:
    """Publication order within a cluster: dated first by instant, then first seen, then URL."""
    moment = instant(member["published"])
    dated = (0, moment.timestamp()) if moment else (1, 0.0)
    return (*dated, member["first_seen"] or "", member["url"])


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def _cluster_of(db: Database, url: str) -> int | None:
    row = db.execute("select cluster_id from text_cluster_members where url = ?", [url]).fetchone()
    return row[0] if row else None


def _new_id(db: Database) -> int:
    return db.execute("select coalesce(max(id), 0) + 1 from text_clusters").fetchone()[0]


def join_cluster(db: Database, url: str, near: list[str]) -> int:
    """Put ``url`` with its near-duplicates ``near``: one cluster, merging any they belonged to."""
    ids = sorted({c for c in (_cluster_of(db, u) for u in near) if c is not None})
    cluster = ids[0] if ids else _new_id(db)
    if not ids:
        db.execute("insert into text_clusters (id, members) values (?, 0)", [cluster])
    for other in ids[1:]:
        db.execute("update text_cluster_members set cluster_id = ? where cluster_id = ?", [cluster, other])
        db.execute("delete from text_clusters where id = ?", [other])
    loose = [u for u in [url, *near] if _cluster_of(db, u) is None]
    db.conn.executemany(
        "insert into text_cluster_members (url, cluster_id) values (?, ?)", [(u, cluster) for u in loose]
    )
    refresh(db, cluster, only=None if len(ids) != 1 else set(loose))
    return cluster


def leave_cluster(db: Database, url: str) -> None:
    """Take ``url`` out of its cluster; the rest splits into the groups its links still join."""
    cluster = _cluster_of(db, url)
    if cluster is None:
        return
    db.execute("delete from text_cluster_members where url = ?", [url])
    rest = [r[0] for r in db.execute("select url from text_cluster_members where cluster_id = ?", [cluster])]
    groups = _components(db, rest)
    groups.sort(key=len, reverse=True)
    for i, group in enumerate(groups):
        if len(group) < 2:
            db.execute(f"delete from text_cluster_members where url in ({_marks(len(group))})", group)
            continue
        target = cluster if i == 0 else _new_id(db)
        if i:
            db.execute("insert into text_clusters (id, members) values (?, 0)", [target])
            db.execute(
                f"update text_cluster_members set cluster_id = ? where url in ({_marks(len(group))})",
                [target, *group],
            )
        refresh(db, target)
    if not groups or len(groups[0]) < 2:
        db.execute("delete from text_clusters where id = ?", [cluster])


def _components(db: Database, urls: list[str]) -> list[list[str]]:
    """The groups of ``urls`` joined by near-duplicate links among themselves."""
    if not urls:
        return []
    parent = {u: u for u in urls}

    def root(u: str) -> str:
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    marks = _marks(len(urls))
    for a, b in db.execute(
        f"select url_a, url_b from text_links where kind = 'near-duplicate' and url_a in ({marks}) and url_b in ({marks})",
        [*urls, *urls],
    ):
        parent[root(a)] = root(b)
    groups: dict[str, list[str]] = {}
    for u in urls:
        groups.setdefault(root(u), []).append(u)
    return [sorted(g) for g in groups.values()]


def refresh(db: Database, cluster: int, only: set[str] | None = None) -> None:
    """Order a cluster's members, name its first publisher, measure each against it.

    ``only``: members whose similarity is still to be measured, when the first publisher did
    not change (adding a late republication reads two texts, not the whole cluster).
    """
    members = [
        dict(
            zip(
                ("url", "site", "published", "first_seen", "source", "lead_tag", "similarity"),
                row,
                strict=True,
            )
        )
        for row in db.execute(
            """
            select m.url, a.site, a.published, a.first_seen, a.source, a.lead_tag, m.similarity
            from text_cluster_members m join articles a on a.url = m.url
            where m.cluster_id = ?
            """,
            [cluster],
        )
    ]
    members.sort(key=order_key)
    first = members[0]
    previous = db.execute("select first_url from text_clusters where id = ?", [cluster]).fetchone()
    if previous is None or previous[0] != first["url"]:
        only = None
    measure = [m["url"] for m in members if only is None or m["url"] in only or m["similarity"] is None]
    hashes = stored_hashes(db, [first["url"], *measure])
    first_hashes = hashes.get(first["url"])
    first_moment = instant(first["published"])
    rows = []
    for position, m in enumerate(members):
        moment = instant(m["published"])
        delay = (moment - first_moment).total_seconds() / 3600 if moment and first_moment else None
        named = m["source"] or m["lead_tag"]
        row = {
            "position": position,
            "is_first": int(position == 0),
            "site": m["site"],
            "published": m["published"],
            "first_seen": m["first_seen"],
            "delay_hours": round(delay, 2) if delay is not None else None,
            "names_source": int(bool(named)),
            "source": named,
            "url": m["url"],
        }
        if first_hashes is not None and m["url"] in hashes:
            row["similarity"] = round(jaccard(first_hashes, hashes[m["url"]]), 4)
            row["containment"] = round(containment(first_hashes, hashes[m["url"]]), 4)
        rows.append(row)
    for row in rows:
        assignments = ", ".join(f"{k} = :{k}" for k in row if k != "url")
        db.execute(f"update text_cluster_members set {assignments} where url = :url", row)
    dated = [m for m in members if instant(m["published"])]
    spread = (
        (instant(dated[-1]["published"]) - instant(dated[0]["published"])).total_seconds() / 3600
        if dated
        else None
    )
    db.execute(
        """
        update text_clusters set first_url = ?, first_site = ?, first_published = ?, members = ?, sites = ?,
          undated = ?, last_published = ?, spread_hours = ?, updated_at = ? where id = ?
        """,
        [
            first["url"],
            first["site"],
            first["published"],
            len(members),
            len({m["site"] for m in members}),
            len(members) - len(dated),
            dated[-1]["published"] if dated else None,
            round(spread, 2) if spread is not None else None,
            utcnow(),
            cluster,
        ],
    )
