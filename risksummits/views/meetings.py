"""The summit's meetings: booking, the record of a held meeting, cancelling."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from qsg import once
from qsg.models import User
from qsg.pages import posted, submit

from .. import access, selectors
from ..forms import MeetingBookForm, MeetingCancelForm, MeetingMoveForm, MeetingRecordForm
from ..models import Representative
from ..services import meetings
from ._common import BASE, _ctx, _open


@login_required
@require_http_methods(["GET", "POST"])
def meeting_book(request, pk):
    standing = _open(request, pk, "Book a meeting", manage=True)
    form = once.with_token(MeetingBookForm(posted(request)))
    return submit(
        request,
        form,
        lambda data: meetings.meeting_book(
            actor=request.user,
            summit=standing.summit,
            starts_at=data["starts_at"],
            format=data["format"],
            venue=data["venue"],
            shared_with_provider=data["shared_with_provider"],
            late_reason=data["late_reason"],
            form_token=once.token_of(form),
        ),
        done=lambda meeting: f"The {meeting.title.lower()} has been booked",
        then=lambda meeting: reverse("risksummits:meeting", args=[standing.summit.pk, meeting.pk]),
        rename={"starts_at": "starts_at_date"},
    ) or render(
        request,
        BASE + "meeting_book.jinja",
        _ctx(standing, form=form, clock=selectors.clock_for(standing.summit)),
    )


@login_required
@require_GET
def meeting_detail(request, pk, meeting_pk):
    standing = _open(request, pk, "Summit meeting")
    meeting = access.meeting_for(standing, meeting_pk)
    attendance = meeting.attendance.select_related("user", "organisation").order_by(
        "organisation__name"
    )
    actions = (
        access.actions_for(standing)
        .filter(meeting=meeting)
        .select_related("owner_organisation", "owner")
    )
    documents = access.documents_for(standing).filter(meeting=meeting).order_by("-version")
    return render(
        request,
        BASE + "meeting_detail.jinja",
        _ctx(
            standing,
            meeting=meeting,
            attendance=attendance,
            objectives=selectors.actions_by_objective(actions),
            documents=documents,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_record(request, pk, meeting_pk):
    standing = _open(request, pk, "Record a meeting", manage=True)
    meeting = access.meeting_for(standing, meeting_pk)
    people = (
        User.objects.filter(
            pk__in=Representative.objects.filter(
                summit=standing.summit, participant__is_active=True
            ).values("user_id")
        )
        .select_related("organisation")
        .order_by("organisation__name", "last_name")
    )
    local_start = timezone.localtime(meeting.starts_at)
    initial = {
        "starts_at_date": local_start.date(),
        "starts_at_time": local_start.strftime("%H:%M"),
        "ends_at_time": timezone.localtime(meeting.ends_at).strftime("%H:%M")
        if meeting.ends_at
        else "",
        "chaired_by": meeting.chaired_by,
        "discussion": meeting.discussion,
        "judgements": meeting.judgements,
        "shared_with_provider": meeting.shared_with_provider,
        "late_reason": meeting.late_reason,
        "present": list(meeting.attendance.values_list("user_id", flat=True)),
    }
    form = MeetingRecordForm(posted(request), people=people, initial=initial)
    return submit(
        request,
        form,
        lambda data: meetings.meeting_record(
            actor=request.user,
            meeting=meeting,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            chaired_by=data["chaired_by"],
            discussion=data["discussion"],
            judgements=data["judgements"],
            present=data["present"],
            shared_with_provider=data["shared_with_provider"],
            late_reason=data["late_reason"],
        ),
        done=lambda held: f"The {held.title.lower()} has been recorded as held",
        then=reverse("risksummits:meeting", args=[standing.summit.pk, meeting.pk]),
        rename={"starts_at": "starts_at_date", "ends_at": "ends_at_time"},
    ) or render(
        request,
        BASE + "meeting_record.jinja",
        _ctx(standing, form=form, meeting=meeting, clock=selectors.clock_for(standing.summit)),
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_move(request, pk, meeting_pk):
    standing = _open(request, pk, "Move a meeting", manage=True)
    meeting = access.meeting_for(standing, meeting_pk)
    local_start = timezone.localtime(meeting.starts_at)
    initial = {
        "starts_at_date": local_start.date(),
        "starts_at_time": local_start.strftime("%H:%M"),
        "late_reason": meeting.late_reason,
    }
    form = MeetingMoveForm(posted(request), initial=initial)
    return submit(
        request,
        form,
        lambda data: meetings.meeting_move(
            actor=request.user,
            meeting=meeting,
            starts_at=data["starts_at"],
            late_reason=data["late_reason"],
        ),
        done=lambda moved: f"The meeting has been moved. It is the {moved.title.lower()}",
        then=reverse("risksummits:meeting", args=[standing.summit.pk, meeting.pk]),
        rename={"starts_at": "starts_at_date"},
    ) or render(
        request,
        BASE + "meeting_move.jinja",
        _ctx(standing, form=form, meeting=meeting, clock=selectors.clock_for(standing.summit)),
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request, pk, meeting_pk):
    standing = _open(request, pk, "Cancel a meeting", manage=True)
    meeting = access.meeting_for(standing, meeting_pk)
    form = MeetingCancelForm(posted(request))
    return submit(
        request,
        form,
        lambda data: meetings.meeting_cancel(
            actor=request.user, meeting=meeting, reason=data["reason"]
        ),
        done=f"The {meeting.title.lower()} has been cancelled",
        then=standing.summit.get_absolute_url() + "#meetings",
    ) or render(request, BASE + "meeting_cancel.jinja", _ctx(standing, form=form, meeting=meeting))
