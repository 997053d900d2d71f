"""Triggering a summit, picking up meetings' referrals, and changing the summit's details."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from qsg import once, vocabulary
from qsg.pages import posted, submit
from surveillance.intelligence.access import items_for

from .. import access
from ..forms import SummitEditForm, TriggerForm
from ..forms_rapid_review import RapidReviewForm
from ..models import RiskSummit
from ..services import rapid_review, trigger
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
            noun = vocabulary.term("risk_summit" if opened == 1 else "risk_summits")
            parts.append(f"{opened} {noun} opened from meeting conclusions")
        if linked:
            parts.append(
                f"{linked} conclusion{'s' if linked != 1 else ''} "
                + vocabulary.say("linked to the summit already open about the provider")
            )
        messages.success(request, "; ".join(parts))
    else:
        messages.success(
            request,
            f"There were no meeting conclusions waiting for a {vocabulary.term('risk_summit')}",
        )
    return redirect("risksummits:list")


@login_required
@require_http_methods(["GET", "POST"])
def summit_trigger(request, kind: str | None = None):
    """Open a summit, in either face: the 2013 risk summit (source, urgency) or the 2022 rapid
    quality review (trigger, convenor, clock, how often it meets). Without a `kind` the face is
    the deployment's profile's."""
    rapid = (kind or default_kind()) == RiskSummit.Kind.RAPID_REVIEW
    providers = (
        access.triggerable_providers_for(request.user).select_related("qsg").order_by("name")
    )
    access.require(providers.exists())
    initial = {
        "judged_at_date": timezone.localdate(),
        "judged_at_time": timezone.localtime().strftime("%H:%M"),
    }
    if request.GET.get("provider", "").isdigit():
        initial["provider"] = int(request.GET["provider"])
    if rapid and request.GET.get("trigger") in RiskSummit.Trigger.values:
        initial["trigger"] = request.GET["trigger"]
    form_class = RapidReviewForm if rapid else TriggerForm
    form = once.with_token(
        form_class(
            posted(request), providers=providers, items=items_for(request.user), initial=initial
        )
    )
    start = rapid_review.rapid_review_start if rapid else trigger.summit_trigger
    words = form.words(vocabulary.term("risk_summit"))
    return submit(
        request,
        form,
        lambda data: start(
            actor=request.user, form_token=once.token_of(form), **form.service_kwargs()
        ),
        done=lambda summit: words["done"].format(reference=summit.reference),
        then=lambda summit: summit.get_absolute_url(),
        rename={"judged_at": "judged_at_date", "providers": "provider"},
    ) or render(request, BASE + "trigger.jinja", {"form": form, "words": words})


def default_kind() -> str:
    if vocabulary.profile() == "2022":
        return RiskSummit.Kind.RAPID_REVIEW
    return RiskSummit.Kind.RISK_SUMMIT


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
        done=vocabulary.say("The summit's details have been saved"),
        then=summit.get_absolute_url(),
    ) or render(request, BASE + "edit.jinja", _ctx(standing, form=form))
