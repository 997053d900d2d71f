"""A real worker whose database connection is killed mid-import retries the task, which loads once.

The error is real: the test holds a lock that the import's write must wait for, finds the
worker's blocked backend and ends it with pg_terminate_backend (what a PostgreSQL restart or a
failover does to every connection), then lets go of the lock.
"""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import connection

from dashboard import services
from dashboard.models import ImportBatch, Observation
from qsg.models import Job
from tests.cast import build_cast
from tests.worker import _database_url

from .helpers import ae_rows, csv_bytes


def _until(predicate, worker, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"{what}: timed out; worker log:\n{worker.log()[-4000:]}")


def _blocked_by(pid: int) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", [pid]
        )
        row = cursor.fetchone()
    return row[0] if row else None


@pytest.mark.worker
def test_an_import_whose_database_connection_dies_is_retried_and_loads_once(celery_worker):
    cast = build_cast()
    analyst = cast.users["member_b"]
    rows = ae_rows("RBA", n=24) + ae_rows("RAA", n=24)
    holder = psycopg.connect(_database_url())
    try:
        holder.execute("LOCK TABLE dashboard_observation IN SHARE MODE")  # inserts must wait
        batch, created = services.import_submit(
            actor=analyst, file_name="returns.csv", content=csv_bytes(rows)
        )
        assert created
        worker_pid = _until(
            lambda: _blocked_by(holder.info.backend_pid),
            celery_worker,
            30,
            "the import reaching its write",
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [worker_pid])
    finally:
        holder.rollback()
        holder.close()

    _until(lambda: Job.objects.get(pk=batch.job_id).is_finished, celery_worker, 60, "the import")
    batch = ImportBatch.objects.select_related("job").get(pk=batch.pk)
    log = celery_worker.log()
    assert batch.job.status == Job.Status.SUCCEEDED, (batch.job.message, batch.job.error, log)
    # The first attempt was cut off and asked to be retried; the retry took the job over.
    assert "Retry in" in log and "terminating connection" in log, log[-4000:]
    assert batch.job.attempts == 2
    assert batch.outcome == ImportBatch.Outcome.LOADED and batch.rows_created == 48
    assert Observation.objects.filter(batch=batch).count() == 48
    assert Observation.objects.count() == 48  # once, nothing left from the first attempt
    # The recompute it queued runs too (and finishes before the worker is stopped).
    _until(
        lambda: Job.objects.get(pk=batch.recompute_job_id).is_finished,
        celery_worker,
        60,
        "the recompute",
    )
    assert Job.objects.get(pk=batch.recompute_job_id).status == Job.Status.SUCCEEDED
