"""Helpers shared by the bench scripts: process trees from /proc, memory sampling, the replica.

Linux only (reads /proc). Nothing here is timed itself.
"""

from __future__ import annotations

import contextlib
import os
import platform
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = (
    str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
)
CLK_TCK = os.sysconf("SC_CLK_TCK")


def machine() -> dict:
    """What the figures were measured on."""
    mem_kb = 0
    with contextlib.suppress(OSError), open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    model = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model or platform.machine(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
        **code_state(),
    }


def code_state() -> dict:
    """The commit measured, and the files of the measured packages changed in the work tree."""

    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    dirty = git("status", "--porcelain", "--", "archive", "crawler", "replica", "metadata.yml")
    return {"commit": git("rev-parse", "--short", "HEAD"), "uncommitted": dirty.splitlines()}


class SystemCPU:
    """Busy CPU seconds of the whole machine between two reads of /proc/stat.

    Other sessions share this machine; busy time not accounted for by the processes measured is
    another's, and a figure taken while it was large is noisy.
    """

    def __init__(self) -> None:
        self.start = self._busy()

    @staticmethod
    def _busy() -> float:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        return (sum(fields[:8]) - idle) / CLK_TCK

    def busy_since_start(self) -> float:
        return self._busy() - self.start


def load_average() -> float:
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def children_map() -> dict[int, list[int]]:
    """ppid -> pids, for every process visible in /proc."""
    out: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # comm may contain spaces and parentheses: fields start after the last ")".
        fields = stat[stat.rfind(b")") + 2 :].split()
        out.setdefault(int(fields[1]), []).append(int(entry.name))
    return out


def tree(root: int) -> list[int]:
    """``root`` and all its descendants that are alive now."""
    kids = children_map()
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(kids.get(pid, []))
    return out


def status_kb(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM and RssAnon of a process, in kB (empty if it is gone).

    RssAnon is the memory the process owns; VmRSS also counts the pages of files it maps, and
    SQLite maps up to archive.store.MMAP_BYTES of the archive (page cache the kernel can drop).
    """
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:", "RssAnon:")):
                    key, value = line.split(":", 1)
                    out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


def cpu_seconds(pid: int) -> float:
    """user + system CPU seconds of one live process (not its children)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return 0.0
    fields = stat[stat.rfind(b")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def main_thread_cpu_seconds(pid: int) -> float:
    """user + system CPU seconds of a process's main thread (for Scrapy: the reactor thread)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return 0.0
    fields = stat[stat.rfind(b")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
    except OSError:
        return ""


class TreeSampler(threading.Thread):
    """Samples a process tree's memory every ``interval`` seconds until stopped.

    Keeps, per process, its role (from ``classify(cmdline)``), its VmHWM (peak RSS as the
    kernel counts it) and its largest RssAnon seen (the memory it owns, without the archive's
    mapped pages); for the tree, the largest sums of VmRSS and of RssAnon seen in one sample.
    """

    def __init__(self, root: int, classify, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.root, self.classify, self.interval = root, classify, interval
        self.stopping = threading.Event()
        self.hwm_kb: dict[int, int] = {}
        self.anon_kb: dict[int, int] = {}
        self.roles: dict[int, str] = {}
        self.peak_tree_rss_kb = 0
        self.peak_tree_anon_kb = 0
        self.samples = 0
        #: Last CPU seconds seen per process (whole process, and its main thread).
        self.cpu_s: dict[int, float] = {}
        self.main_thread_cpu_s: dict[int, float] = {}

    def sample(self) -> None:
        total = anon = 0
        for pid in tree(self.root):
            s = status_kb(pid)
            if not s:
                continue
            if pid not in self.roles:
                self.roles[pid] = self.classify(cmdline(pid))
            total += s.get("VmRSS", 0)
            anon += s.get("RssAnon", 0)
            self.hwm_kb[pid] = max(self.hwm_kb.get(pid, 0), s.get("VmHWM", 0))
            self.anon_kb[pid] = max(self.anon_kb.get(pid, 0), s.get("RssAnon", 0))
            self.cpu_s[pid] = max(self.cpu_s.get(pid, 0.0), cpu_seconds(pid))
            self.main_thread_cpu_s[pid] = max(
                self.main_thread_cpu_s.get(pid, 0.0), main_thread_cpu_seconds(pid)
            )
        self.peak_tree_rss_kb = max(self.peak_tree_rss_kb, total)
        self.peak_tree_anon_kb = max(self.peak_tree_anon_kb, anon)
        self.samples += 1

    def run(self) -> None:
        while not self.stopping.is_set():
            self.sample()
            self.stopping.wait(self.interval)

    def stop(self) -> None:
        self.stopping.set()
        self.join()

    def peak_by_role(self, of: str = "hwm") -> dict[str, int]:
        """Per role, the largest VmHWM (kB) of any process in it (``of="anon"``: RssAnon)."""
        out: dict[str, int] = {}
        for pid, kb in (self.anon_kb if of == "anon" else self.hwm_kb).items():
            role = self.roles.get(pid, "other")
            out[role] = max(out.get(role, 0), kb)
        return out

    def cpu_by_role(self) -> dict[str, float]:
        """Per role, CPU seconds (summed over its processes) as last sampled."""
        out: dict[str, float] = {}
        for pid, cpu in self.cpu_s.items():
            role = self.roles.get(pid, "other")
            out[role] = out.get(role, 0.0) + cpu
        return out

    def main_thread_cpu_by_role(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for pid, cpu in self.main_thread_cpu_s.items():
            role = self.roles.get(pid, "other")
            out[role] = out.get(role, 0.0) + cpu
        return out

    def count_by_role(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for role in self.roles.values():
            out[role] = out.get(role, 0) + 1
        return out


class Replica:
    """``python -m replica`` in its own process (its CPU is not the crawler's); a context manager."""

    def __init__(self, articles: int, port: int = 0, extra: tuple[str, ...] = ()) -> None:
        self.articles, self.port, self.extra = articles, port, extra
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def __enter__(self) -> Replica:
        cmd = [PYTHON, "-m", "replica", "--host", "127.0.0.1", "--port", str(self.port)]
        cmd += ["--articles", str(self.articles), "--today", "2024-05-23", *self.extra]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True, start_new_session=True)
        deadline = time.monotonic() + 120
        line = self.proc.stdout.readline()
        if "serving at" not in line or time.monotonic() > deadline:
            self.proc.kill()
            raise RuntimeError(f"replica did not start: {line!r}")
        self.url = line.rsplit(" ", 1)[1].strip()
        return self

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.proc.pid) if self.proc else 0.0

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def kill_group(proc: subprocess.Popen) -> None:
    """End a child started with ``start_new_session=True`` and everything it started."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
