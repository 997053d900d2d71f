"""Background work for meeting packs: rendering, and reminders about member returns.

Thin and idempotent: the task takes a job id, claims the job row, and calls one service.
With late acknowledgement a message whose worker died is delivered again; the redelivered
run (or a retry after the database went away) takes the job, and any half-made version, over
through qsg.jobs.claim, and unique rows keep one file per audience.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from qsg import broker, jobs
from qsg.models import Job

log = logging.getLogger(__name__)


def _progress(job_id: str):
    def report(percent: int) -> None:
        Job.objects.filter(pk=job_id).update(progress=percent)

    return report


def _failed(job_id: str, exc: Exception) -> None:
    from django.core.exceptions import ValidationError

    error = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    Job.objects.filter(pk=job_id, status__in=(Job.Status.QUEUED, Job.Status.RUNNING)).update(
        status=Job.Status.FAILED, error=error[:1000], finished_at=timezone.now()
    )


def finish_if_done(job_id: str) -> bool:
    """Mark the job succeeded once every version of its pack is ready: called by the job's own
    task and by each version's task, so whichever finishes the last version finishes the job
    (a conditional update: once, whoever gets there first). True when it did.

    Only the rows the job's latest attempt made count: after a retry whose content had changed,
    an earlier attempt's row of the old content would otherwise hold the job running for ever
    (and a running job stops the secretariat asking for a new version)."""
    from surveillance.packs.models import PackVersion

    job = Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).first()
    if job is None:
        return False
    versions = PackVersion.objects.filter(
        pack_id=job.counts.get("pack"), number=job.counts.get("number")
    )
    if job.counts.get(
        "versions"
    ):  # the rows its latest attempt made (services.meeting_pack_render)
        versions = versions.filter(pk__in=job.counts["versions"])
    versions = list(versions)
    ready = [v for v in versions if v.status == PackVersion.Status.READY]
    if not versions or len(ready) < len(versions):
        if versions:
            Job.objects.filter(pk=job_id, status=Job.Status.RUNNING, progress__lt=98).update(
                progress=10 + int(88 * len(ready) / len(versions))
            )
        return False
    pages = sum(v.pages for v in versions)
    return bool(
        Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(
            status=Job.Status.SUCCEEDED,
            progress=100,
            finished_at=timezone.now(),
            message=f"{len(versions)} file{'s' if len(versions) != 1 else ''}, "
            f"{pages} page{'s' if pages != 1 else ''}",
            counts={**job.counts, "files": len(versions), "pages": pages},
        )
    )


def _dispatch(job_id: str):
    """Send a members' version to a task of its own; False (render it here) if it cannot be."""

    # To the queue the job came from, so the workers that take pack jobs take their versions.
    info = getattr(render_meeting_pack.request, "delivery_info", None) or {}
    options = {"queue": info["routing_key"]} if info.get("routing_key") else {}

    def send(version) -> bool:
        try:
            broker.publish(
                render_pack_version, {"job_id": job_id, "version_id": version.pk}, **options
            )
        except Exception as exc:
            log.warning("pack version %s rendered in the job's task: %s", version.pk, exc)
            return False
        return True

    return send


@shared_task(
    name="surveillance.render_meeting_pack",
    base=jobs.JobTask,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=900,
    soft_time_limit=840,
)
def render_meeting_pack(*, job_id: str) -> None:
    """The job: make the version rows, send each members' version to its own task
    (render_pack_version), render the full pack here; the last to finish marks the job done."""
    from surveillance.packs.services import STALE_AFTER, meeting_pack_render

    # A redelivery (the worker died) or a retry (the database went away) takes over the job and
    # any version the ended attempt had claimed but not finished.
    taking_over = jobs.taking_over()
    job = jobs.claim(job_id, stale_after=STALE_AFTER, progress=2)
    if job is None:
        return
    try:
        meeting_pack_render(
            job=job, redelivered=taking_over, progress=_progress(job_id), dispatch=_dispatch(job_id)
        )
    except jobs.DATABASE_ERRORS:
        raise  # tried again later (jobs.JobTask); the retry takes the job over
    except Exception as exc:
        log.exception("meeting pack render failed")
        _failed(job_id, exc)
        return
    finish_if_done(job_id)


@shared_task(
    name="surveillance.render_pack_version",
    base=jobs.JobTask,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=900,
    soft_time_limit=840,
)
def render_pack_version(*, job_id: str, version_id: int) -> None:
    """One members' version of a pack job, in parallel with the others. Runs only while its job
    runs; a redelivery (its worker died) takes the version over, and counts as one of the job's
    attempts, so a version that kills its worker every time fails the job as the job's own
    task would."""
    from django.db.models import F

    from surveillance.packs.services import meeting_pack_version_render

    taking_over = jobs.taking_over()
    job = Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).first()
    if job is None:
        return
    if jobs.redelivered():
        limit = jobs.MAX_ATTEMPTS + jobs.retries()
        if not Job.objects.filter(pk=job_id, status=Job.Status.RUNNING, attempts__lt=limit).update(
            attempts=F("attempts") + 1
        ):
            gave_up = jobs.GAVE_UP.format(n=jobs.MAX_ATTEMPTS)
            Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(
                status=Job.Status.FAILED, message=gave_up, error=gave_up, finished_at=timezone.now()
            )
            return
    try:
        meeting_pack_version_render(job=job, version_pk=version_id, redelivered=taking_over)
    except jobs.DATABASE_ERRORS:
        raise
    except Exception as exc:
        log.exception("meeting pack version render failed")
        _failed(job_id, exc)
        return
    finish_if_done(job_id)


@shared_task(name="surveillance.send_return_reminders", ignore_result=True, time_limit=600)
def send_return_reminders() -> int:
    """Run daily by beat; each reminder goes once per pack, organisation and kind."""
    from surveillance.packs.services import return_reminders_send

    return return_reminders_send()


def retry_pack(job: Job, actor) -> bool:
    """From the failed-jobs page: make the same version of the pack again."""
    from qsg import jobs

    return jobs.requeue(job, lambda: broker.publish(render_meeting_pack, {"job_id": str(job.pk)}))
