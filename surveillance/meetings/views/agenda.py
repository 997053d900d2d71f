"""Pages of the agenda: the template, proposed items, adding, changing, moving items."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qsg import once
from qsg.pages import posted
from surveillance.meetings import access as am
from surveillance.meetings import selectors as selectors_meetings
from surveillance.meetings.forms import AgendaItemForm
from surveillance.meetings.models import AgendaItem, Meeting
from surveillance.meetings.services import agenda as agenda_services
from surveillance.meetings.views._common import (
    _confirm_delete,
    _footprint,
    _form_flow,
    _meeting_context,
    _member_organisations,
    _page,
)


@login_required
@require_GET
def agenda(request, pk):
    meeting = am.meeting_for_user(request.user, pk)
    can_manage = am.manages(request.user, meeting.qsg_id)
    items = am.agenda_of(request.user, meeting)
    note = am.note_of(meeting)
    suggestions = selectors_meetings.agenda_suggestions(request.user, meeting) if can_manage else []
    total = sum(i["duration"] for i in items)
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
            form_token=once.new_token(),
        ),
    )


@login_required
@require_POST
def agenda_template(request, pk):
    meeting = am.meeting_for_user(request.user, pk, manage=True)
    try:
        added = agenda_services.agenda_apply_template(actor=request.user, meeting=meeting)
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
        added = agenda_services.agenda_add_suggestions(
            actor=request.user, meeting=meeting, tokens=tokens
        )
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
    return once.with_token(form) if item is None else form


@login_required
@require_http_methods(["GET", "POST"])
def agenda_item_create(request, pk):
    meeting = am.meeting_for_user(request.user, pk, manage=True)
    back = reverse("surveillance:agenda", args=[meeting.pk])
    return _form_flow(
        request,
        _agenda_item_form(request, meeting, None),
        scope="agenda-item",
        save=lambda d: agenda_services.agenda_item_create(actor=request.user, meeting=meeting, **d),
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
        return agenda_services.agenda_item_update(
            actor=request.user, item=item, providers=providers, **data
        )

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
        action=lambda: agenda_services.agenda_item_delete(actor=request.user, item=item),
        done="The item has been removed from the agenda",
    )


@login_required
@require_POST
def agenda_item_move(request, pk, item_pk):
    meeting = am.meeting_for_user(request.user, pk, manage=True)
    item = am.agenda_item_for_user(request.user, meeting, item_pk, manage=True)
    direction = "up" if request.POST.get("direction") == "up" else "down"
    try:
        agenda_services.agenda_item_move(actor=request.user, item=item, direction=direction)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(reverse("surveillance:agenda", args=[meeting.pk]) + f"#item-{item.pk}")
