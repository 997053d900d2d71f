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
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
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
