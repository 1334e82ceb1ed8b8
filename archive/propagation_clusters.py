"""Clusters of near-identical bodies, kept as data where they change.

Two kinds of near-duplicate link make a cluster differently. Two bodies of about the same text
(Jaccard similarity at least NEAR_JACCARD) belong together whatever else they link: their
connected groups are the cluster's *cores*. A body that is only *contained* in a larger one
(a shortened copy, an excerpt) belongs with the text it was cut from, but a short text is
contained by chance in many larger ones that share its vocabulary (a brief quoted by several
reports, a template's sentences): were every containment a link of the group, one excerpt would
join two unrelated articles, and at 100,000 generated articles such chains made clusters of
hundreds. So a core is attached to one host only: the larger body that best contains the core's
largest member (highest containment, then Jaccard similarity, then the smaller URL). A cluster
is a core with every core attached to it, through any number of hosts; a host is always larger
than the core it takes, so attachments never loop. These groups are a function of the links
alone, so placing articles one by one in any order or in one batch gives the same clusters.

The first publisher is the earliest member by publication instant (offsets honoured); ties go to
the member the archive saw first, then to the smaller URL; undated members come after every
dated one (by first seen) and are first only in a cluster where no member has a date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlite_utils import Database

from archive.propagation_state import stored_hashes
from archive.propagation_text import NEAR_JACCARD, containment, jaccard
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


class _Region:
    """The articles around a change, grown until whole: their clusters, links and sizes.

    Each link is read once, however the region grows. Links of similar bodies only join cores
    (a union-find kept as they are read: in a cluster of hundreds of copies nearly every link is
    one); links of containment are kept by article, for the hosts.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.members: set[str] = set()
        self.old: dict[str, int] = {}  # url -> the cluster it is in now
        self.old_core: dict[str, str | None] = {}  # url -> its core's leader as stored
        self.core: dict[str, str] = {}  # url -> its core's leader, once grown
        self.sizes: dict[str, int] = {}
        self.parent: dict[str, str] = {}  # union-find over the links of similar bodies
        self.contained: dict[str, list[tuple[float, float, str]]] = {}  # url -> (containment, jaccard, other)

    def root(self, u: str) -> str:
        parent = self.parent
        parent.setdefault(u, u)
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    def take(self, urls: set[str]) -> None:
        """Add ``urls`` and the other members of their clusters, with their links and sizes."""
        db = self.db
        clusters = {
            c
            for (c,) in db.execute(
                f"select cluster_id from text_cluster_members where url in ({_marks(len(urls))})", list(urls)
            )
        }
        clusters -= set(self.old.values())
        if clusters:
            rows = db.execute(
                "select url, cluster_id, core from text_cluster_members"
                f" where cluster_id in ({_marks(len(clusters))})",
                list(clusters),
            ).fetchall()
            self.old.update((url, cluster) for url, cluster, _ in rows)
            self.old_core.update((url, core) for url, _, core in rows)
            urls = urls | {url for url, _, _ in rows}
        new = list(urls - self.members)
        ends: set[str] = set(new)
        for i in range(0, len(new), 250):
            chunk = new[i : i + 250]
            marks = _marks(len(chunk))
            for a, b, j, c in db.execute(
                "select url_a, url_b, jaccard, containment from text_links where kind = 'near-duplicate'"
                f" and (url_a in ({marks}) or url_b in ({marks}))",
                [*chunk, *chunk],
            ):
                if a in self.members or b in self.members:
                    continue  # read when that end was taken
                ends.add(a)
                ends.add(b)
                if j >= NEAR_JACCARD:
                    self.parent[self.root(a)] = self.root(b)
                else:
                    self.contained.setdefault(a, []).append((c, j, b))
                    self.contained.setdefault(b, []).append((c, j, a))
            self.members.update(chunk)
        unknown = list(ends - self.sizes.keys())
        for i in range(0, len(unknown), 500):
            chunk = unknown[i : i + 500]
            rows = db.execute(
                f"select url, shingles from propagation_state where url in ({_marks(len(chunk))})", chunk
            )
            self.sizes.update((url, n) for url, n in rows if n is not None)
        missing = [u for u in unknown if u not in self.sizes]  # placed before their shingles were counted
        if missing:
            self.sizes.update((url, hashes.size) for url, hashes in stored_hashes(db, missing).items())

    def hosts(self) -> tuple[dict[str, str], dict[str, str]]:
        """Each core's leader (its largest member), and its host where it has one: the larger body
        best containing its leader. Both by core root."""
        sizes = self.sizes
        leaders: dict[str, str] = {}
        for u in self.members:
            root = self.root(u)
            best = leaders.get(root)
            if best is None or (-sizes.get(u, 0), u) < (-sizes.get(best, 0), best):
                leaders[root] = u
        hosts = {}
        for root, leader in leaders.items():
            size = sizes.get(leader, 0)
            larger = [
                (-c, -j, other)
                for c, j, other in self.contained.get(leader, ())
                if sizes.get(other, 0) > size
            ]
            if larger:
                hosts[root] = min(larger)[2]
        return leaders, hosts

    def groups(self, seeds: set[str]) -> list[list[str]]:
        """The clusters around ``seeds``, the region grown until no core or host of it lies outside."""
        todo, leaders, hosts = seeds, {}, {}
        while todo:
            self.take(todo)
            leaders, hosts = self.hosts()
            # a link of similar bodies read from a member reaches outside: its other end's root is
            # shared with a member, so the outside articles in the union-find are those
            todo = {u for u in self.parent if u not in self.members} | set(hosts.values())
            todo -= self.members
        self.core = {u: leaders[self.root(u)] for u in self.members}
        for root, host in hosts.items():
            self.parent[self.root(root)] = self.root(host)
        groups: dict[str, list[str]] = {}
        for u in self.members:
            groups.setdefault(self.root(u), []).append(u)
        return sorted((sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), g[0]))


def recluster(db: Database, seeds: Iterable[str]) -> None:
    """Make the clusters around ``seeds`` what the links now say, and measure those that changed.

    ``seeds``: a placed article and its near-duplicates, or an article whose links were taken
    out. A cluster keeps its number while it keeps members (the largest group its members form
    keeps it); a new one takes the next number.
    """
    area = _Region(db)
    groups = area.groups(set(seeds))
    region, old, core = area.members, area.old, area.core
    was: dict[int, set[str]] = {}
    for url, cluster in old.items():
        was.setdefault(cluster, set()).add(url)
    now: dict[str, int] = {}
    changed = []
    for group in groups:
        ids = sorted({old[u] for u in group if u in old} - set(now.values()))
        if ids:
            cluster = ids[0]
        else:
            cluster = db.execute("select coalesce(max(id), 0) + 1 from text_clusters").fetchone()[0]
            db.execute("insert into text_clusters (id, members) values (?, 0)", [cluster])
        now.update((u, cluster) for u in group)
        if was.get(cluster) != set(group):
            changed.append(cluster)
    for url in region:
        before, after = old.get(url), now.get(url)
        if before == after:
            if after is not None and area.old_core.get(url) != core[url]:
                db.execute("update text_cluster_members set core = ? where url = ?", [core[url], url])
        elif after is None:
            db.execute("delete from text_cluster_members where url = ?", [url])
        elif before is None:
            db.execute(
                "insert into text_cluster_members (url, cluster_id, core) values (?, ?, ?)",
                [url, after, core[url]],
            )
        else:
            db.execute(
                "update text_cluster_members set cluster_id = ?, core = ?, similarity = null, containment = null"
                " where url = ?",
                [after, core[url], url],
            )
    for cluster in set(was) - set(now.values()):
        db.execute("delete from text_clusters where id = ?", [cluster])
    for cluster in changed:
        refresh(db, cluster, only=set())


def placed(db: Database, url: str, size: int, near: dict[str, float]) -> None:
    """Put a newly placed article (``size`` shingles) in its cluster; ``near``: its near-duplicates
    and their Jaccard similarity to it.

    A copy of a text that hundreds of portals print joins the core of its twins and changes
    nothing else: when every link it has is one of similar bodies, all to one core, and it is not
    larger than that core's leader, no core's leader and no host changes, and it only joins.
    Otherwise the clusters around it are made again (:func:`recluster`), which reads every link
    of the clusters it touches.
    """
    if all(j >= NEAR_JACCARD for j in near.values()):
        rows = db.execute(
            "select cluster_id, core, count(*) from text_cluster_members"
            f" where url in ({_marks(len(near))}) group by cluster_id, core",
            list(near),
        ).fetchall()
        if len(rows) == 1 and rows[0][2] == len(near) and rows[0][1] is not None:
            cluster, leader, _ = rows[0]
            lead = db.execute("select shingles from propagation_state where url = ?", [leader]).fetchone()
            if lead is not None and lead[0] is not None and (-lead[0], leader) < (-size, url):
                db.execute(
                    "insert into text_cluster_members (url, cluster_id, core) values (?, ?, ?)",
                    [url, cluster, leader],
                )
                refresh(db, cluster, only={url})
                return
    recluster(db, {url, *near})


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
