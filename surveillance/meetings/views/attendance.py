"""Pages of attendance and of each QSG's quorum rule."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qsg import once
from qsg.models import Organisation, QSGRole
from qsg.pages import posted, submit
from qsg.vocabulary import say
from surveillance.meetings import access as am
from surveillance.meetings import selectors as selectors_meetings
from surveillance.meetings.forms import (
    AttendanceForm,
    ExpectedAttendanceForm,
    QuorumRequirementForm,
)
from surveillance.meetings.models import Attendance, Meeting, QuorumRequirement
from surveillance.meetings.services import attendance as attendance_services
from surveillance.meetings.views._common import (
    _confirm_delete,
    _form_flow,
    _meeting_context,
    _page,
    _qsg_people,
)


def _attendance_form(request, meeting: Meeting, row: Attendance | None = None, data=None):
    initial = {}
    if row is not None:
        initial = {
            "person": row.user_id,
            "name": "" if row.user_id else row.name,
            "organisation": row.organisation_id,
            "capacity": row.capacity,
            "status": row.status,
            "present_from": row.present_from,
            "present_to": row.present_to,
            "deputy_for": row.deputy_for,
        }
    else:
        start = timezone.localtime(meeting.starts_at).time()
        end = timezone.localtime(meeting.ends_at).time()
        initial = {"present_from": start, "present_to": end}
    form = AttendanceForm(
        data,
        initial=initial,
        people=_qsg_people(meeting.qsg),
        # Deputies and guests may come from any organisation, not only members.
        organisations=Organisation.objects.filter(is_active=True).order_by("name"),
    )
    return once.with_token(form) if row is None else form


def _attendance_data(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("form_token", None)
    data["user"] = data.pop("person")
    if data["user"] is not None and not data.get("name"):
        data["name"] = data["user"].display_name
    return data


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request, pk):
    meeting = am.meeting_for_user(request.user, pk, manage=request.method == "POST")
    can_manage = am.manages(request.user, meeting.qsg_id)
    form = _attendance_form(request, meeting, data=posted(request)) if can_manage else None
    response = form is not None and submit(
        request,
        form,
        lambda _: attendance_services.attendance_add(
            actor=request.user, meeting=meeting, **_attendance_data(form)
        ),
        scope="attendance",
        done=lambda row: f"{row.name} has been recorded",
        then=reverse("surveillance:attendance", args=[meeting.pk]),
    )
    if response:
        return response
    rows = list(
        Attendance.objects.filter(meeting=meeting)
        .select_related("organisation")
        .order_by("status", "organisation__name", "name", "present_from")
    )
    note = am.note_of(meeting)
    return render(
        request,
        "surveillance/meetings/attendance.jinja",
        _meeting_context(
            request,
            meeting,
            form=form,
            present=[r for r in rows if r.status == Attendance.Status.PRESENT],
            apologies=[r for r in rows if r.status == Attendance.Status.APOLOGIES],
            quorum=selectors_meetings.meeting_quorum(meeting),
            locked=bool(note and note.is_locked),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def attendance_expected(request, pk):
    """Record everyone expected, from the membership, in one submit."""
    meeting = am.meeting_for_user(request.user, pk, manage=True)
    expected = selectors_meetings.expected_attendees(meeting)
    form = once.with_token(
        ExpectedAttendanceForm(
            posted(request),
            expected=expected,
            starts=timezone.localtime(meeting.starts_at).time(),
            ends=timezone.localtime(meeting.ends_at).time(),
        )
    )
    back = reverse("surveillance:attendance", args=[meeting.pk])
    response = submit(
        request,
        form,
        lambda _: attendance_services.attendance_record_expected(
            actor=request.user, meeting=meeting, answers=form.answers()
        ),
        scope="attendance-expected",
        done=lambda rows: f"Attendance recorded: {len(rows)} people",
        then=back,
    )
    if response:
        return response
    note = am.note_of(meeting)
    return render(
        request,
        "surveillance/meetings/attendance_expected.jinja",
        _meeting_context(
            request,
            meeting,
            form=form,
            already=[e for e in expected if e.recorded],
            locked=bool(note and note.is_locked),
            back=back,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def attendance_edit(request, pk, row_pk):
    meeting = am.meeting_for_user(request.user, pk, manage=True)
    row = am.attendance_row_for_user(request.user, meeting, row_pk, manage=True)
    form = _attendance_form(request, meeting, row, data=posted(request))
    back = reverse("surveillance:attendance", args=[meeting.pk])
    return _form_flow(
        request,
        form,
        save=lambda d: attendance_services.attendance_update(
            actor=request.user, row=row, **_attendance_data(form)
        ),
        done=f"{row.name}'s attendance has been saved",
        then=back,
        page=_page(meeting, f"Change {row.name}'s attendance", "Save", back),
    )


@login_required
@require_http_methods(["GET", "POST"])
def attendance_delete(request, pk, row_pk):
    meeting = am.meeting_for_user(request.user, pk, manage=True)
    row = am.attendance_row_for_user(request.user, meeting, row_pk, manage=True)
    return _confirm_delete(
        request,
        what=f"{row.name}'s attendance record",
        back=reverse("surveillance:attendance", args=[meeting.pk]),
        action=lambda: attendance_services.attendance_remove(actor=request.user, row=row),
        done="The attendance record has been removed",
    )


@login_required
@require_GET
def quorum_panel(request, pk):
    meeting = am.meeting_for_user(request.user, pk)
    return render(
        request,
        "surveillance/meetings/partials/quorum.jinja",
        {"meeting": meeting, "quorum": selectors_meetings.meeting_quorum(meeting), "live": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def quorum_settings(request, qsg_pk):
    qsg = am.qsg_for_user(request.user, qsg_pk, manage=request.method == "POST")
    can_manage = am.manages(request.user, qsg.pk)
    form = QuorumRequirementForm(posted(request)) if can_manage else None

    def save(data):
        attendance_services.quorum_use_defaults(actor=request.user, qsg=qsg)
        attendance_services.quorum_requirement_add(actor=request.user, qsg=qsg, **data)

    response = form is not None and submit(
        request,
        form,
        save,
        done="The requirement has been added to the quorum",
        then=reverse("surveillance:quorum-settings", args=[qsg.pk]),
    )
    if response:
        return response
    requirements, is_default = selectors_meetings.requirements_for(qsg)
    rows = list(QuorumRequirement.objects.filter(qsg=qsg).prefetch_related("organisation_types"))
    return render(
        request,
        "surveillance/meetings/quorum_settings.jinja",
        {
            "qsg": qsg,
            "form": form,
            "requirements": requirements,
            "rows": rows,
            "is_default": is_default,
            "can_manage": can_manage,
            "roles": dict(QSGRole.Role.choices),
        },
    )


@login_required
@require_POST
def quorum_defaults(request, qsg_pk):
    qsg = am.qsg_for_user(request.user, qsg_pk, manage=True)
    attendance_services.quorum_use_defaults(actor=request.user, qsg=qsg)
    messages.success(request, say("The usual terms are now this QSG's own quorum rule"))
    return redirect("surveillance:quorum-settings", qsg.pk)


@login_required
@require_http_methods(["GET", "POST"])
def quorum_requirement_delete(request, qsg_pk, requirement_pk):
    qsg = am.qsg_for_user(request.user, qsg_pk, manage=True)
    row = QuorumRequirement.objects.filter(qsg=qsg, pk=am._int(requirement_pk)).first()
    if row is None:
        raise Http404("Not found")
    return _confirm_delete(
        request,
        what=f"“{row.label}” from the quorum",
        back=reverse("surveillance:quorum-settings", args=[qsg.pk]),
        action=lambda: attendance_services.quorum_requirement_remove(
            actor=request.user, requirement=row
        ),
        done="The requirement has been removed",
    )
