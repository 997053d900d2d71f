"""Peak memory of the stack's web and worker processes during a load run (issue 19, goal 5).

A thread reads each process's high-water mark of resident memory (VmHWM in /proc/PID/status)
every two seconds, so a process that exits during the run (a recycled gunicorn worker, a Celery
pool process) keeps the peak it had reached at most two seconds before it went."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from tests.stack import Stack


def _high_water_kib(pid: int) -> int | None:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return None


class PeakMemory:
    """Sampled while the `with` block runs: per group ("web", "worker"), the leader's peak (the
    gunicorn arbiter, the Celery parent) and the largest peak of any other process in it."""

    def __init__(self, stack: Stack, groups: tuple[str, ...] = ("web", "worker"), every=2.0):
        self.stack, self.groups, self.every = stack, groups, every
        self.peaks: dict[str, dict[int, int]] = {group: {} for group in groups}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.sample()

    def sample(self) -> None:
        for group in self.groups:
            for pid in self.stack.group_pids(group):
                kib = _high_water_kib(pid)
                if kib is not None:
                    seen = self.peaks[group]
                    seen[pid] = max(seen.get(pid, 0), kib)

    def summary(self) -> dict[str, dict[str, float | int]]:
        """MiB: the leader's peak, the largest other process's peak, and how many others ran."""
        out = {}
        for group in self.groups:
            process = self.stack.processes.get(group)
            leader = process.pid if process else None
            seen = self.peaks[group]
            children = [kib for pid, kib in seen.items() if pid != leader]
            out[group] = {
                "leader_mib": round(seen.get(leader, 0) / 1024, 1),
                "largest_child_mib": round(max(children, default=0) / 1024, 1),
                "children_seen": len(children),
            }
        return out
