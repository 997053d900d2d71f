"""The rapid quality review: the 2022 face of the risk summit (National Quality Board, 2022).

One model and one state machine serve both faces: a review is a `RiskSummit` of kind
"rapid_review", opened through `summit_trigger` (so participants, the clock, the one-open-summit
rule, closure and everything else are the summit's), with what the 2022 guidance adds:
* it is convened by an ICB or an NHS England region (`convened_by`);
* it is triggered by a member's concern, an escalation level decision or a regulator's action
  (`trigger`), with a configurable clock (`clock_hours`, 1 to 168);
* it meets again every `meeting_interval_days` until the exit criteria are met;
* the party that holds the ring is called the lead organisation;
* its outcomes set the provider's escalation level: `rapid_review_outcome` records an
  escalation decision (source "rapid_review", the review's reference) through the escalation
  service, with the same rules (exit criteria on entry, met before coming down, PID screening).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from qsg import vocabulary
from qsg.models import Organisation, Provider
from surveillance.escalation import services as escalation
from surveillance.escalation.models import EscalationDecision

from ..models import RiskSummit, SummitMeeting
from . import trigger as trigger_services
from ._common import _stamp

Trigger = RiskSummit.Trigger
SOURCE_OF_TRIGGER = {
    Trigger.CONCERN: RiskSummit.Source.QSG_INTELLIGENCE,
    Trigger.LEVEL_DECISION: RiskSummit.Source.OTHER,
    Trigger.REGULATOR_ACTION: RiskSummit.Source.INSPECTION,
}
DEFAULT_INTERVAL_DAYS = 28


def can_convene(organisation: Organisation | None) -> bool:
    """An ICB (a commissioner) or an NHS England team convenes a rapid quality review."""
    return bool(
        organisation
        and organisation.is_active
        and (organisation.type.is_commissioner or organisation.type.is_nhs_england)
    )


@transaction.atomic
def rapid_review_start(
    *,
    actor,
    providers: Iterable[Provider],
    concern: str,
    trigger: str,
    judged_at: dt.datetime,
    clock_hours: int,
    convened_by: Organisation,
    meeting_interval_days: int = DEFAULT_INTERVAL_DAYS,
    source_detail: str = "",
    source_item=None,
    involves_adult_safeguarding: bool = False,
    involves_child_safeguarding: bool = False,
    form_token: str = "",
) -> RiskSummit:
    errors: dict[str, list[str]] = {}
    if trigger not in Trigger.values:
        errors["trigger"] = ["Choose what triggered the review"]
    if not can_convene(convened_by):
        errors["convened_by"] = ["Choose the ICB or NHS England region that convenes the review"]
    if not 1 <= int(clock_hours or 0) <= 168:
        errors["clock_hours"] = ["The first meeting is due within 1 to 168 hours"]
    if not 7 <= int(meeting_interval_days or 0) <= 92:
        errors["meeting_interval_days"] = ["The review meets again every 7 to 92 days"]
    if errors:
        raise ValidationError(errors)
    summit = trigger_services.summit_trigger(
        actor=actor,
        providers=providers,
        concern=concern,
        source=SOURCE_OF_TRIGGER[trigger],
        source_detail=source_detail,
        source_item=source_item,
        urgency=RiskSummit.Urgency.IMMEDIATE if clock_hours <= 24 else RiskSummit.Urgency.URGENT,
        judged_at=judged_at,
        involves_adult_safeguarding=involves_adult_safeguarding,
        involves_child_safeguarding=involves_child_safeguarding,
        clock_hours=clock_hours,
        form_token=form_token,
    )
    if summit.is_rapid_review:
        return summit  # a repeated submit: the first request made it
    summit.kind = RiskSummit.Kind.RAPID_REVIEW
    summit.trigger = trigger
    summit.convened_by = convened_by
    summit.meeting_interval_days = meeting_interval_days
    _stamp(summit, actor)
    summit.save(update_fields=["kind", "trigger", "convened_by", "meeting_interval_days"])
    return summit


def next_meeting_due(summit: RiskSummit) -> dt.datetime | None:
    """A review meets again `meeting_interval_days` after its last meeting, until closed."""
    if not summit.is_rapid_review or not summit.is_open or not summit.meeting_interval_days:
        return None
    last = (
        SummitMeeting.objects.filter(summit=summit)
        .exclude(status=SummitMeeting.Status.CANCELLED)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    if last is None:
        return summit.first_meeting_due
    return last + dt.timedelta(days=summit.meeting_interval_days)


def rapid_review_outcome(
    *, actor, summit: RiskSummit, provider: Provider, **decision
) -> EscalationDecision:
    """Set the provider's escalation level as the review's outcome: an escalation decision
    whose source is this review. The caller checked the actor manages the review and decides
    for the provider's group."""
    if not summit.is_rapid_review:
        raise ValidationError("Only a rapid quality review sets an escalation level")
    if not summit.is_open:
        raise ValidationError("This review is closed")
    if not summit.providers.filter(pk=provider.pk).exists():
        raise ValidationError("The provider is not one this review is about")
    decision.setdefault("decided_on", timezone.localdate())
    decision.setdefault(
        "decided_by", f"{vocabulary.term('risk_summit', capital=True)} {summit.reference}"
    )
    return escalation.decision_record(
        actor=actor,
        provider=provider,
        source=EscalationDecision.Source.RAPID_REVIEW,
        source_reference=summit.reference,
        **decision,
    )
