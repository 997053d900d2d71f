"""The pure rules: cadence, quorum and attendance times (no database)."""

import datetime as dt

import pytest

from surveillance.meetings.rules import (
    Present,
    Requirement,
    cadence_dates,
    format_minutes,
    overlaps,
    quorum_check,
)


def test_local_cadence_is_monthly_for_three_meetings_then_every_two_months():
    # Second Tuesday of April 2026.
    dates = cadence_dates("local_2013", dt.date(2026, 4, 14), dt.date(2027, 3, 31))
    assert dates == [
        dt.date(2026, 4, 14),
        dt.date(2026, 5, 12),
        dt.date(2026, 6, 9),
        dt.date(2026, 8, 11),
        dt.date(2026, 10, 13),
        dt.date(2026, 12, 8),
        dt.date(2027, 2, 9),
    ]
    assert all(d.weekday() == 1 and 8 <= d.day <= 14 for d in dates)


def test_regional_cadence_is_quarterly():
    dates = cadence_dates("quarterly", dt.date(2026, 1, 7), dt.date(2026, 12, 31))
    assert [d.month for d in dates] == [1, 4, 7, 10]
    assert all(d.weekday() == dt.date(2026, 1, 7).weekday() for d in dates)


def test_a_fifth_weekday_becomes_the_last_of_each_month():
    dates = cadence_dates("monthly", dt.date(2026, 1, 29), dt.date(2026, 4, 30))  # last Thursday
    assert dates == [
        dt.date(2026, 1, 29),
        dt.date(2026, 2, 26),
        dt.date(2026, 3, 26),
        dt.date(2026, 4, 30),
    ]


def test_cadence_edges():
    assert cadence_dates("monthly", dt.date(2026, 5, 1), dt.date(2026, 4, 1)) == []
    assert cadence_dates("monthly", dt.date(2026, 5, 1), dt.date(2026, 5, 1)) == [
        dt.date(2026, 5, 1)
    ]
    with pytest.raises(ValueError):
        cadence_dates("weekly", dt.date(2026, 5, 1), dt.date(2026, 6, 1))


CHAIR = Requirement(label="The chair", role="chair")
COMMISSIONER = Requirement(label="A commissioner", type_ids=frozenset({3}))
CQC = Requirement(label="The CQC", type_ids=frozenset({5}))


def person(key, roles=(), type_id=None):
    return Present(key=key, name=key.title(), roles=frozenset(roles), organisation_type_id=type_id)


def test_quorum_needs_every_requirement():
    present = [
        person("chair", ["chair"], 2),
        person("icb", ["member"], 3),
        person("cqc", ["member"], 5),
    ]
    result = quorum_check([CHAIR, COMMISSIONER, CQC], present)
    assert result.quorate
    assert result.results[1].by == ["Icb"]

    result = quorum_check([CHAIR, COMMISSIONER, CQC], present[:2])
    assert not result.quorate
    assert result.missing == ["The CQC"]


def test_quorum_counts_each_person_once_and_honours_minimums():
    two_members = Requirement(label="Two members", role="member", minimum=2)
    same_person_twice = [person("icb", ["member"], 3), person("icb", ["member"], 3)]
    assert not quorum_check([two_members], same_person_twice).quorate
    assert quorum_check([two_members], [*same_person_twice, person("hw", ["member"], 8)]).quorate


def test_overlapping_spans():
    t = dt.time
    spans = [(t(10), t(11))]
    assert overlaps(spans, (t(10, 30), t(12)))
    assert not overlaps(spans, (t(11), t(12)))
    assert overlaps([(None, None)], (t(9), t(9, 30)))
    assert format_minutes(150) == "2 h 30 min"
    assert format_minutes(45) == "45 min"
    assert format_minutes(None) == ""
