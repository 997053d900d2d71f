"""The ring-holder: the proposal, each organisation's position, the recorded agreement."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from qsg.models import Organisation
from qsg.views import apply_errors, posted

from .. import access
from ..access import SummitAccess
from ..forms import RingHolderConfirmForm, RingHolderPositionForm, RingHolderProposeForm
from ..models import Participant
from ..services import ring_holder as ring_holder_services
from ._common import BASE, _ctx, _open


def _ring_holder_candidates(standing: SummitAccess):
    return Organisation.objects.filter(
        pk__in=Participant.objects.filter(
            summit=standing.summit, is_active=True, is_guest=False, shared_items_only=False
        ).values("organisation_id")
    ).order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def ring_holder(request, pk):
    """The proposal, each organisation's position, and this person's organisation's answer."""
    standing = _open(request, pk, "Ring-holder")
    if standing.shared_only:
        raise Http404
    form = RingHolderPositionForm(
        posted(request),
        initial={
            "position": standing.participant.ring_holder_position if standing.participant else None
        },
    )
    if request.method == "POST":
        access.require(standing.can_take_position)
        if form.is_valid():
            try:
                ring_holder_services.ring_holder_position(
                    actor=request.user, standing=standing, **form.cleaned_data
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "Your organisation's position has been recorded")
                return redirect("risksummits:ring-holder", standing.summit.pk)
    positions = (
        Participant.objects.filter(
            summit=standing.summit, is_active=True, is_guest=False, shared_items_only=False
        )
        .select_related("organisation")
        .order_by("organisation__name")
    )
    return render(
        request,
        BASE + "ring_holder.jinja",
        _ctx(standing, form=form, positions=positions),
    )


@login_required
@require_http_methods(["GET", "POST"])
def ring_holder_propose(request, pk):
    standing = _open(request, pk, "Propose a ring-holder")
    if standing.shared_only:
        raise Http404
    access.require(standing.can_take_position or standing.leads)
    form = RingHolderProposeForm(posted(request), organisations=_ring_holder_candidates(standing))
    if request.method == "POST" and form.is_valid():
        try:
            ring_holder_services.ring_holder_propose(
                actor=request.user, standing=standing, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "The proposal has been sent to the participants")
            return redirect("risksummits:ring-holder", standing.summit.pk)
    return render(request, BASE + "ring_holder_propose.jinja", _ctx(standing, form=form))


@login_required
@require_http_methods(["GET", "POST"])
def ring_holder_confirm(request, pk):
    standing = _open(request, pk, "Record ring-holder agreement")
    if standing.shared_only:
        raise Http404
    access.require(standing.leads)
    form = RingHolderConfirmForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            ring_holder_services.ring_holder_confirm(
                actor=request.user, summit=standing.summit, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "The agreement has been recorded")
            return redirect(standing.summit.get_absolute_url())
    return render(request, BASE + "ring_holder_confirm.jinja", _ctx(standing, form=form))
