"""Fault: kill -9 the Celery worker in the middle of a PDF render and of a dashboard recompute.

    .venv/bin/python tests/faults/worker_kill.py

On a throwaway stack (tests/stack). Four cases:

1. a meeting note PDF, the pool process rendering it killed (the OOM killer's way): the worker
   rejects the message back to the queue (task_reject_on_worker_lost) and a new pool process
   takes it at once;
2. a meeting note PDF, the whole worker killed (main process and pool, a lost host): the message
   stays unacknowledged in Redis (task_acks_late) and is handed out again after the broker's
   visibility timeout, here shortened to 20 s; a new worker is started;
3. a full dashboard recompute, its pool process killed part-way: after it has written some
   chunks of series and while it waits to write the last (the script holds a lock on the last
   series, so the kill lands there every time, however fast the machine);
4. a task that kills its worker every time is not redelivered for ever: it fails after three
   attempts and says so.

Each must finish once: the job succeeds (attempts counted), one job row per piece of work, one
stored file, a PDF that opens, and for the recompute a clean recompute afterwards finds nothing
left to change (no half-written series).
"""

from __future__ import annotations

import itertools
import os
import signal
import sys
import time
from pathlib import Path

import psycopg
from common import JOB_ID, Checks, Stack, job, log, login, pool_children, wait_job
from pypdf import PdfReader

FINISHED = {"succeeded", "failed", "not_queued"}


def published_meeting(stack: Stack, qsg_name: str) -> int:
    return int(
        stack.sql(
            "SELECT m.id FROM surveillance_meeting m JOIN surveillance_meetingnote n "  # noqa: S608 (ids from our own database)
            "ON n.meeting_id = m.id JOIN qsg_qsg q ON q.id = m.qsg_id "
            f"WHERE n.status = 'published' AND q.name = '{qsg_name}' LIMIT 1"
        )
    )


def request_pdf(stack: Stack, session, meeting: int) -> str:
    response = session.post(
        f"{stack.base_url}/meetings/{meeting}/note/pdf/",
        data={"csrfmiddlewaretoken": session.cookies.get("csrftoken", "")},
        allow_redirects=False,
        timeout=10,
    )
    found = JOB_ID.search(response.headers.get("Location", ""))
    if response.status_code != 302 or not found:
        raise SystemExit(f"PDF request gave {response.status_code}: {response.text[:300]}")
    return found.group(1)


def results_fingerprint(stack: Stack) -> str:
    """A digest of every stored SPC result (what a recompute writes, not when it wrote it)."""
    return stack.sql(
        "SELECT md5(string_agg(md5((to_jsonb(s) - 'computed_at' - 'id')::text), '' "
        "ORDER BY s.indicator_id, s.provider_id)) FROM dashboard_spcseries s"
    )


def pending_jobs(stack: Stack) -> list[str]:
    """Jobs still queued or running, each named: kind, status, attempts, age, message."""
    out = stack.sql(
        "SELECT kind, status, attempts, progress, "
        "round(extract(epoch FROM now() - coalesce(started_at, created_at))), message, id "
        "FROM qsg_job WHERE status IN ('queued', 'running') ORDER BY created_at"
    )
    return [
        "{} {} (attempt {}, {}%, for {} s: {!r}, job {})".format(*line.split("|"))
        for line in out.splitlines()
        if line
    ]


def kill_pool(stack: Stack) -> list[int]:
    pids = pool_children(stack)
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    return pids


def check_pdf(checks: Checks, stack: Stack, session, meeting: int, job_id: str, label: str):
    row = wait_job(stack, job_id, FINISHED, 150)
    checks.check(row.get("status") == "succeeded", f"{label}: the job finished", row.get("status"))
    checks.check(
        row.get("attempts") == 2,
        f"{label}: it ran twice (killed, then redelivered)",
        row.get("attempts"),
    )
    note = (row.get("counts") or {}).get("note")
    audience = (row.get("counts") or {}).get("audience")
    rows = stack.sql(
        "SELECT count(*) FROM qsg_job WHERE kind = 'meeting_note_pdf' "  # noqa: S608 (ids from our own database)
        f"AND counts->>'note' = '{note}' AND counts->>'audience' = '{audience}'"
    )
    checks.check(rows == "1", f"{label}: one job row for the note and audience", rows)
    media = Path(stack.env["QSG_MEDIA_ROOT"]) / "generated" / "meeting-notes"
    files = sorted(p.name for p in media.glob(f"{job_id}*"))
    checks.check(files == [f"{job_id}.pdf"], f"{label}: one stored file, no duplicate", files)
    response = session.get(
        f"{stack.base_url}/meetings/{meeting}/note/pdf/{job_id}/download/", timeout=10
    )
    pages = 0
    if response.status_code == 200 and response.content.startswith(b"%PDF"):
        tmp = Path(stack.dir) / f"{job_id}.pdf"
        tmp.write_bytes(response.content)
        pages = len(PdfReader(tmp).pages)
    checks.check(pages >= 1, f"{label}: the download is a whole PDF that opens", f"{pages} pages")


def main() -> int:
    checks = Checks("kill -9 the worker during a PDF render and a recompute")
    with Stack(
        "faults-worker", worker_concurrency=1, extra_env={"QSG_VISIBILITY_TIMEOUT": "20"}
    ) as stack:
        stack.start_all()

        # 1. The pool process dies mid-render.
        meeting = published_meeting(stack, "Greater Manchester QSG")
        session = login(stack, "gm.secretariat")
        job_id = request_pdf(stack, session, meeting)
        row = wait_job(stack, job_id, {"running"}, 60)
        killed = kill_pool(stack) if row.get("status") == "running" else []
        checks.check(
            bool(killed),
            "case 1: killed the pool process while the PDF was rendering",
            f"pids {killed}, job {row.get('status')} {row.get('progress')}%",
        )
        check_pdf(checks, stack, session, meeting, job_id, "case 1")
        checks.check(
            "WorkerLostError" in stack.tail("worker", 2000),
            "case 1: the worker reported the lost process and requeued the task",
        )

        # 2. The whole worker dies mid-render; a new one starts.
        meeting = published_meeting(stack, "Lancashire QSG")
        session = login(stack, "lancs.secretariat")
        job_id = request_pdf(stack, session, meeting)
        row = wait_job(stack, job_id, {"running"}, 60)
        running = row.get("status") == "running"
        if running:
            stack.stop("worker", signal.SIGKILL)
        checks.check(running, "case 2: killed the whole worker (kill -9 of its process group)")
        killed_at = time.monotonic()
        stack.start_worker("worker2")
        row = wait_job(stack, job_id, FINISHED, 150)
        log(f"case 2: redelivered and finished {time.monotonic() - killed_at:.0f} s after the kill")
        check_pdf(checks, stack, session, meeting, job_id, "case 2")
        stack.stop("worker2")
        stack.start_worker("worker")

        # 3. A full recompute, its pool process killed part-way. Six years of every indicator for
        # every provider first, so that the recompute works in more than one chunk (each chunk's
        # results are written in one transaction). The kill is set off from the database, not by
        # timing: this script holds a lock on the last series, so the recompute writes its first
        # chunks and then waits on the last one; the pool process is killed while it waits.
        rows = ["provider,indicator,period,value,numerator,denominator"]
        codes = stack.sql("SELECT ods_code FROM qsg_provider ORDER BY id").split()
        indicators = [
            line.split("|")
            for line in stack.sql("SELECT code, kind FROM dashboard_indicator").split()
        ]
        for code, (indicator, kind), i in itertools.product(codes, indicators, range(72)):
            month = f"{2014 + i // 12}-{i % 12 + 1:02d}"
            wobble = (len(code) * 7 + i * 3) % 17
            if kind == "measure":
                rows.append(f"{code},{indicator},{month},{50 + wobble},,")
            else:
                rows.append(f"{code},{indicator},{month},,{20 + wobble},1000")
        big = Path(stack.dir) / "six-years.csv"
        big.write_text("\n".join(rows) + "\n")
        analyst = stack.sql(
            "SELECT u.username FROM qsg_user u JOIN qsg_user_groups g ON g.user_id = u.id "
            "JOIN auth_group a ON a.id = g.group_id WHERE a.name = 'Analysts' ORDER BY u.id LIMIT 1"
        )
        stack.manage("import_observations", str(big), "--user", analyst)
        log(f"case 3: imported {len(rows) - 1:,} rows")
        # Let the recompute that the import queued finish, then ask for a full one.
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and pending_jobs(stack):
            time.sleep(1)
        total = int(stack.sql("SELECT count(*) FROM dashboard_spcseries"))
        watcher = psycopg.connect(stack.env["DATABASE_URL"], autocommit=True)
        holder = psycopg.connect(stack.env["DATABASE_URL"])
        last = holder.execute(
            "SELECT id FROM dashboard_spcseries ORDER BY indicator_id DESC, provider_id DESC "
            "LIMIT 1 FOR UPDATE"
        ).fetchone()[0]
        out = stack.manage(
            "shell",
            "-c",
            "from dashboard import services; print('JOB', services.recompute_request(full=True).pk)",
        )
        job_id = next(line.split()[1] for line in out.splitlines() if line.startswith("JOB "))
        blocked = None
        deadline = time.monotonic() + 240
        while blocked is None and time.monotonic() < deadline:
            found = watcher.execute(
                "SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
                [holder.info.backend_pid],
            ).fetchone()
            blocked = found[0] if found else None
            time.sleep(0.05)
        row = job(stack, job_id)
        written = watcher.execute(
            "SELECT count(*) FROM dashboard_spcseries s, qsg_job j "
            "WHERE j.id = %s AND s.computed_at >= j.started_at",
            [job_id],
        ).fetchone()[0]
        killed = kill_pool(stack) if blocked and row.get("status") == "running" else []
        holder.rollback()  # let go of the last series
        holder.close()
        checks.check(
            bool(killed) and 0 < written < total,
            "case 3: killed the pool process part-way through the recompute",
            f"job {row.get('status')} at {row.get('progress')}%, attempt {row.get('attempts')}, "
            f"{written:,} of {total:,} series written, waiting to write the series {last}",
        )
        row = wait_job(stack, job_id, FINISHED, 300)
        checks.check(
            row.get("status") == "succeeded", "case 3: the recompute finished", row.get("status")
        )
        checks.check(
            row.get("attempts") == 2,
            "case 3: it ran twice (killed, then redelivered)",
            f"{row.get('attempts')}: {row.get('message')}",
        )
        stale = watcher.execute(
            "SELECT count(*) FROM dashboard_spcseries s, qsg_job j "
            "WHERE j.id = %s AND (s.computed_at IS NULL OR s.computed_at < j.started_at)",
            [job_id],
        ).fetchone()[0]
        watcher.close()
        checks.check(
            stale == 0,
            "case 3: the redelivered attempt computed every series again (a full recompute)",
            f"{stale} not written by it",
        )
        series = stack.sql("SELECT count(*) FROM dashboard_spcseries")
        pairs = stack.sql(
            "SELECT count(*) FROM (SELECT DISTINCT indicator_id, provider_id "
            "FROM dashboard_observation) p"
        )
        checks.check(
            series == pairs,
            "case 3: one series per provider and indicator",
            f"{series} series, {pairs} pairs",
        )
        dirty = stack.sql(
            "SELECT count(*) FROM dashboard_spcseries WHERE computed_revision IS DISTINCT FROM data_revision"
        )
        checks.check(dirty == "0", "case 3: every series computed from its current data", dirty)
        before = results_fingerprint(stack)
        stack.manage("shell", "-c", "from dashboard import recompute; recompute.run(full=True)")
        after = results_fingerprint(stack)
        checks.check(
            before == after,
            "case 3: a clean full recompute afterwards gives identical results (nothing half-written)",
            f"{before[:12]} / {after[:12]}",
        )

        # 4. A poison task: every attempt kills its worker.
        meeting = published_meeting(stack, "Wessex QSG")
        session = login(stack, "wessex.secretariat")
        job_id = request_pdf(stack, session, meeting)
        attempts = 0
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            row = job(stack, job_id)
            if row.get("status") in FINISHED:
                break
            if row.get("status") == "running" and row.get("attempts", 0) > attempts:
                attempts = row["attempts"]
                kill_pool(stack)
            time.sleep(0.05)
        checks.check(
            row.get("status") == "failed" and row.get("attempts") == 3,
            "case 4: a task that kills its worker every time fails after three attempts",
            f"{row.get('status')} after {row.get('attempts')} attempts",
        )
        checks.check(
            bool(row.get("message") or row.get("error")),
            "case 4: the job says why",
            row.get("message") or row.get("error"),
        )
        log(f"jobs queued or running right after case 4: {pending_jobs(stack) or 'none'}")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and pending_jobs(stack):
            time.sleep(1)
        left = pending_jobs(stack)
        checks.check(not left, "no job left queued or running", "; ".join(left))
    return checks.exit_code()


if __name__ == "__main__":
    sys.exit(main())
