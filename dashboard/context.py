"""Context a group reads beside the SPC charts: CQC ratings and NHS Oversight Framework segments.

CQC ratings come from CQC's directory spreadsheet of active locations ("HSCA Active
Locations", CSV or the workbook's first sheet), one row per registered location: `Location ODS
Code`, `Location Name`, `Location Latest Overall Rating`, `Publication Date`. An NHS trust's
hospital sites have ODS codes that start with the trust's code (RW3 -> RW3MR), so a provider
shows the latest rating of each of its locations, each with its date.

NHS Oversight Framework segments: no openly licensed file is at hand to describe its layout
from, so they are read from a small CSV of this service's own: `ods_code`, `segment` (1 to 5),
`as_of` (the publication date, YYYY-MM-DD).
"""

from __future__ import annotations

import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction

from qsg.models import Provider

from . import access, importing
from .models import ProviderContext

CQC_COLUMNS = (
    "Location ODS Code",
    "Location Name",
    "Location Latest Overall Rating",
    "Publication Date",
)
CQC_RATINGS = {"Outstanding", "Good", "Requires improvement", "Inadequate"}
NOF_COLUMNS = ("ods_code", "segment", "as_of")


def _frame(source, file_name: str) -> pd.DataFrame:
    try:
        frames = list(importing.read_table(source, file_name))
    except importing.FileProblem as problem:
        raise ValidationError(str(problem)) from None
    return pd.concat(frames, ignore_index=True)


def _require(frame: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValidationError(
            f"This is not {what}: it has no column called " + ", ".join(f"'{m}'" for m in missing)
        )


def _ours(codes: pd.Series) -> pd.Series:
    """Codes of the service's providers, or of their sites (a trust code and more)."""
    held = set(Provider.objects.values_list("ods_code", flat=True))
    codes = codes.str.strip().str.upper()
    return codes.isin(held) | codes.str.slice(0, 3).isin({c for c in held if len(c) == 3})


@transaction.atomic
def load_cqc(*, actor, source, file_name: str, label: str = "CQC directory") -> int:
    """Replace the CQC ratings of the service's providers from CQC's locations spreadsheet."""
    access.require_analyst(actor)
    frame = _frame(source, file_name)
    _require(frame, CQC_COLUMNS, "CQC's spreadsheet of active locations")
    rating = frame["Location Latest Overall Rating"].str.strip()
    when = pd.to_datetime(
        frame["Publication Date"].str.slice(0, 10), dayfirst=True, errors="coerce"
    )
    iso = pd.to_datetime(
        frame["Publication Date"].str.slice(0, 10), format="%Y-%m-%d", errors="coerce"
    )
    when = iso.fillna(when)
    keep = rating.isin(CQC_RATINGS) & when.notna() & _ours(frame["Location ODS Code"])
    rows = frame[keep]
    codes = rows["Location ODS Code"].str.strip().str.upper()
    ProviderContext.objects.filter(kind=ProviderContext.Kind.CQC).delete()
    ProviderContext.objects.bulk_create(
        [
            ProviderContext(
                kind=ProviderContext.Kind.CQC, ods_code=code, place=name.strip()[:200],
                label=value, as_of=day.date(), source=label[:200],
            )
            for code, name, value, day in zip(
                codes, rows["Location Name"], rating[keep], when[keep], strict=True
            )
        ],
        ignore_conflicts=True,
    )  # fmt: skip
    return int(keep.sum())


@transaction.atomic
def load_nof(*, actor, source, file_name: str, label: str = "NHS Oversight Framework") -> int:
    """Replace the NHS Oversight Framework segments from a CSV of ods_code, segment, as_of."""
    access.require_analyst(actor)
    frame = _frame(source, file_name)
    _require(frame, NOF_COLUMNS, "a file of segments (ods_code, segment, as_of)")
    segment = pd.to_numeric(frame["segment"], errors="coerce")
    when = pd.to_datetime(frame["as_of"], format="%Y-%m-%d", errors="coerce")
    bad = ~segment.isin([1, 2, 3, 4, 5]) | when.isna()
    if bad.any():
        first = int(frame.loc[bad, "_row"].iloc[0])
        raise ValidationError(
            f"Row {first}: give a segment from 1 to 5 and its date like 2026-03-31"
        )
    keep = _ours(frame["ods_code"])
    ProviderContext.objects.filter(kind=ProviderContext.Kind.NOF).delete()
    ProviderContext.objects.bulk_create(
        [
            ProviderContext(
                kind=ProviderContext.Kind.NOF, ods_code=code.strip().upper(), place="",
                label=f"Segment {int(seg)}", as_of=day.date(), source=label[:200],
            )
            for code, seg, day in zip(
                frame.loc[keep, "ods_code"], segment[keep], when[keep], strict=True
            )
        ],
        ignore_conflicts=True,
    )  # fmt: skip
    return int(keep.sum())


def for_provider(provider: Provider) -> dict[str, list[ProviderContext]]:
    """{"cqc": the ratings of its locations, newest first; "nof": its segment} (may be empty).
    Not sensitive: CQC ratings and segments are published."""
    code = provider.ods_code.upper()
    rows = ProviderContext.objects.filter(ods_code__startswith=code).order_by("-as_of", "place")
    out: dict[str, list[ProviderContext]] = {"cqc": [], "nof": []}
    for row in rows:
        if row.ods_code == code or (row.kind == ProviderContext.Kind.CQC and len(code) == 3):
            out[row.kind].append(row)
    return out
