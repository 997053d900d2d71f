"""Background work for risk summits: alerts, default ring-holders, referrals and PDFs.

Thin and idempotent: each task calls one service, which claims its work before doing it.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone

from qsg import broker, jobs, pdf
from qsg.models import Job

log = logging.getLogger(__name__)
STALE_AFTER = dt.timedelta(minutes=10)


@shared_task(name="risksummits.send_alerts", ignore_result=True, time_limit=300)
def send_alerts() -> int:
    """Beat: first meetings not booked or held in time, actions past their due dates."""
    from .services.alerts import alerts_send

    return alerts_send()


@shared_task(name="risksummits.apply_ring_holder_defaults", ignore_result=True, time_limit=300)
def apply_ring_holder_defaults() -> int:
    """Beat: NHS England holds the ring where no agreement came within the window."""
    from .services.ring_holder import ring_holder_defaults_apply

    return ring_holder_defaults_apply()


@shared_task(name="risksummits.pick_up_referrals", ignore_result=True, time_limit=300)
def pick_up_referrals() -> int:
    """Beat: a summit for each "risk summit required" conclusion of an agreed note, once."""
    from .services.trigger import referrals_pick_up

    return referrals_pick_up()


def _progress(job_id: str):
    def report(percent: int) -> None:
        Job.objects.filter(pk=job_id).update(progress=percent)

    return report


@shared_task(
    name="risksummits.render_summit_pdf",
    base=jobs.JobTask,
    ignore_result=True,
    acks_late=True,
    time_limit=300,
    soft_time_limit=240,
)
def render_summit_pdf(*, job_id: str) -> None:
    """Render one version of a meeting's record or the closure report into a stored file."""
    from .models import SummitDocument
    from .pdf import file_name, render_document

    if not jobs.claim(job_id, stale_after=STALE_AFTER, progress=5):
        return
    document = (
        SummitDocument.objects.select_related("summit", "meeting", "job")
        .filter(job_id=job_id)
        .first()
    )
    if document is None:
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED,
            error="The document no longer exists",
            finished_at=timezone.now(),
        )
        return
    try:
        rendered = render_document(document, progress=_progress(job_id))
        path = pdf.store(f"risk-summits/{job_id}.pdf", rendered.content)
    except jobs.DATABASE_ERRORS:
        raise  # tried again later (jobs.JobTask); the retry takes the job over
    except Exception as exc:
        log.exception("risk summit PDF failed")
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
            **document.job.counts,
            "path": path,
            "pages": rendered.pages,
            "bytes": len(rendered.content),
            "filename": file_name(document),
        },
    )


def retry_summit_pdf(job: Job, actor) -> bool:
    """From the failed-jobs page: render the same version of the document again."""
    from qsg import jobs

    return jobs.requeue(job, lambda: broker.publish(render_summit_pdf, {"job_id": str(job.pk)}))


def jobs_in_ring(user, jobs):
    """A summit's jobs are seen only by those who see the summit (its ring)."""
    from .access import summits_for

    return jobs.filter(counts__summit__in=list(summits_for(user).values_list("pk", flat=True)))
