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
    from surveillance.packs.services import STALE_AFTER, meeting_pack_render

    # A redelivery (the worker died) or a retry (the database went away) takes over the job and
    # any version the ended attempt had claimed but not finished.
    taking_over = jobs.taking_over()
    job = jobs.claim(job_id, stale_after=STALE_AFTER, progress=2)
    if job is None:
        return
    try:
        versions = meeting_pack_render(job=job, redelivered=taking_over, progress=_progress(job_id))
    except jobs.DATABASE_ERRORS:
        raise  # tried again later (jobs.JobTask); the retry takes the job over
    except Exception as exc:
        log.exception("meeting pack render failed")
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED, error=str(exc)[:1000], finished_at=timezone.now()
        )
        return
    pages = sum(v.pages for v in versions if v.pages)
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.SUCCEEDED,
        progress=100,
        finished_at=timezone.now(),
        message=f"{len(versions)} file{'s' if len(versions) != 1 else ''}, "
        f"{pages} page{'s' if pages != 1 else ''}",
        counts={**job.counts, "files": len(versions), "pages": pages},
    )


@shared_task(name="surveillance.send_return_reminders", ignore_result=True, time_limit=600)
def send_return_reminders() -> int:
    """Run daily by beat; each reminder goes once per pack, organisation and kind."""
    from surveillance.packs.services import return_reminders_send

    return return_reminders_send()


def retry_pack(job: Job, actor) -> bool:
    """From the failed-jobs page: make the same version of the pack again."""
    from qsg import jobs

    return jobs.requeue(job, lambda: broker.publish(render_meeting_pack, {"job_id": str(job.pk)}))
