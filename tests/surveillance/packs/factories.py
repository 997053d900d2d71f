"""Meeting packs built through the services, as the product builds them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from qsg import jobs
from qsg import services as qsg_services
from qsg.models import QSGRole
from surveillance.meetings.services import agenda as agenda_services
from surveillance.meetings.services import note as note_services
from surveillance.packs import services as sp
from surveillance.packs.models import PackVersion
from tests.surveillance.meetings.factories import (
    agreed_meeting,
    ensure_reference_data,
    meeting,
)

RESTRICTED = "ICB concern for the secretariat only"
SHARED = "CQC concern shared with every member"
CONFIDENTIAL_ITEM = "Confidential: whistleblowing at Alpha"


def add_non_statutory_member(cast):
    """A member from a non-statutory body: its pack leaves confidential material out."""
    from qsg.models import OrganisationType

    org = qsg_services.organisation_create(
        actor=None,
        name="Alpha Patient Voice CIC",
        type=OrganisationType.objects.get(code="other"),
    )
    qsg_services.membership_add(actor=None, qsg=cast.qsgs["a"], organisation=org)
    user = qsg_services.user_create(
        actor=None,
        username="voice_a",
        organisation=org,
        password="cast-password-123",
        first_name="Patient",
        last_name="Voice",
        email="voice_a@example.org",
    )
    qsg_services.role_assign(actor=None, qsg=cast.qsgs["a"], user=user, role=QSGRole.Role.MEMBER)
    cast.orgs["voice_a"] = org
    cast.users["voice_a"] = user
    return user


def pack_scenario(cast, *, returns: bool = True) -> dict:
    """QSG A: a previous meeting with a published note, and an upcoming meeting in 20 days with
    an agenda (one confidential item) and its pack; returns from the ICB (secretariat only)
    and the CQC (shared with all members)."""
    ensure_reference_data()
    secretariat = cast.users["secretariat_a"]
    previous, note, _ = agreed_meeting(cast, days=-30)
    note_services.meeting_note_publish(actor=cast.users["chair_a"], note=note)
    upcoming = meeting(cast, days=20, title="Area A QSG, next meeting")
    agenda_services.agenda_apply_template(actor=secretariat, meeting=upcoming)
    agenda_services.agenda_item_create(
        actor=secretariat,
        meeting=upcoming,
        title="Alpha General Hospital",
        kind="provider",
        providers=[cast.providers["provider_a1"]],
    )
    confidential = agenda_services.agenda_item_create(
        actor=secretariat, meeting=upcoming, title=CONFIDENTIAL_ITEM, kind="provider"
    )
    from surveillance.meetings.models import AgendaItem

    AgendaItem.objects.filter(pk=confidential.pk).update(is_confidential=True)
    pack = sp.meeting_pack_open(actor=secretariat, meeting=upcoming)
    if returns:
        sp.member_return_save(
            actor=cast.users["member_a"],
            pack=pack,
            organisation=cast.orgs["icb_a"],
            submit=True,
            concerns=RESTRICTED,
            concern_providers=[cast.providers["provider_a1"]],
            handling="secretariat",
        )
        sp.member_return_save(
            actor=cast.users["cqc_a"],
            pack=pack,
            organisation=cast.orgs["cqc"],
            submit=True,
            concerns=SHARED,
            actions_completed="A1: inspection brought forward",
            handling="members",
        )
    return {"previous": previous, "meeting": upcoming, "pack": pack, "note": note}


def render_now(cast, pack, actor_key="secretariat_a"):
    """Ask for a version and run the render in this process (as the worker would)."""
    from qsg.models import Job

    job = sp.meeting_pack_render_request(actor=cast.users[actor_key], pack=pack)
    assert jobs.claim(str(job.pk), stale_after=sp.STALE_AFTER, progress=2)
    job = Job.objects.select_related("created_by").get(pk=job.pk)
    versions = sp.meeting_pack_render(job=job)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.SUCCEEDED, progress=100)
    return job, [PackVersion.objects.get(pk=v.pk) for v in versions]


def today_plus(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def matrix_scenario(cast) -> dict:
    """For the permission matrix: QSG A's next meeting with its pack, version 1 published, a
    file per audience (stored bytes stand in for rendered PDFs: rendering is tested elsewhere),
    a finished render job, and the ICB's return (secretariat only)."""
    cached = cast.__dict__.get("_packs")
    if cached:
        return cached
    from qsg import pdf
    from qsg.models import Job
    from surveillance.packs.models import MeetingPack, PackRecipient

    s = pack_scenario(cast)
    pack = s["pack"]
    job = sp.meeting_pack_render_request(actor=cast.users["secretariat_a"], pack=pack)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.SUCCEEDED, progress=100)

    def version(key, full, label, orgs):
        path = pdf.store(f"packs/test/{pack.pk}-{key}.pdf", b"%PDF-1.7 test")
        v = PackVersion.objects.create(
            pack=pack,
            number=1,
            content_key=key * 8,
            for_secretariat=full,
            audience_label=label,
            status=PackVersion.Status.READY,
            file=path,
            pages=1,
        )
        for org in orgs:
            PackRecipient.objects.create(pack=pack, number=1, organisation=org, version=v)
        return v

    full = version("full", True, "The secretariat and chair (full pack)", [])
    icb = version("icb", False, "Alpha Integrated Care Board", [cast.orgs["icb_a"]])
    cqc = version("cqc", False, "Care Quality Commission", [cast.orgs["cqc"]])
    sp.meeting_pack_publish(actor=cast.users["secretariat_a"], pack=pack, number=1)
    cached = {
        **s,
        "pack": MeetingPack.objects.get(pk=pack.pk),
        "job": job,
        "full": full,
        "icb": icb,
        "cqc": cqc,
    }
    cast.__dict__["_packs"] = cached
    return cached
