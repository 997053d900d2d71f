"""The summit's actions: created for a participant organisation, updated by their owner or the
ring-holder.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from qsg import once
from qsg.models import Organisation, User
from qsg.vocabulary import say

from .. import handoff
from ..access import SummitAccess
from ..models import Participant, RiskSummit, SummitAction, SummitMeeting
from ._common import (
    ALREADY_SENT,
    _actor,
    _bump,
    _event,
    _link,
    _lock,
    _notify,
    _now,
    _require_open,
    _stamp,
    _today,
    participant_user_ids,
    screen_pid,
)


def _check_owner(summit: RiskSummit, owner_organisation: Organisation, owner: User | None) -> None:
    if not Participant.objects.filter(
        summit=summit, organisation=owner_organisation, is_active=True
    ).exists():
        raise ValidationError(
            {"owner_organisation": say("Choose an organisation that takes part in the summit")}
        )
    if owner is not None and owner.organisation_id != owner_organisation.pk:
        raise ValidationError(
            {"owner": f"{owner.display_name} does not work for {owner_organisation.name}"}
        )


@transaction.atomic
def action_create(
    *,
    actor,
    summit: RiskSummit,
    objective: str,
    description: str,
    owner_organisation: Organisation,
    due_on: dt.date,
    owner: User | None = None,
    meeting: SummitMeeting | None = None,
    shared_with_provider: bool = False,
    form_token: str = "",
) -> SummitAction:
    claim = once.claim(user=actor, scope=f"risk_summit_action:{summit.pk}", token=form_token)
    if not claim.first:
        return claim.repeat(SummitAction, ALREADY_SENT)
    summit = _lock(summit)
    _require_open(summit)
    _check_owner(summit, owner_organisation, owner)
    if meeting is not None and meeting.summit_id != summit.pk:
        raise ValidationError({"meeting": say("Choose a meeting of this summit")})
    if due_on < timezone.localtime(summit.triggered_at).date():
        raise ValidationError(
            {"due_on": say("The due date cannot be before the summit was triggered")}
        )
    if due_on > _today() + dt.timedelta(days=730):
        raise ValidationError({"due_on": "The due date must be within two years"})
    screen_pid({"description": ("The action", description)})
    number = (SummitAction.objects.filter(summit=summit).aggregate(n=Max("number"))["n"] or 0) + 1
    action = SummitAction(
        summit=summit,
        meeting=meeting,
        number=number,
        objective=objective,
        description=description.strip(),
        owner_organisation=owner_organisation,
        owner=owner,
        due_on=due_on,
        shared_with_provider=shared_with_provider,
        created_by=_actor(actor),
    )
    action.full_clean()
    _stamp(action, actor)
    action.save()
    claim.remember(action)
    _event(
        summit,
        actor,
        "action_added",
        f"Action {number} ({action.get_objective_display().lower()}) for "
        f"{owner_organisation.name}, due {due_on:%-d %B %Y}",
        shared=shared_with_provider,
    )
    _bump(summit)
    recipients = (
        [owner.pk] if owner else participant_user_ids(summit, organisation_id=owner_organisation.pk)
    )
    _notify(
        recipients,
        f"{say('Risk summit')} {summit.reference}: action {number} for you, due {due_on:%-d %B %Y}",
        f"{say('An action from a risk summit is yours.')}\n{_link('risksummits:action', summit.pk, action.pk)}",
        exclude=actor,
    )
    return action


def can_update_action(standing: SummitAccess, action: SummitAction) -> bool:
    return standing.can_manage or (
        standing.participant is not None
        and not standing.shared_only
        and standing.participant.organisation_id == action.owner_organisation_id
    )


@transaction.atomic
def action_update(
    *,
    actor,
    standing: SummitAccess,
    action: SummitAction,
    status: str,
    progress_note: str = "",
    due_on: dt.date | None = None,
) -> SummitAction:
    """Record progress. "Transferred" puts the action on the QSG's action log (surveillance),
    linked both ways; from then on its progress is recorded there, not here."""
    summit = _lock(standing.summit)
    _require_open(summit)
    if not can_update_action(standing, action):
        raise ValidationError(say("Only the action's owner or the ring-holder updates it"))
    action = SummitAction.objects.select_for_update().get(pk=action.pk)
    if action.transferred_action_id is not None:
        raise ValidationError(
            say(
                "This action is now on the QSG's action log ({reference}). Record its progress there"
            ).format(reference=action.transferred_to)
        )
    transferring = status == SummitAction.Status.TRANSFERRED
    if transferring and not standing.can_manage:
        raise ValidationError(
            {
                "status": say(
                    "Only the QSG's secretariat or chair, or the ring-holder, transfers an "
                    "action to the QSG's action log"
                )
            }
        )
    if due_on is not None and due_on < timezone.localtime(summit.triggered_at).date():
        raise ValidationError(
            {"due_on": say("The due date cannot be before the summit was triggered")}
        )
    screen_pid({"progress_note": ("The progress note", progress_note)})
    before = action.get_status_display()
    action.status = status
    action.progress_note = progress_note.strip()
    if due_on is not None and standing.can_manage:
        action.due_on = due_on
    if transferring:
        providers = list(summit.providers.values_list("pk", flat=True))
        moved = handoff.transfer_action(
            actor=actor,
            qsg_id=summit.qsg_id,
            description=action.description,
            owner_organisation_id=action.owner_organisation_id,
            owner_id=action.owner_id,
            due_date=action.due_on,
            provider_id=providers[0] if len(providers) == 1 else None,
            source=f"{say('Risk summit')} {summit.reference}, action {action.number}",
            source_url=reverse("risksummits:action", args=[summit.pk, action.pk]),
        )
        action.transferred_action_id = moved.id
        action.transferred_to = f"{moved.qsg_name}, {moved.reference}"[:300]
    action.closed_at = None if action.is_open else (action.closed_at or _now())
    action.full_clean()
    _stamp(action, actor)
    action.save()
    if before != action.get_status_display():
        _event(
            summit,
            actor,
            "action_updated",
            f"Action {action.number}: {before} → {action.get_status_display()}"
            + (f" ({action.transferred_to})" if transferring else ""),
            shared=action.shared_with_provider,
        )
    _bump(summit)
    return action
