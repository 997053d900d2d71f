"""Fault: PostgreSQL restarts (fast shutdown, then a crash) while people read and write.

    .venv/bin/python tests/faults/postgres_restart.py

On a throwaway stack (tests/stack), with page traffic and an analyst posting imports throughout:

1. PostgreSQL stopped with a fast shutdown (every connection terminated) for a few seconds,
   then started; later stopped with an immediate shutdown (a crash: recovery from the WAL);
2. while it is down, requests fail fast (no request waits more than a few seconds);
3. once it is back, the same gunicorn and Celery processes serve pages and run jobs again
   within seconds (CONN_HEALTH_CHECKS drops dead persistent connections): nothing restarted;
4. no partial writes: every import either has its batch, its job and all its rows, or nothing,
   and no job is left queued or running;
5. before each shutdown the script holds a lock that imports' writes wait for, until one is
   waiting, so that the shutdown always catches an import half-way: its task must be retried
   once the database is back, take its job over and finish.
"""

from __future__ import annotations

import sys
import threading
import time
import uuid

import psycopg
import requests
from common import Checks, Stack, Traffic, job, log, login, summary

LIMIT = 7.0  # seconds: connect_timeout is 5 s


class Importer(threading.Thread):
    """An analyst posting small imports, each with its own idempotency key, all along."""

    def __init__(self, stack: Stack, token: str, provider: str):
        super().__init__(daemon=True)
        self.stack, self.provider = stack, provider
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"
        self.accepted: list[dict] = []
        self.refused: list[tuple[int, str]] = []
        self.stop = threading.Event()
        self.n = 0

    def csv(self) -> bytes:
        self.n += 1
        rows = ["provider,indicator,period,value,numerator,denominator"]
        rows += [
            f"{self.provider},SHMI,2016-{m:02d},{90 + self.n + m / 10:.2f},," for m in range(1, 13)
        ]
        return ("\n".join(rows) + "\n").encode()

    def run(self):
        while not self.stop.is_set():
            key = f"pg-{uuid.uuid4()}"
            try:
                response = self.session.post(
                    f"{self.stack.base_url}/api/v1/observations/import/",
                    files={"file": ("pg.csv", self.csv(), "text/csv")},
                    headers={"Idempotency-Key": key},
                    timeout=30,
                )
                if response.status_code == 202:
                    self.accepted.append({"key": key, "job": response.json()["job"]})
                else:
                    self.refused.append((response.status_code, key))
            except requests.RequestException as exc:
                self.refused.append((0, type(exc).__name__))
            time.sleep(0.5)


def catch_imports_writing(stack: Stack, timeout: float = 60):
    """Hold a lock that imports' writes wait for, until one waits: (lock holder, its job ids).

    So that the shutdown that follows always catches an import in the middle of its work (the
    small imports here otherwise take a fraction of a second and are rarely running).
    """
    holder = psycopg.connect(stack.env["DATABASE_URL"])
    holder.execute("LOCK TABLE dashboard_observation IN SHARE MODE")
    with psycopg.connect(stack.env["DATABASE_URL"], autocommit=True) as watcher:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            waiting = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
                [holder.info.backend_pid],
            ).fetchone()[0]
            if waiting:
                jobs = watcher.execute(
                    "SELECT id::text FROM qsg_job WHERE kind = 'dashboard.import' "
                    "AND status = 'running'"
                ).fetchall()
                return holder, [j[0] for j in jobs]
            time.sleep(0.05)
    return holder, []


def main() -> int:
    checks = Checks("PostgreSQL restarts under load")
    with Stack("faults-pg") as stack:
        stack.start_all()
        gm = stack.sql("SELECT id FROM qsg_qsg WHERE name = 'Greater Manchester QSG'")
        provider = stack.sql(f"SELECT ods_code FROM qsg_provider WHERE qsg_id = {gm} LIMIT 1")  # noqa: S608
        agenda = stack.sql(f"SELECT id FROM surveillance_meeting WHERE qsg_id = {gm} LIMIT 1")  # noqa: S608
        out = stack.manage(
            "shell",
            "-c",
            "from qsg.accounts.services import token_issue; from qsg.models import User; "
            "u = User.objects.filter(groups__name='Analysts').order_by('pk').first(); "
            "print('TOKEN', token_issue(user=u, name='faults', scope='read_write', "
            "origin='account_page', two_factor_verified=True)[1])",
        )
        token = next(line.split()[1] for line in out.splitlines() if line.startswith("TOKEN "))
        # People of Greater Manchester, whose pages these are (others would rightly get 404s).
        sessions = [login(stack, n) for n in ["gm.secretariat", "gm.chair", "gm.icb", "gm.cqc"]]
        paths = ["/", f"/dashboard/qsgs/{gm}/", f"/meetings/{agenda}/agenda/", "/api/v1/me/"]
        web_pids = stack.sql("SELECT 1")  # warm
        web_pid = stack.processes["web"].pid
        worker_pid = stack.processes["worker"].pid
        importer = Importer(stack, token, provider)
        importer.start()

        caught: dict[str, list[str]] = {}
        with Traffic(stack, sessions, paths, timeout=30) as traffic:
            time.sleep(8)
            for mode, down_for in (("fast", 6), ("immediate", 6)):
                holder, caught[mode] = catch_imports_writing(stack)
                log(f"{mode} shutdown: imports caught writing: {caught[mode]}")
                start = time.monotonic()
                stack.pg_stop(mode)
                holder.close()
                log(f"PostgreSQL stopped ({mode} shutdown)")
                time.sleep(down_for)
                stopped = time.monotonic()
                stack.pg_start()
                up = time.monotonic()
                log(f"PostgreSQL started again after {up - start:.0f} s")
                during = traffic.between(start + 0.5, stopped)
                slow = [r for r in during if r[1] > LIMIT]
                checks.check(
                    not slow,
                    f"{mode} shutdown: while the database was down no request waited over {LIMIT:.0f} s",
                    summary(during),
                )
                checks.check(
                    bool(during) and all(r[2] in (200, 503) for r in during),
                    f"{mode} shutdown: while it was down pages said 503 (try again), never 500",
                    sorted({r[2] for r in during}),
                )
                time.sleep(2)
                # Give every thread of every gunicorn worker a chance to meet its dead connection.
                time.sleep(8)
                after = traffic.between(up + 5, time.monotonic())
                bad = [r for r in after if r[2] != 200]
                checks.check(
                    bool(after) and not bad,
                    f"{mode} shutdown: 5 s after the database was back every page answered 200",
                    summary(after),
                )
            importer.stop.set()
            importer.join(40)
        checks.check(
            stack.processes["web"].pid == web_pid and stack.processes["web"].poll() is None,
            "the web process was never restarted",
            web_pids and web_pid,
        )
        checks.check(
            stack.processes["worker"].pid == worker_pid
            and stack.processes["worker"].poll() is None,
            "the Celery worker was never restarted",
        )

        # Jobs after the restarts: the worker and beat carry on.
        deadline = time.monotonic() + 120
        pending = "?"
        while time.monotonic() < deadline:
            pending = stack.sql("SELECT count(*) FROM qsg_job WHERE status IN ('queued','running')")
            if pending == "0":
                break
            time.sleep(2)
        if pending != "0":
            pending = stack.sql(
                "SELECT string_agg(format('%s %s (attempt %s, %s)', kind, status, attempts, "
                "message), '; ') FROM qsg_job WHERE status IN ('queued','running')"
            )
        checks.check(pending == "0", "no job left queued or running", pending)
        for mode, job_ids in caught.items():
            rows = [job(stack, j) for j in job_ids]
            checks.check(
                bool(rows) and all(r["status"] == "succeeded" and r["attempts"] > 1 for r in rows),
                f"{mode} shutdown: the imports caught writing were retried and finished",
                [f"{r['status']} after {r['attempts']} attempts" for r in rows],
            )
        checks.check(
            len(importer.accepted) > 5,
            "imports were accepted before, between and after the restarts",
            f"{len(importer.accepted)} accepted, {len(importer.refused)} refused while down",
        )
        accepted = {a["job"] for a in importer.accepted}
        rows = stack.sql(
            "SELECT j.id, j.status, b.rows_read, b.rows_created + b.rows_updated + b.rows_unchanged,"
            " (SELECT count(*) FROM dashboard_observation o WHERE o.batch_id = b.id) "
            "FROM dashboard_importbatch b JOIN qsg_job j ON j.id = b.job_id "
            "WHERE b.file_name = 'pg.csv'"
        )
        batches = {}
        for line in rows.splitlines():
            job_id, status, read, written, _ = line.split("|")
            batches[job_id] = (status, int(read or 0), int(written or 0))
        missing = accepted - set(batches)
        checks.check(
            not missing,
            "every import the API accepted has its batch and job",
            f"{len(missing)} missing",
        )
        unfinished = {k: v for k, v in batches.items() if v[0] != "succeeded"}
        checks.check(
            not unfinished,
            "every import batch in the database finished (none left half-done)",
            f"{len(batches)} batches; not succeeded: {list(unfinished.values())[:5]}",
        )
        partial = {k: v for k, v in batches.items() if v[0] == "succeeded" and v[1] != v[2]}
        checks.check(
            not partial,
            "every finished import wrote all of its rows (read = created + updated + unchanged)",
            f"{len(partial)} partial",
        )
        orphans = stack.sql(
            "SELECT count(*) FROM qsg_job j WHERE j.kind = 'dashboard.import' AND NOT EXISTS "
            "(SELECT 1 FROM dashboard_importbatch b WHERE b.job_id = j.id)"
        )
        checks.check(orphans == "0", "no import job without its batch", orphans)
        errors = [
            line for line in stack.tail("web", 100000).splitlines() if '"level": "ERROR"' in line
        ]
        log(f"web log: {len(errors)} ERROR lines (expected while the database was down)")
    return checks.exit_code()


if __name__ == "__main__":
    sys.exit(main())
