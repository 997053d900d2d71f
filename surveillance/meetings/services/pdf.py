"""Requests for the PDF of a meeting note (rendered by a task, cached per version and audience)."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction

from qsg import broker
from qsg.models import Job
from surveillance.meetings.models import MeetingNote, NoteEvent
from surveillance.meetings.services._common import _event, _on_commit

PDF_KIND = "meeting_note_pdf"


def pdf_job_key(note: MeetingNote, audience: str, withheld=()) -> str:
    """One file per version, revision and audience; the audience includes the intelligence
    items its readers may not read (`pdf.withheld_for`), named by a digest."""
    key = f"{PDF_KIND}:{note.pk}:v{note.version}:r{note.revision}:{audience}"
    if withheld:
        digest = hashlib.sha256(",".join(str(i) for i in sorted(withheld)).encode()).hexdigest()
        key += f":w{digest[:16]}"
    return key


@transaction.atomic
def meeting_note_pdf_request(
    *, actor, note: MeetingNote, audience: str, withheld=()
) -> tuple[Job, bool]:
    """The job rendering this version (and revision) of the note for this audience.

    Returns (job, queued): a finished job is reused (the PDF is cached per version and audience);
    a failed one is queued again.
    """
    if audience not in {"full", "open"}:
        raise ValidationError("Unknown audience")
    withheld = sorted({int(i) for i in withheld})
    key = pdf_job_key(note, audience, withheld)
    job, created = Job.objects.select_for_update().get_or_create(
        key=key,
        defaults={
            "kind": PDF_KIND,
            "created_by": actor,
            "organisation_id": getattr(actor, "organisation_id", None),
            "qsg_id": note.meeting.qsg_id,
            "counts": {
                "meeting": note.meeting_id,
                "note": note.pk,
                "audience": audience,
                "withheld": withheld,
            },
        },
    )
    requeue = not created and job.status in {Job.Status.FAILED, Job.Status.NOT_QUEUED}
    if requeue:
        job.status = Job.Status.QUEUED
        job.progress = 0
        job.error = ""
        job.message = ""
        job.save(update_fields=["status", "progress", "error", "message"])
    if created or requeue:
        _event(
            note.meeting, actor, NoteEvent.Verb.PDF_REQUESTED, version=note.version, detail=audience
        )
        job_id = str(job.pk)

        def enqueue():
            from surveillance.meetings.tasks import render_meeting_note_pdf

            try:
                broker.publish(render_meeting_note_pdf, {"job_id": job_id})
            except Exception as exc:
                Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
                    status=Job.Status.NOT_QUEUED, error=str(exc)[:500]
                )

        _on_commit(enqueue)
    return job, created or requeue
