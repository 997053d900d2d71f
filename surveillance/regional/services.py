"""Every write about local reports, regional recommendations and assurance returns.

Local report: drafted from the period's agreed notes -> sections edited by the local
secretariat (PID screened) -> submitted to the region, which locks it. simple-history keeps
every version of the report and of each section.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from qsg import notifications
from qsg import services as qsg_services
from qsg.access import footprint
from qsg.models import QSG, Provider, QSGRole
from qsg.vocabulary import say
from surveillance.meetings.services._common import screen_pid
from surveillance.regional import access as ar
from surveillance.regional import selectors as selectors_regional
from surveillance.regional.models import (
    AssuranceAnswer,
    AssuranceQuestion,
    AssuranceReturn,
    LocalReport,
    LocalReportComment,
    LocalReportSection,
    RegionalRecommendation,
)

_stamp = qsg_services._stamp
Key = LocalReportSection.Key
MAX_PERIOD_DAYS = 366


# Local reports ---------------------------------------------------------------------------------


def _check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValidationError({"period_end": ["The end of the period must be after its start"]})
    if (end - start).days > MAX_PERIOD_DAYS:
        raise ValidationError({"period_end": ["A report covers a year at most"]})


def local_report_draft(
    *, actor, qsg: QSG, period_start: dt.date, period_end: dt.date
) -> LocalReport:
    """Draft (or return the existing) report of a local QSG for a period."""
    if not qsg.is_local:
        raise ValidationError(say("Only a local QSG reports to its region"))
    _check_period(period_start, period_end)
    existing = LocalReport.objects.filter(
        qsg=qsg, period_start=period_start, period_end=period_end
    ).first()
    if existing is not None:
        return existing
    draft = selectors_regional.draft_sections(actor, qsg, start=period_start, end=period_end)
    try:
        with transaction.atomic():
            report = LocalReport(
                qsg=qsg,
                period_start=period_start,
                period_end=period_end,
                withheld=draft.withheld,
                drafted_at=timezone.now(),
                drafted_by=actor,
            )
            report.full_clean()
            _stamp(report, actor)
            report.save()
            for position, key in enumerate(Key, start=1):
                _new_section(actor, report, key, position, draft)
    except IntegrityError:
        # The same period drafted at the same moment by someone else: theirs stands.
        return LocalReport.objects.get(qsg=qsg, period_start=period_start, period_end=period_end)
    return report


def _new_section(actor, report: LocalReport, key: str, position: int, draft) -> None:
    body = draft.sections.get(key, {"text": "", "rows": [], "passages": []})
    section = LocalReportSection(
        report=report,
        key=key,
        position=position,
        text=body["text"],
        rows=body["rows"],
        passages=body["passages"],
    )
    _stamp(section, actor)
    section.save()


def _locked_check(report: LocalReport) -> None:
    if report.is_locked:
        raise ValidationError("This report has been submitted to the region and cannot be changed")


def local_report_redraft(*, actor, report: LocalReport) -> LocalReport:
    """Draft again from the data; sections the secretariat has edited keep their text. A
    report drafted before a section existed (the escalation levels) gains it, in its place."""
    with transaction.atomic():
        report = LocalReport.objects.select_for_update().get(pk=report.pk)
        _locked_check(report)
        draft = selectors_regional.draft_sections(
            actor, report.qsg, start=report.period_start, end=report.period_end
        )
        present = {section.key: section for section in report.sections.all()}
        for position, key in enumerate(Key, start=1):
            section = present.get(key)
            if section is None:
                _new_section(actor, report, key, position, draft)
                continue
            body = draft.sections.get(section.key, {"text": "", "rows": [], "passages": []})
            section.rows, section.position = body["rows"], position
            fields = ["rows", "position"]
            if not section.edited:
                section.text = body["text"]
                section.passages = body["passages"]
                fields += ["text", "passages"]
            _stamp(section, actor)
            section.save(update_fields=fields)
        report.withheld = draft.withheld
        report.drafted_at = timezone.now()
        report.drafted_by = actor
        _stamp(report, actor)
        report.save(update_fields=["withheld", "drafted_at", "drafted_by"])
    return report


def local_report_section_edit(
    *, actor, section: LocalReportSection, text: str
) -> LocalReportSection:
    screen_pid({"text": (section.title, text)})
    with transaction.atomic():
        report = LocalReport.objects.select_for_update().get(pk=section.report_id)
        _locked_check(report)
        section = LocalReportSection.objects.get(pk=section.pk)
        section.passages = ar.section_passages_after_edit(actor, section, text)
        section.text = "\n".join(p["text"] for p in section.passages)
        section.edited = True
        section.full_clean()
        _stamp(section, actor)
        section.save(update_fields=["text", "passages", "edited"])
    return section


def local_report_submit(*, actor, report: LocalReport) -> LocalReport:
    """Submit to the region: screened once more, then locked. Submitting twice is one submit."""
    with transaction.atomic():
        report = LocalReport.objects.select_for_update().get(pk=report.pk)
        if report.is_locked:
            return report
        errors = {}
        for section in report.sections.all():
            try:
                screen_pid({section.key: (section.title, section.text)})
            except ValidationError as error:
                errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
        report.status = LocalReport.Status.SUBMITTED
        report.submitted_at = timezone.now()
        report.submitted_by = actor
        _stamp(report, actor)
        report.save(update_fields=["status", "submitted_at", "submitted_by"])
    return report


# The region's review of a submitted report -------------------------------------------------------


def _reviewable(actor, report: LocalReport) -> None:
    if not report.is_locked:
        raise ValidationError("The region reviews a report once it has been submitted")
    if not ar.can_review(actor, report):
        raise PermissionDenied


def local_report_comment(*, actor, report: LocalReport, text: str) -> LocalReportComment:
    """The region comments on a submitted report; the local QSG reads the comment on it, and its
    secretariat is e-mailed a link to the report (never the comment's words)."""
    _reviewable(actor, report)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": ["Enter your comment"]})
    screen_pid({"text": ("Comment", text)})
    comment = LocalReportComment(report=report, author=actor, text=text)
    comment.full_clean()
    with transaction.atomic():
        comment.save()
        secretariat = QSGRole.objects.filter(
            qsg_id=report.qsg_id, role=QSGRole.Role.SECRETARIAT, user__is_active=True
        ).values_list("user_id", flat=True)
        link = settings.QSG_SITE_URL.rstrip("/") + report.get_absolute_url() + "#comments"
        notifications.notify(
            user_ids=secretariat,
            subject=f"The region has commented on your report for {report.period_label}",
            body=say("The regional team has commented on a report your QSG submitted:")
            + f"\n{link}",
        )
    return comment


def local_report_acknowledge(*, actor, report: LocalReport) -> LocalReport:
    """The region has read the report. Acknowledging twice keeps the first acknowledgement."""
    _reviewable(actor, report)
    with transaction.atomic():
        report = LocalReport.objects.select_for_update().get(pk=report.pk)
        if report.acknowledged_at is None:
            report.acknowledged_at = timezone.now()
            report.acknowledged_by = actor
            _stamp(report, actor)
            report.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return report


# Regional recommendations ----------------------------------------------------------------------


def recommendation_send(
    *,
    actor,
    region: QSG,
    local_qsg: QSG,
    title: str,
    text: str,
    provider: Provider | None = None,
    report: LocalReport | None = None,
) -> RegionalRecommendation:
    if local_qsg.regional_qsg_id != region.pk:
        raise ValidationError({"local_qsg": [say("Choose a local QSG of this region")]})
    if report is not None and report.qsg_id != local_qsg.pk:
        raise ValidationError({"local_qsg": [say("The report is from another local QSG")]})
    if provider is not None and not footprint(local_qsg).filter(pk=provider.pk).exists():
        raise ValidationError(
            {"provider": [say("Choose a provider in that local QSG's footprint")]}
        )
    screen_pid({"title": ("Title", title), "text": ("Recommendation", text)})
    rec = RegionalRecommendation(
        regional_qsg=region,
        local_qsg=local_qsg,
        provider=provider,
        report=report,
        title=title.strip(),
        text=text.strip(),
        sent_by=actor,
        sent_at=timezone.now(),
    )
    rec.full_clean()
    with transaction.atomic():
        _stamp(rec, actor)
        rec.save()
    return rec


# Assurance returns -----------------------------------------------------------------------------


def questions_for(qsg: QSG) -> list[AssuranceQuestion]:
    return list(
        AssuranceQuestion.objects.filter(applies_to=qsg.level, is_active=True).order_by("position")
    )


def assurance_return_save(
    *,
    actor,
    qsg: QSG,
    month: dt.date,
    answers: dict[int, dict[str, str]],
    submit: bool = False,
) -> AssuranceReturn:
    """Create or update the QSG's return for the month; `answers` maps question id to
    {rag, comments, evidence}. One return per QSG per month, however often it is posted.
    Submitting locks it; a submitted return is not changed again."""
    month = month.replace(day=1)
    questions = {q.pk: q for q in questions_for(qsg)}
    unknown = set(answers) - set(questions)
    if unknown:
        raise ValidationError({"answers": ["Answer the questions of this pro forma only"]})
    errors: dict[str, list[str]] = {}
    for qid, answer in answers.items():
        rag = answer.get("rag", "")
        if rag not in {"", *AssuranceAnswer.Rag.values}:
            errors[f"rag_{qid}"] = ["Choose red, amber or green"]
        for name, label in (("comments", "Comments"), ("evidence", "Evidence")):
            value = answer.get(name, "") or ""
            if len(value) > 2000:
                errors[f"{name}_{qid}"] = [f"{label} must be 2,000 characters or fewer"]
                continue
            try:
                screen_pid({f"{name}_{qid}": (f"{label} on {questions[qid].code}", value)})
            except ValidationError as error:
                errors.update(error.message_dict)
    if submit:
        for qid in questions:
            if not (answers.get(qid) or {}).get("rag"):
                errors.setdefault(f"rag_{qid}", []).append(
                    f"Give a rating for question {questions[qid].code}"
                )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        try:
            with transaction.atomic():
                AssuranceReturn.objects.get_or_create(
                    qsg=qsg, month=month, defaults={"completed_by": actor}
                )
        except IntegrityError:
            pass  # created at the same moment by another request: use theirs
        ret = AssuranceReturn.objects.select_for_update().get(qsg=qsg, month=month)
        if ret.is_locked:
            if submit:
                return ret  # a second submit of the same month: the first stands
            raise ValidationError("This month's return has been submitted and cannot be changed")
        for qid, answer in answers.items():
            row, _ = AssuranceAnswer.objects.get_or_create(assurance_return=ret, question_id=qid)
            row.rag = answer.get("rag", "") or ""
            row.comments = (answer.get("comments") or "").strip()
            row.evidence = (answer.get("evidence") or "").strip()
            _stamp(row, actor)
            row.save(update_fields=["rag", "comments", "evidence"])
        ret.completed_by = actor
        fields = ["completed_by", "updated_at"]
        if submit:
            ret.status = AssuranceReturn.Status.SUBMITTED
            ret.submitted_at = timezone.now()
            fields += ["status", "submitted_at"]
        _stamp(ret, actor)
        ret.save(update_fields=fields)
    return ret
