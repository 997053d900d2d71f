"""Demo risk summits for Greater Manchester: one open within its clock, one closed.

Idempotent and quick: each summit is found by its source reference and made only once, through
the services. The guest account `gm.guest` (Greater Manchester Police, an organisation outside
the QSG) takes part in both and sees nothing else; it is not in `demo_accounts`, whose roles are
QSG roles, and is described in docs/architecture.md.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from qsg.models import QSG, Provider, User

from . import access
from .models import (
    RiskSummit,
    SummitAction,
    SummitMeeting,
)
from .services import _common
from .services.actions import action_create, action_update
from .services.closure import summit_close
from .services.judgement import checks_record, impact_request_create, judgement_record
from .services.meetings import meeting_book, meeting_record
from .services.participants import guest_invite
from .services.ring_holder import ring_holder_confirm
from .services.trigger import summit_trigger

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
        rep = guest_invite(
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
        guest_invite(
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
        summit = summit_trigger(
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
        meeting_book(
            actor=users["gm.secretariat"],
            summit=summit,
            starts_at=timezone.make_aware(
                dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time(10, 0))
            ),
            format=SummitMeeting.Format.VIDEO,
            venue="Video call set up by the NHS England area team",
        )
        cqc = access.summit_for_user(users["gm.cqc"], summit.pk)
        impact_request_create(
            actor=users["gm.cqc"],
            standing=cqc,
            action_considered="Suspending admissions to the labour ward at night",
            respond_by=now + dt.timedelta(hours=30),
        )
    _guest(summit, users["gm.secretariat"], password)


@contextmanager
def _clock_at(moment: dt.datetime):
    """Run the services as if it were `moment`, so that a finished demo summit has a history
    that reads naturally (its times and the dates in its timeline agree)."""
    saved = _common._frozen_at
    _common._frozen_at = moment
    try:
        yield
    finally:
        _common._frozen_at = saved


def _closed_summit(qsg: QSG, provider: Provider, users: dict[str, User], password: str) -> None:
    if RiskSummit.objects.filter(qsg=qsg, source_detail=CLOSED_SOURCE).exists():
        return
    opened = timezone.now() - dt.timedelta(days=40)
    with _clock_at(opened):
        summit = _closed_summit_opened(qsg, provider, users, password, opened)
    with _clock_at(opened + dt.timedelta(days=21)):
        _closed_summit_closed(summit, users)


def _closed_summit_opened(qsg, provider, users, password, now) -> RiskSummit:
    secretariat, chair, cqc_user = users["gm.secretariat"], users["gm.chair"], users["gm.cqc"]
    summit = summit_trigger(
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
    ring_holder_confirm(actor=chair, summit=summit, note="All parties agreed on the first call")
    meeting = meeting_book(
        actor=secretariat,
        summit=summit,
        starts_at=now - dt.timedelta(hours=3),
        format=SummitMeeting.Format.VIDEO,
    )
    present = [u for u in (secretariat, chair, users["gm.icb"], cqc_user) if u is not None]
    meeting_record(
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
    judgement_record(
        actor=cqc_user,
        standing=access.summit_for_user(cqc_user, summit.pk),
        finding="potential_breach",
        judged_on=timezone.localtime(now).date(),
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
        action_create(
            actor=secretariat,
            summit=summit,
            objective=objective,
            description=text,
            owner_organisation=users[owner].organisation,
            due_on=timezone.localtime(now).date() + dt.timedelta(days=14),
            meeting=meeting,
        )
    return summit


def _closed_summit_closed(summit: RiskSummit, users: dict[str, User]) -> None:
    secretariat, chair = users["gm.secretariat"], users["gm.chair"]
    manager = access.summit_for_user(secretariat, summit.pk)
    for action in SummitAction.objects.filter(summit=summit).order_by("number"):
        improvement = action.objective == SummitAction.Objective.IMPROVEMENT
        action_update(
            actor=secretariat,
            standing=manager,
            action=action,
            status="transferred" if improvement else "done",
        )
    checks_record(
        actor=secretariat,
        summit=summit,
        professional_referral="none",
        adult_safeguarding_followed="not_applicable",
        adult_safeguarding_reason="No adult safeguarding concern was identified",
        lscb_notified="not_applicable",
        lscb_reason="No children's services involved",
    )
    summit_close(
        actor=chair,
        summit=summit,
        outcome="improving",
        outcome_summary="Senior cover is in place and waits have fallen. The QSG keeps the trust under regular review.",
        level_after="regular-review",
    )


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
