"""iCalendar (.ics) files for one meeting, a series or a QSG's whole schedule."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from surveillance.meetings.models import Meeting

PRODID = "-//QSG workspace//Meetings//EN"


def _event(meeting: Meeting) -> Event:
    event = Event()
    event.add("uid", f"{meeting.uid}@qsg-workspace")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", meeting.title)
    event.add("sequence", meeting.sequence)
    if meeting.venue:
        event.add("location", meeting.venue)
    description = [f"{meeting.qsg.name}."]
    if meeting.dial_in:
        description.append(f"Dial-in: {meeting.dial_in}")
    description.append(
        f"Agenda and papers: {settings.QSG_SITE_URL.rstrip('/')}{meeting.get_absolute_url()}"
    )
    event.add("description", "\n".join(description))
    event.add("status", "CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "CONFIRMED")
    return event


def calendar(meetings: Iterable[Meeting], *, name: str = "") -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    for meeting in meetings:
        cal.add_component(_event(meeting))
    return cal.to_ical()
