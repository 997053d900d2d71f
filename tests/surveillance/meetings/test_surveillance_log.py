"""Agreed conclusions drive providers' surveillance levels, agendas and risk summit referrals."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from surveillance.meetings import selectors as selectors_meetings
from surveillance.meetings.models import RiskSummitReferral
from surveillance.meetings.services import agenda as agenda_services
from surveillance.meetings.services import note as note_services
from surveillance.meetings.services import plans as plans_services

from .factories import agree, agreed_meeting, category, meeting, quorate


def _conclude(cast, m, code, rationale="Reason"):
    secretariat = cast.users["secretariat_a"]
    note = note_services.meeting_note_start(actor=secretariat, meeting=m)
    note_services.conclusion_save(
        actor=secretariat,
        note=note,
        provider=cast.providers["provider_a1"],
        category=category(code),
        key_issues="Issues",
        rationale=rationale,
    )
    return agree(cast, note)


def test_level_follows_the_latest_agreed_conclusion(cast, client_for):
    provider = cast.providers["provider_a1"]
    first = meeting(cast, days=-60)
    quorate(cast, first)
    _conclude(cast, first, "regular-review", "Mortality concern")
    assert (
        selectors_meetings.current_levels([provider.pk])[provider.pk].category.code
        == "regular-review"
    )

    second = meeting(cast, days=-10)
    quorate(cast, second)
    _conclude(cast, second, "no-further-action", "Mortality back within limits")
    entry = selectors_meetings.current_levels([provider.pk])[provider.pk]
    assert (entry.category.code, entry.rationale) == (
        "no-further-action",
        "Mortality back within limits",
    )

    # A draft conclusion does not count until agreed.
    third = meeting(cast, days=-1)
    note = note_services.meeting_note_start(actor=cast.users["secretariat_a"], meeting=third)
    note_services.conclusion_save(
        actor=cast.users["secretariat_a"],
        note=note,
        provider=provider,
        category=category("risk-summit"),
        key_issues="x",
        rationale="y",
    )
    assert (
        selectors_meetings.current_levels([provider.pk])[provider.pk].category.code
        == "no-further-action"
    )

    # The provider page shows the timeline to members, newest first.
    page = (
        client_for("member_a")
        .get(reverse("qsg:provider-detail", args=[provider.pk]))
        .content.decode()
    )
    assert page.index("Mortality back within limits") < page.index("Mortality concern")
    # An outsider to QSG B's and A's notes who can see the provider (commissioner) sees nothing of A's log.
    b1 = client_for("member_a").get(
        reverse("qsg:provider-detail", args=[cast.providers["provider_b1"].pk])
    )
    assert "No agreed conclusion" in b1.content.decode()


def test_regular_review_providers_reappear_on_every_next_agenda_until_lowered(cast):
    provider = cast.providers["provider_a1"]
    past = meeting(cast, days=-30)
    quorate(cast, past)
    _conclude(cast, past, "regular-review")
    secretariat = cast.users["secretariat_a"]

    nxt = meeting(cast, days=14)
    proposals = {k: p for k, _, p in selectors_meetings.agenda_suggestions(secretariat, nxt)}
    assert [s.provider_ids for s in proposals["regular_review"]] == [[provider.pk]]
    added = agenda_services.agenda_add_suggestions(
        actor=secretariat, meeting=nxt, tokens=[proposals["regular_review"][0].token]
    )
    assert added == 1
    # Added once: a second submit adds nothing and the proposal is gone.
    assert (
        agenda_services.agenda_add_suggestions(
            actor=secretariat, meeting=nxt, tokens=[proposals["regular_review"][0].token]
        )
        == 0
    )
    assert nxt.agenda_items.get().providers.get() == provider

    after = meeting(cast, days=70)
    proposals = {k: p for k, _, p in selectors_meetings.agenda_suggestions(secretariat, after)}
    assert len(proposals["regular_review"]) == 1

    # Lowered at the next meeting: it no longer comes back.
    quorate(cast, nxt)
    _conclude(cast, nxt, "no-further-action")
    proposals = {k: p for k, _, p in selectors_meetings.agenda_suggestions(secretariat, after)}
    assert proposals["regular_review"] == []


def test_matters_arising_lists_open_actions(cast):
    agreed_meeting(cast, days=-30)
    nxt = meeting(cast, days=14)
    proposals = {
        k: p for k, _, p in selectors_meetings.agenda_suggestions(cast.users["secretariat_a"], nxt)
    }
    assert "1 open action (0 overdue): A1" in proposals["matters_arising"][0].reason


def test_risk_summit_required_leaves_exactly_one_referral(cast):
    _m, note, conclusion = agreed_meeting(cast, conclusion="risk-summit")
    pending = list(note_services.risk_summit_referrals_pending(qsg_ids=[cast.qsgs["a"].pk]))
    assert [(r.provider, r.conclusion) for r in pending] == [
        (cast.providers["provider_a1"], conclusion)
    ]

    # Re-agreed as a new version: still one referral.
    note = note_services.meeting_note_revise(
        actor=cast.users["secretariat_a"], note=note, reason="Wording"
    )
    agree(cast, note)
    assert RiskSummitReferral.objects.count() == 1

    referral = pending[0]
    assert (
        note_services.risk_summit_referral_claim(referral_id=referral.pk, reference="RS-1") is True
    )
    assert (
        note_services.risk_summit_referral_claim(referral_id=referral.pk, reference="RS-1") is True
    )
    assert (
        note_services.risk_summit_referral_claim(referral_id=referral.pk, reference="RS-2") is False
    )
    referral.refresh_from_db()
    assert referral.claimed_reference == "RS-1"
    assert list(note_services.risk_summit_referrals_pending()) == []


def test_agreed_conclusions_cannot_be_deleted_from_a_new_version(cast):
    _, note, conclusion = agreed_meeting(cast)
    note = note_services.meeting_note_revise(
        actor=cast.users["secretariat_a"], note=note, reason="Fix"
    )
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="surveillance log"):
        note_services.conclusion_delete(
            actor=cast.users["secretariat_a"], note=note, conclusion=conclusion
        )


def test_coverage_flags_a_provider_not_discussed_in_the_period(cast):
    agreed_meeting(cast, days=-30)  # discusses provider_a1 only
    today = timezone.localdate()
    rows = {
        r.provider.ods_code: r
        for r in selectors_meetings.coverage(
            cast.qsgs["a"],
            period_start=today - dt.timedelta(days=365),
            period_end=today,
            today=today,
        )
    }
    assert rows["RAA"].last_discussed == today - dt.timedelta(days=30)
    assert not rows["RAA"].flagged
    assert rows["RAB"].last_discussed is None and rows["RAB"].flagged

    # Planned for a meeting inside the period: no longer flagged.
    upcoming = meeting(cast, days=10)
    plan = plans_services.business_plan_create(
        actor=cast.users["secretariat_a"],
        qsg=cast.qsgs["a"],
        title="Plan",
        period_start=today - dt.timedelta(days=30),
        period_end=today + dt.timedelta(days=300),
    )
    assert (
        plans_services.business_plan_distribute(
            actor=cast.users["secretariat_a"], plan=plan, group_by="sector"
        )
        == 2
    )
    rows = {
        r.provider.ods_code: r
        for r in selectors_meetings.coverage(
            cast.qsgs["a"], period_start=plan.period_start, period_end=plan.period_end, today=today
        )
    }
    assert rows["RAB"].next_planned == upcoming.date and not rows["RAB"].flagged


def test_template_frames_the_agenda_and_carries_matters_arising(cast):
    agreed_meeting(cast, days=-30)
    secretariat = cast.users["secretariat_a"]
    nxt = meeting(cast, days=14)
    agenda_services.agenda_item_create(
        actor=secretariat, meeting=nxt, title="Care homes in the north"
    )
    assert agenda_services.agenda_apply_template(actor=secretariat, meeting=nxt) == 9
    assert agenda_services.agenda_apply_template(actor=secretariat, meeting=nxt) == 0
    agenda_services.agenda_item_create(
        actor=secretariat, meeting=nxt, title="Alpha General Hospital"
    )
    titles = list(nxt.agenda_items.order_by("position").values_list("title", flat=True))
    assert titles[0] == "Welcome and introductions"
    assert titles[5:7] == ["Care homes in the north", "Alpha General Hospital"]
    assert titles[-1] == "Date, time and venue of next meeting"
    arising = nxt.agenda_items.get(kind="matters_arising")
    assert "1 open action" in arising.description
    proposals = {k: p for k, _, p in selectors_meetings.agenda_suggestions(secretariat, nxt)}
    assert proposals["matters_arising"] == []
