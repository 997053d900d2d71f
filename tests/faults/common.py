"""What the fault scripts share: a logged-in HTTP client, checks that print, job rows."""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.stack import Stack, log

JOB_ID = re.compile(r"/note/pdf/([0-9a-f-]{36})/")


class Checks:
    """Each check prints PASS or FAIL with what it saw; the script exits 1 if any failed."""

    def __init__(self, title: str):
        self.title = title
        self.failed: list[str] = []
        self.passed = 0
        print(f"== {title}", flush=True)

    def check(self, ok: bool, what: str, seen="") -> bool:
        mark = "PASS" if ok else "FAIL"
        print(f"   {mark}  {what}" + (f"  [{seen}]" if seen != "" else ""), flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed.append(what)
        return ok

    def exit_code(self) -> int:
        print(f"== {self.title}: {self.passed} passed, {len(self.failed)} failed", flush=True)
        for what in self.failed:
            print(f"   failed: {what}")
        return 1 if self.failed else 0


def login(stack: Stack, username: str, timeout: float = 10) -> requests.Session:
    session = requests.Session()
    session.get(f"{stack.base_url}/account/login/", timeout=timeout)
    response = session.post(
        f"{stack.base_url}/account/login/",
        data={
            "username": username,
            "password": stack.password,
            "csrfmiddlewaretoken": session.cookies.get("csrftoken", ""),
        },
        allow_redirects=False,
        timeout=timeout,
    )
    if response.status_code != 302:
        raise SystemExit(f"could not log in as {username}: {response.status_code}")
    if "/account/two-factor/" in response.headers.get("Location", ""):
        # The person's authenticator app: a device made for them, its current code typed in.
        out = stack.manage(
            "shell",
            "-c",
            "from tests.signin import authenticator_for, current_code; "
            "from qsg.models import User; "
            f"u = User.objects.get(username={username!r}); "
            "print('CODE', current_code(authenticator_for(u)))",
        )
        code = next(line.split()[1] for line in out.splitlines() if line.startswith("CODE "))
        verified = session.post(
            f"{stack.base_url}/account/two-factor/",
            data={"code": code, "csrfmiddlewaretoken": session.cookies.get("csrftoken", "")},
            allow_redirects=False,
            timeout=timeout,
        )
        if verified.status_code != 302:
            raise SystemExit(f"second factor refused for {username}: {verified.status_code}")
    return session


def job(stack: Stack, job_id: str) -> dict:
    row = stack.sql(
        "SELECT row_to_json(j) FROM (SELECT id, kind, status, attempts, progress, message, "  # noqa: S608 (ids from our own database)
        f"error, counts FROM qsg_job WHERE id = '{job_id}') j"
    )
    return json.loads(row) if row else {}


def wait_job(stack: Stack, job_id: str, statuses: set[str], timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    row: dict = {}
    while time.monotonic() < deadline:
        row = job(stack, job_id)
        if row.get("status") in statuses:
            return row
        time.sleep(0.05)
    return row


def pool_children(stack: Stack, name: str = "worker") -> list[int]:
    """Process ids of the prefork pool children of the named worker."""
    parent = stack.processes[name].pid
    children = Path(f"/proc/{parent}/task/{parent}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


class Traffic:
    """Threads that keep requesting pages while a fault happens, recording every answer."""

    def __init__(
        self,
        stack: Stack,
        sessions: list,
        paths: list[str] | list[list[str]],
        timeout: float = 30,
    ):
        """`paths`: one list for everyone, or one list per session (each person asks for the
        pages of their own QSG)."""
        import threading

        self.stack, self.sessions, self.timeout = stack, sessions, timeout
        self.paths = paths if paths and isinstance(paths[0], list) else [paths] * len(sessions)
        self.results: list[
            tuple[float, float, int, str, str]
        ] = []  # start, seconds, status, path, error
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._run, args=(i, session), daemon=True)
            for i, session in enumerate(sessions)
        ]

    def _run(self, index: int, session) -> None:
        i = index
        while not self._stop.is_set():
            own = self.paths[index]
            path = own[i % len(own)]
            i += 1
            started = time.monotonic()
            status, error = 0, ""
            try:
                status = session.get(self.stack.base_url + path, timeout=self.timeout).status_code
            except requests.RequestException as exc:
                error = type(exc).__name__
            with self._lock:
                self.results.append((started, time.monotonic() - started, status, path, error))
            time.sleep(0.05)

    def __enter__(self) -> Traffic:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(self.timeout + 5)

    def between(self, start: float, end: float) -> list[tuple]:
        with self._lock:
            return [r for r in self.results if start <= r[0] < end]


def summary(rows: list[tuple]) -> str:
    if not rows:
        return "no requests"
    times = sorted(r[1] for r in rows)
    statuses: dict = {}
    for r in rows:
        key = r[2] or r[4]
        statuses[key] = statuses.get(key, 0) + 1
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    odd = sorted({r[3] for r in rows if r[2] != 200})
    return (
        f"{len(rows)} requests, statuses {statuses}, p95 {p95 * 1000:.0f} ms, "
        f"max {times[-1] * 1000:.0f} ms" + (f", not 200: {odd[:4]}" if odd else "")
    )


__all__ = [
    "JOB_ID",
    "Checks",
    "Stack",
    "Traffic",
    "job",
    "log",
    "login",
    "pool_children",
    "summary",
    "wait_job",
]
