"""Every write about escalation: one service, `decision_record`, since the level of a provider
(or one of its services) changes only by a decision on record.

The rules (National Quality Board, 2022):
* a decision names the group that took it (the record's group or its regional group), who
  decided, the rationale, and optionally the meeting and the evidence (intelligence items the
  recorder may see, dashboard indicators whose signals were considered, inspection findings);
* entering enhanced surveillance or intensive support needs a lead organisation, a review date
  and at least one exit criterion agreed there and then;
* coming down a level needs every exit criterion of the levels left to be met: confirmed in
  this decision or an earlier one. Nothing else moves a record down;
* every free-text field is screened for patient-identifiable data.
simple-history keeps every version of the record, each decision and each criterion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from dashboard.models import Indicator
from qsg import once
from qsg import services as qsg_services
from qsg.models import QSG, Organisation, Provider
from qsg.screening import pid_errors
from surveillance.escalation.models import (
    EscalationDecision,
    EscalationRecord,
    ExitCriterion,
    Level,
    rank,
)
from surveillance.intelligence.access import items_for
from surveillance.meetings.access import meetings_for
from surveillance.meetings.models import Meeting

_stamp = qsg_services._stamp
SCOPE = "escalation-decision"
MAX_CRITERIA = 10
MAX_EVIDENCE = 50
NO_CHANGE = "none"


def _merge(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _criteria_errors(criteria: Sequence[dict[str, Any]], errors: dict[str, list[str]]) -> list:
    """Check new exit criteria; returns them as unsaved ExitCriterion rows (no record yet)."""
    rows = []
    if len(criteria) > MAX_CRITERIA:
        _merge(errors, "exit_criteria", f"Agree {MAX_CRITERIA} exit criteria at most")
        return rows
    for position, c in enumerate(criteria, start=1):
        n = c.get("slot") or position
        field = f"exit_criteria_{n}"
        text = (c.get("text") or "").strip()
        indicator = c.get("indicator")
        if not text:
            _merge(errors, field, f"Enter exit criterion {n}")
            continue
        if len(text) > 500:
            _merge(errors, field, f"Exit criterion {n} must be 500 characters or fewer")
            continue
        if isinstance(indicator, str):
            indicator = Indicator.objects.filter(code=indicator.upper()[:40]).first() or False
        if indicator is False:
            _merge(errors, field, f"Exit criterion {n}: choose an indicator from the dashboard")
            continue
        row = ExitCriterion(text=text, kind=ExitCriterion.Kind.STATEMENT)
        row._slot = n
        if indicator is not None:
            target, comparison = c.get("target"), c.get("comparison") or ""
            months = c.get("months") or 3
            if target is None:
                _merge(errors, field, f"Exit criterion {n}: enter the target for the indicator")
                continue
            if comparison not in ExitCriterion.Comparison.values:
                _merge(
                    errors,
                    field,
                    f"Exit criterion {n}: say if the value must be at least or at most the target",
                )
                continue
            if not 1 <= int(months) <= 24:
                _merge(errors, field, f"Exit criterion {n}: the period is 1 to 24 months")
                continue
            row.kind = ExitCriterion.Kind.MEASURE
            row.indicator = indicator
            row.target = float(target)
            row.comparison = comparison
            row.months = int(months)
        rows.append(row)
    return rows


def _evidence_errors(actor, provider, intelligence_item_ids, errors) -> list[int]:
    ids = sorted({int(i) for i in intelligence_item_ids or ()})
    if len(ids) > MAX_EVIDENCE:
        _merge(errors, "intelligence_item_ids", f"Link {MAX_EVIDENCE} intelligence items at most")
        return []
    visible = set(items_for(actor).filter(pk__in=ids).values_list("pk", flat=True))
    if set(ids) - visible:
        # The same words for an item that does not exist and one the recorder may not see.
        _merge(errors, "intelligence_item_ids", "Choose intelligence items you can see")
    return ids


def decision_record(
    *,
    actor,
    provider: Provider,
    service: str = "",
    level: str,
    decided_on: dt.date,
    decided_by: str,
    rationale: str,
    group: QSG | None = None,
    meeting: Meeting | None = None,
    lead_organisation: Organisation | None = None,
    review_date: dt.date | None = None,
    improvement_plan: str = "",
    intelligence_item_ids: Iterable[int] = (),
    signal_indicators: Iterable[Indicator] = (),
    inspection_findings: str = "",
    exit_criteria: Sequence[dict[str, Any]] = (),
    criteria_met: Iterable[int] = (),
    source: str = EscalationDecision.Source.GROUP,
    source_reference: str = "",
    idempotency_key: str = "",
) -> EscalationDecision:
    """Record a decision placing the provider (or service) at `level`; returns the decision.

    The caller has checked that the actor may decide for the provider's group
    (`access.provider_to_decide` or `access.record_for_user(..., manage=True)`)."""
    service = (service or "").strip()
    errors: dict[str, list[str]] = {}
    if level not in Level.values:
        _merge(errors, "level", "Choose a level")
    if not (decided_by or "").strip():
        _merge(errors, "decided_by", "Say who decided")
    if not (rationale or "").strip():
        _merge(errors, "rationale", "Enter the rationale for the decision")
    today = timezone.localdate()
    if decided_on > today:
        _merge(errors, "decided_on", "The date of the decision must be today or in the past")
    home = provider.qsg
    allowed_groups = {home.pk, home.regional_qsg_id} - {None}
    group = group or home
    if group.pk not in allowed_groups:
        _merge(errors, "group", f"Choose {home.name} or its regional group")
    if meeting is not None and (
        meeting.qsg_id != group.pk or not meetings_for(actor).filter(pk=meeting.pk).exists()
    ):
        _merge(errors, "meeting", "Choose a meeting of the group that decided")
    raised = level in Level.values and rank(level) > 0
    if raised:
        if lead_organisation is None:
            _merge(errors, "lead_organisation", "Choose the lead organisation")
        if review_date is None:
            _merge(errors, "review_date", "Enter the review date")
    if lead_organisation is not None and not lead_organisation.is_active:
        _merge(errors, "lead_organisation", "Choose an active organisation")
    if review_date is not None and review_date <= decided_on:
        _merge(errors, "review_date", "The review date must be after the decision")
    ids = _evidence_errors(actor, provider, intelligence_item_ids, errors)
    new_criteria = _criteria_errors(list(exit_criteria), errors)
    existing = EscalationRecord.objects.filter(provider=provider, service=service).first()
    if raised and not new_criteria and (existing is None or rank(level) > existing.rank):
        _merge(errors, "exit_criteria", "Agree at least one exit criterion for the level entered")
    if new_criteria and level == Level.ROUTINE:
        _merge(errors, "exit_criteria", "Exit criteria are agreed on entering a higher level")
    texts = {
        "service": ("Service", service),
        "decided_by": ("Who decided", decided_by),
        "rationale": ("Rationale", rationale),
        "improvement_plan": ("Improvement plan", improvement_plan),
        "inspection_findings": ("Inspection findings", inspection_findings),
        "source_reference": ("Source reference", source_reference),
    }
    for row in new_criteria:
        texts[f"exit_criteria_{row._slot}"] = (f"Exit criterion {row._slot}", row.text)
    for name, messages in pid_errors(texts).items():
        errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        c = once.claim(user=actor, scope=SCOPE, token=idempotency_key)
        if not c.first:
            return c.repeat(EscalationDecision)
        record = _record_for_update(actor, provider, service, decided_on)
        decision = _decide(
            actor,
            record,
            level=level,
            decided_on=decided_on,
            group=group,
            meeting=meeting,
            decided_by=decided_by.strip(),
            rationale=rationale.strip(),
            lead_organisation=lead_organisation,
            review_date=review_date,
            improvement_plan=improvement_plan.strip(),
            intelligence_item_ids=ids,
            signal_indicators=list(signal_indicators),
            inspection_findings=inspection_findings.strip(),
            new_criteria=new_criteria,
            criteria_met=criteria_met,
            source=source,
            source_reference=source_reference,
        )
        c.remember(decision)
    return decision


def _record_for_update(actor, provider, service, decided_on) -> EscalationRecord:
    record = (
        EscalationRecord.objects.select_for_update()
        .filter(provider=provider, service=service)
        .first()
    )
    if record is not None:
        return record
    record = EscalationRecord(
        provider=provider, service=service, qsg=provider.qsg, level_since=decided_on
    )
    record.full_clean()
    _stamp(record, actor)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:  # created at the same moment by someone else: theirs stands
        return EscalationRecord.objects.select_for_update().get(provider=provider, service=service)
    record._fresh = True
    return record


def _decide(
    actor, record: EscalationRecord, *, level, decided_on, new_criteria, criteria_met, **data
):
    fresh = getattr(record, "_fresh", False)
    level_from = "" if fresh else record.level
    last = record.decisions.order_by("-decided_on").values_list("decided_on", flat=True).first()
    errors: dict[str, list[str]] = {}
    if last is not None and decided_on < last:
        _merge(errors, "decided_on", f"The last decision on this record was on {last:%-d %B %Y}")
    open_rows = {c.pk: c for c in record.criteria.filter(status=ExitCriterion.Status.OPEN)}
    met_ids = {int(i) for i in criteria_met or ()}
    if met_ids - set(open_rows):
        _merge(errors, "criteria_met", "Choose exit criteria of this record that are not yet met")
    entering = fresh or rank(level) > rank(record.level)
    if entering and rank(level) > 0 and not new_criteria:
        _merge(errors, "exit_criteria", "Agree at least one exit criterion for the level entered")
    if not fresh and rank(level) < rank(record.level):
        unmet = [
            c for c in open_rows.values() if rank(c.level) > rank(level) and c.pk not in met_ids
        ]
        if unmet:
            listed = "; ".join(c.text for c in unmet[:5])
            _merge(
                errors,
                "criteria_met",
                f"Every exit criterion of the level left must be met before coming down: "
                f"{len(unmet)} not yet confirmed ({listed})",
            )
    if errors:
        raise ValidationError(errors)

    signal_indicators = data.pop("signal_indicators")
    decision = EscalationDecision(
        record=record,
        level_from=level_from,
        level_to=level,
        decided_on=decided_on,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        **data,
    )
    decision.full_clean()
    _stamp(decision, actor)
    decision.save()
    if signal_indicators:
        decision.signal_indicators.set(signal_indicators)
    for pk in met_ids:
        row = open_rows[pk]
        row.status, row.met_in = ExitCriterion.Status.MET, decision
        _stamp(row, actor)
        row.save(update_fields=["status", "met_in"])
    for row in new_criteria:
        row.record, row.agreed_in, row.level = record, decision, level
        row.full_clean()
        _stamp(row, actor)
        row.save()

    changed = ["lead_organisation", "review_date", "improvement_plan", "updated_at"]
    if fresh or record.level != level:
        record.level, record.level_since = level, decided_on
        changed += ["level", "level_since"]
    if rank(level) == 0:
        record.lead_organisation, record.review_date, record.improvement_plan = None, None, ""
    else:
        record.lead_organisation = data["lead_organisation"]
        record.review_date = data["review_date"]
        if data["improvement_plan"]:
            record.improvement_plan = data["improvement_plan"]
    record.full_clean()
    _stamp(record, actor)
    record.save(update_fields=changed)
    return decision


# Level changes proposed with a meeting's conclusions ------------------------------------------


def proposal_save(
    *,
    actor,
    conclusion,
    level: str,
    rationale: str = "",
    lead_organisation: Organisation | None = None,
    review_date: dt.date | None = None,
    exit_criteria: Sequence[str] = (),
):
    """Propose (or change the proposal of) a level change with a conclusion of a draft note.
    The caller checked the actor runs the meeting's group. Checked now as far as it can be;
    the agreement of the note enacts it through `decision_record`, with every rule."""
    from surveillance.escalation.models import EscalationProposal

    if conclusion.note.is_locked:
        raise ValidationError("The note has been agreed: record a decision instead")
    if level == NO_CHANGE:
        EscalationProposal.objects.filter(conclusion=conclusion, enacted__isnull=True).delete()
        return None
    errors: dict[str, list[str]] = {}
    if level not in Level.values:
        _merge(errors, "level", "Choose a level")
    texts = [t.strip() for t in exit_criteria if t and t.strip()]
    if level in Level.values and rank(level) > 0:
        if lead_organisation is None:
            _merge(errors, "lead_organisation", "Choose the lead organisation")
        if review_date is None:
            _merge(errors, "review_date", "Enter the review date")
    if texts and level == Level.ROUTINE:
        _merge(errors, "exit_criteria_1", "Exit criteria are agreed on entering a higher level")
    fields = {"rationale": ("Rationale", rationale)}
    for n, text in enumerate(texts, start=1):
        fields[f"exit_criteria_{n}"] = (f"Exit criterion {n}", text)
    for name, messages in pid_errors(fields).items():
        errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    proposal = EscalationProposal.objects.filter(conclusion=conclusion).first() or (
        EscalationProposal(conclusion=conclusion, proposed_by=actor)
    )
    proposal.level, proposal.rationale = level, (rationale or "").strip()
    proposal.lead_organisation, proposal.review_date = lead_organisation, review_date
    proposal.exit_criteria = texts
    proposal.full_clean()
    _stamp(proposal, actor)
    proposal.save()
    return proposal


def proposals_enact(*, actor, note) -> list[EscalationDecision]:
    """On the agreement of a note (registered with the meetings' `register_on_agreed`): each
    proposal of its conclusions becomes a decision at the meeting. A proposal the rules refuse
    (coming down with exit criteria unmet, say) stops the agreement, saying why."""
    from surveillance.escalation.models import EscalationProposal

    meeting = note.meeting
    decided_on = min(timezone.localtime(meeting.starts_at).date(), timezone.localdate())
    made = []
    proposals = EscalationProposal.objects.filter(
        conclusion__note=note, enacted__isnull=True
    ).select_related("conclusion__provider__qsg", "lead_organisation")
    visible = set(items_for(actor).values_list("pk", flat=True)) if proposals else set()
    for p in proposals:
        c = p.conclusion
        try:
            decision = decision_record(
                actor=actor,
                provider=c.provider,
                level=p.level,
                decided_on=decided_on,
                group=meeting.qsg if meeting.qsg_id == c.provider.qsg_id else None,
                meeting=meeting if meeting.qsg_id == c.provider.qsg_id else None,
                decided_by=f"{meeting.qsg.name}, agreeing the note of {meeting.title}"[:200],
                rationale=p.rationale or c.rationale,
                lead_organisation=p.lead_organisation,
                review_date=p.review_date,
                intelligence_item_ids=[i for i in c.intelligence_item_ids if i in visible],
                exit_criteria=[{"text": t} for t in p.exit_criteria],
            )
        except ValidationError as error:
            messages = (
                "; ".join(m for ms in error.message_dict.values() for m in ms)
                if hasattr(error, "error_dict")
                else "; ".join(error.messages)
            )
            raise ValidationError(
                f"The level change proposed for {c.provider.name} cannot be made: {messages}"
            ) from None
        p.enacted = decision
        _stamp(p, actor)
        p.save(update_fields=["enacted"])
        made.append(decision)
    return made
