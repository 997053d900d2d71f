"""Closing a summit: what stops it closing, and the closure itself, which hands the provider's
level of surveillance afterwards to surveillance.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import handoff
from ..models import CQCJudgement, RiskSummit, SummitAction, SummitMeeting
from ._common import (
    _bump,
    _event,
    _link,
    _lock,
    _notify_summit,
    _now,
    _require_open,
    _stamp,
    screen_pid,
)

RHS = RiskSummit.RingHolderStatus


def closure_problems(summit: RiskSummit) -> dict[str, list[str]]:
    """Everything that stops the summit closing, by form field ('__all__' for the rest)."""
    problems: dict[str, list[str]] = {}

    def add(key: str, text: str) -> None:
        problems.setdefault(key, []).append(text)

    open_actions = SummitAction.objects.filter(
        summit=summit, status__in=SummitAction.OPEN_STATUSES
    ).order_by("number")
    if open_actions:
        numbers = ", ".join(str(a.number) for a in open_actions)
        add("__all__", f"Close or transfer every action first (still open: {numbers})")
    if summit.involves_child_safeguarding and not summit.lscb_notified:
        add(
            "__all__",
            "The concern involves child safeguarding: record whether the Local Safeguarding "
            "Children Board was notified",
        )
    if summit.involves_adult_safeguarding and not summit.adult_safeguarding_followed:
        add(
            "__all__",
            "The concern involves adult safeguarding: record whether the adult safeguarding "
            "protocol was followed",
        )
    if not summit.professional_referral:
        add("__all__", "Record whether a referral to a professional regulator was considered")
    if not CQCJudgement.objects.filter(summit=summit).exists():
        add("__all__", "The CQC's regulatory judgement has not been recorded")
    if not SummitMeeting.objects.filter(summit=summit, status=SummitMeeting.Status.HELD).exists():
        add("__all__", "No summit meeting has been recorded as held")
    if summit.ring_holder_status not in (RHS.AGREED, RHS.DEFAULTED):
        add("__all__", "The ring-holder has not been agreed")
    return problems


@transaction.atomic
def summit_close(
    *, actor, summit: RiskSummit, outcome: str, outcome_summary: str, level_after: str
) -> RiskSummit:
    summit = _lock(summit)
    _require_open(summit)
    errors: dict[str, list[str]] = dict(closure_problems(summit))
    if not outcome:
        errors.setdefault("outcome", []).append("Choose the outcome")
    if not outcome_summary.strip():
        errors.setdefault("outcome_summary", []).append("Summarise the outcome")
    if not level_after:
        errors.setdefault("level_after", []).append(
            "Choose the provider's level of surveillance after the summit"
        )
    if errors:
        raise ValidationError(errors)
    screen_pid({"outcome_summary": ("The summary", outcome_summary)})
    now = _now()
    summit.status = RiskSummit.Status.CLOSED
    summit.closed_at = now
    summit.closed_by = actor
    summit.outcome = outcome
    summit.outcome_summary = outcome_summary.strip()
    summit.level_after = level_after
    summit.full_clean()
    _stamp(summit, actor)
    summit.save(
        update_fields=[
            "status",
            "closed_at",
            "closed_by",
            "outcome",
            "outcome_summary",
            "level_after",
        ]
    )
    recorded = [
        handoff.record_level_after(
            provider_id=provider_id,
            qsg_id=summit.qsg_id,
            level_code=level_after,
            decided_on=timezone.localtime(now).date(),
            rationale=f"Risk summit {summit.reference} closed: {summit.get_outcome_display()}",
            reference=summit.reference,
        )
        for provider_id in summit.providers.values_list("pk", flat=True)
    ]
    if recorded and all(recorded):
        RiskSummit.objects.filter(pk=summit.pk).update(level_recorded=True)
    _event(
        summit,
        actor,
        "closed",
        f"Summit closed: {summit.get_outcome_display()}. Level afterwards: "
        f"{summit.get_level_after_display().lower()}",
        shared=True,
    )
    _bump(summit)
    _notify_summit(
        summit,
        f"Risk summit {summit.reference} closed",
        f"The risk summit has been closed.\n{_link('risksummits:detail', summit.pk)}",
        exclude=actor,
    )
    return summit
