"""A real Celery worker (not eager) imports a file, recomputes, and the results are visible."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from dashboard import services
from dashboard.models import ImportBatch, SpcSeries
from qsg.models import Job
from tests.cast import build_cast
from tests.signin import log_in

from .helpers import ae_rows, csv_bytes


def _wait(predicate, worker, seconds=60, batch=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    state = ""
    if batch is not None:
        job = Job.objects.get(pk=batch.job_id)
        state = f"{job.status} {job.progress} {job.message} {job.error}"
    raise AssertionError(f"timed out {state}; worker log:\n{worker.log()[-4000:]}")


@pytest.mark.worker
def test_upload_import_and_recompute_on_a_real_worker(celery_worker):
    cast = build_cast()
    analyst = cast.users["member_b"]
    rows = ae_rows("RBA", n=24, shift_at=18, shift=0.08) + ae_rows("RAA", n=24)
    batch, created = services.import_submit(
        actor=analyst, file_name="returns.csv", content=csv_bytes(rows)
    )
    assert created
    _wait(lambda: Job.objects.get(pk=batch.job_id).is_finished, celery_worker, 15, batch)
    batch = ImportBatch.objects.select_related("job").get(pk=batch.pk)
    assert batch.job.status == Job.Status.SUCCEEDED, (batch.job.message, celery_worker.log())
    assert batch.rows_created == 48 and batch.recompute_job_id is not None
    _wait(lambda: Job.objects.get(pk=batch.recompute_job_id).is_finished, celery_worker)
    recompute = Job.objects.get(pk=batch.recompute_job_id)
    assert recompute.status == Job.Status.SUCCEEDED and recompute.counts["series"] == 2
    assert recompute.duration_seconds is not None
    assert "dashboard.import_observations" in celery_worker.log()
    assert "dashboard.recompute" in celery_worker.log()

    series = SpcSeries.objects.get(provider__ods_code="RBA")
    assert series.is_current and series.variation == "concern_high"
    client = Client()
    log_in(client, analyst)
    body = client.get(f"/dashboard/providers/{series.provider_id}/AE_4HR/").content.decode()
    assert "Special cause concern (high)" in body

    # the same file again: nothing changes and no recompute is queued
    again, _ = services.import_submit(
        actor=analyst, file_name="returns.csv", content=csv_bytes(rows)
    )
    _wait(lambda: Job.objects.get(pk=again.job_id).is_finished, celery_worker)
    again.refresh_from_db()
    assert again.rows_unchanged == 48 and again.recompute_job_id is None
