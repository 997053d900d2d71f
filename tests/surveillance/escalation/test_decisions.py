"""Escalation decisions: levels move only by a decision, exit criteria are agreed on entry and
must be met before coming down; evidence respects intelligence visibility; PID is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dashboard import ui as dashboard_ui
from dashboard.models import Indicator, Observation
from surveillance.escalation import selectors as sel
from surveillance.escalation.models import EscalationRecord, ExitCriterion

from .factories import days_ago, decide, escalation_scenario, measure, statement

pytestmark = pytest.mark.django_db


def errors_of(exc) -> dict:
    return exc.value.message_dict


def test_entering_a_level_needs_exit_criteria_lead_and_review_date(cast):
    with pytest.raises(ValidationError) as exc:
        decide(cast, lead_organisation=None, review_date=None)
    errors = errors_of(exc)
    assert set(errors) >= {"exit_criteria", "lead_organisation", "review_date"}
    assert not EscalationRecord.objects.exists()


def test_placement_sets_the_level_and_keeps_the_decision(cast):
    d = decide(cast, exit_criteria=[statement(), measure()])
    record = d.record
    assert (record.level, record.level_since) == ("enhanced", d.decided_on)
    assert record.lead_organisation == cast.orgs["icb_a"]
    assert d.direction == "placed" and d.level_from == ""
    kinds = sorted(record.criteria.values_list("kind", "level"))
    assert kinds == [("measure", "enhanced"), ("statement", "enhanced")]
    assert record.history.count() >= 1 and d.history.count() == 1


def test_escalating_needs_new_criteria_and_keeps_the_lower_ones(cast):
    first = decide(cast, exit_criteria=[statement()])
    with pytest.raises(ValidationError) as exc:
        decide(cast, level="intensive", decided_on=days_ago(10))
    assert "exit_criteria" in errors_of(exc)
    d = decide(
        cast,
        level="intensive",
        decided_on=days_ago(10),
        actor="regional_secretariat",
        group=cast.qsgs["r"],
        lead_organisation=cast.orgs["nhse_r"],
        exit_criteria=[statement("Recovery support programme milestones met")],
    )
    record = EscalationRecord.objects.get(pk=first.record_id)
    assert d.direction == "escalated" and record.level == "intensive"
    assert record.level_since == days_ago(10)
    assert record.lead_organisation == cast.orgs["nhse_r"]
    assert record.criteria.filter(status="open").count() == 2


def test_de_escalation_only_when_criteria_of_the_level_left_are_met(cast):
    s = escalation_scenario(cast)
    record = s["record"]
    open_ids = list(record.criteria.values_list("pk", flat=True))
    with pytest.raises(ValidationError) as exc:
        decide(cast, service=record.service, level="routine", decided_on=days_ago(1))
    assert "criteria_met" in errors_of(exc)
    assert "2 not yet confirmed" in errors_of(exc)["criteria_met"][0]
    with pytest.raises(ValidationError):
        decide(
            cast,
            service=record.service,
            level="routine",
            decided_on=days_ago(1),
            criteria_met=open_ids[:1],
        )
    record.refresh_from_db()
    assert record.level == "enhanced"
    assert record.criteria.filter(status="met").count() == 0  # the refused decision wrote nothing
    d = decide(
        cast, service=record.service, level="routine", decided_on=days_ago(1), criteria_met=open_ids
    )
    record.refresh_from_db()
    assert d.direction == "de-escalated"
    assert record.level == "routine" and record.lead_organisation is None
    assert set(record.criteria.values_list("status", flat=True)) == {"met"}
    assert set(record.criteria.values_list("met_in", flat=True)) == {d.pk}


def test_criteria_can_be_confirmed_in_a_review_before_coming_down(cast):
    record = escalation_scenario(cast)["record"]
    first, second = record.criteria.order_by("pk")
    review = decide(cast, service=record.service, decided_on=days_ago(20), criteria_met=[first.pk])
    assert review.direction == "reviewed"
    decide(
        cast,
        service=record.service,
        level="routine",
        decided_on=days_ago(2),
        criteria_met=[second.pk],
    )
    record.refresh_from_db()
    assert record.level == "routine"


def test_a_decision_cannot_predate_the_last_or_be_in_the_future(cast):
    record = escalation_scenario(cast)["record"]
    with pytest.raises(ValidationError) as exc:
        decide(cast, service=record.service, decided_on=days_ago(60))
    assert "decided_on" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        decide(cast, service=record.service, decided_on=timezone.localdate() + dt.timedelta(1))
    assert "decided_on" in errors_of(exc)


def test_group_must_be_the_records_or_its_region(cast):
    with pytest.raises(ValidationError) as exc:
        decide(cast, group=cast.qsgs["b"], exit_criteria=[statement()])
    assert "group" in errors_of(exc)


def test_patient_identifiable_text_is_refused_in_every_free_text_field(cast):
    pid = "Patient NHS number 943 476 5919"
    for field in ("rationale", "decided_by", "improvement_plan", "inspection_findings", "service"):
        with pytest.raises(ValidationError) as exc:
            decide(cast, exit_criteria=[statement()], **{field: pid})
        assert field in errors_of(exc), field
    with pytest.raises(ValidationError) as exc:
        decide(cast, exit_criteria=[statement(), statement(pid)])
    assert "exit_criteria_2" in errors_of(exc)
    assert not EscalationRecord.objects.exists()


def test_evidence_the_recorder_cannot_see_is_refused_without_naming_it(cast):
    from surveillance.intelligence.models import IntelligenceItem

    item_ids = list(IntelligenceItem.objects.values_list("pk", flat=True))
    missing = (max(item_ids) if item_ids else 0) + 1000
    with pytest.raises(ValidationError) as exc:
        decide(cast, exit_criteria=[statement()], intelligence_item_ids=[missing])
    assert errors_of(exc)["intelligence_item_ids"] == ["Choose intelligence items you can see"]


def test_measure_criterion_needs_target_and_comparison(cast):
    bad = {"text": "Waits", "indicator": Indicator.objects.get(code="AE_4HR")}
    with pytest.raises(ValidationError) as exc:
        decide(cast, exit_criteria=[bad])
    assert "exit_criteria_1" in errors_of(exc)


def _observe(provider, code, values):
    """Monthly values ending last month."""
    indicator = Indicator.objects.get(code=code)
    today = timezone.localdate().replace(day=1)
    periods = []
    y, m = today.year, today.month
    for _ in values:
        m -= 1
        if m == 0:
            y, m = y - 1, 12
        periods.append(dt.date(y, m, 1))
    for period, value in zip(reversed(periods), values, strict=True):
        Observation.objects.create(
            provider=provider,
            indicator=indicator,
            period=period,
            value=value,
            updated_at=timezone.now(),
        )


def test_measure_progress_prompts_when_met_for_the_agreed_period(cast):
    record = escalation_scenario(cast)["record"]
    crit = record.criteria.get(kind="measure")  # AE_4HR at most 5.0 for 3 months
    user = cast.users["member_a"]
    assert not sel.progress(user, crit).met_for_period
    _observe(cast.providers["provider_a1"], "AE_4HR", [9.0, 6.0, 4.0, 4.5])
    p = sel.progress(user, crit)
    assert p.months_meeting == 2 and not p.met_for_period
    assert sel.criteria_ready(user, cast.qsgs["a"]) == []
    Observation.objects.all().delete()
    _observe(cast.providers["provider_a1"], "AE_4HR", [9.0, 4.0, 4.0, 4.5])
    p = sel.progress(user, crit)
    assert p.months_meeting == 3 and p.met_for_period
    assert sel.criteria_ready(user, cast.qsgs["a"]) == [crit]
    # An outsider's dashboard holds nothing for the provider: no progress, no prompt.
    assert sel.progress(cast.users["outsider"], crit).values == []
    assert sel.criteria_ready(cast.users["outsider"], cast.qsgs["a"]) == []
    # Once confirmed met it no longer prompts.
    decide(cast, service=record.service, decided_on=days_ago(1), criteria_met=[crit.pk])
    assert sel.criteria_ready(user, cast.qsgs["a"]) == []
    assert ExitCriterion.objects.get(pk=crit.pk).status == "met"


def test_double_submit_records_one_decision(cast):
    a = decide(cast, exit_criteria=[statement()], idempotency_key="k-1")
    b = decide(cast, exit_criteria=[statement()], idempotency_key="k-1")
    assert a.pk == b.pk and a.record.decisions.count() == 1


def test_the_agenda_proposes_records_whose_measures_are_met(cast):
    from surveillance.meetings import selectors as meetings
    from surveillance.meetings.services import schedule

    record = escalation_scenario(cast)["record"]
    meeting = schedule.meeting_create(
        actor=cast.users["secretariat_a"],
        qsg=cast.qsgs["a"],
        title="Next meeting",
        date=timezone.localdate() + dt.timedelta(days=7),
        start_time=dt.time(10),
        end_time=dt.time(12),
    )
    proposals = {
        k: p for k, _, p in meetings.agenda_suggestions(cast.users["secretariat_a"], meeting)
    }
    assert proposals["exit_criteria"] == []
    _observe(cast.providers["provider_a1"], "AE_4HR", [3.0, 3.0, 3.0])
    proposals = {
        k: p for k, _, p in meetings.agenda_suggestions(cast.users["secretariat_a"], meeting)
    }
    [suggestion] = proposals["exit_criteria"]
    assert (
        suggestion.provider_ids == [record.provider_id] and "Four-hour waits" in suggestion.reason
    )


def test_the_pack_lists_the_groups_providers_above_routine_for_its_reader(cast):
    from surveillance.meetings.services import schedule
    from surveillance.packs.selectors import Audience, escalation_levels

    record = escalation_scenario(cast)["record"]
    meeting = schedule.meeting_create(
        actor=cast.users["secretariat_a"],
        qsg=cast.qsgs["a"],
        title="Next meeting",
        date=timezone.localdate() + dt.timedelta(days=7),
        start_time=dt.time(10),
        end_time=dt.time(12),
    )
    full = Audience(organisation=None, confidential=True, reader=cast.users["secretariat_a"])
    [row] = escalation_levels(meeting, full)
    assert row["name"] == str(record) and row["level"] == "Enhanced surveillance"
    assert {c["text"] for c in row["criteria"]} == set(
        record.criteria.values_list("text", flat=True)
    )
    outsider = Audience(organisation=None, confidential=False, reader=cast.users["outsider"])
    assert escalation_levels(meeting, outsider) == []


def test_a_measures_values_read_as_the_dashboard_shows_them(cast, client_for):
    """The record's page prints a measure's target and values in the indicator's unit and
    periods, as the dashboard does: 19.4%, not 19.412028725314183."""
    record = escalation_scenario(cast)["record"]
    indicator = Indicator.objects.get(code="AE_4HR")
    _observe(cast.providers["provider_a1"], "AE_4HR", [19.412028725314183, 4.25])
    page = client_for("member_a").get(record.get_absolute_url()).content.decode()
    shown = dashboard_ui.value(19.412028725314183, indicator)
    assert shown in page and "19.412028725314183" not in page
    assert f"at most {dashboard_ui.value(5.0, indicator)} for 3 months" in page
    assert f"{dashboard_ui.value(4.25, indicator)} (meets)" in page
