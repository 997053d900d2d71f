"""Closing a summit: what stops it closing, and the closure itself, which hands the provider's
level of surveillance afterwards to surveillance.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from qsg.screening import pid_errors
from qsg.vocabulary import say

from .. import handoff
from ..models import RiskSummit, SummitProvider
from ..rules import closure_problems
from ._common import (
    _bump,
    _event,
    _link,
    _lock,
    _notify_summit,
    _now,
    _require_open,
    _stamp,
)


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
            say("Choose the provider's level of surveillance after the summit")
        )
    # Every problem at once, patient-identifiable data in the summary included.
    for name, messages in pid_errors({"outcome_summary": ("The summary", outcome_summary)}).items():
        errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
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
    SummitProvider.objects.filter(risksummit=summit).update(summit_open=False)
    recorded = [
        handoff.record_level_after(
            provider_id=provider_id,
            qsg_id=summit.qsg_id,
            level_code=level_after,
            decided_on=timezone.localtime(now).date(),
            rationale=f"{say('Risk summit')} {summit.reference} closed: {summit.get_outcome_display()}",
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
        f"{say('Summit closed')}: {summit.get_outcome_display()}. Level afterwards: "
        f"{summit.get_level_after_display().lower()}",
        shared=True,
    )
    _bump(summit)
    _notify_summit(
        summit,
        f"{say('Risk summit')} {summit.reference} closed",
        f"{say('The risk summit has been closed.')}\n{_link('risksummits:detail', summit.pk)}",
        exclude=actor,
    )
    return summit
