"""kill -9 of the pool processes rendering a pack: the redelivered tasks (the job's own, through
qsg.jobs.claim, and any version's rendered in parallel) take the work over and the pack ends
finished, with exactly one file per version.

The kill lands at the worst moment, set off from the database rather than by timing: once the
render has stored a version's file, the test holds that version's row so the render cannot
record the file, and kills the pool process while it waits.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import psycopg
import pytest
from django.core.files.storage import default_storage
from django.db import connection

from qsg.celery import app as celery_app
from qsg.models import Job
from surveillance.packs import services as sp
from surveillance.packs.models import PackVersion
from tests.worker import _database_url, start_worker, stop_worker

from .factories import pack_scenario


@pytest.fixture
def prefork_worker(transactional_db):
    """A real worker with a prefork pool, whose pool process can be killed on its own."""
    worker = start_worker(concurrency=2)
    saved = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = worker.queue
    try:
        yield worker
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = saved
        stop_worker(worker)


def _pool(worker) -> list[int]:
    pid = worker.process.pid
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _blocked_by(pid: int) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", [pid]
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _hold_a_stored_version(holder, job: Job, worker, seconds: float = 120) -> int:
    """Lock a version whose file the render has stored but not yet recorded; its id."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        claimed = list(
            PackVersion.objects.filter(job=job, status=PackVersion.Status.RENDERING)
            .exclude(claim="")
            .values_list("pk", flat=True)
        )
        for pk in claimed:
            # Taken only while still rendering: the render's "ready" update must then wait.
            held = holder.execute(
                "SELECT id FROM surveillance_packversion WHERE id = %s AND status = 'rendering' "
                "FOR UPDATE",
                [pk],
            ).fetchone()
            if held:
                return pk
            holder.rollback()
        time.sleep(0.02)
    raise AssertionError(f"no version was seen rendering; worker log:\n{worker.log()[-4000:]}")


@pytest.mark.worker
def test_a_pack_render_killed_mid_render_finishes_once_with_one_file_per_version(
    prefork_worker, cast
):
    s = pack_scenario(cast)
    folder = f"generated/packs/{s['pack'].pk}/v1"
    if default_storage.exists(folder):  # files of an earlier run's pack with the same id
        for name in default_storage.listdir(folder)[1]:
            default_storage.delete(f"{folder}/{name}")
    job = sp.meeting_pack_render_request(actor=cast.users["secretariat_a"], pack=s["pack"])
    holder = psycopg.connect(_database_url())
    try:
        held = _hold_a_stored_version(holder, job, prefork_worker)
        deadline = time.monotonic() + 120
        waiting = None
        while waiting is None and time.monotonic() < deadline:
            waiting = _blocked_by(holder.info.backend_pid)  # the file is stored, not recorded
            time.sleep(0.05)
        assert waiting, prefork_worker.log()[-4000:]
        for pid in _pool(prefork_worker):
            os.kill(pid, signal.SIGKILL)
        # The killed process's session ends with it (PostgreSQL would notice the lost client
        # only once the lock is free): its update of the version never happens.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [waiting])
    finally:
        holder.rollback()
        holder.close()

    deadline = time.monotonic() + 180
    job.refresh_from_db()
    while not job.is_finished and time.monotonic() < deadline:
        time.sleep(0.3)
        job.refresh_from_db()
    log = prefork_worker.log()
    assert job.status == Job.Status.SUCCEEDED, (job.message, job.error, log[-4000:])
    assert "WorkerLostError" in log
    # Killed, then redelivered and taken over: the job's task and the task of the version it
    # was rendering in parallel (render_pack_version) each count one attempt when redelivered,
    # so 2 when the kill caught one of them, 3 when it caught both.
    assert job.attempts in (2, 3), job.attempts
    versions = list(PackVersion.objects.filter(pack=s["pack"], number=1))
    assert len(versions) == job.counts["files"] == 3
    assert held in {v.pk for v in versions}
    assert all(v.status == PackVersion.Status.READY and v.file for v in versions)
    # Exactly one file per version: the killed attempt's unrecorded file was removed.
    stored = sorted(f"{folder}/{name}" for name in default_storage.listdir(folder)[1])
    assert stored == sorted(v.file for v in versions)
