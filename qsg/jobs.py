"""What each kind of background job is called, who may see it and how to try it again.

The failed-jobs page (qsg.views.failed_jobs) lists qsg.Job rows that failed or could not be
queued. The network core cannot import the apps that create jobs, so they register their kinds
here from their AppConfig.ready():

    jobs.register_retry("meeting_note_pdf", retry_note_pdf, label="Meeting note PDF")

A retry function takes (job, actor) and queues the work again (through the app's own service,
so deduplication and access checks stay where they are); it may raise ValidationError with a
reason to show. ``restrict`` narrows which jobs of that kind a person sees, beyond the common
rule in qsg.access.failed_jobs_for (for example, risk summits are visible to their ring only).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from celery import Task
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from .models import Job
from .vocabulary import say

log = logging.getLogger(__name__)

RETRYABLE_STATUSES = (Job.Status.FAILED, Job.Status.NOT_QUEUED)


@dataclass(frozen=True)
class JobKind:
    kind: str
    label: str
    retry: Callable[[Job, Any], Any] | None = None
    restrict: Callable[[Any, QuerySet[Job]], QuerySet[Job]] | None = None


_KINDS: dict[str, JobKind] = {}


def register(
    kind: str,
    *,
    label: str,
    retry: Callable[[Job, Any], Any] | None = None,
    restrict: Callable[[Any, QuerySet[Job]], QuerySet[Job]] | None = None,
) -> None:
    _KINDS[kind] = JobKind(kind=kind, label=label, retry=retry, restrict=restrict)


def register_retry(kind: str, fn: Callable[[Job, Any], Any], *, label: str = "") -> None:
    """Say how to try a kind of job again (keeps an earlier label and restriction)."""
    known = _KINDS.get(kind)
    register(
        kind,
        label=label or (known.label if known else kind),
        retry=fn,
        restrict=known.restrict if known else None,
    )


def label(kind: str) -> str:
    known = _KINDS.get(kind)
    return say(known.label) if known else kind.replace("_", " ").replace(".", ": ").capitalize()


def can_retry(job: Job) -> bool:
    known = _KINDS.get(job.kind)
    return bool(known and known.retry) and job.status in RETRYABLE_STATUSES


def restrict(user, jobs: QuerySet[Job]) -> QuerySet[Job]:
    """Apply each kind's own restriction; kinds without one keep the common rule."""
    for known in _KINDS.values():
        if known.restrict is not None:
            own = known.restrict(user, jobs.filter(kind=known.kind)).values("pk")
            jobs = jobs.exclude(kind=known.kind) | jobs.filter(kind=known.kind, pk__in=own)
    return jobs


def retry(job: Job, actor) -> Any:
    known = _KINDS.get(job.kind)
    if known is None or known.retry is None:
        raise LookupError(job.kind)
    return known.retry(job, actor)


def requeue(job: Job, publish: Callable[[], Any]) -> bool:
    """Put a failed job back in the queue and publish it once the change is committed.

    ``publish`` sends the app's own task for this job (it claims QUEUED rows only, so a job
    published twice runs once). Returns False when the job is no longer failed, e.g. after a
    double click. If the broker cannot be reached the job says so again (not queued).
    """
    with transaction.atomic():
        changed = Job.objects.filter(pk=job.pk, status__in=RETRYABLE_STATUSES).update(
            status=Job.Status.QUEUED,
            progress=0,
            error="",
            message="Queued again",
            started_at=None,
            finished_at=None,
        )
        if not changed:
            return False
        job_id = job.pk

        def send():
            try:
                publish()
            except Exception as exc:
                log.warning("could not queue %s again: %s", job.kind, exc)
                Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
                    status=Job.Status.NOT_QUEUED,
                    error=str(exc)[:500],
                    message="The job could not be started. Try again in a few minutes.",
                    finished_at=timezone.now(),
                )

        transaction.on_commit(send)
    return True


# Claiming a job from inside its task ------------------------------------------------------------
#
# Tasks are acknowledged late and rejected back to the queue when their worker is lost, so a task
# can arrive again after it had started. A task takes its `Job` row with one conditional update:
#
# - a queued job is taken;
# - a running job is taken over by a *retry* of its task (Celery's retry, e.g. after the database
#   went away: see `JobTask`): the attempt that asked for the retry has ended;
# - a running job is taken over when the broker says the message is a redelivery: the broker only
#   hands out a late-acknowledged message again when the worker that had it died (or when the
#   visibility timeout passed, which is longer than any task may run), so the first attempt is gone;
# - a running job whose start is older than `stale_after` is taken over (a safety net);
# - a job that has already been taken over by redeliveries `MAX_ATTEMPTS` times (retries aside)
#   fails instead: a task that kills its worker every time (memory, a crash in a library) must not
#   be redelivered for ever.
#
# Without the redelivery and retry rules a killed render, or an import caught by a database
# restart, stayed "running" until someone asked again (or for ever).

MAX_ATTEMPTS = 3
GAVE_UP = "The job stopped its worker {n} times, so it was not tried again."


def _request():
    from celery import current_task

    return getattr(current_task, "request", None)


def redelivered() -> bool:
    """True inside a task whose message the broker has handed out before."""
    info = getattr(_request(), "delivery_info", None) or {}
    return bool(info.get("redelivered"))


def retries() -> int:
    """How many times the running task has been retried (0 for a first attempt, or no task)."""
    return int(getattr(_request(), "retries", 0) or 0)


def taking_over() -> bool:
    """True when an earlier attempt of this task may have left its work half done."""
    return redelivered() or retries() > 0


def claim(
    job_id,
    *,
    stale_after: timedelta,
    again: bool | None = None,
    retry: int | None = None,
    **fields,
) -> Job | None:
    """Mark the job running for this attempt (with `fields`) and return it; None if it is not
    ours to run. The one way a task takes its job (every app's tasks call it).

    `again` says whether this delivery is a redelivery and `retry` how many times the task has
    been retried; by default the running task's own.
    """
    now = timezone.now()
    takeable = Q(status=Job.Status.QUEUED) | Q(
        status=Job.Status.RUNNING, started_at__lt=now - stale_after
    )
    if again is None:
        again = redelivered()
    if retry is None:
        retry = retries()
    # Retries claim the job too, so the redelivery limit counts the attempts beyond them.
    limit = MAX_ATTEMPTS + retry
    if retry and not again:
        takeable |= Q(status=Job.Status.RUNNING)
    if again:
        takeable |= Q(status=Job.Status.RUNNING, attempts__lt=limit)
    claimed = Job.objects.filter(takeable, pk=job_id).update(
        status=Job.Status.RUNNING, started_at=now, attempts=F("attempts") + 1, **fields
    )
    if not claimed and again:
        Job.objects.filter(pk=job_id, status=Job.Status.RUNNING, attempts__gte=limit).update(
            status=Job.Status.FAILED,
            message=GAVE_UP.format(n=MAX_ATTEMPTS),
            error=GAVE_UP.format(n=MAX_ATTEMPTS),
            finished_at=now,
        )
    return Job.objects.filter(pk=job_id).first() if claimed else None


# When the database goes away during a job -------------------------------------------------------
#
# A job's task is retried when the database cannot be reached or its connection broke
# (OperationalError, InterfaceError): with exponential back-off and jitter, `DATABASE_RETRIES`
# times, about 2.5 to 4.5 minutes in all. Celery's Django fix-up closes the task's database
# connections before and after every task, so each retry starts on a fresh connection. The work
# of each job kind is all-or-nothing per transaction, so a retry never finds half-written rows.
#
# When the retries run out the job is marked failed with `DATABASE_GONE` (if the database is back
# by then); if it is still down, beat's `fail_abandoned` sweep marks it failed once it is back.

DATABASE_ERRORS = (OperationalError, InterfaceError)
DATABASE_RETRIES = 6
RETRY_FIRST_DELAY = 5.0  # seconds
RETRY_MAX_DELAY = 120.0
DATABASE_GONE = "The job stopped because the database could not be reached. Try it again."
ABANDONED = "The job stopped without finishing (its worker or the database was lost). Try it again."


def retry_delay(retries: int) -> float:
    """Seconds before retry number `retries + 1`: doubling, capped, half of it random."""
    ceiling = min(RETRY_MAX_DELAY, RETRY_FIRST_DELAY * 2**retries)
    return ceiling / 2 + random.uniform(0, ceiling / 2)


class JobTask(Task):
    """Base of every task that runs a `Job`: retried while the database is unreachable.

    Each task still handles its own failures (and marks its job failed); this handles what it
    cannot: the database going away, and anything that escaped the task's own handler.
    """

    autoretry_for = DATABASE_ERRORS
    max_retries = DATABASE_RETRIES
    retry_backoff = False  # retry_delay below: exponential, with a floor as well as jitter

    def retry(self, args=None, kwargs=None, exc=None, throw=True, eta=None, countdown=None,
              max_retries=None, **options):  # fmt: skip
        if eta is None and countdown is None:
            countdown = retry_delay(self.request.retries)
        return super().retry(args, kwargs, exc, throw, eta, countdown, max_retries, **options)

    def job_of(self, kwargs: dict) -> str | None:
        """The id of the job this task runs, from its keyword arguments."""
        return kwargs.get("job_id")

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        from celery.exceptions import TimeLimitExceeded

        if isinstance(exc, DATABASE_ERRORS):
            message = DATABASE_GONE
        elif isinstance(exc, TimeLimitExceeded):
            message = "The job took too long and was stopped."
        else:
            message = "The job failed."
        try:
            job_id = self.job_of(kwargs or {})
            if job_id:
                Job.objects.filter(
                    pk=job_id, status__in=(Job.Status.QUEUED, Job.Status.RUNNING)
                ).update(
                    status=Job.Status.FAILED,
                    message=message,
                    error=f"{type(exc).__name__}: {exc}"[:1000],
                    finished_at=timezone.now(),
                )
        except DATABASE_ERRORS as still_down:
            log.warning("job of task %s not marked failed, the database is down: %s", task_id,
                        still_down)  # fmt: skip
        super().on_failure(exc, task_id, args, kwargs, einfo)


def abandoned_after() -> timedelta:
    """How long after its start a running job can only have been lost.

    Longer than any task may run, and than the broker waits before handing out again a message
    whose worker died (the visibility timeout), with ten minutes to spare.
    """
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
    longest = max(settings.CELERY_TASK_TIME_LIMIT, options.get("visibility_timeout", 3600))
    return timedelta(seconds=longest + 10 * 60)


def fail_abandoned() -> int:
    """Mark failed the jobs left "running" by attempts that can no longer be running.

    Run by beat: for example an import whose retries ran out while the database was still down,
    or a task stopped by its hard time limit. Returns how many were marked.
    """
    now = timezone.now()
    return Job.objects.filter(
        status=Job.Status.RUNNING, started_at__lt=now - abandoned_after()
    ).update(status=Job.Status.FAILED, message=ABANDONED, error=ABANDONED, finished_at=now)


# Jobs that could not be queued ----------------------------------------------------------------
#
# When the broker is down, a request that needs a job answers at once and marks the job
# "not_queued" (the page says the background service is not available). Beat runs
# `requeue_not_queued` every minute: once the broker is back, those jobs are sent again without
# anyone having to ask. Each app registers, per job kind, how to send one of its jobs.

REQUEUE_WITHIN = timedelta(hours=1)
_SENDERS: dict[str, Callable[[Job], None]] = {}


def register_requeue(kind: str, send: Callable[[Job], None]) -> None:
    """`send(job)` publishes the task that runs this job (raising if the broker is down)."""
    _SENDERS[kind] = send


def send_again(job: Job) -> bool:
    """Publish a queued job's task once more (its claim runs it once however often it is sent).

    For a broker that lost its messages while the database kept the jobs; False for a kind
    that registered no sender.
    """
    send = _SENDERS.get(job.kind)
    if send is None:
        return False
    send(job)
    return True


def requeue_not_queued() -> int:
    """Send again the recent jobs that could not be queued. Returns how many were sent."""
    from .notifications import resend

    recent = Job.objects.filter(
        status=Job.Status.NOT_QUEUED,
        kind__in=list(_SENDERS),
        created_at__gte=timezone.now() - REQUEUE_WITHIN,
    ).order_by("created_at")

    def send(job: Job) -> bool:
        try:
            _SENDERS[job.kind](job)
        except Exception as exc:  # the broker is still down: leave it for the next sweep
            Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
                status=Job.Status.NOT_QUEUED, error=str(exc)[:500], finished_at=timezone.now()
            )
            return False
        return True

    return resend(
        recent[:200],
        # Take it back from "not_queued" first, so that two sweeps never send it twice.
        take=lambda job: bool(
            Job.objects.filter(pk=job.pk, status=Job.Status.NOT_QUEUED).update(
                status=Job.Status.QUEUED, message="Waiting to start", error="", finished_at=None
            )
        ),
        send=send,
    )


# Jobs whose message was lost -------------------------------------------------------------------
#
# A job can say "queued" while the broker no longer holds its message: Redis restarted without
# its data, or was restored from an older snapshot. Nothing would ever run it, and a recompute
# asked for meanwhile joins the queued one instead of running. Beat runs `resend_stalled` every
# 15 minutes: a job queued for longer than a normal wait is sent again (its claim runs it once
# however often it is sent), and one that has not started within a day is marked failed, so it
# shows on the failed-jobs page with "Try again".

STALLED_AFTER = timedelta(minutes=15)
NEVER_STARTED_AFTER = timedelta(days=1)
NEVER_STARTED = "The job never started (its message was lost). Try it again."


def resend_stalled() -> int:
    """Send again the jobs queued for too long; fail those queued for a day. Returns how many
    were sent."""
    now = timezone.now()
    Job.objects.filter(status=Job.Status.QUEUED, created_at__lt=now - NEVER_STARTED_AFTER).update(
        status=Job.Status.FAILED, message=NEVER_STARTED, error=NEVER_STARTED, finished_at=now
    )
    stalled = Job.objects.filter(
        status=Job.Status.QUEUED, kind__in=list(_SENDERS), created_at__lt=now - STALLED_AFTER
    ).order_by("created_at")
    sent = 0
    for job in stalled[:200]:
        try:
            send_again(job)
        except Exception as exc:  # the broker is down: requeue_not_queued's sweep covers it
            log.warning("could not send stalled job %s again: %s", job.pk, exc)
            break
        sent += 1
    if sent:
        log.info("sent %d stalled jobs again", sent)
    return sent
