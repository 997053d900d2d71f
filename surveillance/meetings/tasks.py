"""Background work for meetings: the PDF note and action reminders. Thin and idempotent."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone

from qsg import broker, jobs, pdf
from qsg.models import Job
from surveillance.meetings.models import MeetingNote

log = logging.getLogger(__name__)
STALE_AFTER = dt.timedelta(minutes=10)


def _progress(job_id: str):
    def report(percent: int) -> None:
        Job.objects.filter(pk=job_id).update(progress=percent)

    return report


@shared_task(
    name="surveillance.render_meeting_note_pdf",
    base=jobs.JobTask,
    ignore_result=True,
    acks_late=True,
    time_limit=300,
    soft_time_limit=240,
)
def render_meeting_note_pdf(*, job_id: str) -> None:
    """Render one note for one audience into a file, recording progress on the job row."""
    from surveillance.meetings.pdf import file_name, render_note_pdf

    job = jobs.claim(job_id, stale_after=STALE_AFTER, progress=5)
    if job is None:
        return
    note = (
        MeetingNote.objects.select_related("meeting__qsg").filter(pk=job.counts.get("note")).first()
    )
    if note is None:
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED, error="The note no longer exists", finished_at=timezone.now()
        )
        return
    audience = job.counts.get("audience", "open")
    try:
        rendered = render_note_pdf(
            note,
            audience=audience,
            withheld=job.counts.get("withheld") or [],
            progress=_progress(job_id),
        )
        path = pdf.store(f"meeting-notes/{job.pk}.pdf", rendered.content)
    except jobs.DATABASE_ERRORS:
        raise  # tried again later (jobs.JobTask); the retry takes the job over
    except Exception as exc:
        log.exception("meeting note PDF failed")
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED, error=str(exc)[:1000], finished_at=timezone.now()
        )
        return
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.SUCCEEDED,
        progress=100,
        finished_at=timezone.now(),
        message=f"{rendered.pages} page{'s' if rendered.pages != 1 else ''}",
        counts={
            **job.counts,
            "path": path,
            "pages": rendered.pages,
            "bytes": len(rendered.content),
            "filename": file_name(note, audience),
        },
    )


@shared_task(name="surveillance.send_action_reminders", ignore_result=True, time_limit=600)
def send_action_reminders() -> int:
    """Run daily by beat; sends each reminder once per action and kind."""
    from surveillance.meetings.services.actions import action_reminders_send

    return action_reminders_send()


def retry_note_pdf(job: Job, actor) -> bool:
    """From the failed-jobs page: render the same version of the note again."""
    from qsg import jobs

    return jobs.requeue(
        job, lambda: broker.publish(render_meeting_note_pdf, {"job_id": str(job.pk)})
    )
