"""The canary seed: one restricted object of every kind, each carrying a marker of its own.

A marker is a made-up word (`qzcanary<kind>qz`) written into every free-text field of its
object, so wherever the object's words travel (a page, an API answer, a PDF, an export, a
calendar file, a record made from it) the marker goes too. Who may read each kind is stated in
`tests/crawl/expectations.py`, never asked of the access layer under test.

Everything is made through the services, as the product makes it, on the fixed cast of
`tests/cast.py` plus three people the crawl needs: a member from a non-statutory body
(`voice_a`), a guest invited to the risk summit (`guest`) and the person behind a "do not
attribute" item (`dna_source`, who has since left the QSG with their organisation, so that their name is on
nothing else).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.test import TestCase
from django.utils import timezone

from qsg import jobs
from qsg import services as qsg_services
from qsg.models import Membership, QSGRole
from risksummits.models import Participant
from risksummits.services.actions import action_create
from risksummits.services.documents import document_request
from risksummits.services.judgement import impact_request_create
from risksummits.services.meetings import meeting_book, meeting_record
from risksummits.services.participants import guest_invite, participant_remove
from risksummits.services.rapid_review import rapid_review_start
from surveillance.escalation import services as escalation_services
from surveillance.intelligence import services as si
from surveillance.intelligence.models import IntelligenceItem
from surveillance.meetings import selectors as meeting_selectors
from surveillance.meetings.models import AgendaItem, MeetingNote
from surveillance.meetings.services import actions as actions_services
from surveillance.meetings.services import agenda as agenda_services
from surveillance.meetings.services import note as note_services
from surveillance.meetings.services import pdf as note_pdf_services
from surveillance.packs import services as sp
from surveillance.packs.models import MeetingPack
from surveillance.regional import services as sv
from tests.cast import Cast, add_national, build_cast
from tests.risksummits.factories import standing, trigger
from tests.surveillance.escalation.factories import decide as escalation_decide
from tests.surveillance.escalation.factories import statement
from tests.surveillance.intelligence.factories import fields
from tests.surveillance.meetings.factories import category, exemption, meeting, quorate
from tests.surveillance.packs.factories import add_non_statutory_member

Distribution = IntelligenceItem.Distribution
PREFIX = "qzcanary"


def marker(kind: str) -> str:
    """The marker of one kind of restricted object: letters only, so that no screening,
    slug or number format changes it, and no marker is part of another."""
    assert kind.isalpha() and kind.islower(), kind
    return f"{PREFIX}{kind}qz"


@dataclass
class Seed:
    cast: Cast
    markers: dict[str, str] = field(default_factory=dict)  # kind -> marker
    objects: dict[str, object] = field(default_factory=dict)  # kind -> the object

    def put(self, kind: str, obj) -> None:
        self.objects[kind] = obj

    def m(self, kind: str) -> str:
        self.markers.setdefault(kind, marker(kind))
        return self.markers[kind]


def _item(seed: Seed, kind: str, author: str, *, submit: bool = True, triage: bool = True, **kw):
    cast = seed.cast
    m = seed.m(kind)
    values = fields(
        cast,
        summary=f"{m} summary",
        details=f"{m} details",
        service_site=f"{m} ward",
        **kw,
    )
    actor = cast.users[author]
    if not submit:
        item = si.intelligence_item_save_draft(actor=actor, **values)
    else:
        item = si.intelligence_item_submit(actor=actor, **values)
        if triage:
            item = si.intelligence_item_triage(
                actor=cast.users["secretariat_" + item.qsg.slug[0]],
                item=item,
                for_next_meeting=True,
            )
    seed.put(kind, item)
    return item


def _person(cast: Cast, username: str, org_key: str, *, first: str, last: str, qsg=None, role=None):
    user = qsg_services.user_create(
        actor=None,
        username=username,
        organisation=cast.orgs[org_key],
        password="cast-password-123",
        first_name=first,
        last_name=last,
        email=f"{username}@example.org",
    )
    cast.users[username] = user
    if qsg:
        cast.roles[username] = qsg_services.role_assign(
            actor=None, qsg=cast.qsgs[qsg], user=user, role=role
        )
    return user


def build_seed() -> Seed:
    cast = build_cast()
    add_national(cast)
    seed = Seed(cast=cast)
    add_non_statutory_member(cast)
    _intelligence(seed)
    with TestCase.captureOnCommitCallbacks(execute=True):
        _meetings(seed)
    with TestCase.captureOnCommitCallbacks(execute=True):
        _summit(seed)
    _regional(seed)
    _escalation(seed)
    return seed


def _intelligence(seed: Seed) -> None:
    cast = seed.cast
    # Shared by organisations in two QSGs: the CQC is a member of A, B and the region, and
    # cqc_a holds a role in A only, regional_member in the region only.
    _item(seed, "intelorg", "cqc_a", distribution=Distribution.ORGANISATION)
    _item(
        seed,
        "intelnamed",
        "member_a",
        distribution=Distribution.NAMED,
        named_organisations=[cast.orgs["la_a"], cast.orgs["cqc"]],
    )
    _item(seed, "intelregion", "member_a", distribution=Distribution.REGION)
    _item(seed, "intelqsg", "member_a", distribution=Distribution.QSG)
    _item(seed, "intelsubmitted", "member_a", triage=False)
    _item(seed, "inteldraft", "member_a", submit=False)
    _item(
        seed,
        "intelb",
        "member_b",
        qsg=cast.qsgs["b"],
        providers=[cast.providers["provider_b1"]],
        distribution=Distribution.QSG,
    )
    # "Do not attribute": the words are the QSG's, the name of who said them is not.
    # Their organisation was co-opted to A, and both have since left the QSG: no list of people
    # or organisations offers their name any more; only the item names them.
    cast.orgs["dna_org"] = qsg_services.organisation_create(
        actor=None, name="Alpha Staff Voice", type=cast.orgs["hw_a"].type
    )
    membership = qsg_services.membership_add(
        actor=None,
        qsg=cast.qsgs["a"],
        organisation=cast.orgs["dna_org"],
        kind=Membership.Kind.CO_OPTED,
    )
    name = seed.m("dnaname")
    source = _person(
        cast, "dna_source", "dna_org", first=name, last="Source", qsg="a", role=QSGRole.Role.MEMBER
    )
    _item(seed, "inteldna", "dna_source", do_not_attribute=True)
    secretariat = cast.users["secretariat_a"]
    qsg_services.role_remove(actor=secretariat, qsg_role=cast.roles.pop("dna_source"))
    qsg_services.membership_remove(actor=secretariat, membership=membership)
    seed.put("dnaname", source)


def _meetings(seed: Seed) -> None:
    cast = seed.cast
    secretariat, chair = cast.users["secretariat_a"], cast.users["chair_a"]

    # The previous meeting: a published note with open and withheld records, and its PDFs.
    previous = meeting(cast, days=-30, title="Area A QSG, previous meeting")
    quorate(cast, previous)
    item = agenda_services.agenda_item_create(
        actor=secretariat,
        meeting=previous,
        title="Alpha General Hospital",
        kind="provider",
        providers=[cast.providers["provider_a1"]],
    )
    note = note_services.meeting_note_start(actor=secretariat, meeting=previous)
    note_services.passage_save(
        actor=secretariat, note=note, agenda_item=item, text="Mortality above expected."
    )
    held = seed.m("passageheld")
    seed.put(
        "passageheld",
        note_services.passage_save(
            actor=secretariat,
            note=note,
            agenda_item=item,
            text=f"{held} said in confidence",
            foi_exemption=exemption("s41"),
        ),
    )
    open_conclusion = note_services.conclusion_save(
        actor=secretariat,
        note=note,
        provider=cast.providers["provider_a1"],
        category=category("regular-review"),
        key_issues="Mortality and staffing",
        rationale="Members' intelligence agrees with the data",
        agenda_item=item,
    )
    c = seed.m("conclusionheld")
    seed.put(
        "conclusionheld",
        note_services.conclusion_save(
            actor=secretariat,
            note=note,
            provider=cast.providers["provider_a2"],
            category=category("regular-review"),
            key_issues=f"{c} key issues",
            rationale=f"{c} rationale",
            agenda_item=item,
            foi_exemption=exemption("s41"),
        ),
    )
    a = seed.m("actionheld")
    seed.put(
        "actionheld",
        actions_services.action_save(
            actor=secretariat,
            note=note,
            description=f"{a} to be done",
            owner_organisation=cast.orgs["cqc"],
            owner=cast.users["cqc_a"],
            due_date=timezone.localdate() + dt.timedelta(days=30),
            conclusion=open_conclusion,
            foi_exemption=exemption("s41"),
        ),
    )
    note_services.meeting_note_circulate(actor=secretariat, note=note)
    note = note_services.meeting_note_agree(actor=chair, note=MeetingNote.objects.get(pk=note.pk))
    note = note_services.meeting_note_publish(actor=chair, note=note)
    for audience in ("full", "open"):
        note_pdf_services.meeting_note_pdf_request(actor=secretariat, note=note, audience=audience)

    # A meeting whose note is still a draft (the secretariat's and chair's only).
    drafting = meeting(cast, days=-3, title="Area A QSG, meeting being written up")
    quorate(cast, drafting)
    d_item = agenda_services.agenda_item_create(
        actor=secretariat, meeting=drafting, title="Minutes"
    )
    d_note = note_services.meeting_note_start(actor=secretariat, meeting=drafting)
    seed.put(
        "notedraft",
        note_services.passage_save(
            actor=secretariat,
            note=d_note,
            agenda_item=d_item,
            text=f"{seed.m('notedraft')} draft record",
        ),
    )
    # A level change proposed with a conclusion of that draft note (enacted only when the note
    # is agreed): the secretariat's, who runs the meeting.
    p = seed.m("proposal")
    seed.put(
        "proposal",
        escalation_services.proposal_save(
            actor=secretariat,
            conclusion=note_services.conclusion_save(
                actor=secretariat,
                note=d_note,
                provider=cast.providers["provider_a2"],
                category=category("regular-review"),
                key_issues="Staffing",
                rationale="Members' intelligence",
                agenda_item=d_item,
            ),
            level="enhanced",
            rationale=f"{p} rationale",
            lead_organisation=cast.orgs["icb_a"],
            review_date=timezone.localdate() + dt.timedelta(days=60),
            exit_criteria=[f"{p} criterion"],
        ),
    )

    # The next meeting: the intelligence marked for it ticked into the agenda from the
    # proposals, a confidential item, returns and the pack for every audience.
    upcoming = meeting(cast, days=20, title="Area A QSG, next meeting")
    tokens = [
        s.token
        for _, _, proposals in meeting_selectors.agenda_suggestions(secretariat, upcoming)
        for s in proposals
        if s.source == "intelligence"
    ]
    agenda_services.agenda_add_suggestions(actor=secretariat, meeting=upcoming, tokens=tokens)
    conf = seed.m("agendaconf")
    seed.put(
        "agendaconf",
        agenda_services.agenda_item_create(
            actor=secretariat,
            meeting=upcoming,
            title=f"{conf} title",
            description=f"{conf} description",
            papers=f"{conf} papers",
            kind="provider",
            providers=[cast.providers["provider_a1"]],
            is_confidential=True,
        ),
    )
    pack = sp.meeting_pack_open(actor=secretariat, meeting=upcoming)
    r = seed.m("returnheld")
    seed.put(
        "returnheld",
        sp.member_return_save(
            actor=cast.users["member_a"],
            pack=pack,
            organisation=cast.orgs["icb_a"],
            submit=True,
            concerns=f"{r} concerns",
            actions_completed=f"{r} actions",
            intelligence=f"{r} intelligence",
            concern_providers=[cast.providers["provider_a1"]],
            handling="secretariat",
        ),
    )
    job = sp.meeting_pack_render_request(actor=secretariat, pack=pack)
    if jobs.claim(str(job.pk), stale_after=sp.STALE_AFTER, progress=2):  # not run eagerly
        sp.meeting_pack_render(job=job)
    pack = MeetingPack.objects.get(pk=pack.pk)
    sp.meeting_pack_publish(actor=secretariat, pack=pack, number=1)
    seed.objects.update({"meeting_previous": previous, "meeting_drafting": drafting})
    seed.objects["meeting_upcoming"] = upcoming
    assert AgendaItem.objects.filter(meeting=upcoming, source="intelligence").count() >= 4


def _summit(seed: Seed) -> None:
    cast = seed.cast
    secretariat = cast.users["secretariat_a"]
    s = seed.m("summit")
    summit = trigger(cast, concern=f"{s} concern", source_detail=f"{s} source")
    la = Participant.objects.get(summit=summit, organisation=cast.orgs["la_a"])
    participant_remove(actor=secretariat, participant=la)
    booked = meeting_book(
        actor=secretariat,
        summit=summit,
        starts_at=max(summit.judged_at, timezone.now() - dt.timedelta(minutes=60)),
        format="video",
        venue=f"{s} venue",
    )
    held = meeting_record(
        actor=secretariat,
        meeting=booked,
        starts_at=booked.starts_at,
        ends_at=booked.starts_at + dt.timedelta(minutes=45),
        chaired_by=f"{s} chair",
        discussion=f"{s} discussion",
        judgements=f"{s} judgements",
        present=[secretariat, cast.users["member_a"]],
        shared_with_provider=False,
    )
    action_create(
        actor=secretariat,
        summit=summit,
        objective="safeguard",
        description=f"{s} action",
        owner_organisation=cast.orgs["icb_a"],
        due_on=timezone.localdate() + dt.timedelta(days=7),
        meeting=held,
    )
    impact_request_create(
        actor=cast.users["cqc_a"],
        standing=standing(cast, "cqc_a", summit),
        action_considered=f"{s} impact",
        respond_by=timezone.now() + dt.timedelta(days=1),
    )
    document_request(
        actor=secretariat,
        standing=standing(cast, "secretariat_a", summit),
        kind="meeting",
        meeting=held,
    )
    g = seed.m("guest")
    rep = guest_invite(
        actor=secretariat,
        summit=summit,
        organisation_name="Alpha Constabulary",
        first_name=g,
        last_name="Guest",
        email="guest@police.example",
        job_title=f"{g} detective",
    )
    cast.users["guest"] = rep.user
    seed.put("summit", summit)
    seed.put("guest", rep)

    # The 2022 face of the summit: a rapid quality review of provider A2, convened by the ICB
    # (the local authority taken off it, as above).
    r = seed.m("rapidreview")
    review = rapid_review_start(
        actor=cast.users["member_a"],
        providers=[cast.providers["provider_a2"]],
        concern=f"{r} concern",
        source_detail=f"{r} source",
        trigger="regulator_action",
        judged_at=timezone.now() - dt.timedelta(hours=2),
        clock_hours=72,
        convened_by=cast.orgs["icb_a"],
    )
    participant_remove(
        actor=secretariat,
        participant=Participant.objects.get(summit=review, organisation=cast.orgs["la_a"]),
    )
    seed.put("rapidreview", review)


def _regional(seed: Seed) -> None:
    cast = seed.cast
    sec = cast.users["secretariat_a"]
    today = timezone.localdate()
    draft = sv.local_report_draft(
        actor=sec, qsg=cast.qsgs["a"], period_start=today - dt.timedelta(days=90), period_end=today
    )
    r = seed.m("reportdraft")
    for section in draft.sections.all():
        sv.local_report_section_edit(actor=sec, section=section, text=f"{r} {section.key}")
    seed.put("reportdraft", draft)
    submitted = sv.local_report_draft(
        actor=sec,
        qsg=cast.qsgs["a"],
        period_start=today - dt.timedelta(days=180),
        period_end=today - dt.timedelta(days=91),
    )
    # The submitted report's words are read by the same people as the region's comment on it.
    for section in submitted.sections.all():
        sv.local_report_section_edit(
            actor=sec, section=section, text=f"{seed.m('reportcomment')} {section.key}"
        )
    submitted = sv.local_report_submit(actor=sec, report=submitted)
    seed.put(
        "reportcomment",
        sv.local_report_comment(
            actor=cast.users["reviewer"],
            report=submitted,
            text=f"{seed.m('reportcomment')} comment",
        ),
    )
    a = seed.m("assurancedraft")
    questions = sv.questions_for(cast.qsgs["a"])
    seed.put(
        "assurancedraft",
        sv.assurance_return_save(
            actor=sec,
            qsg=cast.qsgs["a"],
            month=today,
            answers={
                q.pk: {"rag": "amber", "comments": f"{a} comments", "evidence": f"{a} evidence"}
                for q in questions
            },
            submit=False,
        ),
    )


def _escalation(seed: Seed) -> None:
    """Provider A1 in enhanced surveillance, with the restricted intelligence as evidence (each
    reader is shown only the evidence they may read)."""
    cast = seed.cast
    e = seed.m("escalation")
    evidence = [seed.objects[k].pk for k in ("intelorg", "intelnamed", "intelqsg", "inteldna")]
    decision = escalation_decide(
        cast,
        service=f"{e} service",
        rationale=f"{e} rationale",
        decided_by=f"{e} decided by",
        improvement_plan=f"{e} plan",
        inspection_findings=f"{e} findings",
        exit_criteria=[statement(f"{e} criterion")],
        intelligence_item_ids=evidence,
    )
    seed.put("escalation", decision.record)
