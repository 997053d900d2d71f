"""Dates of birth: a date more precise than a year, after a cue."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ._text import DASH, HS

Candidate = tuple[str, int, int, str]

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")(?![^\W\d_])\.?"
_ORD = r"(?:st|nd|rd|th)?"
_DSEP = f"{HS}?[{DASH[1:-1]}/.]{HS}?"
_SP = f"{HS}{{1,3}}"

_DATE = (
    "(?:"
    rf"(?P<d1>\d{{1,2}}){_DSEP}(?P<m1>\d{{1,2}}){_DSEP}(?P<y1>\d{{4}}|\d{{2}})(?!\d)"
    rf"|(?P<y2>\d{{4}}){_DSEP}(?P<m2>\d{{1,2}}){_DSEP}(?P<d2>\d{{1,2}})(?!\d)"
    rf"|(?P<d3>\d{{1,2}}){_ORD}(?:{_SP}of)?{_SP}(?P<m3>{_MONTH})(?:,?{_SP}(?:\d{{4}}|'?\d{{2}})(?!\d))?"
    rf"|(?P<m4>{_MONTH}){_SP}(?P<d4>\d{{1,2}}){_ORD}(?!\d)(?:,?{_SP}\d{{4}}(?!\d))?"
    rf"|(?P<m5>{_MONTH}),?{_SP}\d{{4}}(?!\d)"
    r"|(?P<d6>\d{2})(?P<m6>\d{2})(?:\d{4}|\d{2})(?!\d)"
    rf"|(?P<m7>\d{{1,2}}){_DSEP}\d{{4}}(?!\d)"
    # 12-Mar-1950
    rf"|(?P<d8>\d{{1,2}}){_DSEP}(?P<m8>{_MONTH}){_DSEP}(?:\d{{4}}|\d{{2}})(?!\d)"
    ")"
)
# Cue words may be broken up by dots, dashes, underscores or spaces ("d-o-b",
# "date_of_birth", "DateOfBirth", "date - of - birth").
_B = r"[ \t._/-]{0,3}"
_FILLER = r"(?:is|was|of|on|the|as|recorded|given|listed|noted|stated|being)"
_DOB_RE = re.compile(
    r"(?<![^\W_])"
    rf"(?P<cue>d{_B}o{_B}b\b\.?|date{_B}of{_B}birth|birth{_B}date|born(?:{_SP}on)?|(?-i:b\.))"
    rf"(?:{HS}{{0,3}}[:=\-\u2013])?{HS}{{0,3}}"
    rf"(?:{_FILLER}{_SP}){{0,3}}"
    rf"(?P<date>{_DATE})",
    re.IGNORECASE,
)


def _month_number(token: str | None) -> int | None:
    if token is None:
        return None
    if token.isdecimal():
        return int(token)
    return _MONTHS.get(token.rstrip(".").lower())


def _plausible(day: int | None, month: int | None) -> bool:
    if month is None:
        return False
    if day is None:
        return 1 <= month <= 12
    return (1 <= day <= 31 and 1 <= month <= 12) or (1 <= month <= 31 and 1 <= day <= 12)


def dob_candidates(text: str) -> Iterable[Candidate]:
    for m in _DOB_RE.finditer(text):
        day = month = None
        for d, mo in (
            ("d1", "m1"),
            ("d2", "m2"),
            ("d3", "m3"),
            ("d4", "m4"),
            ("d6", "m6"),
            ("d8", "m8"),
        ):
            if m.group(mo) is not None:
                day, month = int(m.group(d)), _month_number(m.group(mo))
                break
        else:
            month = _month_number(m.group("m5") or m.group("m7"))
        if not _plausible(day, month):
            continue
        date_start = m.start("date")
        excerpt = text[m.start() : date_start] + re.sub(r"\w", "*", m.group("date"))
        yield "date_of_birth", m.start(), m.end(), excerpt
