"""Every free-text field of every model is screened for patient-identifiable data, or exempt for a
stated reason (issue 14, build 5). Generated from the models: a new CharField or TextField fails
`test_every_text_field_is_screened_or_exempt` until someone decides which it is.

A screened field is proved by writing an obvious NHS number, and (unless the field holds a
person's own name) a patient's name, through the service that the page and the API both call,
and expecting the refusal the screener gives ("... Remove it before you submit.").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

APPS = ("qsg", "dashboard", "surveillance", "risksummits")
NHS_NUMBER = "Patient NHS number 943 476 5919 seen on ward"
PATIENT = "Mrs Margaret Holt, aged 87, of 14 Weaver Street"
REFUSED = "Remove it before you submit"

SYSTEM = "written by the service, never typed by a person"
REFERENCE = "reference data seeded by migrations (codes and labels of a fixed list)"
COPY = "a copy made by the service of text screened where it was typed"

EXEMPT: dict[str, str] = {
    "qsg.OrganisationType.code": REFERENCE,
    "qsg.OrganisationType.label": REFERENCE,
    "qsg.OrganisationType.description": REFERENCE,
    "qsg.Organisation.name": "an organisation's official name (ODS); GP practices carry a "
    "doctor's name",
    "qsg.Organisation.ods_code": "an ODS code",
    "qsg.Organisation.email": "an organisation's contact address",
    "qsg.User.password": "a password hash",
    "qsg.User.username": "a sign-in name, made from the person's own e-mail",
    "qsg.User.first_name": "the person's own name (a guest's and the profile's are screened for "
    "everything but a name)",
    "qsg.User.last_name": "the person's own name (see first_name)",
    "qsg.User.email": "the person's own e-mail address",
    "qsg.QSG.name": "the name of a group, set up by an administrator",
    "qsg.QSG.slug": SYSTEM,
    "qsg.Provider.ods_code": "an ODS code",
    "qsg.Provider.name": "a provider's official name from ODS",
    "qsg.Job.kind": SYSTEM,
    "qsg.Job.key": SYSTEM,
    "qsg.Job.message": SYSTEM,
    "qsg.Job.error": SYSTEM,
    "qsg.SubmissionToken.token": SYSTEM,
    "qsg.SubmissionToken.scope": SYSTEM,
    "qsg.SubmissionToken.object_id": SYSTEM,
    "qsg.Notification.subject": "composed by the services from screened records",
    "qsg.Notification.body": "composed by the services from screened records",
    "qsg.Notification.error": SYSTEM,
    "qsg.RecoveryCodeDevice.name": SYSTEM,
    "qsg.RecoveryCode.code_hash": SYSTEM,
    "qsg.IdentityProviderDevice.name": SYSTEM,
    "qsg.IdentityProviderDevice.issuer": "from the identity provider",
    "qsg.IdentityProviderDevice.acr": "from the identity provider",
    "qsg.ExternalIdentity.issuer": "from the identity provider",
    "qsg.ExternalIdentity.subject": "from the identity provider",
    "qsg.ApiToken.prefix": SYSTEM,
    "qsg.ApiToken.key_hash": SYSTEM,
    "qsg.AccountEvent.detail": SYSTEM,
    "dashboard.Indicator.code": "an indicator code",
    "dashboard.ColumnMapping.provider_column": "a column heading of the data file",
    "dashboard.ColumnMapping.period_column": "a column heading of the data file",
    "dashboard.ColumnMapping.indicator_column": "a column heading of the data file",
    "dashboard.ColumnMapping.value_column": "a column heading of the data file",
    "dashboard.ColumnMapping.numerator_column": "a column heading of the data file",
    "dashboard.ColumnMapping.denominator_column": "a column heading of the data file",
    "dashboard.ColumnMapping.filter_column": "a column heading of the data file",
    "dashboard.ImportBatch.file_sha256": SYSTEM,
    "dashboard.ImportRowError.column": "read from the file, which carries aggregate counts",
    "dashboard.ImportRowError.value": "read from the file and shown only to its uploader",
    "dashboard.ImportRowError.message": SYSTEM,
    "dashboard.Observation.source": COPY + " (the import's source)",
    "dashboard.SpcSeries.variation": SYSTEM,
    "dashboard.SpcSeries.assurance": SYSTEM,
    "dashboard.SpcSeries.latest_point_type": SYSTEM,
    "dashboard.SpcSeries.latest_special_cause": SYSTEM,
    "dashboard.SpcSeries.last_concern_label": SYSTEM,
    "dashboard.PeerStat.group": SYSTEM,
    "surveillance.ConclusionCategory.code": REFERENCE,
    "surveillance.ConclusionCategory.label": REFERENCE,
    "surveillance.ConclusionCategory.description": REFERENCE,
    "qsg.QualityDimension.code": REFERENCE,
    "qsg.QualityDimension.label": REFERENCE,
    "qsg.QualityDimension.description": REFERENCE,
    "surveillance.IntelligenceItem.quality_dimension": "a code chosen from the profile's list",
    "dashboard.Indicator.quality_dimension": "a code chosen from the profile's list (checked)",
    "surveillance.FOIExemption.code": REFERENCE,
    "surveillance.FOIExemption.label": REFERENCE,
    "surveillance.AgendaItem.source": SYSTEM,
    "surveillance.AgendaItem.source_key": SYSTEM,
    "surveillance.NoteVersion.reason": COPY + " (the revision's reason)",
    "surveillance.NoteEvent.detail": SYSTEM,
    "surveillance.SurveillanceLogEntry.source_reference": SYSTEM,
    "surveillance.SurveillanceLogEntry.rationale": COPY + " (the conclusion's rationale)",
    "surveillance.RiskSummitReferral.rationale": COPY + " (the conclusion's rationale)",
    "surveillance.RiskSummitReferral.claimed_reference": SYSTEM,
    "surveillance.Theme.code": REFERENCE,
    "surveillance.Theme.label": REFERENCE,
    "surveillance.IntelligenceItem.reference": SYSTEM,
    "surveillance.IntelligenceItem.idempotency_key": "a client's key, never shown",
    "surveillance.PackVersion.content_key": SYSTEM,
    "surveillance.PackVersion.audience_label": SYSTEM,
    "surveillance.PackVersion.claim": SYSTEM,
    "surveillance.PackVersion.file": SYSTEM,
    "surveillance.PackVersion.checksum": SYSTEM,
    "surveillance.PackDownload.via": SYSTEM,
    "surveillance.AssuranceQuestion.code": REFERENCE,
    "surveillance.AssuranceQuestion.section": REFERENCE,
    "surveillance.AssuranceQuestion.text": REFERENCE,
    "surveillance.AssuranceQuestion.evidence_hint": REFERENCE,
    "risksummits.RingHolderRule.note": REFERENCE,
    "risksummits.RiskSummit.reference": SYSTEM,
    "risksummits.RiskSummit.origin_label": SYSTEM,
    "risksummits.RiskSummit.ring_holder_basis": COPY + " (the proposal's reason or the rule)",
    "risksummits.RiskSummit.professional_regulator": "chosen from a list of regulators",
    "risksummits.TimelineEvent.verb": SYSTEM,
    "risksummits.TimelineEvent.text": SYSTEM,
    "risksummits.SentAlert.key": SYSTEM,
    "risksummits.AccessLogEntry.what": SYSTEM,
    "risksummits.AccessLogEntry.channel": SYSTEM,
    "risksummits.SummitAction.transferred_to": SYSTEM + " (the QSG action it became)",
    "surveillance.Action.transferred_from": COPY + " (the summit action's reference)",
    "surveillance.Action.transferred_from_url": SYSTEM,
    "surveillance.EscalationRecord.improvement_plan": COPY + " (the decision's plan)",
    "surveillance.EscalationRecord.service": COPY + " (the decision's service)",
    "dashboard.ColumnMapping.status_column": "a column heading of the data file",
    "dashboard.ColumnMapping.provisional_values": "values of the data file's status column",
    "dashboard.ProviderSuccession.predecessor": "an ODS code",
    "dashboard.ProviderSuccession.successor": "an ODS code",
    "dashboard.ProviderSuccession.note": "reference data loaded from the ODS successions file",
    "dashboard.PendingUpload.preset": SYSTEM + " (the published layout recognised)",
    "qsg.Term.key": REFERENCE,
    "qsg.Term.label": "a deployment's word for a term of the guidance, set by an administrator",
    "dashboard.ProviderContext.ods_code": "an ODS code, loaded from CQC or NHS England's file",
    "dashboard.ProviderContext.place": "a CQC location's name, loaded from CQC's published file",
    "dashboard.ProviderContext.label": "a published rating or segment, loaded from a file",
    "dashboard.ProviderContext.source": "the published file it was loaded from",
    "dashboard.StandardChange.reason": "reference data: a published change of a national "
    "standard, loaded with the catalogue",
}


def text_fields() -> set[str]:
    found = set()
    for model in apps.get_models():
        if model.__module__.split(".")[0] not in APPS or model.__name__.startswith("Historical"):
            continue
        for f in model._meta.get_fields():
            if isinstance(f, models.CharField | models.TextField) and f.editable and not f.choices:
                found.add(f"{model._meta.label}.{f.name}")
    return found


# Writers: (cast, world, text) -> None, through the service the page and API call. ---------------


def _world(cast) -> SimpleNamespace:
    cached = cast.__dict__.get("_pid_world")
    if cached is not None:
        return cached
    from risksummits.models import SummitAction
    from surveillance.meetings.services import note as note_services
    from surveillance.packs import services as sp
    from tests.risksummits.factories import world as summit_world
    from tests.surveillance.intelligence.factories import submit
    from tests.surveillance.meetings.factories import meeting, note_with_content, quorate

    m = meeting(cast)
    quorate(cast, m)
    note, item, conclusion = note_with_content(cast, m)
    w = summit_world(cast)
    out = SimpleNamespace(
        meeting=m,
        note=note,
        agenda_item=item,
        conclusion=conclusion,
        action=note.actions.first(),
        attendance=m.attendance.first(),
        pack=sp.meeting_pack_open(actor=cast.users["secretariat_a"], meeting=m),
        item=submit(cast, author="member_a"),
        summit=w,
        summit_action=SummitAction.objects.get(pk=w.action.pk),
        note_services=note_services,
    )
    cast.__dict__["_pid_world"] = out
    return out


def _sec(cast):
    return cast.users["secretariat_a"]


def _meeting_create(field):
    def write(cast, w, text):
        from surveillance.meetings.services.schedule import meeting_create

        values = {"title": "Area A QSG", "venue": "", "dial_in": "", field: text}
        meeting_create(
            actor=_sec(cast),
            qsg=cast.qsgs["a"],
            date=timezone.localdate() + dt.timedelta(days=30),
            start_time=dt.time(10),
            end_time=dt.time(12),
            **values,
        )

    return write


def _series_create(field):
    def write(cast, w, text):
        from surveillance.meetings.services.schedule import meeting_series_create

        values = {"title": "Area A QSG", "venue": "", "dial_in": "", field: text}
        first = timezone.localdate() + dt.timedelta(days=30)
        meeting_series_create(
            actor=_sec(cast),
            qsg=cast.qsgs["a"],
            cadence="monthly",
            first_date=first,
            until=first + dt.timedelta(days=90),
            start_time=dt.time(10),
            end_time=dt.time(12),
            **values,
        )

    return write


def _agenda_item(field):
    def write(cast, w, text):
        from surveillance.meetings.services.agenda import agenda_item_create

        values = {"title": "Alpha General Hospital", field: text}
        agenda_item_create(actor=_sec(cast), meeting=w.meeting, **values)

    return write


def _attendance(field):
    def write(cast, w, text):
        from surveillance.meetings.services.attendance import attendance_add

        values = {"name": "Visiting Officer", "deputy_for": "", field: text}
        attendance_add(
            actor=_sec(cast),
            meeting=w.meeting,
            organisation=cast.orgs["hw_a"],
            status="apologies",
            **values,
        )

    return write


def _conclusion(field):
    def write(cast, w, text):
        c = w.conclusion
        values = {"key_issues": "Mortality", "rationale": "Data agree", "dissent": "", field: text}
        w.note_services.conclusion_save(
            actor=_sec(cast),
            note=w.note,
            conclusion=c,
            provider=c.provider,
            category=c.category,
            agenda_item=w.agenda_item,
            **values,
        )

    return write


def _settle(cast, w, text):
    from surveillance.meetings.models import MeetingNote

    c = w.conclusion
    w.note_services.conclusion_save(
        actor=_sec(cast),
        note=w.note,
        conclusion=c,
        provider=c.provider,
        category=c.category,
        key_issues="Mortality",
        rationale="Data agree",
        dissent="The ICB wanted more information",
        agenda_item=w.agenda_item,
    )
    w.note_services.meeting_note_circulate(actor=_sec(cast), note=w.note)
    note = MeetingNote.objects.get(pk=w.note.pk)
    w.note_services.conclusion_settle(
        actor=cast.users["chair_a"], note=note, conclusion=c, decision=text
    )


def _circulated(cast, w):
    from surveillance.meetings.models import MeetingNote

    w.note_services.meeting_note_circulate(actor=_sec(cast), note=w.note)
    return MeetingNote.objects.get(pk=w.note.pk)


def _revise(cast, w, text):
    note = _circulated(cast, w)
    note = w.note_services.meeting_note_agree(actor=cast.users["chair_a"], note=note)
    w.note_services.meeting_note_revise(actor=_sec(cast), note=note, reason=text)


def _summit_standing(cast, w, username):
    from tests.risksummits.factories import standing

    return standing(cast, username, w.summit.summit)


def _guest(field):
    def write(cast, w, text):
        from risksummits.services.participants import guest_invite

        values = {"first_name": "Gail", "last_name": "Guest", "job_title": "", field: text}
        guest_invite(
            actor=_sec(cast),
            summit=w.summit.summit,
            organisation_name="Alpha Constabulary",
            email="gail.guest@police.example",
            **values,
        )

    return write


def _profile(cast, w, text):
    from qsg.services import user_profile_update

    user = cast.users["member_a"]
    user_profile_update(actor=user, user=user, job_title=text)


def _indicator(field):
    def write(cast, w, text):
        from dashboard.models import Indicator
        from dashboard.services import indicator_update

        editor = cast.users["member_b"]
        editor.user_permissions.add(Permission.objects.get(codename="change_indicator"))
        editor = type(editor).objects.get(pk=editor.pk)  # permissions are cached per object
        indicator_update(actor=editor, indicator=Indicator.objects.first(), **{field: text})

    return write


WRITERS: dict[str, tuple[Callable, tuple[str, ...]]] = {}
NAMES = ("nhs_number",)  # fields that hold a person's own name: only the NHS number must go
ALL = ("nhs_number", "personal_name")


def writer(key: str, *, samples=ALL):
    def register(fn):
        WRITERS[key] = (fn, samples)
        return fn

    return register


for _f in ("title", "venue", "dial_in"):
    WRITERS[f"surveillance.Meeting.{_f}"] = (_meeting_create(_f), ALL)
    WRITERS[f"surveillance.MeetingSeries.{_f}"] = (_series_create(_f), ALL)
for _f in ("title", "description", "papers"):
    WRITERS[f"surveillance.AgendaItem.{_f}"] = (_agenda_item(_f), ALL)
WRITERS["surveillance.AgendaItem.presenter"] = (_agenda_item("presenter"), NAMES)
WRITERS["surveillance.Attendance.name"] = (_attendance("name"), NAMES)
WRITERS["surveillance.Attendance.deputy_for"] = (_attendance("deputy_for"), NAMES)
for _f in ("key_issues", "rationale", "dissent"):
    WRITERS[f"surveillance.Conclusion.{_f}"] = (_conclusion(_f), ALL)
WRITERS["surveillance.Conclusion.chair_decision"] = (_settle, ALL)
WRITERS["surveillance.MeetingNote.revision_reason"] = (_revise, ALL)
for _f in ("first_name", "last_name"):  # a guest's own name: only an NHS number must go
    WRITERS[f"guest {_f}"] = (_guest(_f), NAMES)
WRITERS["qsg.User.job_title"] = (_guest("job_title"), ALL)
WRITERS["qsg.User.job_title (own profile)"] = (_profile, ALL)
for _f in ("name", "metric", "unit", "target_note", "notes", "definition", "source"):
    WRITERS[f"dashboard.Indicator.{_f}"] = (_indicator(_f), ALL)


@writer("qsg.QSG.footprint")
def _footprint(cast, w, text):
    from qsg.services import qsg_update

    qsg_update(actor=_sec(cast), qsg=cast.qsgs["a"], footprint=text)


@writer("qsg.Membership.notes")
def _membership_notes(cast, w, text):
    from qsg.services import membership_update

    membership = cast.memberships["a:hw_a"]
    membership_update(actor=_sec(cast), membership=membership, notes=text)


@writer("qsg.Provider.district")
def _district(cast, w, text):
    from qsg.services import provider_update

    provider_update(actor=_sec(cast), provider=cast.providers["provider_a1"], district=text)


@writer("qsg.ApiToken.name")
def _token_name(cast, w, text):
    from qsg.accounts.services import token_issue

    token_issue(user=_sec(cast), name=text, origin="page", two_factor_verified=True)


@writer("dashboard.ColumnMapping.name")
def _mapping_name(cast, w, text):
    from dashboard.services import mapping_create

    mapping_create(actor=cast.users["member_b"], name=text, provider_column="Org")


@writer("dashboard.ColumnMapping.description")
def _mapping_description(cast, w, text):
    from dashboard.services import mapping_create

    mapping_create(
        actor=cast.users["member_b"], name="Monthly", description=text, provider_column="Org"
    )


@writer("dashboard.ColumnMapping.filter_value")
def _mapping_filter(cast, w, text):
    from dashboard.services import mapping_create

    mapping_create(
        actor=cast.users["member_b"], name="Monthly", filter_value=text, provider_column="Org"
    )


def _import(field):
    def write(cast, w, text):
        from dashboard.services import import_submit

        values = {"file_name": "ae-march.csv", "source": "", field: text}
        import_submit(actor=cast.users["member_b"], content=b"a,b\n1,2\n", **values)

    return write


WRITERS["dashboard.ImportBatch.file_name"] = (_import("file_name"), ALL)
WRITERS["dashboard.ImportBatch.source"] = (_import("source"), ALL)


@writer("dashboard.PendingUpload.file_name")
def _pending_upload(cast, w, text):
    from dashboard.uploads import upload

    upload(actor=cast.users["member_b"], file_name=f"{text}.csv", content=b"a,b\n1,2\n")


@writer("surveillance.LocalReportComment.text")
def _report_comment(cast, w, text):
    from surveillance.regional.services import local_report_comment, local_report_submit

    report = local_report_submit(actor=_sec(cast), report=_local_report(cast))
    local_report_comment(actor=cast.users["reviewer"], report=report, text=text)


@writer("dashboard.Rebase.reason")
def _rebase(cast, w, text):
    from dashboard.models import Indicator
    from dashboard.services import rebase_add

    rebase_add(
        actor=cast.users["member_b"],
        provider=cast.providers["provider_b1"],
        indicator=Indicator.objects.first(),
        period=dt.date(2024, 4, 1),
        reason=text,
    )


@writer("surveillance.QuorumRequirement.label")
def _quorum(cast, w, text):
    from surveillance.meetings.services.attendance import quorum_requirement_add

    quorum_requirement_add(actor=_sec(cast), qsg=cast.qsgs["a"], label=text, role="chair")


@writer("surveillance.BusinessPlan.title")
def _plan(cast, w, text):
    from surveillance.meetings.services.plans import business_plan_create

    today = timezone.localdate()
    business_plan_create(
        actor=_sec(cast),
        qsg=cast.qsgs["a"],
        title=text,
        period_start=today,
        period_end=today + dt.timedelta(days=365),
    )


@writer("surveillance.PlanEntry.title")
def _plan_entry(cast, w, text):
    from surveillance.meetings.services.plans import business_plan_create, plan_entry_add

    today = timezone.localdate()
    plan = business_plan_create(
        actor=_sec(cast),
        qsg=cast.qsgs["a"],
        title="Plan",
        period_start=today,
        period_end=today + dt.timedelta(days=365),
    )
    plan_entry_add(actor=_sec(cast), plan=plan, kind="theme", title=text, meeting=None)


@writer("surveillance.NotePassage.text")
def _passage(cast, w, text):
    w.note_services.passage_save(
        actor=_sec(cast), note=w.note, agenda_item=w.agenda_item, text=text
    )


@writer("surveillance.NoteComment.text")
def _comment(cast, w, text):
    note = _circulated(cast, w)
    w.note_services.meeting_note_comment(actor=cast.users["member_a"], note=note, text=text)


@writer("surveillance.Action.description")
def _action(cast, w, text):
    from surveillance.meetings.services.actions import action_save

    action_save(
        actor=_sec(cast),
        note=w.note,
        description=text,
        owner_organisation=cast.orgs["cqc"],
        due_date=timezone.localdate() + dt.timedelta(days=30),
    )


@writer("surveillance.Action.progress_note")
def _action_progress(cast, w, text):
    from surveillance.meetings.services.actions import action_update_status

    action_update_status(
        actor=_sec(cast), action=w.action, status="in_progress", progress_note=text
    )


def _intelligence(field):
    def write(cast, w, text):
        from tests.surveillance.intelligence.factories import submit

        submit(cast, author="member_a", **{field: text})

    return write


for _f in ("service_site", "summary", "details"):
    WRITERS[f"surveillance.IntelligenceItem.{_f}"] = (_intelligence(_f), ALL)


@writer("surveillance.IntelligenceItem.outside_reason")
def _outside(cast, w, text):
    from tests.surveillance.intelligence.factories import submit

    submit(cast, author="member_a", providers=[cast.providers["provider_b1"]], outside_reason=text)


@writer("surveillance.Corroboration.note")
def _corroborate(cast, w, text):
    from surveillance.intelligence.services import intelligence_item_corroborate
    from tests.surveillance.intelligence.factories import triage

    item = triage(cast, w.item)
    intelligence_item_corroborate(actor=cast.users["cqc_a"], item=item, note=text)


@writer("surveillance.MeetingPack.marking")
def _marking(cast, w, text):
    from surveillance.packs.services import meeting_pack_settings

    meeting_pack_settings(
        actor=_sec(cast), pack=w.pack, returns_due_on=w.pack.returns_due_on, marking=text
    )


def _return(field):
    def write(cast, w, text):
        from surveillance.packs.services import member_return_save

        member_return_save(
            actor=cast.users["member_a"],
            pack=w.pack,
            organisation=cast.orgs["icb_a"],
            submit=True,
            **{field: text},
        )

    return write


for _f in ("concerns", "actions_completed", "intelligence"):
    WRITERS[f"surveillance.MemberReturn.{_f}"] = (_return(_f), ALL)


def _local_report(cast):
    from surveillance.regional.services import local_report_draft

    today = timezone.localdate()
    return local_report_draft(
        actor=_sec(cast),
        qsg=cast.qsgs["a"],
        period_start=today - dt.timedelta(days=90),
        period_end=today,
    )


@writer("surveillance.LocalReportSection.text")
def _section(cast, w, text):
    from surveillance.regional.services import local_report_section_edit

    section = _local_report(cast).sections.first()
    local_report_section_edit(actor=_sec(cast), section=section, text=text)


def _recommendation(field):
    def write(cast, w, text):
        from surveillance.regional.services import recommendation_send

        values = {"title": "Discharge delays", "text": "Review discharge", field: text}
        recommendation_send(
            actor=cast.users["regional_secretariat"],
            region=cast.qsgs["r"],
            local_qsg=cast.qsgs["a"],
            **values,
        )

    return write


WRITERS["surveillance.RegionalRecommendation.title"] = (_recommendation("title"), ALL)
WRITERS["surveillance.RegionalRecommendation.text"] = (_recommendation("text"), ALL)


def _assurance(field):
    def write(cast, w, text):
        from surveillance.regional.services import assurance_return_save, questions_for

        question = questions_for(cast.qsgs["a"])[0]
        answer = {"rag": "green", "comments": "", "evidence": "", field: text}
        assurance_return_save(
            actor=_sec(cast),
            qsg=cast.qsgs["a"],
            month=timezone.localdate().replace(day=1),
            answers={question.pk: answer},
        )

    return write


WRITERS["surveillance.AssuranceAnswer.comments"] = (_assurance("comments"), ALL)
WRITERS["surveillance.AssuranceAnswer.evidence"] = (_assurance("evidence"), ALL)


def _trigger(field):
    def write(cast, w, text):
        from tests.risksummits.factories import trigger

        trigger(cast, provider="provider_a2", **{field: text})

    return write


WRITERS["risksummits.RiskSummit.concern"] = (_trigger("concern"), ALL)
WRITERS["risksummits.RiskSummit.source_detail"] = (_trigger("source_detail"), ALL)


def _checks(field):
    def write(cast, w, text):
        from risksummits.services.judgement import checks_record

        values = {
            "professional_referral": "none",
            "adult_safeguarding_followed": "no",
            "adult_safeguarding_reason": "Not needed",
            "lscb_notified": "no",
            "lscb_reason": "Not needed",
            field: text,
        }
        checks_record(actor=_sec(cast), summit=w.summit.summit, **values)

    return write


WRITERS["risksummits.RiskSummit.adult_safeguarding_reason"] = (
    _checks("adult_safeguarding_reason"),
    ALL,
)
WRITERS["risksummits.RiskSummit.lscb_reason"] = (_checks("lscb_reason"), ALL)


@writer("risksummits.RiskSummit.outcome_summary")
def _close(cast, w, text):
    from risksummits.services.closure import summit_close

    summit_close(
        actor=_sec(cast),
        summit=w.summit.summit,
        outcome="no_further_action",
        outcome_summary=text,
        level_after="",
    )


@writer("risksummits.Participant.ring_holder_comment")
def _position(cast, w, text):
    from risksummits.services.ring_holder import ring_holder_position, ring_holder_propose

    ring_holder_propose(
        actor=_sec(cast),
        standing=_summit_standing(cast, w, "secretariat_a"),
        organisation=cast.orgs["icb_a"],
        reason="Commissions the service",
    )
    ring_holder_position(
        actor=cast.users["cqc_a"],
        standing=_summit_standing(cast, w, "cqc_a"),
        position="object",
        comment=text,
    )


@writer("risksummits.CQCJudgement.rationale")
def _judgement(cast, w, text):
    from risksummits.services.judgement import judgement_record

    judgement_record(
        actor=cast.users["cqc_a"],
        standing=_summit_standing(cast, w, "cqc_a"),
        finding="potential_breach",
        judged_on=timezone.localdate(),
        rationale=text,
    )


@writer("risksummits.ImpactAssessmentRequest.action_considered")
def _impact_request(cast, w, text):
    from risksummits.services.judgement import impact_request_create

    impact_request_create(
        actor=cast.users["cqc_a"],
        standing=_summit_standing(cast, w, "cqc_a"),
        action_considered=text,
        respond_by=timezone.now() + dt.timedelta(days=1),
    )


@writer("risksummits.ImpactAssessmentResponse.assessment")
def _impact_response(cast, w, text):
    from risksummits.services.judgement import impact_response_record

    impact_response_record(
        actor=cast.users["member_a"],
        standing=_summit_standing(cast, w, "member_a"),
        request=w.summit.impact,
        impact="low",
        assessment=text,
    )


@writer("risksummits.SummitMeeting.venue")
def _summit_venue(cast, w, text):
    from risksummits.services.meetings import meeting_book

    meeting_book(
        actor=_sec(cast),
        summit=w.summit.summit,
        starts_at=timezone.now() + dt.timedelta(days=2),
        format="in_person",
        venue=text,
    )


def _summit_record(field, samples=ALL):
    def write(cast, w, text):
        from risksummits.services.meetings import meeting_record

        held = w.summit.held
        values = {
            "chaired_by": "Chair A",
            "discussion": "Staffing discussed",
            "judgements": "Concern confirmed",
            field: text,
        }
        meeting_record(
            actor=_sec(cast),
            meeting=held,
            starts_at=held.starts_at,
            ends_at=held.starts_at + dt.timedelta(minutes=45),
            present=[cast.users["secretariat_a"], cast.users["member_a"]],
            shared_with_provider=False,
            **values,
        )

    return write, samples


WRITERS["risksummits.SummitMeeting.discussion"] = _summit_record("discussion")
WRITERS["risksummits.SummitMeeting.judgements"] = _summit_record("judgements")
WRITERS["risksummits.SummitMeeting.chaired_by"] = _summit_record("chaired_by", NAMES)


@writer("risksummits.SummitAction.description")
def _summit_action(cast, w, text):
    from risksummits.services.actions import action_create

    action_create(
        actor=_sec(cast),
        summit=w.summit.summit,
        objective="safeguard",
        description=text,
        owner_organisation=cast.orgs["icb_a"],
        due_on=timezone.localdate() + dt.timedelta(days=7),
    )


def _summit_action_update(field):
    def write(cast, w, text):
        from risksummits.services.actions import action_update

        values = {"status": "in_progress", field: text}
        action_update(
            actor=cast.users["member_a"],
            standing=_summit_standing(cast, w, "member_a"),
            action=w.summit_action,
            **values,
        )

    return write


WRITERS["risksummits.SummitAction.progress_note"] = (_summit_action_update("progress_note"), ALL)


@writer("risksummits.SummitMeeting.late_reason")
def _late_reason(cast, w, text):
    from risksummits.services.meetings import meeting_book

    meeting_book(
        actor=_sec(cast),
        summit=w.summit.summit,
        starts_at=timezone.now() + dt.timedelta(days=2),
        format="video",
        late_reason=text,
    )


def _escalation(field):
    def write(cast, w, text):
        from tests.surveillance.escalation.factories import decide, statement

        values = {"exit_criteria": [statement()], field: text}
        if field == "exit_criteria":
            values["exit_criteria"] = [statement(text)]
        decide(cast, **values)

    return write


for _f in ("decided_by", "rationale", "improvement_plan", "inspection_findings"):
    WRITERS[f"surveillance.EscalationDecision.{_f}"] = (_escalation(_f), ALL)
WRITERS["surveillance.EscalationDecision.source_reference"] = (_escalation("source_reference"), ALL)
WRITERS["surveillance.ExitCriterion.text"] = (_escalation("exit_criteria"), ALL)


def _proposal_rationale(cast, w, text):
    from surveillance.escalation import services as escalation_services
    from tests.surveillance.meetings.factories import meeting, note_with_content

    _note, _item, conclusion = note_with_content(cast, meeting(cast, days=-3))
    escalation_services.proposal_save(
        actor=cast.users["secretariat_a"], conclusion=conclusion, level="routine", rationale=text
    )


WRITERS["surveillance.EscalationProposal.rationale"] = (_proposal_rationale, ALL)


def _model_key(key: str) -> str:
    return key.split(" ")[0]


def test_every_text_field_is_screened_or_exempt():
    fields = text_fields()
    screened = {_model_key(k) for k in WRITERS} & fields
    undecided = sorted(fields - screened - set(EXEMPT))
    assert not undecided, (
        "screen these fields in their service and add a writer here, or list them as exempt "
        f"with a reason: {undecided}"
    )
    both = sorted(screened & set(EXEMPT))
    assert not both, f"screened and exempt at once: {both}"
    stale = sorted(set(EXEMPT) - fields)
    assert not stale, f"exempt entries for fields that no longer exist: {stale}"


@pytest.mark.django_db
def test_every_screened_field_refuses_patient_identifiable_data(cast):
    w = _world(cast)
    samples = {"nhs_number": NHS_NUMBER, "personal_name": PATIENT}
    accepted = {}
    for key, (write, kinds) in sorted(WRITERS.items()):
        for kind in kinds:
            try:
                with transaction.atomic():
                    write(cast, w, samples[kind])
            except ValidationError as error:
                said = " ".join(error.messages)
                if REFUSED not in said:
                    accepted[f"{key} ({kind})"] = f"refused for another reason: {said}"
            else:
                accepted[f"{key} ({kind})"] = "stored"
    assert not accepted, "\n".join(f"{k}: {v}" for k, v in accepted.items())
