"""Opening a risk summit, by hand or from a meeting's "risk summit required" referral, and
changing the details it was opened with.

Triggering proposes the participants (`participants`) and the ring-holder (`ring_holder`).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from qsg import once
from qsg.models import QSG, Organisation, Provider
from qsg.vocabulary import say
from surveillance.intelligence.access import items_for
from surveillance.intelligence.models import IntelligenceItem
from surveillance.meetings.access import agenda_items_for
from surveillance.meetings.models import AgendaItem

from .. import access, handoff, rules
from ..models import Participant, RiskSummit
from ._common import (
    ALREADY_SENT,
    CLOCK_SKEW,
    _actor,
    _attach,
    _bump,
    _event,
    _link,
    _lock,
    _named_people,
    _notify,
    _notify_summit,
    _now,
    _require_open,
    _stamp,
    lead_user_ids,
    screen_pid,
)
from .participants import propose_participants
from .ring_holder import propose_ring_holder

log = logging.getLogger(__name__)
Basis = Participant.Basis
RHS = RiskSummit.RingHolderStatus


def _reference(summit: RiskSummit) -> str:
    return f"RS-{timezone.localtime(summit.triggered_at).year}-{summit.pk:04d}"


def _source_links(actor, referral, source_item, source_agenda_item) -> list[int]:
    """The intelligence items the summit is raised from. A source the actor may not see is
    refused exactly as one that does not exist."""
    links = set(referral.intelligence_item_ids) if referral is not None else set()
    if source_item is not None:
        if actor is None or not items_for(actor).filter(pk=source_item.pk).exists():
            raise ValidationError({"source_item": "Choose an intelligence item you can see"})
        links.add(source_item.pk)
    if source_agenda_item is not None:
        if actor is None or not agenda_items_for(actor).filter(pk=source_agenda_item.pk).exists():
            raise ValidationError({"source_agenda_item": "Choose an agenda item you can see"})
        links |= {int(i) for i in source_agenda_item.intelligence_item_ids or []}
    return sorted(links)


@transaction.atomic
def summit_trigger(
    *,
    actor,
    providers: Iterable[Provider],
    concern: str,
    source: str,
    urgency: str,
    judged_at: dt.datetime,
    source_detail: str = "",
    involves_adult_safeguarding: bool = False,
    involves_child_safeguarding: bool = False,
    clock_hours: int | None = None,
    form_token: str = "",
    referral: handoff.Referral | None = None,
    triggering_organisation: Organisation | None = None,
    source_item: IntelligenceItem | None = None,
    source_agenda_item: AgendaItem | None = None,
) -> RiskSummit:
    """Open a risk summit. From a referral, at most one summit ever results from it.

    One open summit per provider: a referral about a provider that already has an open summit
    is linked to it (and says so on its timeline); a direct trigger is refused with a field error
    that names the open summit only to those who may see it.
    """
    claim = once.claim(user=actor, scope="risk_summit_trigger", token=form_token)
    if not claim.first:
        return claim.repeat(RiskSummit, ALREADY_SENT)
    providers = list(providers)
    if referral is not None:
        existing = _summit_for_referral(referral)
        if existing is not None:
            return existing
    if not providers:
        raise ValidationError({"providers": "Choose the provider the concern is about"})
    qsg_ids = {p.qsg_id for p in providers}
    if len(qsg_ids) > 1:
        raise ValidationError(
            {
                "providers": say(
                    "Choose providers in the footprint of one local QSG. Trigger a "
                    "separate summit for providers elsewhere."
                )
            }
        )
    now = _now()
    if judged_at > now + CLOCK_SKEW:
        raise ValidationError({"judged_at": "The time of the judgement must be in the past"})
    if judged_at < now - dt.timedelta(days=90):
        raise ValidationError(
            {"judged_at": "The time of the judgement must be within the last 90 days"}
        )
    if clock_hours is None:
        clock_hours = RiskSummit.URGENCY_HOURS.get(urgency, 48)
    concern = (concern or "").strip()
    if not concern:
        raise ValidationError({"concern": "Describe the concern"})
    screen_pid(
        {
            "concern": ("The concern", concern),
            "source_detail": ("The source reference", source_detail),
        }
    )
    links = _source_links(actor, referral, source_item, source_agenda_item)
    # Lock the providers so that two triggers at once cannot both find no open summit.
    list(Provider.objects.select_for_update().filter(pk__in=[p.pk for p in providers]))
    already = rules.open_summit_for(p.pk for p in providers)
    if already is not None:
        if referral is not None:
            return _link_referral(already, referral)
        raise ValidationError({"providers": _already_open(actor, already, providers)})
    qsg = QSG.objects.select_related("convening_organisation").get(pk=providers[0].qsg_id)
    if triggering_organisation is None:
        triggering_organisation = getattr(actor, "organisation", None) or qsg.convening_organisation
    if triggering_organisation is None:
        raise ValidationError(say("The summit needs an organisation that triggers it"))
    summit = RiskSummit(
        reference=f"tmp-{uuid.uuid4().hex[:12]}",
        qsg=qsg,
        concern=concern,
        source=source,
        source_detail=source_detail.strip(),
        source_item=source_item,
        source_agenda_item=source_agenda_item,
        intelligence_item_ids=links,
        urgency=urgency,
        clock_hours=clock_hours,
        judged_at=judged_at,
        involves_adult_safeguarding=involves_adult_safeguarding,
        involves_child_safeguarding=involves_child_safeguarding,
        triggered_by=_actor(actor),
        triggering_organisation=triggering_organisation,
        triggered_at=now,
        ring_holder_window_hours=settings.RISK_SUMMIT_RING_HOLDER_HOURS,
    )
    if referral is not None:
        summit.origin = RiskSummit.Origin.MEETING
        summit.referral_id = referral.id
        summit.origin_meeting_id = referral.meeting_id
        summit.origin_label = referral.meeting_label[:300]
    summit.full_clean(exclude=["reference"])
    _stamp(summit, actor)
    try:
        with transaction.atomic():
            summit.save()
    except IntegrityError:
        if referral is not None:
            existing = _summit_for_referral(referral)
            if existing is not None:
                return existing
        raise
    summit.reference = _reference(summit)
    summit.save(update_fields=["reference"])
    summit.providers.set(providers)
    claim.remember(summit)

    if referral is not None and not handoff.claim_referral(
        referral_id=referral.id, reference=summit.reference
    ):
        raise ValidationError(say("Another risk summit has already picked up this referral"))

    names = ", ".join(p.name for p in providers)
    how = (
        f"from {summit.origin_label}"
        if referral is not None
        else f"by {triggering_organisation.name}"
    )
    _event(
        summit,
        actor,
        "triggered",
        f"{say('Risk summit')} triggered {how} about {names}",
        shared=True,
    )

    for org, basis in propose_participants(qsg, providers, triggering_organisation):
        people = _named_people(qsg, org)
        if getattr(actor, "organisation_id", None) == org.pk and actor.pk not in people:
            people.append(actor.pk)
        _attach(summit, org, basis, actor=actor, people=people)
    _event(
        summit,
        actor,
        "participants_proposed",
        "Participants proposed from the provider's relationships: "
        + ", ".join(
            p.organisation.name for p in summit.participants.select_related("organisation")
        ),
    )

    holder, basis_text = propose_ring_holder(qsg, providers)
    if holder is not None:
        _attach(summit, holder, Basis.RING_HOLDER, actor=actor, people=_named_people(qsg, holder))
        summit.ring_holder = holder
        summit.ring_holder_status = RHS.PROPOSED
        summit.ring_holder_basis = basis_text
        summit.save(update_fields=["ring_holder", "ring_holder_status", "ring_holder_basis"])
        _event(
            summit,
            actor,
            "ring_holder_proposed",
            say("{name} proposed to hold the ring.").format(name=holder.name) + f" {basis_text}",
        )

    _notify_summit(
        summit,
        f"{say('Risk summit')} {summit.reference} triggered: meet within {summit.clock_hours} hours",
        say("A risk summit has been triggered and you are named as taking part.") + " The relevant "
        f"members must first meet within {summit.clock_hours} hours of the judgement.\n"
        f"{_link('risksummits:detail', summit.pk)}",
        exclude=actor,
    )
    return summit


def _summit_for_referral(referral: handoff.Referral) -> RiskSummit | None:
    """The summit already holding this referral, or one open summit about the same provider from
    the same meeting (a re-agreed note gives a new referral for the same conclusion)."""
    summit = RiskSummit.objects.filter(referral_id=referral.id).first()
    if summit is not None:
        handoff.claim_referral(referral_id=referral.id, reference=summit.reference)
        return summit
    if referral.meeting_id is not None:
        summit = (
            RiskSummit.objects.filter(
                origin_meeting_id=referral.meeting_id,
                providers__id=referral.provider_id,
                status=RiskSummit.Status.OPEN,
            )
            .order_by("pk")
            .first()
        )
        if summit is not None:
            if handoff.claim_referral(referral_id=referral.id, reference=summit.reference):
                _event(
                    summit,
                    None,
                    "referral_merged",
                    say(
                        "A later version of the meeting note repeated the conclusion; "
                        "it is part of this summit"
                    ),
                )
            return summit
    return None


def _already_open(actor, summit: RiskSummit, providers: list[Provider]) -> str:
    about = (
        ", ".join(p.name for p in providers if summit.providers.filter(pk=p.pk).exists())
        or "this provider"
    )
    if access.summits_for(actor).filter(pk=summit.pk).exists():
        return (
            f"{say('Risk summit')} {summit.reference} is already open about {about}. Add this concern "
            f"to it rather than opening a second {say('summit')}"
        )
    return say(
        "A risk summit about {about} is already open. Tell the QSG's secretariat about this "
        "concern so that they bring it into that summit"
    ).format(about=about)


def _link_referral(summit: RiskSummit, referral: handoff.Referral) -> RiskSummit:
    """A "risk summit required" conclusion about a provider whose summit is already open joins
    that summit. The conclusion's rationale stays in the note: it is not copied."""
    if handoff.claim_referral(referral_id=referral.id, reference=summit.reference):
        provider = Provider.objects.get(pk=referral.provider_id)
        source = referral.meeting_label or say("A QSG meeting")
        text = (
            f"{source} concluded that {say('a risk summit')} is required for {provider.name}. "
            + say(
                "This summit was already open about the provider, so the conclusion is linked to "
                "it rather than opening a second summit."
            )
        )
        if not RiskSummit.objects.filter(pk=summit.pk, events__text=text[:500]).exists():
            _event(summit, None, "referral_linked", text)
            _notify(
                lead_user_ids(summit),
                f"{say('Risk summit')} {summit.reference}: a meeting's conclusion is linked to it",
                f"{text}\n{_link('risksummits:detail', summit.pk)}",
            )
    return summit


def _referral_concern(referral: handoff.Referral) -> str:
    source = referral.meeting_label or say("A QSG meeting")
    if referral.confidential:
        return (
            f"{source} concluded that {say('a risk summit')} is required. The group's reasons are "
            "confidential (marked for exemption under the Freedom of Information Act) and stay "
            "in the agreed note, for those who may read it."
        )
    return referral.rationale or f"{source} concluded that {say('a risk summit')} is required."


def referrals_pick_up(*, qsg_ids: Iterable[int] | None = None, report: dict | None = None) -> int:
    """Take up each pending referral (beat task and pages): open a summit, or link it to the
    summit already open about the provider. Safe to run at once twice. The number taken up;
    `report` (if given) gets how many were opened and linked."""
    made = 0
    report = report if report is not None else {}
    report.update(opened=0, linked=0)
    for referral in handoff.pending_referrals(qsg_ids=qsg_ids):
        provider = Provider.objects.filter(pk=referral.provider_id).first()
        if provider is None:
            continue
        before = RiskSummit.objects.filter(referral_id=referral.id).exists()
        try:
            summit = summit_trigger(
                actor=None,
                providers=[provider],
                concern=_referral_concern(referral),
                source=RiskSummit.Source.QSG_INTELLIGENCE,
                source_detail=referral.meeting_label[:200],
                urgency=RiskSummit.Urgency.URGENT,
                judged_at=min(referral.created_at, _now()),
                referral=referral,
            )
        except ValidationError as error:
            log.warning("referral %s not picked up: %s", referral.id, error)
            continue
        made += 1
        opened = summit.referral_id == referral.id and not before
        report["opened" if opened else "linked"] += 1
    return made


# Changing the summit ------------------------------------------------------------------------------

SUMMIT_EDITABLE = {
    "concern",
    "source",
    "source_detail",
    "urgency",
    "clock_hours",
    "involves_adult_safeguarding",
    "involves_child_safeguarding",
    "ring_holder_window_hours",
}


@transaction.atomic
def summit_update(*, actor, summit: RiskSummit, **changes) -> RiskSummit:
    unknown = set(changes) - SUMMIT_EDITABLE
    if unknown:
        raise ValidationError(f"These fields cannot be changed: {', '.join(sorted(unknown))}")
    summit = _lock(summit)
    _require_open(summit)
    screen_pid(
        {
            "concern": ("The concern", changes.get("concern", "")),
            "source_detail": ("The source reference", changes.get("source_detail", "")),
        }
    )
    changed = [k for k, v in changes.items() if getattr(summit, k) != v]
    for key in changed:
        setattr(summit, key, changes[key])
    summit.full_clean()
    if changed:
        _stamp(summit, actor)
        summit.save(update_fields=changed)
        _bump(summit)
        labels = [str(RiskSummit._meta.get_field(k).verbose_name) for k in changed]
        _event(summit, actor, "updated", say("Summit details changed: ") + ", ".join(labels))
    return summit
