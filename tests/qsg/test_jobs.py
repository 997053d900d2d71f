"""Claiming a job's row: a redelivered task takes over its dead attempt, within limits."""

from datetime import timedelta

import pytest
from django.utils import timezone

from qsg import jobs
from qsg.models import Job

pytestmark = pytest.mark.django_db
STALE = timedelta(minutes=10)


def _job(**fields) -> Job:
    return Job.objects.create(**{"kind": "test", **fields})


def test_a_queued_job_is_claimed_once():
    job = _job()
    assert jobs.claim(job.pk, stale_after=STALE, again=False, progress=5)
    assert not jobs.claim(job.pk, stale_after=STALE, again=False)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress) == (Job.Status.RUNNING, 1, 5)


def test_a_redelivered_task_takes_over_its_running_job():
    job = _job()
    assert jobs.claim(job.pk, stale_after=STALE, again=False)
    # The worker died; the broker hands the message out again.
    assert jobs.claim(job.pk, stale_after=STALE, again=True)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.RUNNING, 2)


def test_a_duplicate_delivery_does_not_take_a_fresh_running_job():
    job = _job()
    assert jobs.claim(job.pk, stale_after=STALE, again=False)
    assert not jobs.claim(job.pk, stale_after=STALE, again=False)


def test_a_stale_running_job_is_taken_over():
    job = _job(status=Job.Status.RUNNING, started_at=timezone.now() - timedelta(hours=1))
    assert jobs.claim(job.pk, stale_after=STALE, again=False)


def test_finished_jobs_are_never_claimed():
    for status in (Job.Status.SUCCEEDED, Job.Status.FAILED, Job.Status.NOT_QUEUED):
        job = _job(status=status)
        assert not jobs.claim(job.pk, stale_after=STALE, again=True)
        job.refresh_from_db()
        assert job.status == status


def test_a_task_that_kills_its_worker_every_time_fails_after_three_attempts():
    job = _job()
    assert jobs.claim(job.pk, stale_after=STALE, again=False)
    assert jobs.claim(job.pk, stale_after=STALE, again=True)
    assert jobs.claim(job.pk, stale_after=STALE, again=True)
    assert not jobs.claim(job.pk, stale_after=STALE, again=True)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.FAILED, jobs.MAX_ATTEMPTS)
    assert "3 times" in job.message and job.finished_at is not None


def test_outside_a_task_nothing_is_a_redelivery():
    assert jobs.redelivered() is False


def test_jobs_that_could_not_be_queued_are_sent_again_once():
    sent = []
    jobs.register_requeue("test.requeue", lambda job: sent.append(job.pk))
    job = _job(kind="test.requeue", status=Job.Status.NOT_QUEUED)
    old = _job(kind="test.requeue", status=Job.Status.NOT_QUEUED)
    Job.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=2))
    other = _job(kind="unregistered", status=Job.Status.NOT_QUEUED)
    assert jobs.requeue_not_queued() == 1
    assert jobs.requeue_not_queued() == 0
    assert sent == [job.pk]
    job.refresh_from_db(), old.refresh_from_db(), other.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.finished_at is None
    assert old.status == other.status == Job.Status.NOT_QUEUED


def test_a_job_stays_not_queued_while_the_broker_is_still_down():
    def down(job):
        raise OSError("Connection refused")

    jobs.register_requeue("test.down", down)
    job = _job(kind="test.down", status=Job.Status.NOT_QUEUED)
    assert jobs.requeue_not_queued() == 0
    job.refresh_from_db()
    assert job.status == Job.Status.NOT_QUEUED and "refused" in job.error


def test_every_kind_of_job_can_be_sent_again():
    import importlib

    import qsg.jobs

    # The worker imports every app's tasks module; each registers its kinds when imported.
    for module in ("dashboard.tasks", "surveillance.tasks_meetings", "risksummits.tasks"):
        importlib.import_module(module)

    assert {
        "dashboard.import",
        "dashboard.recompute",
        "meeting_note_pdf",
        "risk_summit_pdf",
    } <= set(qsg.jobs._SENDERS)
