"""Pages of the note's PDF: request it, follow the job, download the file."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from qsg.models import Job
from surveillance.meetings import access as am
from surveillance.meetings.services import pdf as pdf_services
from surveillance.meetings.views._common import _meeting_context


def _audience(request, meeting) -> str:
    return "full" if am.sees_confidential(request.user, meeting.qsg_id) else "open"


def _withheld(request, note) -> list[int]:
    from surveillance.meetings.pdf import withheld_for

    return withheld_for(request.user, note)


@login_required
@require_http_methods(["GET", "POST"])
def note_pdf(request, pk):
    meeting = am.meeting_for_user(request.user, pk)
    note = am.note_for_user(request.user, meeting)
    audience = _audience(request, meeting)
    withheld = _withheld(request, note)
    if request.method == "POST":
        job, _ = pdf_services.meeting_note_pdf_request(
            actor=request.user, note=note, audience=audience, withheld=withheld
        )
        return redirect("surveillance:note-pdf-status", meeting.pk, job.pk)
    job = Job.objects.filter(key=pdf_services.pdf_job_key(note, audience, withheld)).first()
    if job is not None:
        return redirect("surveillance:note-pdf-status", meeting.pk, job.pk)
    return render(
        request,
        "surveillance/meetings/pdf_request.jinja",
        _meeting_context(request, meeting, note=note, audience=audience),
    )


def _pdf_job(request, meeting, job_id) -> Job:
    note = am.note_for_user(request.user, meeting)
    audience = _audience(request, meeting)
    try:
        job = Job.objects.filter(pk=job_id, kind=pdf_services.PDF_KIND).first()
    except ValidationError:
        job = None
    # A job is only ever shown to readers of its audience, for this meeting's note: the same
    # confidential rule and the same intelligence items withheld.
    if (
        job is None
        or job.counts.get("note") != note.pk
        or job.counts.get("audience") != audience
        or sorted(job.counts.get("withheld") or []) != _withheld(request, note)
    ):
        raise Http404("Not found")
    return job


@login_required
@require_GET
def note_pdf_status(request, pk, job_id):
    meeting = am.meeting_for_user(request.user, pk)
    job = _pdf_job(request, meeting, job_id)
    note = am.note_of(meeting)
    current = job.key == pdf_services.pdf_job_key(
        note, job.counts.get("audience"), job.counts.get("withheld") or []
    )
    context = _meeting_context(request, meeting, job=job, current=current)
    if request.htmx:
        return render(request, "surveillance/meetings/partials/pdf_job.jinja", context)
    return render(request, "surveillance/meetings/pdf_status.jinja", context)


def _log_reads(request, meeting, job: Job) -> None:
    """The restricted and "do not attribute" items whose words the file carries go in the
    intelligence access log the secretariat reads."""
    from surveillance.intelligence import services as intelligence_services
    from surveillance.intelligence.models import IntelligenceAccess, IntelligenceItem
    from surveillance.meetings import selectors as selectors_meetings
    from surveillance.meetings.pdf import source_document

    note = am.note_of(meeting)
    if note is None:
        return
    ids = selectors_meetings.document_links(source_document(note)) - set(
        job.counts.get("withheld") or []
    )
    if ids:
        intelligence_services.items_seen(
            user=request.user,
            items=IntelligenceItem.objects.filter(pk__in=sorted(ids)),
            channel=IntelligenceAccess.Channel.PDF,
        )


@login_required
@require_GET
def note_pdf_download(request, pk, job_id):
    meeting = am.meeting_for_user(request.user, pk)
    job = _pdf_job(request, meeting, job_id)
    path = job.counts.get("path")
    if job.status != Job.Status.SUCCEEDED or not path or not default_storage.exists(path):
        raise Http404("Not found")
    _log_reads(request, meeting, job)
    with default_storage.open(path, "rb") as fh:
        response = HttpResponse(fh.read(), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{job.counts.get("filename", "meeting-note.pdf")}"'
    )
    return response
