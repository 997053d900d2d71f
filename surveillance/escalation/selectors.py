"""Reads of escalation records, always through `surveillance.escalation.access`: the list per
group and per region, a record's page, a provider's timeline, the progress of measured exit
criteria and the agenda source that prompts a group when one is met."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import JSONField, OuterRef, Subquery
from django.utils import timezone

from dashboard import access as dashboard_access
from dashboard.models import SpcSeries
from qsg.access import in_footprint
from qsg.audit import history_rows
from qsg.models import QSG, Provider
from surveillance.escalation import access
from surveillance.escalation.models import (
    EscalationDecision,
    EscalationRecord,
    ExitCriterion,
    Level,
    rank,
)
from surveillance.intelligence.access import inherit_for, items_for, withheld_ids
from surveillance.meetings.access import meetings_for

# Progress of a measured exit criterion ------------------------------------------------------


@dataclass
class Progress:
    """The latest values of a measure against its target, as the reader's dashboard shows them."""

    criterion: ExitCriterion
    values: list[tuple[dt.date, float, bool]] = field(default_factory=list)
    concern_in_window: bool = False

    @property
    def months_meeting(self) -> int:
        """Months in a row, up to the latest, meeting the target."""
        n = 0
        for _period, _value, ok in reversed(self.values):
            if not ok:
                break
            n += 1
        return n

    @property
    def met_for_period(self) -> bool:
        c = self.criterion
        return (
            len(self.values) >= c.months
            and self.months_meeting >= c.months
            and not self.concern_in_window
        )

    @property
    def summary(self) -> str:
        c = self.criterion
        if not self.values:
            return "No data on the dashboard yet"
        text = f"Target met in {self.months_meeting} of the last {c.months} months required"
        if self.concern_in_window:
            text += "; the SPC shows special cause concern in that period"
        return text


def meets(criterion: ExitCriterion, value: float) -> bool:
    if criterion.comparison == ExitCriterion.Comparison.AT_LEAST:
        return value >= criterion.target
    return value <= criterion.target


def progress(user, criterion: ExitCriterion) -> Progress | None:
    """None for a statement. Values come through the dashboard's access layer."""
    if not criterion.is_measure:
        return None
    rows = list(
        dashboard_access.observations_for(user)
        .filter(provider_id=criterion.record.provider_id, indicator_id=criterion.indicator_id)
        .order_by("-period")
        .values_list("period", "value")[: max(criterion.months, 6)]
    )
    rows.reverse()
    out = Progress(criterion, [(p, v, meets(criterion, v)) for p, v in rows])
    window = rows[-criterion.months :]
    if window:
        concern = (
            SpcSeries.objects.filter(
                provider_id=criterion.record.provider_id, indicator_id=criterion.indicator_id
            )
            .values_list("last_concern_period", flat=True)
            .first()
        )
        out.concern_in_window = bool(concern and concern >= window[0][0])
    return out


# A record's page -----------------------------------------------------------------------------


@dataclass
class DecisionView:
    decision: EscalationDecision
    items: list = field(default_factory=list)
    meeting: object | None = None
    signals: list = field(default_factory=list)
    agreed: list = field(default_factory=list)
    confirmed: list = field(default_factory=list)


# A decision's words: a reader who may not read every intelligence item linked as its
# evidence gets none of them (`intelligence.access.inherit`), as for any record made from items.
DECISION_WORDS = ("rationale", "improvement_plan", "inspection_findings")


def decision_views(user, decisions: Iterable[EscalationDecision]) -> list[DecisionView]:
    """Each decision with only the evidence this reader may see, and none of its words if it
    draws on intelligence they may not read (the decisions are copies, never saved)."""
    decisions = [copy.copy(d) for d in decisions]
    rows = inherit_for(
        user,
        [
            {
                **{k: getattr(d, k) for k in DECISION_WORDS},
                "intelligence_item_ids": d.intelligence_item_ids,
            }
            for d in decisions
        ],
        words=DECISION_WORDS,
    )
    for d, row in zip(decisions, rows, strict=True):
        for key in DECISION_WORDS:
            setattr(d, key, row[key])
    item_ids = {i for d in decisions for i in d.intelligence_item_ids}
    items = {i.pk: i for i in items_for(user).filter(pk__in=item_ids)} if item_ids else {}
    meeting_ids = {d.meeting_id for d in decisions if d.meeting_id}
    meetings = (
        {m.pk: m for m in meetings_for(user).filter(pk__in=meeting_ids)} if meeting_ids else {}
    )
    out = []
    for d in decisions:
        out.append(
            DecisionView(
                d,
                items=[items[i] for i in d.intelligence_item_ids if i in items],
                meeting=meetings.get(d.meeting_id),
                signals=list(d.signal_indicators.all()),
                agreed=list(d.criteria_agreed.all()),
                confirmed=list(d.criteria_confirmed.all()),
            )
        )
    return out


def with_plan_links(records):
    """Records with `plan_item_ids`: the intelligence items of the decision whose improvement
    plan each carries (the last one recorded with a plan), in the same query."""
    latest = (
        EscalationDecision.objects.filter(record=OuterRef("pk"))
        .exclude(improvement_plan="")
        .order_by("-pk")
    )
    return records.annotate(
        plan_item_ids=Subquery(latest.values("intelligence_item_ids")[:1], output_field=JSONField())
    )


def plan_links(record: EscalationRecord) -> list[int]:
    """The intelligence items the record's improvement plan was decided on (`with_plan_links`)."""
    if hasattr(record, "plan_item_ids"):
        return list(record.plan_item_ids or [])
    return list(
        record.decisions.exclude(improvement_plan="")
        .order_by("-pk")
        .values_list("intelligence_item_ids", flat=True)
        .first()
        or []
    )


def record_as_read(user, record: EscalationRecord) -> EscalationRecord:
    """The record as `user` may read it: its improvement plan follows the decision it came
    from (`DECISION_WORDS`). A copy, never saved."""
    record = copy.copy(record)
    (row,) = inherit_for(
        user,
        [
            {
                "improvement_plan": record.improvement_plan,
                "intelligence_item_ids": plan_links(record),
            }
        ],
        words=("improvement_plan",),
    )
    record.improvement_plan = row["improvement_plan"]
    return record


def record_history(user, record: EscalationRecord, *, limit: int = 20) -> list[dict]:
    """The record's change history; its improvement plans only for a reader who may read every
    intelligence item its decisions drew on (an earlier plan came from an earlier decision)."""
    rows = history_rows(record.history.all(), limit=limit)
    linked = {
        i
        for ids in record.decisions.values_list("intelligence_item_ids", flat=True)
        for i in ids or []
    }
    if not withheld_ids(user, linked):
        return rows
    plan = EscalationRecord._meta.get_field("improvement_plan").verbose_name
    return [{**r, "changes": [c for c in r["changes"] if c["field"] != plan]} for r in rows]


def record_page(user, record: EscalationRecord) -> dict:
    decisions = (
        record.decisions.select_related("group", "meeting", "lead_organisation", "recorded_by")
        .prefetch_related("signal_indicators", "criteria_agreed", "criteria_confirmed")
        .order_by("-decided_on", "-pk")
    )
    criteria = list(record.criteria.select_related("indicator", "record").order_by("pk"))
    rows = [(c, progress(user, c)) for c in criteria]
    return {
        "record": record_as_read(user, record),
        "decisions": decision_views(user, decisions),
        "open_criteria": [(c, p) for c, p in rows if c.status == ExitCriterion.Status.OPEN],
        "closed_criteria": [(c, p) for c, p in rows if c.status != ExitCriterion.Status.OPEN],
        "ready": [c for c, p in rows if c.status == "open" and p is not None and p.met_for_period],
        "days_at_level": (timezone.localdate() - record.level_since).days,
        "review_overdue": bool(record.review_date and record.review_date < timezone.localdate()),
    }


# Lists per group and per region ----------------------------------------------------------------


@dataclass
class Row:
    record: EscalationRecord
    days_at_level: int
    review_due: bool
    review_overdue: bool


def records_of_group(user, qsg: QSG):
    """Records of the providers in the group's footprint (`qsg.access.in_footprint`: led there
    or sitting there too; for a regional or national group, its local groups'), those the user
    sees, highest level first, longest at the level first."""
    qs = access.records_for(user).select_related("provider", "qsg", "lead_organisation")
    return rows_of(qs.filter(provider__in=Provider.objects.filter(in_footprint(qsg))))


def rows_of(records) -> list[Row]:
    today = timezone.localdate()
    soon = today + dt.timedelta(days=30)
    rows = [
        Row(
            r,
            (today - r.level_since).days,
            bool(r.review_date and r.review_date <= soon),
            bool(r.review_date and r.review_date < today),
        )
        for r in records
    ]
    rows.sort(key=lambda row: (-rank(row.record.level), row.record.level_since, str(row.record)))
    return rows


def level_counts(rows: list[Row]) -> list[tuple[str, str, int]]:
    return [
        (value, label, sum(1 for r in rows if r.record.level == value))
        for value, label in Level.choices
    ]


# The provider page -----------------------------------------------------------------------------


def provider_timeline(user, provider) -> dict:
    records = list(
        access.records_for(user).filter(provider=provider).select_related("lead_organisation")
    )
    decisions = (
        EscalationDecision.objects.filter(record__in=records)
        .select_related("record", "group", "meeting", "lead_organisation")
        .prefetch_related("signal_indicators", "criteria_agreed", "criteria_confirmed")
        .order_by("-decided_on", "-pk")
    )
    from surveillance.escalation.models import EscalationProposal

    conclusions = list(access.proposable_conclusions(user, provider))
    proposals = {
        p.conclusion_id: p for p in EscalationProposal.objects.filter(conclusion__in=conclusions)
    }
    return {
        "provider": provider,
        "records": records,
        "decisions": decision_views(user, decisions),
        "can_decide": access.can_decide(user, provider.qsg_id),
        "proposable": [(c, proposals.get(c.pk)) for c in conclusions],
    }


# Prompts: measures met for the agreed period ---------------------------------------------------


def criteria_ready(user, qsg: QSG) -> list[ExitCriterion]:
    """Open measured criteria of the group's records that the dashboard shows met."""
    open_measures = (
        access.criteria_for(user)
        .filter(record__qsg=qsg, status=ExitCriterion.Status.OPEN, kind="measure")
        .select_related("record", "record__provider", "indicator")
    )
    return [c for c in open_measures if progress(user, c).met_for_period]


def source_exit_criteria(user, meeting) -> list:
    """Agenda source: a record whose measured exit criteria the dashboard shows met."""
    from surveillance.meetings.selectors import Suggestion

    by_record: dict[int, list[ExitCriterion]] = {}
    for c in criteria_ready(user, meeting.qsg):
        by_record.setdefault(c.record_id, []).append(c)
    out = []
    for found in by_record.values():
        record = found[0].record
        out.append(
            Suggestion(
                source="exit_criteria",
                key=f"record-{record.pk}",
                title=f"{record}: exit criteria met on the dashboard",
                kind="provider",
                reason="; ".join(c.text for c in found)
                + f". {record.get_level_display()} since {record.level_since:%-d %B %Y}.",
                provider_ids=[record.provider_id],
                presenter="Secretariat",
                duration=10,
            )
        )
    return sorted(out, key=lambda s: s.title)


# The local report to the region ----------------------------------------------------------------


def report_rows(user, qsg: QSG, *, since: dt.date, end: dt.date) -> list[dict]:
    """For a local group's report to its region, as at `end`: the records of its footprint the
    reader sees (`records_of_group`: led there or sitting there too) that were above routine
    quality surveillance then, or were decided on between `since` (the day after the previous
    report) and `end`, as plain data: level, since when, lead organisation, review date, the
    exit criteria agreed since the record left routine surveillance (met by `end`, and in all),
    and the decisions of that window with their rationale and the intelligence items it was
    made from (whoever prints them withholds the words)."""
    records = [row.record for row in records_of_group(user, qsg)]
    history: dict[int, list[EscalationDecision]] = {}
    for d in (
        EscalationDecision.objects.filter(record__in=records, decided_on__lte=end)
        .select_related("group", "lead_organisation")
        .order_by("decided_on", "pk")
    ):
        history.setdefault(d.record_id, []).append(d)
    criteria: dict[int, list[ExitCriterion]] = {}
    for c in (
        ExitCriterion.objects.filter(record__in=records, agreed_in__decided_on__lte=end)
        .exclude(status=ExitCriterion.Status.SUPERSEDED)
        .select_related("agreed_in", "met_in")
    ):
        criteria.setdefault(c.record_id, []).append(c)
    labels = dict(Level.choices)
    out = []
    for r in records:
        decisions = history.get(r.pk)
        if not decisions:
            continue  # first decided on after the period
        last = decisions[-1]
        level = last.level_to
        level_since = last.decided_on
        for d in reversed(decisions):
            if d.level_to != level:
                break
            level_since = d.decided_on
        window = [d for d in decisions if d.decided_on >= since]
        if level == Level.ROUTINE and not window:
            continue
        # The criteria agreed since the record last left routine surveillance.
        episode: set[int] = set()
        for d in reversed(decisions):
            if d.level_to == Level.ROUTINE:
                break
            episode.add(d.pk)
        agreed = [c for c in criteria.get(r.pk, []) if c.agreed_in_id in episode]
        out.append(
            {
                "record_id": r.pk,
                "provider_id": r.provider_id,
                "provider": str(r),
                "level": level,
                "level_label": labels[level],
                "since": level_since.isoformat(),
                "lead": last.lead_organisation.name if last.lead_organisation_id else "",
                "review": last.review_date.isoformat() if last.review_date else "",
                "criteria_met": sum(
                    1 for c in agreed if c.met_in_id and c.met_in.decided_on <= end
                ),
                "criteria_total": len(agreed),
                "decisions": [
                    {
                        "decided_on": d.decided_on.isoformat(),
                        "from": labels.get(d.level_from, ""),
                        "to": labels[d.level_to],
                        "group": d.group.name,
                        "rationale": d.rationale,
                        "intelligence_item_ids": sorted(
                            {int(i) for i in d.intelligence_item_ids or []}
                        ),
                    }
                    for d in window
                ],
            }
        )
    out.sort(key=lambda row: (-rank(row["level"]), row["since"], row["provider"]))
    return out
