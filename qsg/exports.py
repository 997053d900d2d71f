"""CSV and Excel exports that a spreadsheet cannot turn into formulas.

Every file the workspace hands out for a spreadsheet goes through here. A cell that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel, LibreOffice and Google
Sheets as a formula (OWASP "CSV injection"); a member's free text in such a cell could run
``=HYPERLINK(...)`` or DDE when a colleague opens the export. :func:`neutralise` prefixes those
cells with a single quote, which spreadsheets show as text and do not evaluate. Numbers (real
``int``/``float``/``Decimal`` values, and text that is exactly a plain number such as ``-1.5``)
are left alone so that figures stay figures. Bidi controls are removed first (qsg.text), so they
can neither hide a leading ``=`` nor reorder what the reader sees.

Use :func:`csv_response` for a download and :func:`write_csv` for a file on disk.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .text import without_bidi_controls

if TYPE_CHECKING:
    from django.http import HttpResponse

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise(value: Any) -> Any:
    """Return the value as a spreadsheet should store it: formula-like text gets a leading quote."""
    if value is None or isinstance(value, bool | int | float | Decimal | dt.date | dt.datetime):
        return value
    text = without_bidi_controls(str(value))
    if text[:1] in TRIGGERS and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [neutralise(v) for v in values]


def safe_filename(stem: str, suffix: str, fallback: str = "export") -> str:
    """A download name with only letters, digits, '-' and '_' (nothing to break the header)."""
    stem = stem[:60]
    cleaned = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in stem)
    cleaned = cleaned.strip("-") or fallback
    return f"{cleaned}{suffix}"


def write_csv(handle, header: Iterable[str] | None, rows: Iterable[Iterable[Any]]) -> None:
    """Write neutralised rows to an open text handle (opened with newline="")."""
    writer = csv.writer(handle)
    if header is not None:
        writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(safe_row(row))


def csv_text(header: Iterable[str] | None, rows: Iterable[Iterable[Any]]) -> str:
    out = io.StringIO()
    write_csv(out, header, rows)
    return out.getvalue()


def csv_response(
    filename: str, header: Iterable[str] | None, rows: Iterable[Iterable[Any]]
) -> HttpResponse:
    """A CSV attachment. ``filename`` is cleaned; pass a stem with or without '.csv'."""
    from django.http import HttpResponse

    stem = filename[:-4] if filename.lower().endswith(".csv") else filename
    response = HttpResponse(csv_text(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(stem, ".csv")}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
