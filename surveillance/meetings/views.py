"""Pages of meetings: schedule, business cycle, agenda, attendance, the note, actions, PDF.

Each view: access check (access_meetings), a service for writes, a response.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qsg import access as qsg_access
from qsg import services as qsg_services
from qsg.models import QSG, Job, Organisation, Provider, QSGRole, User
from qsg.views import apply_errors, new_form_token, page_of, posted
from surveillance.meetings import access as am
from surveillance.meetings import ics as ics_meetings
from surveillance.meetings import selectors as selectors_meetings
from surveillance.meetings import services as sm
from surveillance.meetings.forms import (
    ActionFilterForm,
    ActionForm,
    ActionStatusForm,
    AgendaItemForm,
    AttendanceForm,
    CirculateForm,
    CommentForm,
    ConclusionForm,
    DistributeForm,
    MeetingForm,
    PassageForm,
    PlanEntryForm,
    PlanForm,
    QuorumRequirementForm,
    ReviseForm,
    SeriesForm,
    SettleForm,
)
from surveillance.meetings.models import (
    Action,
    AgendaItem,
    Attendance,
    BusinessPlan,
    Conclusion,
    Meeting,
    MeetingNote,
    NoteComment,
    NoteEvent,
    NotePassage,
    PlanEntry,
    QuorumRequirement,
)

NoteStatus = MeetingNote.Status


# Helpers -------------------------------------------------------------------------------------


def _with_token(form):
    if not form.is_bound:
        form.initial.setdefault("form_token", new_form_token())
    return form


def _save_once(request, form, scope: str, create: Callable[[], object]):
    """Run `create` once per form token: a second submit of the same form creates nothing.

    Returns the new object, or None for a repeated submit. A ValidationError from the
    service lands on the form (and the token is not spent)."""
    token = form.cleaned_data.get("form_token") or ""
    try:
        with transaction.atomic():
            if token:
                row, created = qsg_services.submission_token_claim(
                    user=request.user, scope=scope, token=token
                )
                if not created:
                    return None
            obj = create()
            if token:
                row.object_id = str(getattr(obj, "pk", "") or "")
                row.save(update_fields=["object_id"])
            return obj
    except ValidationError as error:
        apply_errors(form, error)
        raise


def _member_organisations(qsg: QSG):
    return Organisation.objects.filter(memberships__qsg=qsg, is_active=True).order_by("name")


def _qsg_people(qsg: QSG):
    return (
        User.objects.filter(qsg_roles__qsg=qsg, is_active=True)
        .select_related("organisation")
        .distinct()
        .order_by("last_name", "first_name")
    )


def _member_people(qsg: QSG):
    return (
        User.objects.filter(organisation__memberships__qsg=qsg, is_active=True)
        .select_related("organisation")
        .distinct()
        .order_by("last_name", "first_name")
    )


def _footprint(qsg: QSG):
    """Providers a QSG discusses: its footprint, or its locals' for a regional QSG."""
    if qsg.is_local:
        return Provider.objects.filter(qsg=qsg, is_active=True).order_by("name")
    return Provider.objects.filter(qsg__regional_qsg=qsg, is_active=True).order_by("name")


def _meeting_context(request, meeting: Meeting, **extra) -> dict:
    qsg_id = meeting.qsg_id
    return {
        "meeting": meeting,
        "qsg": meeting.qsg,
        "can_manage": am.manages(request.user, qsg_id),
        "is_chair": am.chairs(request.user, qsg_id),
        "sees_confidential": am.sees_confidential(request.user, qsg_id),
        **extra,
    }


def _form_page(request, template_context: dict, *, template="surveillance/meetings/form.jinja"):
    return render(request, template, template_context)


def _form_flow(
    request,
    form,
    *,
    save: Callable[[dict], object],
    done: str | Callable[[object, dict], str],
    then: str | Callable[[object, dict], str],
    page: dict,
    scope: str | None = None,
    template: str = "surveillance/meetings/form.jinja",
):
    """The create and change pages: validate, save through a service, say so, redirect.

    With a `scope` the save runs once per form token, so a double submit makes one record.
    A service's ValidationError lands on the form, which keeps what was typed."""
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "form_token"}
        try:
            obj = _save_once(request, form, scope, lambda: save(data)) if scope else save(data)
        except ValidationError as error:
            if not scope:
                apply_errors(form, error)
        else:
            if obj is not None:
                messages.success(request, done(obj, data) if callable(done) else done)
            return redirect(then(obj, data) if callable(then) else then)
    return render(request, template, {"form": form, **page})


def _page(meeting, title: str, submit: str, back: str | None = None, **extra) -> dict:
    return {
        "title": title,
        "caption": str(meeting) if isinstance(meeting, Meeting) else meeting,
        "back": back or reverse("surveillance:note", args=[meeting.pk]),
        "submit": submit,
        **extra,
    }


def _note_or_404(request, meeting: Meeting) -> MeetingNote:
    return am.note_for_user(request.user, meeting)


def _editable_note(request, pk) -> tuple[Meeting, MeetingNote]:
    meeting = am.meeting_for_user(request.user, pk, manage=True)
    note = am.note_for_user(request.user, meeting)
    return meeting, note


# Schedule ------------------------------------------------------------------------------------


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
        _with_token(SeriesForm(posted(request), initial=initial)),
        scope="meeting-series",
        save=lambda d: sm.meeting_series_create(actor=request.user, qsg=qsg, **d),
        done=lambda series, d: f"{series.meetings.count()} meetings scheduled",
        then=back,
        page=_page(
            qsg.name,
            "Plan a series of meetings",
            "Schedule meetings",
            back,
            intro="Local QSGs meet monthly for the first three months, then every two months. "
            "Regional QSGs meet quarterly. Each date can be changed afterwards.",
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
    form = _with_token(MeetingForm(posted(request), initial=initial))
    form.fields.pop("status")
    back = reverse("surveillance:meeting-list", args=[qsg.pk])
    return _form_flow(
        request,
        form,
        scope="meeting",
        save=lambda d: sm.meeting_create(actor=request.user, qsg=qsg, **d),
        done="The meeting has been added",
        then=lambda meeting, d: meeting.get_absolute_url() if meeting else back,
        page=_page(qsg.name, "Add a meeting", "Add meeting", back),
    )


@login_required
@require_GET
def meeting_detail(request, pk):
    meeting = am.meeting_for_user(request.user, pk)
    note = am.note_of(meeting)
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("presenter_organisation")
        .prefetch_related("providers")
        .order_by("position", "pk")
    )
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
        save=lambda d: sm.meeting_update(actor=request.user, meeting=meeting, **d),
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


# Agenda -------------------------------------------------------------------------------------


@login_required
@require_GET
def agenda(request, pk):
    meeting = am.meeting_for_user(request.user, pk)
    can_manage = am.manages(request.user, meeting.qsg_id)
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("presenter_organisation")
        .prefetch_related("providers")
        .order_by("position", "pk")
    )
    note = am.note_of(meeting)
    suggestions = selectors_meetings.agenda_suggestions(request.user, meeting) if can_manage else []
    total = sum(i.duration_minutes for i in items)
    return render(
        request,
        "surveillance/meetings/agenda.jinja",
        _meeting_context(
            request,
            meeting,
            items=items,
            suggestions=suggestions,
            total_minutes=total,
            locked=bool(note and note.is_locked),
            form_token=new_form_token(),
        ),
    )


@login_required
@require_POST
def agenda_template(request, pk):
    meeting = am.meeting_for_user(request.user, pk, manage=True)
    try:
        added = sm.agenda_apply_template(actor=request.user, meeting=meeting)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        kind = "local (annex D)" if meeting.qsg.is_local else "regional (annex C)"
        messages.success(
            request, f"{added} item{'s' if added != 1 else ''} added from the {kind} template"
        )
    return redirect("surveillance:agenda", meeting.pk)


@login_required
@require_POST
def agenda_suggestions_add(request, pk):
    meeting = am.meeting_for_user(request.user, pk, manage=True)
    tokens = request.POST.getlist("suggestion")
    if not tokens:
        messages.error(request, "Choose at least one proposal to add")
        return redirect("surveillance:agenda", meeting.pk)
    try:
        added = sm.agenda_add_suggestions(actor=request.user, meeting=meeting, tokens=tokens)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{added} item{'s' if added != 1 else ''} added to the agenda")
    return redirect("surveillance:agenda", meeting.pk)


def _agenda_item_form(request, meeting: Meeting, item: AgendaItem | None):
    initial = {}
    if item is not None:
        initial = {
            "title": item.title,
            "kind": item.kind,
            "presenter": item.presenter,
            "presenter_organisation": item.presenter_organisation_id,
            "duration_minutes": item.duration_minutes,
            "providers": list(item.providers.all()),
            "description": item.description,
            "papers": item.papers,
            "is_confidential": item.is_confidential,
        }
    form = AgendaItemForm(
        posted(request),
        initial=initial,
        organisations=_member_organisations(meeting.qsg),
        providers=_footprint(meeting.qsg),
    )
    return _with_token(form) if item is None else form


@login_required
@require_http_methods(["GET", "POST"])
def agenda_item_create(request, pk):
    meeting = am.meeting_for_user(request.user, pk, manage=True)
    back = reverse("surveillance:agenda", args=[meeting.pk])
    return _form_flow(
        request,
        _agenda_item_form(request, meeting, None),
        scope="agenda-item",
        save=lambda d: sm.agenda_item_create(actor=request.user, meeting=meeting, **d),
        done="The item has been added to the agenda",
        then=back,
        page=_page(meeting, "Add an agenda item", "Add item", back),
    )


@login_required
@require_http_methods(["GET", "POST"])
def agenda_item_edit(request, pk, item_pk):
    meeting = am.meeting_for_user(request.user, pk, manage=True)
    item = am.agenda_item_for_user(request.user, meeting, item_pk, manage=True)
    back = reverse("surveillance:agenda", args=[meeting.pk])

    def save(data):
        providers = data.pop("providers")
        return sm.agenda_item_update(actor=request.user, item=item, providers=providers, **data)

    return _form_flow(
        request,
        _agenda_item_form(request, meeting, item),
        save=save,
        done="The agenda item has been saved",
        then=back,
        page=_page(meeting, "Change an agenda item", "Save item", back),
    )


@login_required
@require_http_methods(["GET", "POST"])
def agenda_item_delete(request, pk, item_pk):
    meeting = am.meeting_for_user(request.user, pk, manage=True)
    item = am.agenda_item_for_user(request.user, meeting, item_pk, manage=True)
    return _confirm_delete(
        request,
        what=f"the agenda item “{item.title}”",
        back=reverse("surveillance:agenda", args=[meeting.pk]),
        action=lambda: sm.agenda_item_delete(actor=request.user, item=item),
        done="The item has been removed from the agenda",
    )


@login_required
@require_POST
def agenda_item_move(request, pk, item_pk):
    meeting = am.meeting_for_user(request.user, pk, manage=True)
    item = am.agenda_item_for_user(request.user, meeting, item_pk, manage=True)
    direction = "up" if request.POST.get("direction") == "up" else "down"
    try:
        sm.agenda_item_move(actor=request.user, item=item, direction=direction)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(reverse("surveillance:agenda", args=[meeting.pk]) + f"#item-{item.pk}")


def _confirm_delete(
    request, *, what: str, back: str, action: Callable[[], None], done: str, verb: str = "Remove"
):
    errors: list[str] = []
    if request.method == "POST":
        try:
            action()
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, done)
            return redirect(back)
    return render(
        request,
        "surveillance/meetings/confirm.jinja",
        {"what": what, "back": back, "errors": errors, "verb": verb},
    )


# Attendance ----------------------------------------------------------------------------------


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
    return _with_token(form) if row is None else form


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
    if request.method == "POST" and form.is_valid():
        data = _attendance_data(form)
        try:
            row = _save_once(
                request,
                form,
                "attendance",
                lambda: sm.attendance_add(actor=request.user, meeting=meeting, **data),
            )
        except ValidationError:
            pass
        else:
            if row is not None:
                messages.success(request, f"{row.name} has been recorded")
            return redirect("surveillance:attendance", meeting.pk)
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
def attendance_edit(request, pk, row_pk):
    meeting = am.meeting_for_user(request.user, pk, manage=True)
    row = am.attendance_row_for_user(request.user, meeting, row_pk, manage=True)
    form = _attendance_form(request, meeting, row, data=posted(request))
    back = reverse("surveillance:attendance", args=[meeting.pk])
    return _form_flow(
        request,
        form,
        save=lambda d: sm.attendance_update(actor=request.user, row=row, **_attendance_data(form)),
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
        action=lambda: sm.attendance_remove(actor=request.user, row=row),
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


# The note ---------------------------------------------------------------------------------------


@login_required
@require_GET
def note(request, pk):
    meeting = am.meeting_for_user(request.user, pk)
    existing = am.note_of(meeting)
    can_manage = am.manages(request.user, meeting.qsg_id)
    if not am.can_read_note(request.user, existing, meeting.qsg_id):
        # Nothing of the note's content: whether one exists is on the meeting's page anyway.
        return render(
            request,
            "surveillance/meetings/note_start.jinja",
            _meeting_context(request, meeting, note=existing),
        )
    note = am.note_for_user(request.user, meeting)
    confidential = am.sees_confidential(request.user, meeting.qsg_id)
    document = selectors_meetings.document_dates(
        selectors_meetings.redact(
            selectors_meetings.note_document(meeting, note), confidential=confidential
        )
    )
    is_chair = am.chairs(request.user, meeting.qsg_id)
    comments = (
        NoteComment.objects.filter(note=note).select_related(
            "author", "author__organisation", "agenda_item"
        )
        if note.status != NoteStatus.DRAFT or can_manage or is_chair
        else NoteComment.objects.none()
    )
    events = (
        NoteEvent.objects.filter(meeting=meeting).select_related("actor")
        if can_manage or is_chair
        else None
    )
    comment_form = (
        _with_token(CommentForm()) if am.can_comment(request.user, note, meeting.qsg_id) else None
    )
    return render(
        request,
        "surveillance/meetings/note.jinja",
        _meeting_context(
            request,
            meeting,
            note=note,
            doc=document,
            comments=comments,
            events=events,
            comment_form=comment_form,
            versions=am.versions_for(request.user, meeting, note),
            editable=can_manage and not note.is_locked,
            awaiting=[
                c for c in document["conclusions"] if c["dissent"] and not c["chair_decision"]
            ],
        ),
    )


@login_required
@require_POST
def note_start(request, pk):
    meeting = am.meeting_for_user(request.user, pk, manage=True)
    sm.meeting_note_start(actor=request.user, meeting=meeting)
    return redirect("surveillance:note", meeting.pk)


def _items_of(meeting: Meeting, user):
    items = AgendaItem.objects.filter(meeting=meeting).order_by("position", "pk")
    if not am.sees_confidential(user, meeting.qsg_id):
        items = items.filter(is_confidential=False)
    return items


@login_required
@require_http_methods(["GET", "POST"])
def passage_create(request, pk):
    meeting, note = _editable_note(request, pk)
    initial = (
        {"agenda_item": request.GET.get("item")} if request.GET.get("item", "").isdigit() else {}
    )
    return _form_flow(
        request,
        _with_token(
            PassageForm(posted(request), initial=initial, items=_items_of(meeting, request.user))
        ),
        scope="note-passage",
        save=lambda d: sm.passage_save(actor=request.user, note=note, **d),
        done="The record of discussion has been saved",
        then=lambda obj, d: (
            reverse("surveillance:note", args=[meeting.pk]) + f"#item-{d['agenda_item'].pk}"
        ),
        page=_page(meeting, "Record the discussion", "Save record"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def passage_edit(request, pk, passage_pk):
    meeting, note = _editable_note(request, pk)
    _, passage = am.note_part_for_user(request.user, meeting, NotePassage, passage_pk)
    if passage.agenda_item.is_confidential and not am.sees_confidential(
        request.user, meeting.qsg_id
    ):
        raise Http404("Not found")
    initial = {
        "agenda_item": passage.agenda_item_id,
        "text": passage.text,
        "foi_exemption": passage.foi_exemption_id,
    }
    return _form_flow(
        request,
        PassageForm(posted(request), initial=initial, items=_items_of(meeting, request.user)),
        save=lambda d: sm.passage_save(actor=request.user, note=note, passage=passage, **d),
        done="The record of discussion has been saved",
        then=lambda obj, d: (
            reverse("surveillance:note", args=[meeting.pk]) + f"#item-{d['agenda_item'].pk}"
        ),
        page=_page(meeting, "Change the record of discussion", "Save record"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def passage_delete(request, pk, passage_pk):
    meeting, note = _editable_note(request, pk)
    _, passage = am.note_part_for_user(request.user, meeting, NotePassage, passage_pk)
    return _confirm_delete(
        request,
        what="this passage of the record",
        back=reverse("surveillance:note", args=[meeting.pk]),
        action=lambda: sm.passage_delete(actor=request.user, note=note, passage=passage),
        done="The passage has been removed",
    )


def _conclusion_form(request, meeting: Meeting, conclusion: Conclusion | None):
    initial = {}
    if conclusion is not None:
        initial = {
            "provider": conclusion.provider_id,
            "category": conclusion.category_id,
            "agenda_item": conclusion.agenda_item_id,
            "key_issues": conclusion.key_issues,
            "rationale": conclusion.rationale,
            "dissent": conclusion.dissent,
            "foi_exemption": conclusion.foi_exemption_id,
        }
    elif request.GET.get("provider", "").isdigit():
        initial = {"provider": request.GET["provider"], "agenda_item": request.GET.get("item")}
    form = ConclusionForm(
        posted(request),
        initial=initial,
        providers=_footprint(meeting.qsg),
        items=_items_of(meeting, request.user),
    )
    return _with_token(form) if conclusion is None else form


@login_required
@require_http_methods(["GET", "POST"])
def conclusion_create(request, pk):
    meeting, note = _editable_note(request, pk)
    return _form_flow(
        request,
        _conclusion_form(request, meeting, None),
        scope="conclusion",
        save=lambda d: sm.conclusion_save(actor=request.user, note=note, **d),
        done=lambda obj, d: f"The conclusion on {d['provider'].name} has been recorded",
        then=reverse("surveillance:note", args=[meeting.pk]) + "#conclusions",
        page=_page(meeting, "Record a conclusion on a provider", "Save conclusion"),
        template="surveillance/meetings/conclusion_form.jinja",
    )


@login_required
@require_http_methods(["GET", "POST"])
def conclusion_edit(request, pk, conclusion_pk):
    meeting, note = _editable_note(request, pk)
    _, conclusion = am.note_part_for_user(request.user, meeting, Conclusion, conclusion_pk)
    if conclusion.is_confidential and not am.sees_confidential(request.user, meeting.qsg_id):
        raise Http404("Not found")
    return _form_flow(
        request,
        _conclusion_form(request, meeting, conclusion),
        save=lambda d: sm.conclusion_save(
            actor=request.user, note=note, conclusion=conclusion, **d
        ),
        done=lambda obj, d: f"The conclusion on {d['provider'].name} has been saved",
        then=reverse("surveillance:note", args=[meeting.pk]) + "#conclusions",
        page=_page(
            meeting, f"Change the conclusion on {conclusion.provider.name}", "Save conclusion"
        ),
        template="surveillance/meetings/conclusion_form.jinja",
    )


@login_required
@require_http_methods(["GET", "POST"])
def conclusion_delete(request, pk, conclusion_pk):
    meeting, note = _editable_note(request, pk)
    _, conclusion = am.note_part_for_user(request.user, meeting, Conclusion, conclusion_pk)
    return _confirm_delete(
        request,
        what=f"the conclusion on {conclusion.provider.name}",
        back=reverse("surveillance:note", args=[meeting.pk]) + "#conclusions",
        action=lambda: sm.conclusion_delete(actor=request.user, note=note, conclusion=conclusion),
        done="The conclusion has been removed",
    )


@login_required
@require_http_methods(["GET", "POST"])
def conclusion_settle(request, pk, conclusion_pk):
    meeting = am.meeting_for_user(request.user, pk)
    note, conclusion = am.note_part_for_user(request.user, meeting, Conclusion, conclusion_pk)
    qsg_access.require(am.chairs(request.user, meeting.qsg_id))
    form = SettleForm(posted(request), initial={"decision": conclusion.chair_decision})
    if request.method == "POST" and form.is_valid():
        try:
            sm.conclusion_settle(
                actor=request.user,
                note=note,
                conclusion=conclusion,
                decision=form.cleaned_data["decision"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, f"Your decision on {conclusion.provider.name} has been recorded"
            )
            return redirect(reverse("surveillance:note", args=[meeting.pk]) + "#conclusions")
    return _form_page(
        request,
        {
            "form": form,
            "title": f"Settle the disagreement on {conclusion.provider.name}",
            "caption": str(meeting),
            "back": reverse("surveillance:note", args=[meeting.pk]),
            "submit": "Record decision",
            "intro": f"Conclusion recorded: {conclusion.category.label}. Disagreement: {conclusion.dissent}",
        },
    )


def _action_form(request, meeting: Meeting, action: Action | None):
    initial = {}
    if action is not None:
        initial = {
            "description": action.description,
            "owner_organisation": action.owner_organisation_id,
            "owner": action.owner_id,
            "due_date": action.due_date,
            "provider": action.provider_id,
            "foi_exemption": action.foi_exemption_id,
        }
    form = ActionForm(
        posted(request),
        initial=initial,
        organisations=_member_organisations(meeting.qsg),
        people=_member_people(meeting.qsg),
        providers=_footprint(meeting.qsg),
    )
    return _with_token(form) if action is None else form


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request, pk):
    meeting, note = _editable_note(request, pk)
    return _form_flow(
        request,
        _action_form(request, meeting, None),
        scope="action",
        save=lambda d: sm.action_save(actor=request.user, note=note, **d),
        done=lambda action, d: f"Action {action.reference} has been recorded",
        then=reverse("surveillance:note", args=[meeting.pk]) + "#actions",
        page=_page(meeting, "Record an action", "Save action"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request, pk, action_pk):
    meeting, note = _editable_note(request, pk)
    _, action = am.note_part_for_user(request.user, meeting, Action, action_pk)
    return _form_flow(
        request,
        _action_form(request, meeting, action),
        save=lambda d: sm.action_save(actor=request.user, note=note, action=action, **d),
        done=f"Action {action.reference} has been saved",
        then=reverse("surveillance:note", args=[meeting.pk]) + "#actions",
        page=_page(meeting, f"Change action {action.reference}", "Save action"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_delete(request, pk, action_pk):
    meeting, note = _editable_note(request, pk)
    _, action = am.note_part_for_user(request.user, meeting, Action, action_pk)
    return _confirm_delete(
        request,
        what=f"action {action.reference}",
        back=reverse("surveillance:note", args=[meeting.pk]) + "#actions",
        action=lambda: sm.action_delete(actor=request.user, note=note, action=action),
        done=f"Action {action.reference} has been removed",
    )


# Workflow ------------------------------------------------------------------------------------


def _workflow_page(
    request,
    meeting,
    *,
    form,
    title,
    submit,
    intro,
    step: Callable[[], object],
    done: str,
    allowed: bool,
):
    qsg_access.require(allowed)
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            step()
        except ValidationError as error:
            if form is None:
                messages.error(request, " ".join(error.messages))
                return redirect("surveillance:note", meeting.pk)
            apply_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("surveillance:note", meeting.pk)
    return _form_page(
        request,
        {
            "form": form,
            "title": title,
            "caption": str(meeting),
            "back": reverse("surveillance:note", args=[meeting.pk]),
            "submit": submit,
            "intro": intro,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def note_circulate(request, pk):
    meeting = am.meeting_for_user(request.user, pk, manage=True)
    note = am.note_for_user(request.user, meeting)
    form = CirculateForm(
        posted(request), initial={"comments_by": timezone.localdate() + dt.timedelta(days=10)}
    )
    return _workflow_page(
        request,
        meeting,
        form=form,
        title="Circulate the draft note for comment",
        submit="Circulate to members",
        intro="Members of the group will be told by e-mail and can comment until the note is agreed.",
        step=lambda: sm.meeting_note_circulate(
            actor=request.user, note=note, comments_by=form.cleaned_data.get("comments_by")
        ),
        done="The note has been circulated to members for comment",
        allowed=True,
    )


@login_required
@require_POST
def note_comment(request, pk):
    meeting = am.meeting_for_user(request.user, pk)
    note = am.note_for_user(request.user, meeting)
    qsg_access.require(am.can_comment(request.user, note, meeting.qsg_id))
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            _save_once(
                request,
                form,
                "note-comment",
                lambda: sm.meeting_note_comment(
                    actor=request.user, note=note, text=form.cleaned_data["text"]
                ),
            )
        except ValidationError:
            pass
        else:
            messages.success(request, "Your comment has been recorded")
            return redirect(reverse("surveillance:note", args=[meeting.pk]) + "#comments")
    return _form_page(
        request,
        {
            "form": form,
            "title": "Comment on the draft note",
            "caption": str(meeting),
            "back": reverse("surveillance:note", args=[meeting.pk]),
            "submit": "Send comment",
            "action": reverse("surveillance:note-comment", args=[meeting.pk]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def note_agree(request, pk):
    meeting = am.meeting_for_user(request.user, pk)
    note = am.note_for_user(request.user, meeting)
    return _workflow_page(
        request,
        meeting,
        form=None,
        title="Agree the note",
        submit="Agree the note",
        intro=f"Agreeing locks version {note.version} of the note as the group's record. Conclusions update each "
        "provider's surveillance level, and any risk summit required is referred on. Later changes need a new version.",
        step=lambda: sm.meeting_note_agree(actor=request.user, note=note),
        done=f"Version {note.version} of the note has been agreed",
        allowed=am.chairs(request.user, meeting.qsg_id),
    )


@login_required
@require_http_methods(["GET", "POST"])
def note_revise(request, pk):
    meeting = am.meeting_for_user(request.user, pk, manage=True)
    note = am.note_for_user(request.user, meeting)
    form = ReviseForm(posted(request))
    return _workflow_page(
        request,
        meeting,
        form=form,
        title="Open a new version of the agreed note",
        submit="Open a new version",
        intro=f"Version {note.version} stays as it was agreed and readable. The new version is a draft until the chair agrees it.",
        step=lambda: sm.meeting_note_revise(
            actor=request.user, note=note, reason=form.cleaned_data["reason"]
        ),
        done="A new version of the note has been opened",
        allowed=True,
    )


@login_required
@require_POST
def note_publish(request, pk):
    meeting = am.meeting_for_user(request.user, pk)
    note = am.note_for_user(request.user, meeting)
    qsg_access.require(
        am.manages(request.user, meeting.qsg_id) or am.chairs(request.user, meeting.qsg_id)
    )
    try:
        sm.meeting_note_publish(actor=request.user, note=note)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The agreed note has been published to members")
    return redirect("surveillance:note", meeting.pk)


@login_required
@require_GET
def note_version(request, pk, number):
    meeting = am.meeting_for_user(request.user, pk)
    version = am.version_for_user(request.user, meeting, number)
    confidential = am.sees_confidential(request.user, meeting.qsg_id)
    document = selectors_meetings.document_dates(
        selectors_meetings.redact(version.snapshot, confidential=confidential)
    )
    return render(
        request,
        "surveillance/meetings/note_version.jinja",
        _meeting_context(request, meeting, version=version, doc=document),
    )


# PDF -----------------------------------------------------------------------------------------


def _audience(request, meeting) -> str:
    return "full" if am.sees_confidential(request.user, meeting.qsg_id) else "open"


@login_required
@require_http_methods(["GET", "POST"])
def note_pdf(request, pk):
    meeting = am.meeting_for_user(request.user, pk)
    note = am.note_for_user(request.user, meeting)
    audience = _audience(request, meeting)
    if request.method == "POST":
        job, _ = sm.meeting_note_pdf_request(actor=request.user, note=note, audience=audience)
        return redirect("surveillance:note-pdf-status", meeting.pk, job.pk)
    job = Job.objects.filter(key=sm.pdf_job_key(note, audience)).first()
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
        job = Job.objects.filter(pk=job_id, kind=sm.PDF_KIND).first()
    except ValidationError:
        job = None
    # A job is only ever shown to readers of its audience, for this meeting's note.
    if job is None or job.counts.get("note") != note.pk or job.counts.get("audience") != audience:
        raise Http404("Not found")
    return job


@login_required
@require_GET
def note_pdf_status(request, pk, job_id):
    meeting = am.meeting_for_user(request.user, pk)
    job = _pdf_job(request, meeting, job_id)
    note = am.note_of(meeting)
    current = job.key == sm.pdf_job_key(note, job.counts.get("audience"))
    context = _meeting_context(request, meeting, job=job, current=current)
    if request.htmx:
        return render(request, "surveillance/meetings/partials/pdf_job.jinja", context)
    return render(request, "surveillance/meetings/pdf_status.jinja", context)


@login_required
@require_GET
def note_pdf_download(request, pk, job_id):
    meeting = am.meeting_for_user(request.user, pk)
    job = _pdf_job(request, meeting, job_id)
    path = job.counts.get("path")
    if job.status != Job.Status.SUCCEEDED or not path or not default_storage.exists(path):
        raise Http404("Not found")
    with default_storage.open(path, "rb") as fh:
        response = HttpResponse(fh.read(), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{job.counts.get("filename", "meeting-note.pdf")}"'
    )
    return response


# Actions log ----------------------------------------------------------------------------------


@login_required
@require_GET
def action_list(request):
    qsgs = qsg_access.qsgs_for(request.user).order_by("name")
    visible = am.actions_for(request.user)
    organisations = (
        Organisation.objects.filter(memberships__qsg__in=qsgs).distinct().order_by("name")
    )
    form = ActionFilterForm(request.GET or None, qsgs=qsgs, organisations=organisations)
    actions = visible.select_related(
        "qsg", "owner_organisation", "owner", "provider", "note__meeting"
    )
    today = timezone.localdate()
    status = "open"
    if form.is_valid():
        data = form.cleaned_data
        status = data.get("status") or ""
        if data.get("qsg"):
            actions = actions.filter(qsg=data["qsg"])
        if data.get("owner_organisation"):
            actions = actions.filter(owner_organisation=data["owner_organisation"])
        if data.get("overdue"):
            actions = actions.filter(due_date__lt=today, status__in=Action.OPEN_STATUSES)
        if data.get("mine"):
            actions = actions.filter(
                Q(owner_organisation_id=request.user.organisation_id) | Q(owner=request.user)
            )
    if status == "open":
        actions = actions.filter(status__in=Action.OPEN_STATUSES)
    elif status:
        actions = actions.filter(status=status)
    return render(
        request,
        "surveillance/meetings/action_list.jinja",
        {
            "form": form,
            "page": page_of(request, actions.order_by("due_date", "qsg__name", "number")),
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_update(request, action_pk):
    action = am.action_for_user(request.user, action_pk)
    can_update = am.can_update_action(request.user, action)
    form = ActionStatusForm(
        posted(request) if can_update else None,
        initial={
            "status": action.status,
            "progress_note": action.progress_note,
            "completed_on": action.completed_on,
        },
    )
    if request.method == "POST":
        qsg_access.require(can_update)
        if form.is_valid():
            try:
                sm.action_update_status(actor=request.user, action=action, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"Progress on action {action.reference} has been saved")
                return redirect("surveillance:action-list")
    history = action.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request,
        "surveillance/meetings/action_detail.jinja",
        {
            "action": action,
            "form": form if can_update else None,
            "history": history,
            "today": timezone.localdate(),
        },
    )


# Business cycle --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def plan_list(request, qsg_pk):
    qsg = am.qsg_for_user(request.user, qsg_pk, manage=request.method == "POST")
    can_manage = am.manages(request.user, qsg.pk)
    today = timezone.localdate()
    form = None
    if can_manage:
        form = _with_token(
            PlanForm(
                posted(request),
                initial={
                    "title": f"Business cycle {today.year}-{str(today.year + 1)[-2:]}",
                    "period_start": today,
                    "period_end": today.replace(year=today.year + 1) - dt.timedelta(days=1),
                },
            )
        )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "form_token"}
        try:
            plan = _save_once(
                request,
                form,
                "business-plan",
                lambda: sm.business_plan_create(actor=request.user, qsg=qsg, **data),
            )
        except ValidationError:
            pass
        else:
            if plan is None:
                return redirect("surveillance:plan-list", qsg.pk)
            messages.success(request, "The business plan has been created")
            return redirect(plan.get_absolute_url())
    return render(
        request,
        "surveillance/meetings/plan_list.jinja",
        {
            "qsg": qsg,
            "plans": BusinessPlan.objects.filter(qsg=qsg),
            "form": form,
            "can_manage": can_manage,
        },
    )


@login_required
@require_GET
def plan_detail(request, pk):
    plan = am.plan_for_user(request.user, pk)
    entries = (
        PlanEntry.objects.filter(plan=plan)
        .select_related("meeting")
        .prefetch_related("providers")
        .order_by("meeting__starts_at", "pk")
    )
    meetings = Meeting.objects.filter(
        qsg=plan.qsg, starts_at__date__gte=plan.period_start, starts_at__date__lte=plan.period_end
    ).order_by("starts_at")
    return render(
        request,
        "surveillance/meetings/plan_detail.jinja",
        {
            "plan": plan,
            "qsg": plan.qsg,
            "entries": entries,
            "meetings": meetings,
            "can_manage": am.manages(request.user, plan.qsg_id),
            "distribute_form": DistributeForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_entry_create(request, pk):
    plan = am.plan_for_user(request.user, pk, manage=True)
    meetings = Meeting.objects.filter(
        qsg=plan.qsg, starts_at__date__gte=plan.period_start, starts_at__date__lte=plan.period_end
    ).order_by("starts_at")
    return _form_flow(
        request,
        _with_token(
            PlanEntryForm(posted(request), meetings=meetings, providers=_footprint(plan.qsg))
        ),
        scope="plan-entry",
        save=lambda d: sm.plan_entry_add(actor=request.user, plan=plan, **d),
        done="The entry has been added to the plan",
        then=plan.get_absolute_url(),
        page=_page(plan.title, "Add to the business plan", "Add to plan", plan.get_absolute_url()),
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_entry_delete(request, pk, entry_pk):
    plan = am.plan_for_user(request.user, pk, manage=True)
    entry = PlanEntry.objects.filter(plan=plan, pk=am._int(entry_pk)).first()
    if entry is None:
        raise Http404("Not found")
    return _confirm_delete(
        request,
        what=f"“{entry.title}” from the plan",
        back=plan.get_absolute_url(),
        action=lambda: sm.plan_entry_remove(actor=request.user, entry=entry),
        done="The entry has been removed from the plan",
    )


@login_required
@require_POST
def plan_distribute(request, pk):
    plan = am.plan_for_user(request.user, pk, manage=True)
    form = DistributeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose how to group the providers")
        return redirect(plan.get_absolute_url())
    try:
        made = sm.business_plan_distribute(
            actor=request.user, plan=plan, group_by=form.cleaned_data["group_by"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"{made} group{'s' if made != 1 else ''} of providers placed in meetings"
        )
    return redirect(plan.get_absolute_url())


@login_required
@require_GET
def coverage(request, qsg_pk):
    qsg = am.qsg_for_user(request.user, qsg_pk)
    today = timezone.localdate()
    plan = (
        BusinessPlan.objects.filter(qsg=qsg, period_start__lte=today, period_end__gte=today)
        .order_by("-period_start")
        .first()
    )
    if plan is not None:
        start, end = plan.period_start, plan.period_end
    else:
        start, end = today - dt.timedelta(days=365), today
    rows = selectors_meetings.coverage(qsg, period_start=start, period_end=end, today=today)
    show = request.GET.get("show", "")
    if show == "flagged":
        rows = [r for r in rows if r.flagged]
    return render(
        request,
        "surveillance/meetings/coverage.jinja",
        {
            "qsg": qsg,
            "rows": rows,
            "plan": plan,
            "start": start,
            "end": end,
            "show": show,
            "flagged": sum(1 for r in rows if r.flagged),
        },
    )


# Quorum rule ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def quorum_settings(request, qsg_pk):
    qsg = am.qsg_for_user(request.user, qsg_pk, manage=request.method == "POST")
    can_manage = am.manages(request.user, qsg.pk)
    form = QuorumRequirementForm(posted(request)) if can_manage else None
    if request.method == "POST" and form.is_valid():
        try:
            sm.quorum_use_defaults(actor=request.user, qsg=qsg)
            sm.quorum_requirement_add(actor=request.user, qsg=qsg, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "The requirement has been added to the quorum")
            return redirect("surveillance:quorum-settings", qsg.pk)
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
    sm.quorum_use_defaults(actor=request.user, qsg=qsg)
    messages.success(request, "The usual terms are now this QSG's own quorum rule")
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
        action=lambda: sm.quorum_requirement_remove(actor=request.user, requirement=row),
        done="The requirement has been removed",
    )
