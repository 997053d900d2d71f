"""The summit's actions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from qsg import once
from qsg.pages import posted, submit

from .. import access
from ..forms import ActionForm, ActionUpdateForm
from ..services import actions
from ._common import BASE, _ctx, _open


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request, pk):
    standing = _open(request, pk, "Add an action", manage=True)
    summit = standing.summit
    organisations = access.action_organisations_for(standing)
    people = access.action_owners_for(standing)
    meetings = access.action_meetings_for(standing)
    initial = {}
    if request.GET.get("meeting", "").isdigit():
        initial["meeting"] = int(request.GET["meeting"])
    form = once.with_token(
        ActionForm(
            posted(request),
            organisations=organisations,
            people=people,
            meetings=meetings,
            initial=initial,
        )
    )
    return submit(
        request,
        form,
        lambda data: actions.action_create(
            actor=request.user, summit=summit, form_token=once.token_of(form), **data
        ),
        done=lambda action: f"Action {action.number} has been added",
        then=lambda action: (
            reverse("risksummits:meeting", args=[summit.pk, action.meeting_id])
            if action.meeting_id
            else summit.get_absolute_url() + "#actions"
        ),
    ) or render(request, BASE + "action_form.jinja", _ctx(standing, form=form))


@login_required
@require_http_methods(["GET", "POST"])
def action_detail(request, pk, action_pk):
    standing = _open(request, pk, "Summit action")
    action = access.action_for(standing, action_pk)
    can_update = (
        standing.summit.is_open
        and action.transferred_action_id is None
        and actions.can_update_action(standing, action)
    )
    initial = {
        "status": action.status,
        "progress_note": action.progress_note,
        "due_on": action.due_on,
    }
    form = ActionUpdateForm(posted(request), initial=initial)
    if request.method == "POST":
        access.require(can_update)

    def save(data):
        if not standing.can_manage:
            data["due_on"] = None
        actions.action_update(actor=request.user, standing=standing, action=action, **data)

    return submit(
        request,
        form,
        save,
        done=f"Action {action.number} has been updated",
        then=standing.summit.get_absolute_url() + "#actions",
    ) or render(
        request,
        BASE + "action_detail.jinja",
        _ctx(standing, action=action, form=form, can_update=can_update),
    )
