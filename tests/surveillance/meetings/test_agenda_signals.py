"""Dashboard signals reach the agenda, through the dashboard's own visibility rules."""

import datetime as dt

from django.utils import timezone

from dashboard import selectors as dashboard
from dashboard.models import Observation
from surveillance.meetings import agenda_signals
from surveillance.meetings import selectors as selectors_meetings
from surveillance.meetings.services import agenda as agenda_services
from surveillance.packs.selectors import dashboard_summary
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


def _signal_titles(user, m):
    return sorted(s.title for s in _proposals(user, m)["signals"])


def _loaded(when, **filters):
    """Pretend the matching observations were loaded at `when`."""
    Observation.objects.filter(**filters).update(updated_at=when)


def test_no_data_means_no_signals_and_an_empty_window(cast):
    m = meeting(cast, days=10)
    assert _proposals(cast.users["secretariat_a"], m)["signals"] == []
    window = agenda_signals.signal_window(m)
    assert (window.since, window.until) == (None, None)
    assert window.sentence() == "There is no dashboard data for this QSG's providers yet."


def test_a_meeting_whose_previous_one_saw_no_data_gets_the_two_newest_months(cast):
    seed_cast_data(cast)
    latest = dashboard.latest_data_month()
    m = meeting(cast, days=10)
    assert agenda_signals.signal_window(m).since == dashboard.month_before(latest)
    meeting(cast, days=-30)  # held before the data was loaded (the data came today)
    window = agenda_signals.signal_window(m)
    assert (window.since, window.until) == (dashboard.month_before(latest), latest)
    assert _proposals(cast.users["secretariat_a"], m)["signals"]


def test_the_next_meeting_does_not_propose_the_same_signals_again(cast):
    """Finding 7: every agenda proposed the same (2019) signals, meeting after meeting."""
    seed_cast_data(cast)
    secretariat = cast.users["secretariat_a"]
    held = meeting(cast, days=-30)
    _loaded(timezone.now() - dt.timedelta(days=60))  # the data was there when it met
    window = agenda_signals.signal_window(meeting(cast, days=10))
    assert not window.has_data
    assert window.sentence().startswith(
        f"No new dashboard data since the meeting of {timezone.localtime(held.starts_at):%-d %B %Y}"
    )
    assert _proposals(secretariat, meeting(cast, days=40))["signals"] == []


def test_the_window_starts_after_what_the_previous_meeting_saw(cast):
    seed_cast_data(cast)
    latest = dashboard.latest_data_month()
    seen = dashboard.month_before(dashboard.month_before(latest))
    meeting(cast, days=-30)
    _loaded(timezone.now() - dt.timedelta(days=60), period__lte=seen)
    window = agenda_signals.signal_window(meeting(cast, days=10))
    assert (window.since, window.until) == (dashboard.month_before(latest), latest)


def test_the_agenda_and_the_pack_read_the_same_window(cast):
    """Finding 7: the agenda proposed signals while the pack said there were none."""
    seed_cast_data(cast)
    secretariat = cast.users["secretariat_a"]
    meeting(cast, days=-30)  # held before the data came
    m = meeting(cast, days=10)
    proposed = _proposals(secretariat, m)["signals"]
    assert proposed
    summary = dashboard_summary(m, reader=secretariat)
    window = agenda_signals.signal_window(m)
    assert summary["since"] == window.since and summary["until"] == window.until
    assert summary["signal_count"] == len(agenda_signals.signals_in(secretariat, m, window)) > 0
    assert summary["window"] == window.sentence()
    # And once nothing is new, both say so.
    _loaded(timezone.now() - dt.timedelta(days=60))
    assert _proposals(secretariat, m)["signals"] == []
    summary = dashboard_summary(m, reader=secretariat)
    assert summary["signal_count"] == 0
    assert summary["window"].startswith("No new dashboard data since the meeting of")


def test_people_outside_the_qsg_get_no_signals(cast):
    seed_cast_data(cast)
    m = meeting(cast, days=10)
    assert agenda_signals.signals_for_meeting(cast.users["member_b"], m) == []
    assert agenda_signals.signals_for_meeting(cast.users["outsider"], m) == []


def test_the_signals_page_shows_what_the_next_meetings_agenda_proposes(cast, client_for):
    seed_cast_data(cast)
    secretariat = cast.users["secretariat_a"]
    meeting(cast, days=-30)  # held before the data came
    m = meeting(cast, days=10)
    client = client_for("secretariat_a")
    url = f"/dashboard/qsgs/{cast.qsgs['a'].pk}/signals/"
    window = agenda_signals.signal_window(m)
    found = agenda_signals.signals_in(secretariat, m, window)
    body = client.get(url).content.decode()
    held = timezone.localtime(m.starts_at)
    assert f"For the meeting of {held:%-d %B %Y}, as its agenda proposes them" in body
    assert f"{len(found)} signal{'' if len(found) == 1 else 's'} since" in body
    # Nothing new since the previous meeting: the page says so and lists nothing.
    _loaded(timezone.now() - dt.timedelta(days=60))
    body = client.get(url).content.decode()
    assert "No new dashboard data since the meeting of" in body
    assert "0 signals since" in body
    assert _proposals(secretariat, m)["signals"] == []
