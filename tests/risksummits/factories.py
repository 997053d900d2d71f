"""Summits on the fixed cast, made through the services exactly as the product makes them."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from qsg import pdf
from qsg.models import Job
from risksummits import access
from risksummits.models import Participant, RiskSummit, SummitDocument
from risksummits.services.actions import action_create
from risksummits.services.documents import PDF_KIND
from risksummits.services.judgement import checks_record, impact_request_create, judgement_record
from risksummits.services.meetings import meeting_book, meeting_record
from risksummits.services.participants import participant_remove
from risksummits.services.ring_holder import ring_holder_confirm
from risksummits.services.trigger import summit_trigger

CONCERN = "Whistleblower reports unsafe staffing on the maternity unit at night"


def trigger(cast, *, by="member_a", provider="provider_a1", hours_ago=2, **extra) -> RiskSummit:
    values = {
        "concern": CONCERN,
        "source": RiskSummit.Source.WHISTLEBLOWER,
        "urgency": RiskSummit.Urgency.URGENT,
        "judged_at": timezone.now() - dt.timedelta(hours=hours_ago),
    }
    values.update(extra)
    return summit_trigger(actor=cast.users[by], providers=[cast.providers[provider]], **values)


def standing(cast, username, summit) -> access.SummitAccess:
    return access.summit_for_user(cast.users[username], summit.pk)


def hold_first_meeting(cast, summit, *, by="secretariat_a", present=("secretariat_a", "member_a")):
    now = timezone.now()
    meeting = meeting_book(
        actor=cast.users[by],
        summit=summit,
        starts_at=max(summit.judged_at, now - dt.timedelta(minutes=60)),
        format="video",
    )
    return meeting_record(
        actor=cast.users[by],
        meeting=meeting,
        starts_at=meeting.starts_at,
        ends_at=meeting.starts_at + dt.timedelta(minutes=45),
        chaired_by="Chair A",
        discussion="Members shared what each knows about night staffing.",
        judgements="Potential serious failure in maternity care at night.",
        present=[cast.users[u] for u in present],
        shared_with_provider=False,
    )


def ready_to_close(cast, summit, *, finding="potential_breach", **checks) -> None:
    """A held first meeting, the CQC's judgement, an agreed ring-holder and the checks."""
    hold_first_meeting(cast, summit)
    judgement_record(
        actor=cast.users["cqc_a"],
        standing=standing(cast, "cqc_a", summit),
        finding=finding,
        judged_on=timezone.localdate(),
        rationale="Staffing below safe levels on nights",
    )
    ring_holder_confirm(actor=cast.users["chair_a"], summit=summit, note="Agreed")
    checks_record(
        actor=cast.users["secretariat_a"],
        summit=summit,
        **(
            checks
            or {
                "professional_referral": "none",
                "adult_safeguarding_followed": "not_applicable",
                "adult_safeguarding_reason": "No adult safeguarding concern",
            }
        ),
    )


def world(cast) -> SimpleNamespace:
    """One summit about provider_a1 with a held meeting, a booked one, an action, an impact
    request and a PDF, triggered by member_a. The local authority has been removed, so
    observer_a (a member of QSG A) does not take part and sees nothing of it."""
    cached = cast.__dict__.get("_summit_world")
    if cached is not None:
        return cached
    summit = trigger(cast)
    la = Participant.objects.get(summit=summit, organisation=cast.orgs["la_a"])
    participant_remove(actor=cast.users["secretariat_a"], participant=la)
    held = hold_first_meeting(cast, summit)
    booked = meeting_book(
        actor=cast.users["secretariat_a"],
        summit=summit,
        starts_at=timezone.now() + dt.timedelta(days=3),
        format="video",
    )
    action = action_create(
        actor=cast.users["secretariat_a"],
        summit=summit,
        objective="safeguard",
        description="Put extra midwives on nights from this week",
        owner_organisation=cast.orgs["icb_a"],
        due_on=timezone.localdate() + dt.timedelta(days=7),
        meeting=held,
    )
    impact = impact_request_create(
        actor=cast.users["cqc_a"],
        standing=standing(cast, "cqc_a", summit),
        action_considered="Suspending admissions to the maternity unit",
        respond_by=timezone.now() + dt.timedelta(days=1),
    )
    path = pdf.store(f"risk-summits/test-{summit.pk}.pdf", b"%PDF-1.4\n% test\n")
    job = Job.objects.create(
        kind=PDF_KIND,
        status=Job.Status.SUCCEEDED,
        progress=100,
        counts={"path": path, "filename": "test.pdf"},
    )
    document = SummitDocument.objects.create(
        summit=summit,
        meeting=held,
        kind=SummitDocument.Kind.MEETING,
        version=1,
        record_revision=held.revision,
        job=job,
    )
    icb = Participant.objects.get(summit=summit, organisation=cast.orgs["icb_a"])
    result = SimpleNamespace(
        summit=RiskSummit.objects.get(pk=summit.pk),
        held=held,
        booked=booked,
        action=action,
        impact=impact,
        document=document,
        icb=icb,
    )
    cast.__dict__["_summit_world"] = result
    return result
