"""Claiming a background job's row from inside its Celery task.

Tasks are acknowledged late and rejected back to the queue when their worker is lost, so a task
can arrive again after it had started. A task takes its `Job` row with one conditional update:

- a queued job is taken;
- a running job is taken over when the broker says the message is a redelivery: the broker only
  hands out a late-acknowledged message again when the worker that had it died (or when the
  visibility timeout passed, which is longer than any task may run), so the first attempt is gone;
- a running job whose start is older than `stale_after` is taken over (a safety net);
- a job that has already been taken over `MAX_ATTEMPTS` times fails instead: a task that kills
  its worker every time (memory, a crash in a library) must not be redelivered for ever.

Without the second rule a killed render stayed "running" until someone asked again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone

from .models import Job

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
