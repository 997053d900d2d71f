"""The ring-holder: the rule-based proposal, each participant's position, the agreement the
chair records, and NHS England holding the ring by default when the window passes.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from qsg.models import QSG, Organisation, Provider
from qsg.vocabulary import say

from ..access import SummitAccess
from ..models import Participant, RingHolderRule, RiskSummit, SentAlert
from ._common import (
    _attach,
    _bump,
    _event,
    _link,
    _lock,
    _named_people,
    _notify_summit,
    _now,
    _require_open,
    _stamp,
    screen_pid,
)

Basis = Participant.Basis
RHS = RiskSummit.RingHolderStatus


def propose_ring_holder(qsg: QSG, providers: list[Provider]) -> tuple[Organisation | None, str]:
    """The organisation the rules propose to hold the ring, and why (a sentence)."""
    lead = providers[0]
    rule = RingHolderRule.objects.filter(sector=lead.sector).first()
    members = Organisation.objects.filter(memberships__qsg=qsg, is_active=True).select_related(
        "type"
    )
    if rule is not None:
        for choice in rule.choices.select_related("organisation_type").order_by("preference"):
            match = members.filter(type=choice.organisation_type).order_by("name").first()
            if match is not None:
                return match, (
                    f"Proposed by the rule for {lead.get_sector_display().lower()} providers: "
                    f"{choice.organisation_type.label}."
                )
    if qsg.convening_organisation_id:
        reason = (
            say("No member of the QSG matches the rule for")
            + f" {lead.get_sector_display().lower()} "
            "providers, so NHS England's team for the area is proposed."
            if rule is not None
            else "NHS England's team for the area is proposed: there is no rule for this sector."
        )
        return qsg.convening_organisation, reason
    return None, say("No ring-holder could be proposed: the QSG has no convening organisation.")


def _voters(summit: RiskSummit):
    """Organisations from the QSG whose named people take part: their agreement settles it."""
    return Participant.objects.filter(
        summit=summit,
        is_active=True,
        is_guest=False,
        shared_items_only=False,
        representatives__isnull=False,
    ).distinct()


def _reconsider_ring_holder(summit: RiskSummit, actor) -> None:
    if summit.ring_holder_status != RHS.PROPOSED:
        return
    voters = _voters(summit)
    if voters.exists() and not voters.exclude(ring_holder_position="agree").exists():
        summit.ring_holder_status = RHS.AGREED
        summit.ring_holder_decided_at = _now()
        summit.save(update_fields=["ring_holder_status", "ring_holder_decided_at"])
        _event(
            summit,
            actor,
            "ring_holder_agreed",
            say("Every participant agreed that {name} holds the ring").format(
                name=summit.ring_holder.name
            ),
            shared=True,
        )
        _bump(summit)


@transaction.atomic
def ring_holder_propose(
    *, actor, standing: SummitAccess, organisation: Organisation, reason: str
) -> RiskSummit:
    summit = _lock(standing.summit)
    _require_open(summit)
    if not (standing.can_take_position or standing.leads):
        raise ValidationError(say("Only participants from the QSG propose a ring-holder"))
    if summit.ring_holder_status in RiskSummit.SETTLED_RING:
        raise ValidationError(say("The ring-holder has been settled"))
    if not reason.strip():
        raise ValidationError({"reason": say("Say why this organisation should hold the ring")})
    screen_pid({"reason": ("The reason", reason)})
    participant = Participant.objects.filter(
        summit=summit, organisation=organisation, is_active=True
    ).first()
    if participant is None or participant.is_guest or participant.shared_items_only:
        raise ValidationError(
            {
                "organisation": say(
                    "Choose an organisation from the QSG that takes part in the summit"
                )
            }
        )
    summit.ring_holder = organisation
    summit.ring_holder_status = RHS.PROPOSED
    summit.ring_holder_basis = f"Proposed by {actor.display_name}: {reason.strip()}"[:300]
    _stamp(summit, actor)
    summit.save(update_fields=["ring_holder", "ring_holder_status", "ring_holder_basis"])
    Participant.objects.filter(summit=summit).update(
        ring_holder_position="", ring_holder_comment=""
    )
    if standing.participant is not None:
        Participant.objects.filter(pk=standing.participant.pk).update(ring_holder_position="agree")
    _event(
        summit,
        actor,
        "ring_holder_proposed",
        say("{name} proposed to hold the ring").format(name=organisation.name),
    )
    _bump(summit)
    _reconsider_ring_holder(summit, actor)
    return summit


@transaction.atomic
def ring_holder_position(
    *, actor, standing: SummitAccess, position: str, comment: str = ""
) -> Participant:
    summit = _lock(standing.summit)
    _require_open(summit)
    if not standing.can_take_position:
        raise ValidationError(
            say("Only participants from the QSG state a position on the ring-holder")
        )
    if summit.ring_holder_status != RHS.PROPOSED:
        raise ValidationError("There is no proposal waiting for agreement")
    if position not in {"agree", "object"}:
        raise ValidationError({"position": "Say whether your organisation agrees"})
    if position == "object" and not comment.strip():
        raise ValidationError({"comment": "Say why your organisation objects"})
    screen_pid({"comment": ("The comment", comment)})
    participant = Participant.objects.select_for_update().get(pk=standing.participant.pk)
    participant.ring_holder_position = position
    participant.ring_holder_comment = comment.strip()[:300]
    _stamp(participant, actor)
    participant.save(update_fields=["ring_holder_position", "ring_holder_comment"])
    verb = "agrees" if position == "agree" else "objects"
    _event(
        summit,
        actor,
        "ring_holder_position",
        say("{org} {verb} that {name} holds the ring").format(
            org=participant.organisation.name, verb=verb, name=summit.ring_holder.name
        ),
    )
    _reconsider_ring_holder(summit, actor)
    return participant


@transaction.atomic
def ring_holder_confirm(*, actor, summit: RiskSummit, note: str) -> RiskSummit:
    """The chair or secretariat records that the participants agreed (e.g. on a call)."""
    summit = _lock(summit)
    _require_open(summit)
    if summit.ring_holder_status != RHS.PROPOSED or summit.ring_holder_id is None:
        raise ValidationError("There is no proposal waiting for agreement")
    if not note.strip():
        raise ValidationError({"note": "Say how and when the participants agreed"})
    screen_pid({"note": ("The note", note)})
    summit.ring_holder_status = RHS.AGREED
    summit.ring_holder_decided_at = _now()
    summit.ring_holder_basis = f"Agreement recorded by {actor.display_name}: {note.strip()}"[:300]
    _stamp(summit, actor)
    summit.save(update_fields=["ring_holder_status", "ring_holder_decided_at", "ring_holder_basis"])
    _event(
        summit,
        actor,
        "ring_holder_agreed",
        say("The participants agreed that {name} holds the ring").format(
            name=summit.ring_holder.name
        ),
        shared=True,
    )
    _bump(summit)
    return summit


def ring_holder_apply_default(*, summit_id: int, now: dt.datetime | None = None) -> bool:
    """If the agreement window has passed, NHS England's team for the area (the QSG's convening
    organisation) holds the ring, and the record says so. Idempotent: a conditional update."""
    now = now or _now()
    with transaction.atomic():
        summit = (
            RiskSummit.objects.select_for_update(of=("self",))
            .select_related("qsg__convening_organisation")
            .filter(
                pk=summit_id,
                status=RiskSummit.Status.OPEN,
                ring_holder_status__in=[RHS.NONE, RHS.PROPOSED],
            )
            .first()
        )
        if summit is None or now < summit.ring_holder_due:
            return False
        default = summit.qsg.convening_organisation
        if default is None:
            return False
        hours = summit.ring_holder_window_hours
        summit.ring_holder = default
        summit.ring_holder_status = RHS.DEFAULTED
        summit.ring_holder_decided_at = now
        summit.ring_holder_basis = say(
            "No ring-holder was agreed within {hours} hours of the trigger, so {name} holds the "
            "ring by default (National Quality Board guidance)."
        ).format(hours=hours, name=default.name)
        summit.save(
            update_fields=[
                "ring_holder",
                "ring_holder_status",
                "ring_holder_decided_at",
                "ring_holder_basis",
            ]
        )
        _attach(
            summit,
            default,
            Basis.RING_HOLDER,
            actor=None,
            people=_named_people(summit.qsg, default),
        )
        _event(summit, None, "ring_holder_defaulted", summit.ring_holder_basis, shared=True)
        _bump(summit)
        try:
            with transaction.atomic():
                SentAlert.objects.create(
                    summit=summit,
                    kind=SentAlert.Kind.RING_HOLDER_DEFAULT,
                    key=f"ring_holder_default:{summit.pk}",
                )
        except IntegrityError:
            return True
        _notify_summit(
            summit,
            f"{say('Risk summit')} {summit.reference}: {say('NHS England is ring-holder by default')}",
            say(
                "No ring-holder was agreed within {hours} hours, so {name} is the ring-holder."
            ).format(hours=hours, name=default.name)
            + "\n"
            + f"{_link('risksummits:detail', summit.pk)}",
        )
    return True


def ring_holder_defaults_apply(*, now: dt.datetime | None = None) -> int:
    now = now or _now()
    due = RiskSummit.objects.filter(
        status=RiskSummit.Status.OPEN, ring_holder_status__in=[RHS.NONE, RHS.PROPOSED]
    ).values_list("pk", "triggered_at", "ring_holder_window_hours")
    applied = 0
    for pk, triggered_at, hours in due:
        if now >= triggered_at + dt.timedelta(hours=hours) and ring_holder_apply_default(
            summit_id=pk, now=now
        ):
            applied += 1
    return applied
