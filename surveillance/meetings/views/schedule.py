"""Pages of the schedule: meetings, series, their details and calendar files."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from qsg import access as qsg_access
from qsg import once
from qsg.pages import posted
from qsg.vocabulary import say
from surveillance.meetings import access as am
from surveillance.meetings import ics as ics_meetings
from surveillance.meetings import selectors as selectors_meetings
from surveillance.meetings.forms import MeetingForm, SeriesForm
from surveillance.meetings.models import Attendance, Meeting, MeetingNote
from surveillance.meetings.services import schedule as schedule_services
from surveillance.meetings.views._common import _form_flow, _meeting_context, _page


@login_required
@require_GET
def meeting_index(request):
    """Meetings across every QSG the person sees: upcoming first, then recent."""
    now = timezone.now()
    meetings = am.meetings_for(request.user).select_related("qsg")
    upcoming = list(meetings.filter(ends_at__gte=now).order_by("starts_at")[:50])
    past = list(meetings.filter(ends_at__lt=now).order_by("-starts_at")[:20])
    notes = {
        n.meeting_id: n
        for n in MeetingNote.objects.filter(meeting__in=[*upcoming, *past]).only(
            "meeting_id", "status"
        )
    }
    qsgs = qsg_access.qsgs_for(request.user).order_by("level", "name")
    return render(
        request,
        "surveillance/meetings/index.jinja",
        {"upcoming": upcoming, "past": past, "notes": notes, "qsgs": qsgs},
    )


@login_required
@require_GET
def meeting_list(request, qsg_pk):
    qsg = am.qsg_for_user(request.user, qsg_pk)
    meetings = list(Meeting.objects.filter(qsg=qsg).order_by("starts_at"))
    notes = {
        n.meeting_id: n
        for n in MeetingNote.objects.filter(meeting__qsg=qsg).only("meeting_id", "status")
    }
    now = timezone.now()
    return render(
        request,
        "surveillance/meetings/meeting_list.jinja",
        {
            "qsg": qsg,
            "upcoming": [m for m in meetings if m.ends_at >= now],
            "past": [m for m in reversed(meetings) if m.ends_at < now],
            "notes": notes,
            "series": qsg.meeting_series.order_by("-first_date"),
            "can_manage": am.manages(request.user, qsg.pk),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def series_create(request, qsg_pk):
    qsg = am.qsg_for_user(request.user, qsg_pk, manage=True)
    initial = {
        "cadence": "local_2013" if qsg.is_local else "quarterly",
        "title": f"{qsg.name} meeting",
        "start_time": dt.time(10, 0),
        "end_time": dt.time(12, 30),
    }
    back = reverse("surveillance:meeting-list", args=[qsg.pk])
    return _form_flow(
        request,
        once.with_token(SeriesForm(posted(request), initial=initial)),
        scope="meeting-series",
        save=lambda d: schedule_services.meeting_series_create(actor=request.user, qsg=qsg, **d),
        done=lambda series: f"{series.meetings.count()} meetings scheduled",
        then=back,
        page=_page(
            qsg.name,
            "Plan a series of meetings",
            "Schedule meetings",
            back,
            intro=say(
                "Local QSGs meet monthly for the first three months, then every two months. "
                "Regional QSGs meet quarterly. Each date can be changed afterwards."
            ),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request, qsg_pk):
    qsg = am.qsg_for_user(request.user, qsg_pk, manage=True)
    initial = {
        "title": f"{qsg.name} meeting",
        "start_time": dt.time(10, 0),
        "end_time": dt.time(12, 30),
    }
    form = once.with_token(MeetingForm(posted(request), initial=initial))
    form.fields.pop("status")
    back = reverse("surveillance:meeting-list", args=[qsg.pk])
    return _form_flow(
        request,
        form,
        scope="meeting",
        save=lambda d: schedule_services.meeting_create(actor=request.user, qsg=qsg, **d),
        done="The meeting has been added",
        then=lambda meeting: meeting.get_absolute_url() if meeting else back,
        page=_page(qsg.name, "Add a meeting", "Add meeting", back),
    )


@login_required
@require_GET
def meeting_detail(request, pk):
    meeting = am.meeting_for_user(request.user, pk)
    note = am.note_of(meeting)
    items = am.agenda_of(request.user, meeting)
    return render(
        request,
        "surveillance/meetings/meeting_detail.jinja",
        _meeting_context(
            request,
            meeting,
            note=note,
            can_read_note=am.can_read_note(request.user, note, meeting.qsg_id),
            items=items,
            quorum=selectors_meetings.meeting_quorum(meeting),
            attendance_count=Attendance.objects.filter(
                meeting=meeting, status=Attendance.Status.PRESENT
            ).count(),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    meeting = am.meeting_for_user(request.user, pk, manage=True)
    start, end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    initial = {
        "title": meeting.title,
        "date": start.date(),
        "start_time": start.time(),
        "end_time": end.time(),
        "venue": meeting.venue,
        "dial_in": meeting.dial_in,
        "status": meeting.status,
    }
    return _form_flow(
        request,
        MeetingForm(posted(request), initial=initial),
        save=lambda d: schedule_services.meeting_update(actor=request.user, meeting=meeting, **d),
        done="The meeting's details have been saved",
        then=meeting.get_absolute_url(),
        page=_page(
            meeting.qsg.name, "Change the meeting's details", "Save", meeting.get_absolute_url()
        ),
    )


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def meeting_ics(request, pk):
    meeting = am.meeting_for_user(request.user, pk)
    return _ics_response(
        ics_meetings.calendar([meeting]), f"qsg-meeting-{meeting.date.isoformat()}.ics"
    )


@login_required
@require_GET
def qsg_ics(request, qsg_pk):
    qsg = am.qsg_for_user(request.user, qsg_pk)
    meetings = Meeting.objects.filter(qsg=qsg).select_related("qsg").order_by("starts_at")
    return _ics_response(ics_meetings.calendar(meetings, name=qsg.name), f"{qsg.slug}-meetings.ics")


@login_required
@require_GET
def series_ics(request, series_pk):
    series = (
        am.meetings_for(request.user)
        .filter(series_id=am._int(series_pk))
        .select_related("series")
        .first()
    )
    if series is None:
        raise Http404("Not found")
    meetings = (
        Meeting.objects.filter(series_id=series.series_id)
        .select_related("qsg")
        .order_by("starts_at")
    )
    return _ics_response(
        ics_meetings.calendar(meetings, name=series.series.title),
        f"qsg-series-{series.series_id}.ics",
    )
