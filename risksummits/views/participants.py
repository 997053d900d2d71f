"""Who takes part: adding and removing organisations, their people, and guests."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from qsg import once
from qsg.models import Organisation, User
from qsg.pages import posted, submit
from qsg.vocabulary import term

from .. import access
from ..forms import GuestForm, ParticipantAddForm, RepresentativeAddForm, RingHolderConfirmForm
from ..models import Representative
from ..services import participants
from ._common import BASE, _ctx, _open


@login_required
@require_http_methods(["GET", "POST"])
def participant_add(request, pk):
    standing = _open(request, pk, "Add a participant", manage=True)
    organisations = access.participant_organisations_for(standing.summit)
    people = access.participant_people_for(standing.summit, organisations.values("pk"))
    form = once.with_token(
        ParticipantAddForm(posted(request), organisations=organisations, people=people)
    )
    return submit(
        request,
        form,
        lambda data: participants.participant_add(
            actor=request.user,
            summit=standing.summit,
            organisation=data["organisation"],
            shared_items_only=data["shared_items_only"],
            people=data["people"],
            form_token=once.token_of(form),
        ),
        done=lambda participant: f"{participant.organisation.name} now takes part",
        then=standing.summit.get_absolute_url() + "#participants",
    ) or render(request, BASE + "participant_add.jinja", _ctx(standing, form=form))


@login_required
@require_http_methods(["GET", "POST"])
def participant_remove(request, pk, participant_pk):
    standing = _open(request, pk, "Remove a participant", manage=True)
    participant = access.participant_for(standing, participant_pk)
    form = RingHolderConfirmForm(None)
    error = None
    if request.method == "POST":
        try:
            participants.participant_remove(actor=request.user, participant=participant)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"{participant.organisation.name} no longer takes part")
            return redirect(standing.summit.get_absolute_url() + "#participants")
    return render(
        request,
        BASE + "confirm.jinja",
        _ctx(
            standing,
            form=form,
            error=error,
            heading=f"Remove {participant.organisation.name} from the {term('summit')}?",
            text=f"Its people will no longer see the {term('summit')}.",
            button="Remove",
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def representative_add(request, pk, participant_pk):
    standing = _open(request, pk, "Add a person", manage=True)
    participant = access.participant_for(standing, participant_pk)
    linked = Representative.objects.filter(summit=standing.summit).values("user_id")
    if participant.is_guest:
        people = User.objects.filter(
            is_active=True, organisation_id=participant.organisation_id
        ).order_by("last_name", "first_name")
    else:
        people = access.participant_people_for(standing.summit, [participant.organisation_id])
    people = people.exclude(pk__in=linked)
    form = RepresentativeAddForm(posted(request), people=people)
    return submit(
        request,
        form,
        lambda data: participants.representative_add(
            actor=request.user, participant=participant, user=data["user"]
        ),
        done=lambda _: f"{form.cleaned_data['user'].display_name} now takes part",
        then=standing.summit.get_absolute_url() + "#participants",
    ) or render(
        request,
        BASE + "representative_add.jinja",
        _ctx(standing, form=form, participant=participant),
    )


@login_required
@require_http_methods(["GET", "POST"])
def guest_invite(request, pk):
    standing = _open(request, pk, "Invite a guest", manage=True)
    organisations = (
        Organisation.objects.filter(is_active=True)
        .exclude(memberships__qsg_id=standing.summit.qsg_id)
        .order_by("name")
    )
    form = once.with_token(GuestForm(posted(request), organisations=organisations))
    return submit(
        request,
        form,
        lambda data: participants.guest_invite(
            actor=request.user, summit=standing.summit, form_token=once.token_of(form), **data
        ),
        done=lambda rep: (
            f"{rep.user.display_name} has been invited. They can see this {term('summit')} only."
        ),
        then=standing.summit.get_absolute_url() + "#participants",
    ) or render(request, BASE + "guest_form.jinja", _ctx(standing, form=form))
