"""Dashboard signals reach the agenda, through the dashboard's own visibility rules."""

import datetime as dt

from dashboard import selectors as dashboard
from surveillance.meetings import agenda_signals
from surveillance.meetings import selectors as selectors_meetings
from surveillance.meetings.services import agenda as agenda_services
from tests.dashboard.helpers import seed_cast_data

from .factories import meeting


def _proposals(user, m):
    return {key: found for key, _, found in selectors_meetings.agenda_suggestions(user, m)}


def test_signals_since_the_last_meeting_are_proposed_per_provider(cast):
    seed_cast_data(cast)
    m = meeting(cast, days=10)
    secretariat = cast.users["secretariat_a"]
    proposals = _proposals(secretariat, m)["signals"]
    titles = [s.title for s in proposals]
    raa = cast.providers["provider_a1"]
    assert f"{raa.name}: dashboard signals" in titles
    mine = next(s for s in proposals if s.provider_ids == [raa.pk])
    assert mine.reason.startswith("Since ") and "Special cause concern" in mine.reason
    assert all(
        pid in {p.pk for p in cast.qsgs["a"].providers.all()}
        for s in proposals
        for pid in s.provider_ids
    )
    # ticking it puts the provider on the agenda as a data signals item
    agenda_services.agenda_add_suggestions(actor=secretariat, meeting=m, tokens=[mine.token])
    item = m.agenda_items.get(source="signals")
    assert item.kind == "signals" and list(item.providers.all()) == [raa]
    assert all(s.key != mine.key for s in _proposals(secretariat, m)["signals"])


def test_no_data_means_no_signals_and_window_follows_the_last_meeting(cast):
    m = meeting(cast, days=10)
    assert _proposals(cast.users["secretariat_a"], m)["signals"] == []
    seed_cast_data(cast)
    latest = dashboard.latest_data_month()
    assert agenda_signals.signals_window_start(m, None) == dashboard.month_before(latest)
    earlier = meeting(cast, days=-30)
    # the last meeting is later than the data: the window is the newest data
    assert agenda_signals.signals_window_start(m, earlier) == dashboard.month_before(latest)


def test_window_starts_the_month_before_a_meeting_held_within_the_data(cast):
    seed_cast_data(cast)
    m = meeting(cast, days=10)
    held = meeting(cast, days=-30)
    latest = dashboard.latest_data_month()
    held.starts_at = held.starts_at.replace(year=latest.year, month=latest.month, day=15)
    start = agenda_signals.signals_window_start(m, held)
    assert start == dashboard.month_before(latest)
    held.starts_at = held.starts_at.replace(year=latest.year - 1)
    year_before = dt.date(latest.year - 1, latest.month, 1)
    assert agenda_signals.signals_window_start(m, held) == dashboard.month_before(year_before)


def test_people_outside_the_qsg_get_no_signals(cast):
    seed_cast_data(cast)
    m = meeting(cast, days=10)
    assert agenda_signals.signals_for_meeting(cast.users["member_b"], m) == []
    assert agenda_signals.signals_for_meeting(cast.users["outsider"], m) == []
