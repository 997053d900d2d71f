"""Business plans: which providers each meeting in the cycle considers."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction

from qsg.access import footprint
from qsg.models import QSG, Provider
from qsg.vocabulary import say
from surveillance.meetings.models import BusinessPlan, Meeting, PlanEntry
from surveillance.meetings.services._common import _stamp, screen_pid

# Business plans ----------------------------------------------------------------------------


@transaction.atomic
def business_plan_create(
    *, actor, qsg: QSG, title: str, period_start: dt.date, period_end: dt.date
) -> BusinessPlan:
    if period_end <= period_start:
        raise ValidationError({"period_end": "The end of the period must be after its start"})
    screen_pid({"title": ("Title", title)})
    plan = BusinessPlan(
        qsg=qsg, title=title.strip(), period_start=period_start, period_end=period_end
    )
    plan.full_clean()
    _stamp(plan, actor)
    plan.save()
    return plan


@transaction.atomic
def plan_entry_add(
    *, actor, plan: BusinessPlan, kind: str, title: str, meeting: Meeting | None, providers=()
) -> PlanEntry:
    providers = list(providers)
    if meeting is not None and meeting.qsg_id != plan.qsg_id:
        raise ValidationError({"meeting": say("Choose a meeting of this QSG")})
    if kind == PlanEntry.Kind.PROVIDERS and not providers:
        raise ValidationError({"providers": "Choose at least one provider"})
    in_footprint = set(footprint(plan.qsg).values_list("pk", flat=True)) if providers else set()
    if any(p.pk not in in_footprint for p in providers):
        raise ValidationError({"providers": say("Choose providers in this QSG's footprint")})
    screen_pid({"title": ("Title", title)})
    entry = PlanEntry(plan=plan, kind=kind, title=title.strip(), meeting=meeting)
    entry.full_clean()
    _stamp(entry, actor)
    entry.save()
    entry.providers.set(providers)
    return entry


@transaction.atomic
def plan_entry_remove(*, actor, entry: PlanEntry) -> None:
    _stamp(entry, actor)
    entry.delete()


@transaction.atomic
def business_plan_distribute(*, actor, plan: BusinessPlan, group_by: str) -> int:
    """Group the footprint's providers by sector or district and deal the groups round the
    meetings in the period, so every provider is considered once. Providers already planned
    are left where they are. Returns the number of entries made."""
    if group_by not in {"sector", "district"}:
        raise ValidationError({"group_by": "Group by sector or by district"})
    meetings = list(
        Meeting.objects.filter(
            qsg=plan.qsg,
            status=Meeting.Status.SCHEDULED,
            starts_at__date__gte=plan.period_start,
            starts_at__date__lte=plan.period_end,
        ).order_by("starts_at")
    )
    if not meetings:
        raise ValidationError("Schedule the meetings in this period first")
    planned = set(
        PlanEntry.objects.filter(plan=plan)
        .values_list("providers", flat=True)
        .exclude(providers=None)
    )
    groups: dict[str, list[Provider]] = defaultdict(list)
    # The local group's footprint, shared providers too, as the coverage page counts them.
    for p in footprint(plan.qsg) if plan.qsg.is_local else []:
        if p.pk in planned:
            continue
        label = (
            p.get_sector_display()
            if group_by == "sector"
            else (p.district or "District not recorded")
        )
        groups[label].append(p)
    made = 0
    for index, (label, providers) in enumerate(sorted(groups.items())):
        plan_entry_add(
            actor=actor,
            plan=plan,
            kind=PlanEntry.Kind.PROVIDERS,
            title=f"{label} providers",
            meeting=meetings[index % len(meetings)],
            providers=providers,
        )
        made += 1
    return made
