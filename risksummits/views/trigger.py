"""Triggering a summit, picking up meetings' referrals, and changing the summit's details."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from qsg import once
from qsg.pages import posted, submit
from surveillance.intelligence.access import items_for

from .. import access
from ..forms import SummitEditForm, TriggerForm
from ..services import trigger
from ._common import BASE, _ctx, _open


@login_required
@require_POST
def referrals_pick_up(request):
    """Open the summits that agreed meeting notes concluded were required (the beat task does
    the same every few minutes)."""
    qsg_ids = access.lead_qsg_ids(request.user)
    access.require(bool(qsg_ids))
    report: dict = {}
    made = trigger.referrals_pick_up(qsg_ids=qsg_ids, report=report)
    if made:
        opened, linked = report["opened"], report["linked"]
        parts = []
        if opened:
            parts.append(
                f"{opened} risk summit{'s' if opened != 1 else ''} opened from meeting conclusions"
            )
        if linked:
            parts.append(
                f"{linked} conclusion{'s' if linked != 1 else ''} linked to the summit already "
                "open about the provider"
            )
        messages.success(request, "; ".join(parts))
    else:
        messages.success(request, "There were no meeting conclusions waiting for a risk summit")
    return redirect("risksummits:list")


@login_required
@require_http_methods(["GET", "POST"])
def summit_trigger(request):
    providers = (
        access.triggerable_providers_for(request.user).select_related("qsg").order_by("name")
    )
    access.require(providers.exists())
    initial = {"judged_at_date": timezone.localdate()}
    initial["judged_at_time"] = timezone.localtime().strftime("%H:%M")
    if request.GET.get("provider", "").isdigit():
        initial["provider"] = int(request.GET["provider"])
    form = once.with_token(
        TriggerForm(
            posted(request), providers=providers, items=items_for(request.user), initial=initial
        )
    )
    return submit(
        request,
        form,
        lambda data: trigger.summit_trigger(
            actor=request.user,
            providers=data["providers"],
            concern=data["concern"],
            source=data["source"],
            source_detail=data["source_detail"],
            source_item=data["source_item"],
            urgency=data["urgency"],
            judged_at=data["judged_at"],
            involves_adult_safeguarding=data["involves_adult_safeguarding"],
            involves_child_safeguarding=data["involves_child_safeguarding"],
            form_token=once.token_of(form),
        ),
        done=lambda summit: (
            f"Risk summit {summit.reference} has been triggered. The participants have been told."
        ),
        then=lambda summit: summit.get_absolute_url(),
        rename={"judged_at": "judged_at_date", "providers": "provider"},
    ) or render(request, BASE + "trigger.jinja", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def summit_edit(request, pk):
    standing = _open(request, pk, "Change details", manage=True)
    summit = standing.summit
    initial = {f: getattr(summit, f) for f in SummitEditForm.base_fields}
    form = SummitEditForm(posted(request), initial=initial)
    if access.summit_as_read(request.user, summit).withheld:
        # Drawn from intelligence this manager may not read: not theirs to read or change.
        for name in access.SOURCE_WORDS:
            del form.fields[name]
    return submit(
        request,
        form,
        lambda data: trigger.summit_update(actor=request.user, summit=summit, **data),
        done="The summit's details have been saved",
        then=summit.get_absolute_url(),
    ) or render(request, BASE + "edit.jinja", _ctx(standing, form=form))
