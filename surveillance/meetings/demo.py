"""Demo meetings: for Greater Manchester, Lancashire and Wessex (local) and the North regional
QSG, a meeting series with a past meeting whose note is agreed and published (attendance,
conclusions including one "keep under regular review", actions some of them overdue), an
upcoming meeting with a draft agenda, a business plan and its coverage.

Idempotent: a QSG that already has a meeting series is left alone. Works on SQLite.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from qsg.demo import demo_groups
from qsg.models import QSG, Provider, User
from surveillance.meetings import selectors as meetings_selectors
from surveillance.meetings.models import FOIExemption, Meeting, MeetingSeries
from surveillance.meetings.services import actions as actions_services
from surveillance.meetings.services import agenda as agenda_services
from surveillance.meetings.services import attendance as attendance_services
from surveillance.meetings.services import note as note_services
from surveillance.meetings.services import plans as plans_services
from surveillance.meetings.services import schedule as schedule_services


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).select_related("organisation").first()


def _tuesday_near(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(1 - day.weekday()) % 7)


def _overdue_date(meeting_day: dt.date) -> dt.date:
    today = timezone.localdate()
    return max(meeting_day, min(meeting_day + dt.timedelta(days=5), today - dt.timedelta(days=1)))


def _attend(
    meeting: Meeting, actor: User, usernames: list[str], *, late: str | None = None
) -> None:
    for username in usernames:
        user = _user(username)
        if user is None:
            continue
        start, end = dt.time(10, 0), dt.time(12, 30)
        if username == late:
            start = dt.time(10, 45)
        capacity = {"chair": "chair", "secretariat": "secretariat"}.get(
            username.split(".")[1], "member"
        )
        attendance_services.attendance_add(
            actor=actor,
            meeting=meeting,
            user=user,
            organisation=user.organisation,
            capacity=capacity,
            present_from=start,
            present_to=end,
        )


def _agreed_note(meeting: Meeting, prefix: str, providers: list[Provider]) -> None:
    secretariat, chair = _user(f"{prefix}.secretariat"), _user(f"{prefix}.chair")
    members = [f"{prefix}.chair", f"{prefix}.secretariat", f"{prefix}.icb", f"{prefix}.cqc"]
    _attend(meeting, secretariat, members, late=f"{prefix}.cqc")
    healthwatch = _user(f"{prefix}.healthwatch") or _user(f"{prefix}.observer")
    if healthwatch is not None:
        attendance_services.attendance_add(
            actor=secretariat,
            meeting=meeting,
            user=healthwatch,
            organisation=healthwatch.organisation,
            status="apologies",
        )
    agenda_services.agenda_apply_template(actor=secretariat, meeting=meeting)
    items = [
        agenda_services.agenda_item_create(
            actor=secretariat,
            meeting=meeting,
            title=f"{p.name}: provider discussion",
            kind="provider",
            presenter="Commissioner",
            duration_minutes=15,
            providers=[p],
        )
        for p in providers
    ]
    note = note_services.meeting_note_start(actor=secretariat, meeting=meeting)
    # The profile's own categories (2013 or 2022), by level of surveillance.
    categories = {c.level: c for c in meetings_selectors.categories().order_by("-sort_order")}
    confidential = FOIExemption.objects.filter(code="s41").first()
    stories = [
        (
            2,
            "A&E four-hour performance below 80% for three months; two serious incidents reported "
            "in the emergency department.",
            "Data and soft intelligence point the same way; the trust's own recovery plan is not yet "
            "showing results.",
            "A member of staff raised concerns about staffing on the acute medical unit at night "
            "with the CQC, in confidence.",
        ),
        (
            1,
            "Complaints about discharge arrangements have risen; the picture is not clear.",
            "The group cannot conclude until the ICB's quality visit reports.",
            "",
        ),
        (
            0,
            "Indicators within expected range; no soft intelligence of concern.",
            "No concern needing the group's attention.",
            "",
        ),
    ]
    meeting_day = timezone.localtime(meeting.starts_at).date()
    owners = [_user(f"{prefix}.cqc"), _user(f"{prefix}.icb")]
    for index, (provider, item) in enumerate(zip(providers, items, strict=False)):
        level, issues, rationale, secret = stories[index % len(stories)]
        note_services.passage_save(actor=secretariat, note=note, agenda_item=item, text=issues)
        if secret and confidential is not None:
            note_services.passage_save(
                actor=secretariat,
                note=note,
                agenda_item=item,
                text=secret,
                foi_exemption=confidential,
            )
        conclusion = note_services.conclusion_save(
            actor=secretariat,
            note=note,
            provider=provider,
            category=categories[level],
            key_issues=issues,
            rationale=rationale,
            agenda_item=item,
        )
        if level == 0:
            continue
        owner = owners[index % len(owners)]
        if owner is None:
            continue
        actions_services.action_save(
            actor=secretariat,
            note=note,
            description=(
                "Bring forward the focused inspection and report back"
                if index % 2 == 0
                else "Share the findings of the quality visit with the group"
            ),
            owner_organisation=owner.organisation,
            owner=owner,
            # The first action is overdue today; the rest are due after the next meeting.
            due_date=_overdue_date(meeting_day)
            if index == 0
            else meeting_day + dt.timedelta(days=60),
            conclusion=conclusion,
        )
    note_services.meeting_note_circulate(actor=secretariat, note=note)
    note.refresh_from_db()
    note_services.meeting_note_agree(actor=chair, note=note)
    note.refresh_from_db()
    note_services.meeting_note_publish(actor=chair, note=note)


@transaction.atomic
def seed_qsg(prefix: str, qsg: QSG, *, today: dt.date) -> bool:
    if MeetingSeries.objects.filter(qsg=qsg).exists():
        return False
    secretariat = _user(f"{prefix}.secretariat")
    if secretariat is None:
        return False
    local = qsg.is_local
    first = _tuesday_near(today - dt.timedelta(days=40 if local else 45))
    series = schedule_services.meeting_series_create(
        actor=secretariat,
        qsg=qsg,
        title=f"{qsg.name} meeting",
        cadence="local_2013" if local else "quarterly",
        first_date=first,
        until=today + dt.timedelta(days=330),
        start_time=dt.time(10, 0),
        end_time=dt.time(12, 30),
        venue=f"{qsg.footprint or qsg.name} area team offices, boardroom",
        dial_in="Microsoft Teams (link in the calendar invitation)",
    )
    meetings = list(series.meetings.order_by("starts_at"))
    past = [m for m in meetings if m.ends_at < timezone.now()]
    upcoming = [m for m in meetings if m.ends_at >= timezone.now()]
    if local:
        providers = list(Provider.objects.filter(qsg=qsg).order_by("ods_code")[:3])
    else:
        providers = list(Provider.objects.filter(qsg__regional_qsg=qsg).order_by("ods_code")[:2])
    if past and providers:
        _agreed_note(past[-1], prefix, providers)
    if upcoming:
        nxt = upcoming[0]
        agenda_services.agenda_apply_template(actor=secretariat, meeting=nxt)
        if local:
            plan = plans_services.business_plan_create(
                actor=secretariat,
                qsg=qsg,
                title=f"Business cycle {today.year}-{str(today.year + 1)[-2:]}",
                period_start=first,
                period_end=today + dt.timedelta(days=330),
            )
            plans_services.business_plan_distribute(actor=secretariat, plan=plan, group_by="sector")
            plans_services.plan_entry_add(
                actor=secretariat,
                plan=plan,
                kind="theme",
                title="Thematic discussion: safety in care homes",
                meeting=upcoming[min(1, len(upcoming) - 1)],
            )
        from surveillance.meetings.selectors import agenda_suggestions

        tokens = [
            s.token for _, _, proposals in agenda_suggestions(secretariat, nxt) for s in proposals
        ]
        agenda_services.agenda_add_suggestions(actor=secretariat, meeting=nxt, tokens=tokens[:8])
    return True


def seed(*, stdout=None, password=None) -> None:
    today = timezone.localdate()
    made = 0
    groups = demo_groups()
    for prefix, name in [*groups.locals, groups.regional]:
        qsg = QSG.objects.filter(name=name).first()
        if qsg is not None and seed_qsg(prefix, qsg, today=today):
            made += 1
    if stdout is not None:
        stdout.write(f"Meetings: demo series for {made} QSG{'s' if made != 1 else ''}.")
