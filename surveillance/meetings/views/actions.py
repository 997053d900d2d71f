"""Pages of actions: recorded in the note, the actions log, progress on one action."""

from __future__ import annotations

import copy

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from qsg import access as qsg_access
from qsg import once
from qsg.models import Organisation
from qsg.pages import page_of, posted, submit
from surveillance.meetings import access as am
from surveillance.meetings.forms import ActionFilterForm, ActionForm, ActionStatusForm
from surveillance.meetings.models import Action, Meeting
from surveillance.meetings.services import actions as actions_services
from surveillance.meetings.views._common import (
    _confirm_delete,
    _editable_note,
    _footprint,
    _form_flow,
    _member_organisations,
    _member_people,
    _page,
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
            "agenda_item": action.agenda_item_id,
            "foi_exemption": action.foi_exemption_id,
        }
    form = ActionForm(
        posted(request),
        initial=initial,
        organisations=_member_organisations(meeting.qsg),
        people=_member_people(meeting.qsg),
        providers=_footprint(meeting.qsg),
        agenda=meeting.agenda_items.order_by("position", "pk"),
    )
    return once.with_token(form) if action is None else form


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request, pk):
    meeting, note = _editable_note(request, pk)
    return _form_flow(
        request,
        _action_form(request, meeting, None),
        scope="action",
        save=lambda d: actions_services.action_save(actor=request.user, note=note, **d),
        done=lambda action: f"Action {action.reference} has been recorded",
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
        save=lambda d: actions_services.action_save(
            actor=request.user, note=note, action=action, conclusion=action.conclusion, **d
        ),
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
        action=lambda: actions_services.action_delete(actor=request.user, note=note, action=action),
        done=f"Action {action.reference} has been removed",
    )


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
    page = page_of(request, actions.order_by("due_date", "qsg__name", "number"))
    page.object_list = am.actions_as_read(request.user, page.object_list)
    return render(
        request,
        "surveillance/meetings/action_list.jinja",
        {"form": form, "page": page, "today": today},
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_update(request, action_pk):
    action = am.action_for_user(request.user, action_pk)
    can_update = am.can_update_action(request.user, action)
    # What the reader may read of it (a copy: the record itself is saved below).
    (shown,) = am.actions_as_read(request.user, [copy.copy(action)])
    form = ActionStatusForm(
        posted(request) if can_update else None,
        initial={
            "status": action.status,
            "progress_note": "" if shown.withheld else action.progress_note,
            "completed_on": action.completed_on,
        },
    )
    if request.method == "POST":
        qsg_access.require(can_update)
    response = submit(
        request,
        form,
        lambda data: actions_services.action_update_status(
            actor=request.user, action=action, **data
        ),
        done=f"Progress on action {action.reference} has been saved",
        then="surveillance:action-list",
    )
    if response:
        return response
    history = list(action.history.select_related("history_user").order_by("-history_date")[:20])
    if shown.withheld:
        for h in history:
            h.progress_note = ""
    return render(
        request,
        "surveillance/meetings/action_detail.jinja",
        {
            "action": shown,
            "form": form if can_update else None,
            "history": history,
            "today": timezone.localdate(),
        },
    )
