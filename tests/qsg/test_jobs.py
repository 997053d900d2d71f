"""Claiming a job's row: a redelivered or retried task takes over its ended attempt, within limits."""

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
    for module in ("dashboard.tasks", "surveillance.meetings.tasks", "risksummits.tasks"):
        importlib.import_module(module)

    assert {
        "dashboard.import",
        "dashboard.recompute",
        "meeting_note_pdf",
        "risk_summit_pdf",
    } <= set(qsg.jobs._SENDERS)


# Retries (the database went away) -------------------------------------------------------------


def test_a_retry_takes_over_its_running_job():
    job = _job()
    assert jobs.claim(job.pk, stale_after=STALE, again=False, retry=0)
    # The attempt met a database error and asked Celery to try again; that attempt has ended.
    assert jobs.claim(job.pk, stale_after=STALE, again=False, retry=1, progress=7)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress) == (Job.Status.RUNNING, 2, 7)


def test_a_first_attempt_does_not_take_a_running_job_a_retry_would():
    job = _job()
    assert jobs.claim(job.pk, stale_after=STALE, again=False, retry=0)
    assert not jobs.claim(job.pk, stale_after=STALE, again=False, retry=0)
    assert jobs.claim(job.pk, stale_after=STALE, again=False, retry=1)


def test_a_retry_of_a_job_never_claimed_takes_it_queued():
    # The first attempt could not even claim the job: the database was already down.
    job = _job()
    assert jobs.claim(job.pk, stale_after=STALE, again=False, retry=1)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.RUNNING, 1)


def test_a_retry_never_takes_a_finished_job():
    for status in (Job.Status.SUCCEEDED, Job.Status.FAILED, Job.Status.NOT_QUEUED):
        job = _job(status=status)
        assert not jobs.claim(job.pk, stale_after=STALE, again=False, retry=3)
        job.refresh_from_db()
        assert job.status == status and job.attempts == 0


def test_retries_do_not_use_up_the_redelivery_limit():
    job = _job()
    for retry in range(4):  # a first attempt and three retries, each claiming the job
        assert jobs.claim(job.pk, stale_after=STALE, again=False, retry=retry)
    # Then the fourth attempt's worker dies twice: still taken over, three attempts beyond retries.
    assert jobs.claim(job.pk, stale_after=STALE, again=True, retry=3)
    assert jobs.claim(job.pk, stale_after=STALE, again=True, retry=3)
    assert not jobs.claim(job.pk, stale_after=STALE, again=True, retry=3)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.FAILED, 6)
    assert job.message == jobs.GAVE_UP.format(n=jobs.MAX_ATTEMPTS)


def test_outside_a_task_there_is_no_retry():
    assert jobs.retries() == 0 and jobs.taking_over() is False


def test_retry_delays_grow_with_jitter_and_stay_bounded():
    ceilings = [
        min(jobs.RETRY_MAX_DELAY, jobs.RETRY_FIRST_DELAY * 2**n)
        for n in range(jobs.DATABASE_RETRIES)
    ]
    for n, ceiling in enumerate(ceilings):
        delays = {jobs.retry_delay(n) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jitter: workers retrying together do not stampede
    # Between about two and five minutes in all, then the job is marked failed.
    assert sum(ceilings) / 2 >= 120 and sum(ceilings) <= 300


def test_jobs_left_running_long_after_any_attempt_could_run_are_marked_failed():
    long_ago = timezone.now() - jobs.abandoned_after() - timedelta(minutes=1)
    lost = _job(status=Job.Status.RUNNING, started_at=long_ago)
    recent = _job(status=Job.Status.RUNNING, started_at=timezone.now() - timedelta(minutes=14))
    queued = _job(status=Job.Status.QUEUED)
    assert jobs.fail_abandoned() == 1
    lost.refresh_from_db(), recent.refresh_from_db(), queued.refresh_from_db()
    assert lost.status == Job.Status.FAILED and lost.message == jobs.ABANDONED
    assert lost.finished_at is not None and jobs.can_retry(lost) is False  # kind "test"
    assert (recent.status, queued.status) == (Job.Status.RUNNING, Job.Status.QUEUED)


def test_the_abandoned_limit_outlasts_task_time_limits_and_redelivery(settings):
    limit = jobs.abandoned_after().total_seconds()
    assert limit > settings.CELERY_TASK_TIME_LIMIT
    assert limit > settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]


def test_every_job_task_is_retried_when_the_database_goes_away():
    from celery import current_app

    import dashboard.tasks  # noqa: F401 (registers the tasks)
    import risksummits.tasks  # noqa: F401
    import surveillance.meetings.tasks
    import surveillance.packs.tasks  # noqa: F401

    for name in (
        "dashboard.import_observations",
        "dashboard.recompute",
        "surveillance.render_meeting_note_pdf",
        "surveillance.render_meeting_pack",
        "risksummits.render_summit_pdf",
    ):
        task = current_app.tasks[name]
        assert isinstance(task, jobs.JobTask), name
        assert set(jobs.DATABASE_ERRORS) <= set(task.autoretry_for), name
        assert task.max_retries == jobs.DATABASE_RETRIES, name


def test_a_queued_job_can_be_sent_again_through_its_kind():
    sent = []
    jobs.register_requeue("test.again", lambda job: sent.append(job.pk))
    job = _job(kind="test.again")
    assert jobs.send_again(job) is True and sent == [job.pk]
    assert jobs.send_again(_job(kind="unregistered")) is False


def test_a_job_queued_too_long_is_sent_again_and_one_queued_a_day_fails():
    """The broker lost the message (Redis restarted without its data): beat sends it again."""
    sent = []
    jobs.register_requeue("test.stalled", lambda job: sent.append(job.pk))
    now = timezone.now()
    fresh = _job(kind="test.stalled", status=Job.Status.QUEUED)
    stalled = _job(kind="test.stalled", status=Job.Status.QUEUED)
    lost = _job(kind="test.stalled", status=Job.Status.QUEUED)
    running = _job(kind="test.stalled", status=Job.Status.RUNNING)
    Job.objects.filter(pk__in=[stalled.pk, running.pk]).update(
        created_at=now - jobs.STALLED_AFTER - timedelta(minutes=1)
    )
    Job.objects.filter(pk=lost.pk).update(created_at=now - timedelta(days=2))

    assert jobs.resend_stalled() == 1
    assert sent == [stalled.pk]  # not the fresh one, not the running one
    lost.refresh_from_db(), stalled.refresh_from_db(), fresh.refresh_from_db()
    assert (lost.status, lost.message) == (Job.Status.FAILED, jobs.NEVER_STARTED)
    assert stalled.status == fresh.status == Job.Status.QUEUED  # its claim decides who runs it
    assert lost.status in jobs.RETRYABLE_STATUSES  # the failed-jobs page offers "Try again"


def test_stalled_jobs_wait_for_the_broker_to_come_back():
    def down(job):
        raise OSError("Connection refused")

    jobs.register_requeue("test.stalled-down", down)
    job = _job(kind="test.stalled-down", status=Job.Status.QUEUED)
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert jobs.resend_stalled() == 0
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
