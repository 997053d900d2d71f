"""The ring-holder: the proposal, each organisation's position, the recorded agreement."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from qsg.models import Organisation
from qsg.pages import posted, submit
from qsg.vocabulary import say

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
    standing = _open(request, pk, say("Ring-holder"))
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
    response = submit(
        request,
        form,
        lambda data: ring_holder_services.ring_holder_position(
            actor=request.user, standing=standing, **data
        ),
        done="Your organisation's position has been recorded",
        then=reverse("risksummits:ring-holder", args=[standing.summit.pk]),
    )
    if response:
        return response
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
    standing = _open(request, pk, say("Propose a ring-holder"))
    if standing.shared_only:
        raise Http404
    access.require(standing.can_take_position or standing.leads)
    form = RingHolderProposeForm(posted(request), organisations=_ring_holder_candidates(standing))
    return submit(
        request,
        form,
        lambda data: ring_holder_services.ring_holder_propose(
            actor=request.user, standing=standing, **data
        ),
        done="The proposal has been sent to the participants",
        then=reverse("risksummits:ring-holder", args=[standing.summit.pk]),
    ) or render(request, BASE + "ring_holder_propose.jinja", _ctx(standing, form=form))


@login_required
@require_http_methods(["GET", "POST"])
def ring_holder_confirm(request, pk):
    standing = _open(request, pk, say("Record ring-holder agreement"))
    if standing.shared_only:
        raise Http404
    access.require(standing.leads)
    form = RingHolderConfirmForm(posted(request))
    return submit(
        request,
        form,
        lambda data: ring_holder_services.ring_holder_confirm(
            actor=request.user, summit=standing.summit, note=data["note"]
        ),
        done="The agreement has been recorded",
        then=standing.summit.get_absolute_url(),
    ) or render(request, BASE + "ring_holder_confirm.jinja", _ctx(standing, form=form))
