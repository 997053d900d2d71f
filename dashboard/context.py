"""Context a group reads beside the SPC charts: CQC ratings and NHS Oversight Framework segments.

CQC ratings. The trust's own overall rating comes from CQC's latest ratings spreadsheet, sheet
"Providers" (or that sheet saved as CSV): one row per provider x service or population group x
domain, `Provider ODS Code`, `Provider Name`, `Service / Population Group`, `Domain`, `Latest
Rating`, `Publication Date`; the provider-level row is the one whose domain (and service group)
is ``Overall``. The ratings of its registered locations may be loaded too, from CQC's
spreadsheet of active locations ("HSCA Active Locations": `Location ODS Code`, `Location
Name`, `Location Latest Overall Rating`, `Publication Date`; a trust's sites have ODS codes
that start with its code, RW3 -> RW3MR): the page leads with the trust's rating and lists its
locations' below it. Each load replaces the ratings of its own level.

NHS Oversight Framework segments come from NHS England's NOF metrics CSV as published (the
adjusted segment, Metric_ID OF5000, per trust and quarter; see presets.nof_segments), through
the upload's preview or this module's loader, or from a small CSV of this service's own:
`ods_code`, `segment` (1 to 5), `as_of` (the publication date, YYYY-MM-DD).
"""

from __future__ import annotations

import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction

from qsg.models import Provider

from . import access, importing, presets
from .models import ProviderContext

CQC_COLUMNS = (
    "Location ODS Code",
    "Location Name",
    "Location Latest Overall Rating",
    "Publication Date",
)
CQC_PROVIDER_COLUMNS = ("Provider ODS Code", "Domain", "Latest Rating", "Publication Date")
CQC_PROVIDERS_SHEET = importing.Sheet("Providers", header_has=("Provider ODS Code", "Domain"))
CQC_RATINGS = {"Outstanding", "Good", "Requires improvement", "Inadequate"}
NOF_COLUMNS = ("ods_code", "segment", "as_of")


def _frame(source, file_name: str, sheet: importing.Sheet | None = None) -> pd.DataFrame:
    try:
        frames = list(importing.read_table(source, file_name, sheet=sheet))
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


def _dates(text: pd.Series) -> pd.Series:
    """Publication dates as CQC writes them: 2024-03-14 or 14/03/2024."""
    day = text.str.slice(0, 10)
    iso = pd.to_datetime(day, format="%Y-%m-%d", errors="coerce")
    return iso.fillna(pd.to_datetime(day, format="%d/%m/%Y", errors="coerce"))


def _replace(kind: str, rows: list[ProviderContext], *, where: dict) -> None:
    ProviderContext.objects.filter(kind=kind, **where).delete()
    ProviderContext.objects.bulk_create(rows, ignore_conflicts=True)


def _cqc_trusts(frame: pd.DataFrame, label: str) -> int:
    """The provider-level overall rating of each of the service's trusts (CQC's Providers sheet)."""
    held = set(Provider.objects.values_list("ods_code", flat=True))
    codes = frame["Provider ODS Code"].str.strip().str.upper()
    overall = frame["Domain"].str.strip().str.lower().eq("overall")
    if "Service / Population Group" in frame.columns:
        group = frame["Service / Population Group"].str.strip().str.lower()
        overall &= group.isin(["overall", ""])
    rating, when = frame["Latest Rating"].str.strip(), _dates(frame["Publication Date"])
    keep = overall & rating.isin(CQC_RATINGS) & when.notna() & codes.isin(held)
    rows = [
        ProviderContext(
            kind=ProviderContext.Kind.CQC, ods_code=code, place="", label=value,
            as_of=day.date(), source=label[:200],
        )
        for code, value, day in zip(codes[keep], rating[keep], when[keep], strict=True)
    ]  # fmt: skip
    _replace(ProviderContext.Kind.CQC, rows, where={"place": ""})
    return len(rows)


@transaction.atomic
def load_cqc(*, actor, source, file_name: str, label: str = "CQC ratings") -> int:
    """Replace the CQC ratings of the service's providers: the trusts' own overall ratings from
    CQC's latest ratings spreadsheet (its Providers sheet), or their locations' ratings from
    CQC's spreadsheet of active locations."""
    access.require_analyst(actor)
    if isinstance(source, bytes | bytearray | memoryview):
        sheets = importing.sheet_names(bytes(source))
    else:
        sheets = []
    has_providers = "providers" in {n.strip().lower() for n in sheets}
    frame = _frame(source, file_name, CQC_PROVIDERS_SHEET if has_providers else None)
    if all(c in frame.columns for c in CQC_PROVIDER_COLUMNS):
        return _cqc_trusts(frame, label)
    if not all(c in frame.columns for c in CQC_COLUMNS):
        raise ValidationError(
            "This is not CQC's ratings spreadsheet (its Providers sheet, with columns "
            + ", ".join(f"'{c}'" for c in CQC_PROVIDER_COLUMNS)
            + ") nor its spreadsheet of active locations: it has no column called "
            + ", ".join(f"'{m}'" for m in CQC_COLUMNS if m not in frame.columns)
        )
    rating = frame["Location Latest Overall Rating"].str.strip()
    when = _dates(frame["Publication Date"])
    keep = rating.isin(CQC_RATINGS) & when.notna() & _ours(frame["Location ODS Code"])
    rows = frame[keep]
    codes = rows["Location ODS Code"].str.strip().str.upper()
    places = [
        name.strip()[:200] or code for code, name in zip(codes, rows["Location Name"], strict=True)
    ]
    _replace(
        ProviderContext.Kind.CQC,
        [
            ProviderContext(
                kind=ProviderContext.Kind.CQC, ods_code=code, place=place,
                label=value, as_of=day.date(), source=label[:200],
            )
            for code, place, value, day in zip(
                codes, places, rating[keep], when[keep], strict=True
            )
        ],
        where={"place__gt": ""},
    )  # fmt: skip
    return int(keep.sum())


def store_segments(*, actor, segments: pd.DataFrame, source: str) -> int:
    """Replace the NOF segments of the trusts in `segments` (provider, segment, quarter, as_of),
    one per trust and quarter."""
    access.require_analyst(actor)
    codes = sorted(set(segments["provider"]))
    _replace(
        ProviderContext.Kind.NOF,
        [
            ProviderContext(
                kind=ProviderContext.Kind.NOF, ods_code=code, place=quarter,
                label=f"Segment {int(seg)}", as_of=day, source=source[:200],
            )
            for code, seg, quarter, day in zip(
                segments["provider"], segments["segment"], segments["quarter"],
                segments["as_of"], strict=True,
            )
        ],
        where={"ods_code__in": codes},
    )  # fmt: skip
    return len(segments)


@transaction.atomic
def load_nof(*, actor, source, file_name: str, label: str = "NHS Oversight Framework") -> int:
    """Replace the NHS Oversight Framework segments from a CSV of ods_code, segment, as_of."""
    access.require_analyst(actor)
    frame = _frame(source, file_name)
    if presets.by_key("nof-metrics-csv").matches(frame.columns):
        segments = presets.nof_segments(frame)
        segments = segments[_ours(segments["provider"]) & segments["provider"].str.len().gt(0)]
        return store_segments(actor=actor, segments=segments, source=label)
    _require(frame, NOF_COLUMNS, "NHS England's NOF metrics CSV nor a file of segments "
             "(ods_code, segment, as_of)")  # fmt: skip
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
    """{"trust": its own CQC rating; "cqc": the ratings of its locations, newest first; "nof":
    its segments, latest first} (each may be empty). Not sensitive: all are published."""
    code = provider.ods_code.upper()
    rows = ProviderContext.objects.filter(ods_code__startswith=code).order_by("-as_of", "place")
    out: dict[str, list[ProviderContext]] = {"trust": [], "cqc": [], "nof": []}
    for row in rows:
        if row.kind == ProviderContext.Kind.CQC and row.ods_code == code and not row.place:
            out["trust"].append(row)
        elif row.ods_code == code or (row.kind == ProviderContext.Kind.CQC and len(code) == 3):
            out[row.kind].append(row)
    return out
