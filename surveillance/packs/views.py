"""Pages of meeting packs and member returns: access check, service, response."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qsg import once
from qsg.access import principal, require
from qsg.models import Job, Organisation
from qsg.pages import posted, submit
from surveillance.packs import access as ap
from surveillance.packs import selectors as selectors_packs
from surveillance.packs import services as sp
from surveillance.packs.forms import MemberReturnForm, PackSettingsForm, PublishForm
from surveillance.packs.models import MemberReturn, PackDownload, PackVersion


def _context(request, meeting, **extra) -> dict:
    qsg_id = meeting.qsg_id
    return {
        "meeting": meeting,
        "qsg": meeting.qsg,
        "can_manage": ap.manages(request.user, qsg_id),
        "reads_everything": ap.reads_everything(request.user, qsg_id),
        "is_member": ap.is_member(request.user, qsg_id),
        **extra,
    }


def _latest_job(pack):
    if pack is None or not pack.latest_number:
        return None
    return Job.objects.filter(key=sp.render_job_key(pack, pack.latest_number)).first()


@login_required
@require_GET
def pack(request, pk):
    meeting = ap.meeting_for_user(request.user, pk)
    pack = ap.pack_of(meeting)
    context = _context(request, meeting, pack=pack)
    if pack is not None:
        versions = list(ap.versions_for(request.user, pack).order_by("-number", "-for_secretariat"))
        context["versions"] = versions
        context["own_copy"] = ap.own_copy(request.user, pack)
        context["own_return"] = ap.own_return(request.user, pack)
        if context["reads_everything"]:
            context["job"] = _latest_job(pack)
            context["missing"] = selectors_packs.missing_returns(pack)
            context["downloads"] = (
                PackDownload.objects.filter(version__pack=pack)
                .select_related("user", "organisation", "version")
                .order_by("-at")[:20]
            )
            numbers = sorted({v.number for v in versions}, reverse=True)
            context["publishable"] = numbers[0] if numbers else None
    else:
        context["default_due"] = sp.default_due_date(meeting)
    return render(request, "surveillance/packs/pack.jinja", context)


@login_required
@require_POST
def pack_make(request, pk):
    meeting = ap.meeting_for_user(request.user, pk, manage=True)
    with transaction.atomic():
        pack = sp.meeting_pack_open(actor=request.user, meeting=meeting)
        job = sp.meeting_pack_render_request(actor=request.user, pack=pack)
    return redirect("surveillance:pack-job", meeting.pk, job.pk)


def _job_for(request, meeting, job_id) -> Job:
    pack = ap.pack_of(meeting)
    job = None
    if pack is not None:
        job = Job.objects.filter(pk=job_id, kind=sp.RENDER_KIND, counts__pack=pack.pk).first()
    if job is None:
        raise Http404("Not found")
    require(ap.reads_everything(request.user, meeting.qsg_id))
    return job


@login_required
@require_GET
def pack_job(request, pk, job_id):
    meeting = ap.meeting_for_user(request.user, pk)
    job = _job_for(request, meeting, job_id)
    context = _context(request, meeting, job=job)
    if request.htmx:
        return render(request, "surveillance/packs/partials/job.jinja", context)
    return render(request, "surveillance/packs/job.jinja", context)


@login_required
@require_POST
def pack_retry(request, pk, job_id):
    meeting = ap.meeting_for_user(request.user, pk, manage=True)
    job = _job_for(request, meeting, job_id)
    sp.meeting_pack_retry(actor=request.user, job=job)
    return redirect("surveillance:pack-job", meeting.pk, job.pk)


@login_required
@require_POST
def pack_publish(request, pk):
    meeting = ap.meeting_for_user(request.user, pk, manage=True)
    pack = ap.pack_of(meeting)
    form = PublishForm(request.POST)
    if pack is None or not form.is_valid():
        messages.error(request, "Choose a version of the pack to publish")
        return redirect("surveillance:pack", meeting.pk)
    try:
        sp.meeting_pack_publish(actor=request.user, pack=pack, number=form.cleaned_data["number"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"Version {form.cleaned_data['number']} published: members have been e-mailed"
        )
    return redirect("surveillance:pack", meeting.pk)


@login_required
@require_http_methods(["GET", "POST"])
def pack_settings(request, pk):
    meeting = ap.meeting_for_user(request.user, pk, manage=True)
    pack = ap.pack_of(meeting)
    initial = {
        "returns_due_on": pack.returns_due_on if pack else sp.default_due_date(meeting),
        "marking": pack.marking if pack else None,
    }
    if initial["marking"] is None:
        from django.conf import settings

        initial["marking"] = settings.QSG_PROTECTIVE_MARKING
    form = once.with_token(PackSettingsForm(posted(request), initial=initial))

    @transaction.atomic
    def save(data):
        opened = sp.meeting_pack_open(actor=request.user, meeting=meeting)
        sp.meeting_pack_settings(
            actor=request.user,
            pack=opened,
            returns_due_on=data["returns_due_on"],
            marking=data["marking"],
        )

    return submit(
        request,
        form,
        save,
        done="Pack settings saved",
        then=reverse("surveillance:pack", args=[meeting.pk]),
    ) or render(
        request,
        "surveillance/packs/form.jinja",
        _context(
            request,
            meeting,
            form=form,
            title="Pack settings",
            submit="Save settings",
            back=reverse("surveillance:pack", args=[meeting.pk]),
        ),
    )


@login_required
@require_GET
def pack_download(request, pk, version_pk):
    meeting = ap.meeting_for_user(request.user, pk)
    pack = ap.pack_of(meeting)
    if pack is None:
        raise Http404("Not found")
    version = ap.version_for_user(request.user, pack, version_pk)
    return download_response(request.user, version, via="web")


def download_response(user, version: PackVersion, *, via: str) -> HttpResponse:
    if not version.file or not default_storage.exists(version.file):
        raise Http404("Not found")
    with default_storage.open(version.file, "rb") as fh:
        content = fh.read()
    sp.pack_download_record(user=user, version=version, via=via)
    response = HttpResponse(content, content_type="application/pdf")
    from surveillance.packs.pdf import file_name

    name = file_name(version.pack.meeting.date, version.number, version.pk, version.for_secretariat)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


# Member returns ------------------------------------------------------------------------------


@login_required
@require_GET
def pack_returns(request, pk):
    meeting = ap.meeting_for_user(request.user, pk)
    require(ap.reads_everything(request.user, meeting.qsg_id))
    pack = ap.pack_of(meeting)
    returns = {}
    if pack is not None:
        returns = {r.organisation_id: r for r in ap.returns_for(request.user, pack)}
    rows = [(org, returns.get(org.pk)) for org in selectors_packs.recipient_organisations(meeting)]
    due = pack.returns_due_on if pack else sp.default_due_date(meeting)
    submitted = sum(1 for _, r in rows if r is not None and r.is_submitted)
    return render(
        request,
        "surveillance/packs/returns.jinja",
        _context(
            request,
            meeting,
            pack=pack,
            rows=rows,
            due=due,
            submitted=submitted,
            overdue=timezone.localdate() > due,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_return(request, pk):
    meeting = ap.meeting_for_user(request.user, pk)
    require(ap.can_write_return(request.user, meeting.qsg_id))
    organisation = Organisation.objects.get(pk=principal(request.user).organisation_id)
    pack = ap.pack_of(meeting)
    existing = ap.own_return(request.user, pack) if pack else None
    initial = {}
    if existing is not None:
        initial.update(
            {
                "nothing_to_report": existing.nothing_to_report,
                "concerns": existing.concerns,
                "concern_providers": list(existing.concern_providers.all()),
                "actions_completed": existing.actions_completed,
                "intelligence": existing.intelligence,
                "handling": existing.handling,
            }
        )
    form = once.with_token(
        MemberReturnForm(
            posted(request), initial=initial, providers=selectors_packs.footprint_providers(meeting)
        )
    )
    # A submitted return stays submitted (the service's rule): the message says so too.
    submitting = request.POST.get("action") != "save" or bool(existing and existing.is_submitted)

    def save(data):
        opened = sp.meeting_pack_open(actor=request.user, meeting=meeting)
        return sp.member_return_save(
            actor=request.user,
            pack=opened,
            organisation=organisation,
            submit=submitting,
            nothing_to_report=data["nothing_to_report"],
            concerns=data["concerns"],
            concern_providers=list(data["concern_providers"]),
            actions_completed=data["actions_completed"],
            intelligence=data["intelligence"],
            handling=data["handling"],
        )

    response = submit(
        request,
        form,
        save,
        scope="member_return",
        done="Your return has been submitted" if submitting else "Your return has been saved",
        then=reverse("surveillance:pack", args=[meeting.pk]),
    )
    if response:
        return response
    due = pack.returns_due_on if pack else sp.default_due_date(meeting)
    return render(
        request,
        "surveillance/packs/return_form.jinja",
        _context(
            request,
            meeting,
            form=form,
            organisation=organisation,
            existing=existing,
            due=due,
            late=timezone.localdate() > due,
            statuses=MemberReturn.Status,
        ),
    )
