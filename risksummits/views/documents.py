"""PDFs of a meeting's record and of the closure report: asking, waiting, downloading."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from qsg.models import Job

from .. import access
from ..models import SummitDocument
from ..services import access_log, documents
from ._common import BASE, _ctx, _open


@login_required
@require_POST
def document_request(request, pk):
    standing = _open(request, pk, "Ask for a PDF")
    kind = request.POST.get("kind", "")
    meeting = None
    if kind == SummitDocument.Kind.MEETING:
        meeting = access.meeting_for(standing, request.POST.get("meeting"))
    elif kind == SummitDocument.Kind.CLOSURE:
        if standing.shared_only:
            raise Http404
    else:
        raise Http404
    try:
        document, _ = documents.document_request(
            actor=request.user, standing=standing, kind=kind, meeting=meeting
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(standing.summit.get_absolute_url())
    return redirect("risksummits:document", standing.summit.pk, document.pk)


@login_required
@require_GET
def document_detail(request, pk, document_pk):
    standing = _open(request, pk, "PDF status")
    document = access.document_for(standing, document_pk)
    job = Job.objects.get(pk=document.job_id)
    template = BASE + "partials/document_job.jinja" if request.htmx else BASE + "document.jinja"
    return render(request, template, _ctx(standing, document=document, job=job))


@login_required
@require_GET
def document_download(request, pk, document_pk):
    standing = _open(request, pk, "PDF download")
    document = access.document_for(standing, document_pk)
    job = Job.objects.get(pk=document.job_id)
    path = job.counts.get("path")
    if job.status != Job.Status.SUCCEEDED or not path or not default_storage.exists(path):
        raise Http404
    with default_storage.open(path, "rb") as fh:
        content = fh.read()
    access_log.document_download_record(user=request.user, document=document)
    response = HttpResponse(content, content_type="application/pdf")
    filename = job.counts.get("filename", "risk-summit.pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
