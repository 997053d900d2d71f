"""Ids as people and programs type them: one range, checked where they come in.

Every table's key is a BigAutoField, so an id is a whole number from 1 to 2**63 - 1. A number
outside that range names nothing; it is refused at the edge (URL converter, API filter,
serializer field, page parameter) with a clear message, never passed to the database, where
SQLite raises OverflowError and a 500 follows.
"""

from __future__ import annotations

from django.urls.converters import IntConverter

ID_MIN = 1
ID_MAX = 2**63 - 1
ID_DIGITS = len(str(ID_MAX))
OUT_OF_RANGE = f"Enter an id from {ID_MIN} to {ID_MAX}"
SCHEMA = {"type": "integer", "minimum": ID_MIN, "maximum": ID_MAX}


def parse_id(value) -> int | None:
    """The id `value` stands for, or None if it is not a whole number in range.

    Accepts an int (not a bool) or a string of ASCII digits (surrounding spaces allowed)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not text.isascii() or not text.isdigit() or len(text.lstrip("0")) > ID_DIGITS:
            return None
        number = int(text)
    else:
        return None
    return number if ID_MIN <= number <= ID_MAX else None


class IdConverter(IntConverter):
    """`<id:pk>` in a URL: an id in range, else the pattern does not match (404). A kind of
    `int` converter, so code that walks the URL configuration still sees an integer."""

    regex = f"[0-9]{{1,{ID_DIGITS}}}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(value)
        return number

    def to_url(self, value) -> str:
        return str(int(value))
