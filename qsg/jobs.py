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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from .models import Job

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
    return known.label if known else kind.replace("_", " ").replace(".", ": ").capitalize()


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
# Claiming a background job's row from inside its Celery task.
#
# Tasks are acknowledged late and rejected back to the queue when their worker is lost, so a task
# can arrive again after it had started. A task takes its `Job` row with one conditional update:
#
# - a queued job is taken;
# - a running job is taken over when the broker says the message is a redelivery: the broker only
#   hands out a late-acknowledged message again when the worker that had it died (or when the
#   visibility timeout passed, which is longer than any task may run), so the first attempt is gone;
# - a running job whose start is older than `stale_after` is taken over (a safety net);
# - a job that has already been taken over `MAX_ATTEMPTS` times fails instead: a task that kills
#   its worker every time (memory, a crash in a library) must not be redelivered for ever.
#
# Without the second rule a killed render stayed "running" until someone asked again.

MAX_ATTEMPTS = 3
GAVE_UP = "The job stopped its worker {n} times, so it was not tried again."


def redelivered() -> bool:
    """True inside a task whose message the broker has handed out before."""
    from celery import current_task

    request = getattr(current_task, "request", None)
    info = getattr(request, "delivery_info", None) or {}
    return bool(info.get("redelivered"))


def claim(job_id, *, stale_after: timedelta, again: bool | None = None, **fields) -> bool:
    """Mark the job running for this attempt (with `fields`); False if it is not ours to run.

    `again` says whether this delivery is a redelivery; by default the running task's own.
    """
    now = timezone.now()
    takeable = Q(status=Job.Status.QUEUED) | Q(
        status=Job.Status.RUNNING, started_at__lt=now - stale_after
    )
    if again is None:
        again = redelivered()
    if again:
        takeable |= Q(status=Job.Status.RUNNING, attempts__lt=MAX_ATTEMPTS)
    claimed = Job.objects.filter(takeable, pk=job_id).update(
        status=Job.Status.RUNNING, started_at=now, attempts=F("attempts") + 1, **fields
    )
    if not claimed and again:
        Job.objects.filter(pk=job_id, status=Job.Status.RUNNING, attempts__gte=MAX_ATTEMPTS).update(
            status=Job.Status.FAILED,
            message=GAVE_UP.format(n=MAX_ATTEMPTS),
            error=GAVE_UP.format(n=MAX_ATTEMPTS),
            finished_at=now,
        )
    return bool(claimed)


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


def requeue_not_queued() -> int:
    """Send again the recent jobs that could not be queued. Returns how many were sent."""
    sent = 0
    recent = Job.objects.filter(
        status=Job.Status.NOT_QUEUED,
        kind__in=list(_SENDERS),
        created_at__gte=timezone.now() - REQUEUE_WITHIN,
    ).order_by("created_at")
    for job in recent[:200]:
        # Take it back from "not_queued" first, so that two sweeps never send it twice.
        if not Job.objects.filter(pk=job.pk, status=Job.Status.NOT_QUEUED).update(
            status=Job.Status.QUEUED, message="Waiting to start", error="", finished_at=None
        ):
            continue
        try:
            _SENDERS[job.kind](job)
        except Exception as exc:  # the broker is still down: leave it for the next sweep
            Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
                status=Job.Status.NOT_QUEUED, error=str(exc)[:500], finished_at=timezone.now()
            )
            break
        sent += 1
    return sent
