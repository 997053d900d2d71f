"""Series of meetings, meetings, and their dates and times."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from qsg.models import QSG
from surveillance.meetings import rules as meetings_rules
from surveillance.meetings.models import Meeting, MeetingSeries
from surveillance.meetings.services._common import _local, _stamp, screen_pid


def _screen_meeting(title: str, venue: str, dial_in: str) -> None:
    """Printed on notes, packs and calendar files: no patient's details. A venue may have its
    postcode and a dial-in its phone number."""
    screen_pid(
        {"title": ("Title", title), "venue": ("Venue", venue), "dial_in": ("Dial-in", dial_in)},
        allow={"venue": ("postcode", "phone_number"), "dial_in": ("phone_number",)},
    )


def _check_times(start: dt.time, end: dt.time, field: str = "end_time") -> None:
    if end <= start:
        raise ValidationError({field: "The end time must be after the start time"})


@transaction.atomic
def meeting_series_create(
    *,
    actor,
    qsg: QSG,
    title: str,
    cadence: str,
    first_date: dt.date,
    until: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    venue: str = "",
    dial_in: str = "",
) -> MeetingSeries:
    """A series and its meetings, dated by the cadence rule (each date can be changed later)."""
    _screen_meeting(title, venue, dial_in)
    _check_times(start_time, end_time)
    if until < first_date:
        raise ValidationError({"until": "The last date must be on or after the first meeting"})
    if (until - first_date).days > 3 * 366:
        raise ValidationError({"until": "Plan a series of three years or less"})
    series = MeetingSeries(
        qsg=qsg,
        title=title.strip(),
        cadence=cadence,
        first_date=first_date,
        until=until,
        start_time=start_time,
        end_time=end_time,
        venue=venue,
        dial_in=dial_in,
    )
    series.full_clean()
    _stamp(series, actor)
    series.save()
    for date in meetings_rules.cadence_dates(cadence, first_date, until):
        meeting = Meeting(
            qsg=qsg,
            series=series,
            title=series.title,
            starts_at=_local(date, start_time),
            ends_at=_local(date, end_time),
            venue=venue,
            dial_in=dial_in,
        )
        meeting.full_clean()
        _stamp(meeting, actor)
        meeting.save()
    return series


@transaction.atomic
def meeting_create(
    *,
    actor,
    qsg: QSG,
    title: str,
    date: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    venue: str = "",
    dial_in: str = "",
) -> Meeting:
    _screen_meeting(title, venue, dial_in)
    _check_times(start_time, end_time)
    meeting = Meeting(
        qsg=qsg,
        title=title.strip(),
        starts_at=_local(date, start_time),
        ends_at=_local(date, end_time),
        venue=venue,
        dial_in=dial_in,
    )
    meeting.full_clean()
    _stamp(meeting, actor)
    meeting.save()
    return meeting


@transaction.atomic
def meeting_update(
    *,
    actor,
    meeting: Meeting,
    title: str,
    date: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    venue: str,
    dial_in: str,
    status: str,
) -> Meeting:
    _screen_meeting(title, venue, dial_in)
    _check_times(start_time, end_time)
    meeting.title = title.strip()
    meeting.starts_at = _local(date, start_time)
    meeting.ends_at = _local(date, end_time)
    meeting.venue = venue
    meeting.dial_in = dial_in
    meeting.status = status
    meeting.sequence += 1
    meeting.full_clean()
    _stamp(meeting, actor)
    meeting.save(
        update_fields=[
            "title",
            "starts_at",
            "ends_at",
            "venue",
            "dial_in",
            "status",
            "sequence",
            "updated_at",
        ]
    )
    return meeting
