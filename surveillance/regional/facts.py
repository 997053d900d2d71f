"""What the workspace already knows for an assurance return (annex A), for the secretariat to
confirm: the meetings held in the month (quorate or not, who attended), the coverage of the
footprint over the year to the month's end, the meetings scheduled, the chair and the core
members. The return's evidence is filled in from it where nothing has been written yet."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from qsg.models import QSG, Membership, QSGRole
from surveillance.meetings import selectors as selectors_meetings
from surveillance.meetings.models import Attendance, Meeting

Role = QSGRole.Role

# Question code -> the organisation types whose members answer it, per level of QSG.
MEMBER_TYPES = {
    QSG.Level.LOCAL: {
        "1b.i": ("nhse-area-team",),
        "1b.ii": ("icb-ccg",),
        "1b.iii": ("local-healthwatch",),
        "1b.iv": ("cqc",),
        "1b.v": ("monitor-nhsi",),
        "1b.vi": ("nhs-tda",),
        "1b.vii": ("hee-letb",),
        "1b.viii": ("local-authority",),
    },
    QSG.Level.REGIONAL: {
        "1b.i": ("nhse-region",),
        "1b.ii": ("nhse-area-team",),
        "1b.iii": ("local-healthwatch", "healthwatch-england"),
        "1b.iv": ("cqc",),
        "1b.v": ("monitor-nhsi",),
        "1b.vi": ("nhs-tda",),
        "1b.vii": ("gmc", "nmc"),
        "1b.viii": ("hee-letb",),
        "1b.ix": ("ombudsman",),
        "1b.x": ("local-authority",),
    },
}


@dataclass(frozen=True)
class HeldMeeting:
    meeting: Meeting
    quorate: bool
    missing: list[str]
    present: int
    apologies: int


@dataclass(frozen=True)
class Facts:
    month: dt.date
    meetings: list[HeldMeeting]
    discussed: int
    footprint: int
    coverage_from: dt.date
    coverage_to: dt.date
    evidence: dict[str, str]

    @property
    def quorate_count(self) -> int:
        return sum(1 for m in self.meetings if m.quorate)

    def summary(self) -> str:
        held = len(self.meetings)
        if held == 0:
            sentence = f"No meeting held in {self.month:%B %Y}."
        else:
            sentence = (
                f"{held} meeting{'s' if held != 1 else ''} held in {self.month:%B %Y}, "
                f"{self.quorate_count} quorate."
            )
        return (
            f"{sentence} {self.discussed} of {self.footprint} providers in the footprint "
            f"discussed in the year to {self.coverage_to:%-d %B %Y}."
        )


def _month_end(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def assurance_facts(qsg: QSG, month: dt.date) -> Facts:
    month = month.replace(day=1)
    end = _month_end(month)
    now = timezone.now()
    held = list(
        Meeting.objects.filter(
            qsg=qsg, starts_at__date__gte=month, starts_at__date__lte=end, starts_at__lte=now
        )
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("qsg")
        .order_by("starts_at")
    )
    counts: dict[tuple[int, str], set[str]] = defaultdict(set)
    for meeting_id, status, user_id, name, org_id in Attendance.objects.filter(
        meeting__in=held
    ).values_list("meeting_id", "status", "user_id", "name", "organisation_id"):
        counts[(meeting_id, status)].add(f"u{user_id}" if user_id else f"{name.lower()}:{org_id}")
    meetings = []
    for m in held:
        quorum = selectors_meetings.meeting_quorum(m)
        meetings.append(
            HeldMeeting(
                meeting=m,
                quorate=quorum.quorate,
                missing=quorum.missing,
                present=len(counts[(m.pk, Attendance.Status.PRESENT)]),
                apologies=len(counts[(m.pk, Attendance.Status.APOLOGIES)]),
            )
        )
    start = end - dt.timedelta(days=365)
    rows = selectors_meetings.coverage(
        qsg, period_start=start, period_end=end, today=timezone.localdate()
    )
    discussed = sum(1 for r in rows if r.last_discussed and start <= r.last_discussed <= end)
    facts = Facts(
        month=month,
        meetings=meetings,
        discussed=discussed,
        footprint=len(rows),
        coverage_from=start,
        coverage_to=end,
        evidence={},
    )
    facts.evidence.update(_evidence(qsg, facts))
    return facts


def _evidence(qsg: QSG, facts: Facts) -> dict[str, str]:
    """Evidence the workspace can give, by question code."""
    out: dict[str, str] = {}
    people: dict[str, list[str]] = defaultdict(list)
    chairs = []
    for role in (
        QSGRole.objects.filter(qsg=qsg, user__is_active=True)
        .exclude(role=Role.REGIONAL_REVIEWER)
        .select_related("user", "user__organisation__type")
        .order_by("user__last_name", "user__first_name")
    ):
        u = role.user
        if role.role == Role.CHAIR:
            chairs.append(f"{u.display_name}, {u.organisation.name}")
        people[u.organisation.type.code].append(
            f"{u.display_name} ({role.get_role_display().lower()}), {u.organisation.name}"
        )
    if chairs:
        out["1a"] = "Chair: " + "; ".join(chairs)
    members: dict[str, list[str]] = defaultdict(list)
    for m in Membership.objects.filter(qsg=qsg).select_related("organisation__type"):
        members[m.organisation.type.code].append(m.organisation.name)
    for code, types in MEMBER_TYPES.get(qsg.level, {}).items():
        named = [p for t in types for p in people.get(t, [])]
        orgs = [o for t in types for o in members.get(t, [])]
        if named:
            out[code] = "; ".join(dict.fromkeys(named))
        elif orgs:
            out[code] = "Members: " + "; ".join(sorted(set(orgs))) + " (no named representative)"
    upcoming = list(
        Meeting.objects.filter(
            qsg=qsg,
            starts_at__date__gte=facts.month,
            starts_at__date__lte=facts.month + dt.timedelta(days=366),
        )
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
    )
    if upcoming:
        out["3d"] = "Meetings: " + ", ".join(f"{timezone.localtime(d):%-d %B %Y}" for d in upcoming)
    if facts.footprint:
        out["3e"] = (
            f"{facts.discussed} of {facts.footprint} providers in the footprint discussed "
            f"between {facts.coverage_from:%-d %B %Y} and {facts.coverage_to:%-d %B %Y} "
            "(coverage page)"
        )
    return out
