"""The local report to the region: drafted from agreed notes, restricted material left out and
counted, edited with PID screening, locked on submission."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from surveillance.regional import selectors as sr
from surveillance.regional import services as sv
from surveillance.regional.models import LocalReport, LocalReportSection

from .factories import agreed_note, period

pytestmark = pytest.mark.django_db


def _all_text(report: LocalReport) -> str:
    return "\n".join(f"{s.text}\n{s.rows}" for s in report.sections.all())


def test_draft_has_agreed_conclusions_and_leaves_out_confidential_ones(cast):
    agreed_note(
        cast,
        "a",
        "provider_a1",
        key_issues="Mortality above expected for two quarters",
        days=-20,
        overdue_action="Trust to send its mortality review",
    )
    agreed_note(
        cast,
        "a",
        "provider_a2",
        key_issues="Whistleblower account of night staffing",
        days=-10,
        confidential=True,
    )
    # A note still in draft is not the group's view yet.
    from tests.surveillance.meetings.factories import meeting, note_with_content

    draft_meeting = meeting(cast, days=-5)
    note_with_content(cast, draft_meeting)

    start, end = period()
    report = sv.local_report_draft(
        actor=cast.users["secretariat_a"], qsg=cast.qsgs["a"], period_start=start, period_end=end
    )
    text = _all_text(report)
    conclusions = report.sections.get(key="conclusions").text
    assert "Alpha General Hospital" in conclusions
    assert "Members' intelligence agrees with the data" in conclusions
    assert "Mortality above expected" in report.sections.get(key="concerns").text
    assert "Trust to send its mortality review" in report.sections.get(key="actions").text
    levels = report.sections.get(key="levels").text
    assert "Alpha General Hospital: Keep under regular review, the first level recorded" in levels
    # Left out: the confidential conclusion, and the draft note's content.
    assert "Whistleblower" not in text
    assert "Mortality and staffing" not in text
    assert report.withheld == {"confidential conclusions": 1}
    assert sr.withheld_sentence(report.withheld).startswith(
        "1 item withheld under their handling rules"
    )
    assert report.status == LocalReport.Status.DRAFT


def test_drafting_the_same_period_twice_gives_one_report(cast):
    start, end = period()
    a = sv.local_report_draft(
        actor=cast.users["secretariat_a"], qsg=cast.qsgs["a"], period_start=start, period_end=end
    )
    b = sv.local_report_draft(
        actor=cast.users["secretariat_a"], qsg=cast.qsgs["a"], period_start=start, period_end=end
    )
    assert a.pk == b.pk
    assert LocalReport.objects.count() == 1


def test_only_a_local_qsg_reports_and_periods_are_checked(cast):
    start, end = period()
    with pytest.raises(ValidationError):
        sv.local_report_draft(
            actor=cast.users["regional_secretariat"],
            qsg=cast.qsgs["r"],
            period_start=start,
            period_end=end,
        )
    with pytest.raises(ValidationError) as error:
        sv.local_report_draft(
            actor=cast.users["secretariat_a"],
            qsg=cast.qsgs["a"],
            period_start=end,
            period_end=start,
        )
    assert "period_end" in error.value.message_dict


def test_edit_screens_pid_and_submission_locks(cast):
    sec = cast.users["secretariat_a"]
    start, end = period()
    report = sv.local_report_draft(
        actor=sec, qsg=cast.qsgs["a"], period_start=start, period_end=end
    )
    summary = report.sections.get(key="summary")
    with pytest.raises(ValidationError) as error:
        sv.local_report_section_edit(
            actor=sec, section=summary, text="Patient NHS number 943 476 5919 complained"
        )
    assert "text" in error.value.message_dict
    sv.local_report_section_edit(actor=sec, section=summary, text="A quiet quarter.")
    # Drafting again keeps the edited section.
    sv.local_report_redraft(actor=sec, report=report)
    assert report.sections.get(key="summary").text == "A quiet quarter."

    submitted = sv.local_report_submit(actor=sec, report=report)
    assert submitted.is_locked and submitted.submitted_by == sec
    again = sv.local_report_submit(actor=sec, report=report)
    assert again.submitted_at == submitted.submitted_at
    with pytest.raises(ValidationError):
        sv.local_report_section_edit(actor=sec, section=summary, text="Changed afterwards")
    with pytest.raises(ValidationError):
        sv.local_report_redraft(actor=sec, report=report)
    assert report.sections.get(key="summary").text == "A quiet quarter."
    # History kept: drafted, then submitted.
    assert [h.status for h in report.history.order_by("history_date")][-1] == "submitted"
    assert report.history.count() >= 2


def test_submit_page_locks_and_edit_page_refuses(cast, client_for):
    sec = cast.users["secretariat_a"]
    start, end = period()
    report = sv.local_report_draft(
        actor=sec, qsg=cast.qsgs["a"], period_start=start, period_end=end
    )
    client = client_for("secretariat_a")
    response = client.post(f"/regional/reports/{report.pk}/submit/")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.is_locked
    section = report.sections.first()
    response = client.post(
        f"/regional/reports/{report.pk}/sections/{section.pk}/edit/", {"text": "Too late"}
    )
    assert response.status_code == 302
    section.refresh_from_db()
    assert section.text != "Too late"
    page = client_for("reviewer").get(report.get_absolute_url())
    assert page.status_code == 200
    assert "Submitted to the region" in page.content.decode()


def test_rejected_section_edit_keeps_what_was_typed(cast, client_for):
    start, end = period()
    report = sv.local_report_draft(
        actor=cast.users["secretariat_a"], qsg=cast.qsgs["a"], period_start=start, period_end=end
    )
    section = report.sections.get(key="summary")
    typed = "Call Mrs Jones on 07700 900123 about it"
    response = client_for("secretariat_a").post(
        f"/regional/reports/{report.pk}/sections/{section.pk}/edit/", {"text": typed}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "07700 900123" in body  # the text stays in the form for the user to edit
    section.refresh_from_db()
    assert typed not in section.text


def test_intelligence_goes_only_if_its_handling_lets_it_leave_the_local_qsg(cast):
    from surveillance.intelligence.models import IntelligenceItem
    from tests.surveillance.intelligence.factories import released, submit

    Distribution = IntelligenceItem.Distribution
    shared = released(cast, distribution=Distribution.REGION, summary="Agency nurses cancelled")
    released(cast, distribution=Distribution.QSG, summary="Members only: ward 7 rota gaps")
    released(cast, distribution=Distribution.ORGANISATION, summary="ICB only: night cover")
    released(
        cast,
        distribution=Distribution.NAMED,
        named_organisations=[cast.orgs["cqc"].pk],
        summary="Named: CQC only",
    )
    submit(cast, distribution=Distribution.REGION, summary="Not yet triaged")
    start, end = period()
    report = sv.local_report_draft(
        actor=cast.users["secretariat_a"], qsg=cast.qsgs["a"], period_start=start, period_end=end
    )
    text = _all_text(report)
    section = report.sections.get(key="intelligence").text
    assert "Agency nurses cancelled" in section and shared.reference in section
    for restricted in ("Members only", "ICB only", "Named: CQC", "Not yet triaged"):
        assert restricted not in text
    assert report.withheld == {"intelligence items": 3}
    assert sr.withheld_sentence(report.withheld) == (
        "3 items withheld under their handling rules (3 intelligence items)."
    )
    # Do not attribute: the report never names the submitting organisation.
    assert "Alpha Integrated Care Board" not in text


def test_overdue_actions_are_those_due_by_the_end_of_the_period(cast):
    agreed_note(
        cast, "a", "provider_a1", key_issues="Falls", days=-30, overdue_action="Falls audit"
    )
    end = timezone.localdate() - dt.timedelta(days=40)
    report = sv.local_report_draft(
        actor=cast.users["secretariat_a"],
        qsg=cast.qsgs["a"],
        period_start=end - dt.timedelta(days=30),
        period_end=end,
    )
    assert "Falls audit" not in report.sections.get(key="actions").text


def test_redraft_adds_a_section_the_report_was_drafted_without(cast):
    """A report drafted before the escalation section existed gains it, in its place, when the
    secretariat drafts it again; edited sections keep their text; a submitted report never
    changes."""
    sec = cast.users["secretariat_a"]
    start, end = period()
    report = sv.local_report_draft(
        actor=sec, qsg=cast.qsgs["a"], period_start=start, period_end=end
    )
    summary = report.sections.get(key="summary")
    sv.local_report_section_edit(actor=sec, section=summary, text="A quiet quarter.")
    report.sections.filter(key="escalation").delete()  # as drafted before the section existed
    report.sections.filter(position__gt=5).update(position=models.F("position") - 1)

    sv.local_report_redraft(actor=sec, report=report)
    keys = list(report.sections.order_by("position").values_list("key", "position"))
    assert keys == [(key, n) for n, key in enumerate(LocalReportSection.Key, start=1)]
    assert report.sections.get(key="summary").text == "A quiet quarter."
    assert report.sections.get(key="escalation").title == "Escalation levels"

    sv.local_report_submit(actor=sec, report=report)
    report.sections.filter(key="escalation").delete()
    with pytest.raises(ValidationError):
        sv.local_report_redraft(actor=sec, report=report)
    assert not report.sections.filter(key="escalation").exists()
