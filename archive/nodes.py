"""Crawl nodes: scrapyd daemons driven through their HTTP JSON API (the archive host's side).

A node is a stock scrapyd 1.6 serving this project without an egg: its working directory holds
a ``scrapy.cfg`` whose ``[settings]`` names ``crawler.settings`` (scrapyd and the ``scrapy``
commands it runs both read it) and a ``scrapyd.conf`` with a local ``items_dir``, which scrapyd
serves over HTTP at ``/items/``: a job's hand-off is written there and fetched from there.
Each job is its own ``scrapy crawl`` process, as scrapyd always runs them.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

#: The scrapyd project name the nodes know this project by.
PROJECT = "vnarchive"
#: The spider every portal run uses (``-a site=NAME`` says which portal).
SPIDER = "portal"


class NodeError(Exception):
    """A node that cannot be reached or refused a request; the message is one line naming it."""


class Node:
    """One scrapyd daemon, by its base URL (``http://crawl-1:6800``)."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"Node({self.url!r})"

    def _call(self, endpoint: str, params: list[tuple[str, str]] | None = None, post: bool = False) -> dict:
        query = urllib.parse.urlencode(params or [])
        url = f"{self.url}/{endpoint}"
        request = (
            urllib.request.Request(url, data=query.encode(), method="POST")
            if post
            else urllib.request.Request(f"{url}?{query}" if query else url)
        )
        answer = json.loads(self._fetch(request, endpoint))
        if answer.get("status") != "ok":
            raise NodeError(f"node {self.url}: {endpoint} refused: {answer.get('message', answer)}")
        return answer

    def _fetch(self, request: urllib.request.Request | str, what: str) -> bytes:
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            raise NodeError(f"node {self.url}: {what}: HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise NodeError(f"node {self.url} is unreachable ({reason})") from exc
        except ValueError as exc:
            raise NodeError(f"node {self.url}: {what}: not a scrapyd answer ({exc})") from exc

    def check(self) -> dict[str, Any]:
        """The daemon's status, and that it serves this project; NodeError otherwise."""
        status = self._call("daemonstatus.json")
        projects = self._call("listprojects.json").get("projects", [])
        if PROJECT not in projects:
            raise NodeError(
                f"node {self.url} does not serve the project {PROJECT!r} (its scrapy.cfg needs "
                f"[settings] {PROJECT} = crawler.settings)"
            )
        return status

    def schedule(self, site: str, settings: dict[str, str], job: str) -> str:
        """Start a run of ``site`` as job ``job`` with these Scrapy settings; the job id."""
        params = [("project", PROJECT), ("spider", SPIDER), ("jobid", job), ("site", site)]
        params += [("setting", f"{k}={v}") for k, v in settings.items()]
        return self._call("schedule.json", params, post=True)["jobid"]

    def state(self, job: str) -> str | None:
        """The job's state: pending, running, finished, or None when the daemon knows no such job."""
        return self._call("status.json", [("job", job), ("project", PROJECT)]).get("currstate")

    def cancel(self, job: str) -> None:
        """Stop a job (SIGINT to its crawl, which then closes as interrupted)."""
        self._call("cancel.json", [("project", PROJECT), ("job", job)], post=True)

    def items_url(self, job: str) -> str | None:
        """Where the daemon serves a finished job's items file (None: no local items_dir)."""
        for finished in self._call("listjobs.json", [("project", PROJECT)]).get("finished", []):
            if finished.get("id") == job and finished.get("items_url"):
                return urllib.parse.urljoin(self.url + "/", finished["items_url"])
        return None

    def download(self, url: str, to: Path) -> Path | None:
        """Save a file the daemon serves; None when it has no such file (404)."""
        try:
            data = self._fetch(url, f"GET {url}")
        except NodeError as exc:
            if isinstance(exc.__cause__, urllib.error.HTTPError) and exc.__cause__.code == 404:
                return None
            raise
        to.write_bytes(data)
        return to


def write_node_config(
    directory: Path, port: int, *, bind: str = "127.0.0.1", slots: int = 1, poll: float = 5.0
) -> None:
    """A node's working directory: ``scrapy.cfg`` naming the project, ``scrapyd.conf`` for the daemon.

    ``scrapyd`` started in ``directory`` then serves this project (installed in its Python, no
    egg) on ``bind:port``, running at most ``slots`` jobs at once, and keeps its working copies,
    logs and hand-offs under ``directory``.
    """
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "scrapy.cfg").write_text(f"[settings]\n{PROJECT} = crawler.settings\n", encoding="utf-8")
    (directory / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = {bind}\n"
        f"http_port = {port}\n"
        f"max_proc = {slots}\n"
        f"poll_interval = {poll}\n"
        "items_dir = items\n"
        "logs_dir = logs\n"
        "eggs_dir = eggs\n"
        "dbs_dir = dbs\n"
        "jobs_to_keep = 20\n",
        encoding="utf-8",
    )
