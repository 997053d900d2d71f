"""The summit's clock as plain values: where the first meeting stands against the deadline.

Pure: takes times and meeting rows as simple values, so the pages, the alerts and the tests all
read the same answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

HELD_IN_TIME = "held_in_time"
HELD_LATE = "held_late"
BOOKED_IN_TIME = "booked_in_time"
BOOKED_LATE = "booked_late"
NOT_BOOKED = "not_booked"
OVERDUE = "overdue"

LABELS = {
    HELD_IN_TIME: "First meeting held within the clock",
    HELD_LATE: "First meeting held after the deadline",
    BOOKED_IN_TIME: "First meeting booked within the clock",
    BOOKED_LATE: "First meeting booked after the deadline",
    NOT_BOOKED: "First meeting not booked",
    OVERDUE: "First meeting not held in time",
}

# Past this share of the clock with no meeting booked, the summit raises its first alert.
NOT_BOOKED_ALERT_SHARE = 0.5


@dataclass(frozen=True)
class MeetingTime:
    starts_at: dt.datetime
    status: str  # booked / held / cancelled


@dataclass(frozen=True)
class ClockState:
    state: str
    deadline: dt.datetime
    first_held_at: dt.datetime | None
    first_booked_at: dt.datetime | None
    remaining: dt.timedelta

    @property
    def label(self) -> str:
        return LABELS[self.state]

    @property
    def is_alarm(self) -> bool:
        return self.state in {OVERDUE, BOOKED_LATE, NOT_BOOKED}

    @property
    def is_met(self) -> bool:
        return self.state in {HELD_IN_TIME, HELD_LATE}


def state(
    *, judged_at: dt.datetime, clock_hours: int, meetings: Iterable[MeetingTime], now: dt.datetime
) -> ClockState:
    deadline = judged_at + dt.timedelta(hours=clock_hours)
    held = sorted(m.starts_at for m in meetings if m.status == "held")
    booked = sorted(m.starts_at for m in meetings if m.status == "booked")
    first_held = held[0] if held else None
    first_booked = booked[0] if booked else None
    if first_held is not None:
        name = HELD_IN_TIME if first_held <= deadline else HELD_LATE
    elif now > deadline:
        name = OVERDUE
    elif first_booked is not None:
        name = BOOKED_IN_TIME if first_booked <= deadline else BOOKED_LATE
    else:
        name = NOT_BOOKED
    return ClockState(
        state=name,
        deadline=deadline,
        first_held_at=first_held,
        first_booked_at=first_booked,
        remaining=deadline - now,
    )


def not_booked_alert_due(*, judged_at: dt.datetime, clock_hours: int, now: dt.datetime) -> bool:
    return now >= judged_at + dt.timedelta(hours=clock_hours * NOT_BOOKED_ALERT_SHARE)


def describe_remaining(delta: dt.timedelta) -> str:
    """'5 hours 20 minutes left' or '3 hours 5 minutes overdue'."""
    seconds = int(delta.total_seconds())
    late = seconds < 0
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes or not hours:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts) + (" overdue" if late else " left")
