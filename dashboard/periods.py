"""Periods of an indicator: monthly, quarterly or annual, as data (pure functions, no Django).

A period is stored as the date of its first day. Quarters are those of the NHS financial year
(Q1 is April to June, so Q4 starts on 1 January); a year is a financial year (1 April to
31 March), as NHS England publishes them. Each series is regular at its indicator's frequency:
the SPC rules count points, whatever a point's length.
"""

from __future__ import annotations

import datetime as dt

MONTHLY = "monthly"
QUARTERLY = "quarterly"
ANNUAL = "annual"
FREQUENCIES = (MONTHLY, QUARTERLY, ANNUAL)
MONTHS = {MONTHLY: 1, QUARTERLY: 3, ANNUAL: 12}
NOUNS = {
    MONTHLY: ("month", "months"),
    QUARTERLY: ("quarter", "quarters"),
    ANNUAL: ("year", "years"),
}
EXAMPLES = {MONTHLY: "2019-03", QUARTERLY: "2018-19 Q3", ANNUAL: "2018-19"}
# Allowed first months of a period (1 = January).
START_MONTHS = {
    MONTHLY: frozenset(range(1, 13)),
    QUARTERLY: frozenset({1, 4, 7, 10}),
    ANNUAL: frozenset({4}),
}


def months_of(frequency: str) -> int:
    return MONTHS.get(frequency, 1)


def is_start(day: dt.date, frequency: str) -> bool:
    """Is `day` the first day of a period of this frequency?"""
    return day.day == 1 and day.month in START_MONTHS.get(frequency, START_MONTHS[MONTHLY])


def start_of(day: dt.date, frequency: str) -> dt.date:
    """The first day of the period containing `day`."""
    index = day.year * 12 + day.month - 1
    if frequency == QUARTERLY:
        index -= (day.month - 1) % 3
    elif frequency == ANNUAL:
        index -= (day.month - 4) % 12
    return dt.date(index // 12, index % 12 + 1, 1)


def add(day: dt.date, frequency: str, n: int = 1) -> dt.date:
    """The start of the period `n` periods after the one starting on `day`."""
    index = day.year * 12 + day.month - 1 + n * months_of(frequency)
    return dt.date(index // 12, index % 12 + 1, 1)


def end_of(day: dt.date, frequency: str) -> dt.date:
    """The last day of the period starting on `day`."""
    return add(start_of(day, frequency), frequency) - dt.timedelta(days=1)


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def financial_year(day: dt.date) -> int:
    """The calendar year in which the financial year of `day` starts."""
    return day.year if day.month >= 4 else day.year - 1


def _fy(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def label(day: dt.date | None, frequency: str = MONTHLY, *, long: bool = False) -> str:
    """How people name a period: "Mar 2019", "Q3 2018-19", "2018-19" (long: "March 2019",
    "Q3 2018-19 (October to December 2018)", "2018-19 (April 2018 to March 2019)")."""
    if day is None:
        return ""
    if frequency == QUARTERLY:
        quarter = (day.month - 4) % 12 // 3 + 1
        text = f"Q{quarter} {_fy(financial_year(day))}"
        if long:
            last = add(day, QUARTERLY) - dt.timedelta(days=1)
            text += f" ({day:%B} to {last:%B %Y})"
        return text
    if frequency == ANNUAL:
        text = _fy(financial_year(day))
        if long:
            last = add(day, ANNUAL) - dt.timedelta(days=1)
            text += f" ({day:%B %Y} to {last:%B %Y})"
        return text
    return day.strftime("%B %Y" if long else "%b %Y")


def noun(frequency: str, n: int = 2) -> str:
    one, many = NOUNS.get(frequency, NOUNS[MONTHLY])
    return one if n == 1 else many


def grid(first: dt.date, last: dt.date, frequency: str) -> list[dt.date]:
    """Every period start from `first` to `last` (both period starts), in order."""
    out, day = [], first
    while day <= last:
        out.append(day)
        day = add(day, frequency)
    return out


def earliest_overlapping(since: dt.date, frequency: str) -> dt.date:
    """The start of the first period that ends on or after `since` (the one containing it)."""
    return start_of(since, frequency)
