"""Demo risk summits for Greater Manchester: one open within its clock, one closed.

Idempotent and quick: each summit is found by its source reference and made only once, through
the services. The guest account `gm.guest` (Greater Manchester Police, an organisation outside
the QSG) takes part in both and sees nothing else; it is not in `demo_accounts`, whose roles are
QSG roles, and is described in docs/architecture.md.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from qsg.models import QSG, Provider, User

from . import access, services
from .models import (
    CQCJudgement,
    ImpactAssessmentRequest,
    RiskSummit,
    SummitAction,
    SummitMeeting,
    TimelineEvent,
)

QSG_NAME = "Greater Manchester QSG"
OPEN_SOURCE = "Demo: staff whistleblowing call and CQC inspection, maternity"
CLOSED_SOURCE = "Demo: local newspaper report on the emergency department"
GUEST_USERNAME = "gm.guest"
GUEST_EMAIL = "gm.guest@demo.qsg-workspace.invalid"
GUEST_ORGANISATION = "Greater Manchester Police"


def _users() -> dict[str, User]:
    names = ["gm.secretariat", "gm.chair", "gm.icb", "gm.cqc", "gm.observer"]
    return {u.username: u for u in User.objects.filter(username__in=names)}


def _providers(qsg: QSG) -> list[Provider]:
    providers = list(
        Provider.objects.filter(qsg=qsg, is_active=True, sector="acute").order_by("name")[:2]
    )
    if len(providers) < 2:
        providers = list(Provider.objects.filter(qsg=qsg, is_active=True).order_by("name")[:2])
    return providers


def _guest(summit: RiskSummit, actor: User, password: str) -> None:
    existing = User.objects.filter(username=GUEST_USERNAME).first()
    if existing is None:
        rep = services.guest_invite(
            actor=actor,
            summit=summit,
            organisation_name=GUEST_ORGANISATION,
            first_name="Gus",
            last_name="Guest (Police)",
            email=GUEST_EMAIL,
            job_title="Detective inspector, public protection",
        )
        User.objects.filter(pk=rep.user_id).update(username=GUEST_USERNAME)
    elif not summit.participants.filter(organisation=existing.organisation).exists():
        services.guest_invite(
            actor=actor,
            summit=summit,
            organisation=existing.organisation,
            first_name=existing.first_name,
            last_name=existing.last_name,
            email=existing.email,
        )
    User.objects.filter(username=GUEST_USERNAME).update(
        password=make_password(password), is_active=True
    )


def _open_summit(qsg: QSG, provider: Provider, users: dict[str, User], password: str) -> None:
    summit = RiskSummit.objects.filter(qsg=qsg, source_detail=OPEN_SOURCE).first()
    if summit is None:
        now = timezone.now()
        summit = services.summit_trigger(
            actor=users["gm.icb"],
            providers=[provider],
            concern=(
                "A midwife called the ICB's whistleblowing line about repeated night shifts with "
                "two midwives for the whole labour ward. The CQC's recent inspection noted "
                "delayed escalation of deteriorating mothers. Together these suggest a potential "
                "serious failure in maternity care."
            ),
            source=RiskSummit.Source.WHISTLEBLOWER,
            source_detail=OPEN_SOURCE,
            urgency=RiskSummit.Urgency.URGENT,
            judged_at=now - dt.timedelta(hours=6),
            involves_adult_safeguarding=True,
        )
        services.meeting_book(
            actor=users["gm.secretariat"],
            summit=summit,
            starts_at=timezone.make_aware(
                dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time(10, 0))
            ),
            format=SummitMeeting.Format.VIDEO,
            venue="Video call set up by the NHS England area team",
        )
        cqc = access.summit_for_user(users["gm.cqc"], summit.pk)
        services.impact_request_create(
            actor=users["gm.cqc"],
            standing=cqc,
            action_considered="Suspending admissions to the labour ward at night",
            respond_by=now + dt.timedelta(hours=30),
        )
    _guest(summit, users["gm.secretariat"], password)


def _shift(summit: RiskSummit, delta: dt.timedelta) -> None:
    """Move a finished demo summit back in time so that its history reads naturally."""
    RiskSummit.objects.filter(pk=summit.pk).update(
        triggered_at=summit.triggered_at - delta,
        judged_at=summit.judged_at - delta,
        ring_holder_decided_at=(summit.ring_holder_decided_at or summit.triggered_at) - delta,
        closed_at=(summit.closed_at - delta) if summit.closed_at else None,
    )
    for m in SummitMeeting.objects.filter(summit=summit):
        SummitMeeting.objects.filter(pk=m.pk).update(
            starts_at=m.starts_at - delta, ends_at=(m.ends_at - delta) if m.ends_at else None
        )
    for e in TimelineEvent.objects.filter(summit=summit):
        TimelineEvent.objects.filter(pk=e.pk).update(at=e.at - delta)
    for a in SummitAction.objects.filter(summit=summit):
        SummitAction.objects.filter(pk=a.pk).update(
            due_on=a.due_on - delta, closed_at=(a.closed_at - delta) if a.closed_at else None
        )
    for j in CQCJudgement.objects.filter(summit=summit):
        CQCJudgement.objects.filter(pk=j.pk).update(judged_on=j.judged_on - delta)
    for r in ImpactAssessmentRequest.objects.filter(summit=summit):
        ImpactAssessmentRequest.objects.filter(pk=r.pk).update(respond_by=r.respond_by - delta)


def _closed_summit(qsg: QSG, provider: Provider, users: dict[str, User], password: str) -> None:
    if RiskSummit.objects.filter(qsg=qsg, source_detail=CLOSED_SOURCE).exists():
        return
    now = timezone.now()
    secretariat, chair, cqc_user = users["gm.secretariat"], users["gm.chair"], users["gm.cqc"]
    summit = services.summit_trigger(
        actor=users["gm.icb"],
        providers=[provider],
        concern=(
            "A newspaper reported patients waiting over 12 hours on trolleys. Dashboard "
            "indicators showed a run of deteriorating four-hour performance and two serious "
            "incidents in the emergency department."
        ),
        source=RiskSummit.Source.MEDIA,
        source_detail=CLOSED_SOURCE,
        urgency=RiskSummit.Urgency.IMMEDIATE,
        judged_at=now - dt.timedelta(hours=5),
    )
    _guest(summit, secretariat, password)
    services.ring_holder_confirm(
        actor=chair, summit=summit, note="All parties agreed on the first call"
    )
    meeting = services.meeting_book(
        actor=secretariat,
        summit=summit,
        starts_at=now - dt.timedelta(hours=3),
        format=SummitMeeting.Format.VIDEO,
    )
    present = [u for u in (secretariat, chair, users["gm.icb"], cqc_user) if u is not None]
    services.meeting_record(
        actor=secretariat,
        meeting=meeting,
        starts_at=meeting.starts_at,
        ends_at=meeting.starts_at + dt.timedelta(minutes=50),
        chaired_by=chair.display_name,
        discussion=(
            "The ICB described the trolley waits and incidents. The CQC shared its inspection "
            "findings. The trust's plan for extra senior cover was discussed."
        ),
        judgements="Potential serious failure in the emergency department, short of a breach.",
        present=present,
        shared_with_provider=False,
    )
    services.judgement_record(
        actor=cqc_user,
        standing=access.summit_for_user(cqc_user, summit.pk),
        finding="potential_breach",
        judged_on=timezone.localdate(),
        rationale="Risks to safe care from crowding; the trust's plan is credible if delivered.",
    )
    for objective, text, owner in [
        (
            "safeguard",
            "Senior doctor on site in the emergency department around the clock",
            "gm.icb",
        ),
        (
            "continuity",
            "Agree ambulance diverts with neighbouring trusts at peak times",
            "gm.secretariat",
        ),
        ("improvement", "Monthly assurance on flow to the QSG for six months", "gm.icb"),
    ]:
        action = services.action_create(
            actor=secretariat,
            summit=summit,
            objective=objective,
            description=text,
            owner_organisation=users[owner].organisation,
            due_on=timezone.localdate(),
            meeting=meeting,
        )
        manager = access.summit_for_user(secretariat, summit.pk)
        services.action_update(
            actor=secretariat,
            standing=manager,
            action=action,
            status="transferred" if objective == "improvement" else "done",
            transferred_to="Greater Manchester QSG action log"
            if objective == "improvement"
            else "",
        )
    services.checks_record(
        actor=secretariat,
        summit=summit,
        professional_referral="none",
        adult_safeguarding_followed="not_applicable",
        adult_safeguarding_reason="No adult safeguarding concern was identified",
        lscb_notified="not_applicable",
        lscb_reason="No children's services involved",
    )
    services.summit_close(
        actor=chair,
        summit=summit,
        outcome="improving",
        outcome_summary="Senior cover is in place and waits have fallen. The QSG keeps the trust under regular review.",
        level_after="regular-review",
    )
    _shift(RiskSummit.objects.get(pk=summit.pk), dt.timedelta(days=40))


@transaction.atomic
def seed(*, stdout=None, password: str = "") -> None:
    qsg = QSG.objects.filter(name=QSG_NAME).first()
    users = _users()
    if qsg is None or not {"gm.secretariat", "gm.chair", "gm.icb", "gm.cqc"} <= set(users):
        return
    providers = _providers(qsg)
    if len(providers) < 2:
        return
    _closed_summit(qsg, providers[1], users, password)
    _open_summit(qsg, providers[0], users, password)
    if stdout is not None:
        stdout.write("Risk summits: Greater Manchester has an open and a closed summit.")
