"""PDFs of a meeting's record and of the closure report, printed by a worker from a snapshot."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from qsg import broker
from qsg.models import Job
from qsg.vocabulary import say

from .. import selectors
from ..access import SummitAccess
from ..models import RiskSummit, SummitDocument, SummitMeeting
from ._common import _actor, _event

PDF_KIND = "risk_summit_pdf"


@transaction.atomic
def document_request(
    *, actor, standing: SummitAccess, kind: str, meeting: SummitMeeting | None = None
) -> tuple[SummitDocument, bool]:
    """The PDF of this version of a meeting's record or of the closure report; (doc, queued).

    A document's version is what its readers count: 1 for the first printed, 2 for the next
    (after the record changed), never the record's internal revision counter. Asking again
    for an unchanged record reuses its version; a failed one is queued again.
    """
    summit = RiskSummit.objects.get(pk=standing.summit.pk)
    if kind == SummitDocument.Kind.MEETING:
        if meeting is None or meeting.summit_id != summit.pk:
            raise ValidationError(say("Choose a meeting of this summit"))
        meeting = SummitMeeting.objects.get(pk=meeting.pk)
        if meeting.status != SummitMeeting.Status.HELD:
            raise ValidationError("A meeting's record can be printed once the meeting is held")
        revision = meeting.revision
    elif kind == SummitDocument.Kind.CLOSURE:
        if summit.status != RiskSummit.Status.CLOSED:
            raise ValidationError(say("The closure report is available once the summit is closed"))
        meeting = None
        revision = summit.revision
    else:
        raise ValidationError("Unknown document")
    RiskSummit.objects.select_for_update().filter(pk=summit.pk).first()  # one version at a time
    key = f"{PDF_KIND}:{summit.pk}:{kind}:{meeting.pk if meeting else 0}:r{revision}"
    issued = SummitDocument.objects.filter(summit=summit, meeting=meeting, kind=kind)
    document = issued.select_for_update().filter(record_revision=revision).first()
    created = False
    if document is None:
        version = (issued.aggregate(v=Max("version"))["v"] or 0) + 1
        job, created = Job.objects.select_for_update().get_or_create(
            key=key,
            defaults={
                "kind": PDF_KIND,
                "created_by": _actor(actor),
                "organisation_id": getattr(actor, "organisation_id", None),
                "qsg_id": summit.qsg_id,
                "counts": {
                    "summit": summit.pk,
                    "kind": kind,
                    "meeting": meeting.pk if meeting else None,
                },
            },
        )
        snapshot = (
            selectors.meeting_document(meeting)
            if meeting is not None
            else selectors.closure_document(summit)
        )
        document, _ = SummitDocument.objects.get_or_create(
            summit=summit,
            meeting=meeting,
            kind=kind,
            record_revision=revision,
            defaults={
                "version": version,
                "job": job,
                "snapshot": snapshot,
                "created_by": _actor(actor),
            },
        )
    job = Job.objects.select_for_update().get(pk=document.job_id)
    requeue = not created and job.status in {Job.Status.FAILED, Job.Status.NOT_QUEUED}
    if requeue:
        job.status = Job.Status.QUEUED
        job.progress = 0
        job.error = ""
        job.message = ""
        job.save(update_fields=["status", "progress", "error", "message"])
    if created or requeue:
        label = f"record of {meeting.title.lower()}" if meeting is not None else "closure report"
        _event(
            summit,
            actor,
            "pdf_requested",
            f"PDF of the {label} (version {document.version}) requested",
        )
        job_id = str(job.pk)

        def enqueue():
            from ..tasks import render_summit_pdf

            try:
                broker.publish(render_summit_pdf, {"job_id": job_id})
            except Exception as exc:
                Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
                    status=Job.Status.NOT_QUEUED, error=str(exc)[:500]
                )

        transaction.on_commit(enqueue)
    return document, created or requeue
