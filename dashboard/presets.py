"""NHS England's published files, as downloaded: recognise the layout, turn it into the standard
columns (provider, indicator, period, value, numerator, denominator). Pure pandas, no Django.

Layouts, as NHS England publishes them (column names exactly as in the files):

* RTT waiting times, "Full CSV data file" (monthly): one row per provider x commissioner x RTT
  part x treatment function; `Period` like ``RTT-June-2026``; week bands ``Gt 00 To 01 Weeks SUM
  1`` ... ``Gt 103 To 104 Weeks SUM 1`` and ``Gt 104 Weeks SUM 1``; ``Total All``. Read: part
  ``Part_2`` (incomplete pathways), treatment function ``C_999`` (Total), summed over
  commissioners: RTT_WITHIN_18WK (bands up to 18 weeks out of Total All) and RTT_OVER_52WK
  (bands from 52 weeks).
* Monthly A&E attendances and emergency admissions (CSV): `Period` like ``MSitAE-MARCH-2026``,
  `Org Code`, ``A&E attendances Type 1``, ``Attendances over 4hrs Type 1``: AE_4HR (type 1
  attendances over 4 hours out of type 1 attendances; organisations with no type 1
  department are left out).
* Cancer Waiting Times provider data extract (CWT-CRS, CSV or the workbook's first sheet):
  `PERIOD`, `STANDARD` (``28-day FDS``, ``31-day Combined``, ``62-day Combined``), `ORG CODE`,
  `TOTAL` (``TOTAL TREATED`` in older extracts), `WITHIN STANDARD`, one row per cancer type,
  route and modality: summed per provider, month and standard into CANCER_FDS28, CANCER_31D and
  CANCER_62D. Months with no patients are left out. Where an extract also carries subtotal or
  total rows ("All" in a breakdown column, "ALL CANCERS"), only the breakdown rows are summed;
  a provider, month and standard given only as a total is read from its grand total row.
* KH03 bed availability and occupancy, overnight (quarterly workbook, "NHS organisations in
  England"): sheet ``NHS Trust by Sector``, a title block above the table, group headings
  (``Available``, ``Occupied``, ``% Occupied``) over a header row (about row 15) of ``Year``
  (``2018-19``), ``Period End`` (``December``), the region's code, ``Org Code``, ``Org Name``
  and per group ``Total``, ``General & Acute``, ``Learning Disabilities``, ``Maternity``,
  ``Mental Illness``; the England row first. BED_OCCUPANCY: general and acute beds occupied
  out of those available, in the financial-year quarter that ends in the named month.
* NHS Oversight Framework metrics (CSV, long format, as its metadata page describes it):
  `Trust_code`, `Metric_ID`, `Metric_description`, `Reporting_date` (``Mar-26``), `Units`,
  `Value`, with the medians, quartiles and ranks beside them. A metric loads into the catalogue's
  indicator coded ``NOF_`` and its Metric_ID (``NOF_OF0005``); the preview lists the metrics
  with no such indicator, which an analyst can add to the catalogue. Files since Q3 2025/26
  add a `Quarter` column (``Q3 2025/26``) and repeat earlier quarters: each figure is read once,
  from its latest quarter. The segment (Metric_ID ``OF5000``, the adjusted segment, 1 to 5) is
  not an indicator: it is stored as the provider's context for its quarter, shown on the
  provider page with the quarter's end.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .importing import Sheet

MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["january", "february", "march", "april", "may", "june", "july", "august",
         "september", "october", "november", "december"]
    )
}  # fmt: skip
_MONTH_YEAR = re.compile(r"(" + "|".join(MONTHS) + r")[\s_-]+(\d{4})", re.IGNORECASE)
STANDARD_OUT = ["provider", "indicator", "period", "value", "numerator", "denominator"]


def band_columns() -> list[str]:
    """The 105 week bands of the RTT full CSV, in order."""
    return [f"Gt {i:02d} To {i + 1:02d} Weeks SUM 1" for i in range(104)] + ["Gt 104 Weeks SUM 1"]


def _month_year(text: pd.Series) -> pd.Series:
    """'RTT-June-2026', 'MSitAE-MARCH-2026' -> '2026-06' (blank when not found)."""
    found = text.str.extract(_MONTH_YEAR)
    month = found[0].str.lower().map(MONTHS)
    out = found[1] + "-" + month.map(lambda m: f"{int(m):02d}" if pd.notna(m) else "")
    return out.where(month.notna() & found[1].notna(), "")


def _number(frame: pd.DataFrame, column: str) -> pd.Series:
    text = frame[column].astype(str).str.replace(",", "", regex=False).str.strip()
    return pd.to_numeric(text.replace({"": "0", "-": "0", "*": "0"}), errors="coerce")


def _standard(provider, indicator, period, *, value=np.nan, numerator=np.nan, denominator=np.nan):
    """Rows in the standard columns (a rate's value is left for the import to work out)."""
    return pd.DataFrame(
        {
            "provider": provider,
            "indicator": indicator,
            "period": period,
            "value": value,
            "numerator": numerator,
            "denominator": denominator,
        }
    )


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    source: str
    needs: tuple[str, ...]  # every one of these columns, exactly
    build: Callable[[pd.DataFrame], tuple[pd.DataFrame, dict]]
    alternatives: tuple[tuple[str, ...], ...] = ()  # one of each group must be present
    sheet: Sheet | None = None  # a workbook's sheet other than the first, and its header

    def matches(self, columns) -> bool:
        present = {str(c).strip() for c in columns}
        return set(self.needs) <= present and all(
            any(a in present for a in group) for group in self.alternatives
        )


def _rtt(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    bands = band_columns()
    keep = (frame["RTT Part Type"].str.strip() == "Part_2") & (
        frame["Treatment Function Code"].str.strip() == "C_999"
    )
    part = frame[keep]
    period = _month_year(part["Period"])
    numbers = pd.DataFrame({b: _number(part, b) for b in bands if b in part.columns})
    grouped = pd.DataFrame(
        {
            "provider": part["Provider Org Code"].str.strip().str.upper(),
            "period": period,
            "within": numbers[bands[:18]].fillna(0).sum(axis=1),
            "over52": numbers[bands[52:]].fillna(0).sum(axis=1),
            "all": _number(part, "Total All"),
        }
    )
    grouped = grouped.groupby(["provider", "period"], as_index=False, sort=True).sum()
    grouped = grouped[grouped["period"] != ""]
    within = _standard(
        grouped["provider"], "RTT_WITHIN_18WK", grouped["period"],
        numerator=grouped["within"], denominator=grouped["all"],
    )  # fmt: skip
    empty = within["denominator"] <= 0
    over = _standard(
        grouped["provider"], "RTT_OVER_52WK", grouped["period"], value=grouped["over52"]
    )
    notes = {
        "rows_read": len(frame),
        "rows_used": int(keep.sum()),
        "left_out": {"no incomplete pathways": int(empty.sum())},
    }
    return pd.concat([within[~empty], over], ignore_index=True), notes


def _ae(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    code = frame["Org Code"].str.strip().str.upper()
    attendances = _number(frame, "A&E attendances Type 1")
    over = _number(frame, "Attendances over 4hrs Type 1")
    total_row = code.isin(["TOTAL", ""]) | frame["Org name"].str.strip().str.upper().eq("TOTAL")
    type1 = ~total_row & (attendances > 0)
    out = _standard(
        code, "AE_4HR", _month_year(frame["Period"]), numerator=over, denominator=attendances
    )[type1]
    notes = {
        "rows_read": len(frame),
        "rows_used": int(type1.sum()),
        "left_out": {
            "the England total": int(total_row.sum()),
            "no type 1 department": int((~total_row & ~type1).sum()),
        },
    }
    return out.reset_index(drop=True), notes


CWT_STANDARDS = {
    "28-day fds": "CANCER_FDS28",
    "31-day combined": "CANCER_31D",
    "62-day combined": "CANCER_62D",
}


_TOTAL = re.compile(r"^(all(?!\s+other)\b.*|total\b.*|.*\btotals?)$", re.IGNORECASE)
CWT_BREAKDOWNS = ("CANCER TYPE", "STAGE/ROUTE", "TREATMENT MODALITY")


def _cwt_parts(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(rows that are a breakdown, rows that are a grand total) of each row's breakdown columns:
    a subtotal ('All' in some of them) is neither."""
    present = [c for c in CWT_BREAKDOWNS if c in frame.columns]
    if not present:
        every = pd.Series(True, index=frame.index)
        return every, ~every
    cells = frame[present].apply(lambda s: s.str.strip())
    total = cells.apply(lambda s: s.str.match(_TOTAL))
    blank = cells == ""
    detail = ~total.any(axis=1)
    grand = (total | blank).all(axis=1) & total.any(axis=1)
    return detail, grand


def _cwt(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    total_col = "TOTAL" if "TOTAL" in frame.columns else "TOTAL TREATED"
    standard = frame["STANDARD"].str.strip().str.lower().map(CWT_STANDARDS)
    known = standard.notna()
    parts = pd.DataFrame(
        {
            "provider": frame["ORG CODE"].str.strip().str.upper(),
            "indicator": standard,
            "period": frame["PERIOD"].str.strip().str.slice(0, 10),
            "numerator": _number(frame, "WITHIN STANDARD"),
            "denominator": _number(frame, total_col),
        }
    )
    detail, grand = _cwt_parts(frame)
    keys = ["provider", "indicator", "period"]
    # a provider-month-standard with breakdown rows is summed from them; one given only as a
    # total is read from its grand total row; subtotals are never added in
    has_detail = parts[known & detail][keys].drop_duplicates().assign(_detail=True)
    marked = parts.merge(has_detail, on=keys, how="left")["_detail"].notna().to_numpy()
    use = known & (detail | (grand & ~marked))
    grouped = parts[use].groupby(keys, as_index=False, sort=True).sum()
    empty = grouped["denominator"] <= 0
    grouped = grouped[~empty].assign(value=np.nan)[STANDARD_OUT]
    other = sorted(set(frame.loc[~known, "STANDARD"].str.strip()) - {""})
    notes = {
        "rows_read": len(frame),
        "rows_used": int(use.sum()),
        "left_out": {
            "other standards" + (f" ({', '.join(other[:5])})" if other else ""): int(
                (~known).sum()
            ),
            "subtotal and total rows (the breakdown rows are summed instead)": int(
                (known & ~use).sum()
            ),
            "months with no patients": int(empty.sum()),
        },
    }
    return grouped.reset_index(drop=True), notes


_FY = re.compile(r"^(\d{4})\s*[-/]\s*(\d{2}|\d{4})$")


def _quarter_start(year: pd.Series, period_end: pd.Series) -> pd.Series:
    """('2018-19', 'December') -> '2018-10-01': the financial-year quarter ending in that month
    (a date such as 2018-12-31 is read as its month). Blank when either is not understood."""
    fy = year.str.strip().str.extract(_FY)[0]
    text = period_end.str.strip().str.lower()
    month = text.map(MONTHS).fillna(text.str.slice(0, 3).map(_ABBR))
    dated = pd.to_datetime(text.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    month = month.fillna(dated.dt.month)
    start_month = month - 2
    ok = fy.notna() & month.isin([3, 6, 9, 12])
    calendar_year = pd.to_numeric(fy, errors="coerce") + (month <= 3)
    out = calendar_year.map(lambda y: f"{int(y)}" if pd.notna(y) else "") + "-"
    out = out + start_month.map(lambda m: f"{int(m):02d}" if pd.notna(m) else "") + "-01"
    return out.where(ok, "")


def _kh03(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    code = frame["Org Code"].str.strip().str.upper()
    period = _quarter_start(frame["Year"], frame["Period End"])
    available = _number(frame, "Available General & Acute")
    occupied = _number(frame, "Occupied General & Acute")
    england = frame["Org Name"].str.strip().str.lower().eq("england") | (code == "")
    data = ~england & (period != "")
    beds = data & (available > 0)
    out = _standard(code, "BED_OCCUPANCY", period, numerator=occupied, denominator=available)[beds]
    notes = {
        "rows_read": len(frame),
        "rows_used": int(beds.sum()),
        "left_out": {
            "the England total": int((england & (period != "")).sum()),
            "notes and rows with no quarter": int((~england & (period == "")).sum()),
            "no general and acute beds": int((data & ~beds).sum()),
        },
    }
    return out.reset_index(drop=True), notes


_MON_YY = re.compile(r"^([A-Za-z]{3})-(\d{2})$")
_ABBR = {m[:3]: n for m, n in MONTHS.items()}


def _mon_yy(text: pd.Series) -> pd.Series:
    """'Mar-26' -> '2026-03' (blank when the reporting date is not a month, e.g. a plan)."""
    found = text.str.strip().str.extract(_MON_YY)
    month = found[0].str.lower().map(_ABBR)
    out = "20" + found[1] + "-" + month.map(lambda m: f"{int(m):02d}" if pd.notna(m) else "")
    return out.where(month.notna(), "")


_QUARTER = re.compile(r"^Q([1-4])\s+(\d{4})\s*[/-]\s*(\d{2})$", re.IGNORECASE)
SEGMENT_METRICS = {"OF5000"}  # the adjusted (overall) segment, 1 to 5


def nof_quarter(text: str) -> tuple[str, dt.date] | None:
    """A NOF file's period as (its quarter, the quarter's last day): 'Q3 2025/26' (the Quarter
    column) or a reporting month 'Mar-26' (the quarter it ends or falls in). None otherwise."""
    text = (text or "").strip()
    found = _QUARTER.match(text)
    if found:
        quarter, fy = int(found[1]), int(found[2])
        end_month = 3 * quarter + 3  # Q1 ends in June; Q4 in March of the next year
        year = fy + (end_month > 12)
        end_month = end_month - 12 if end_month > 12 else end_month
    else:
        month = _MON_YY.match(text)
        if not month or month[1].lower() not in _ABBR:
            return None
        number, year = _ABBR[month[1].lower()], 2000 + int(month[2])
        end_month = number + (-number % 3)  # the quarter's last month
        fy = year - 1 if end_month <= 3 else year
        quarter = {6: 1, 9: 2, 12: 3, 3: 4}[end_month]
    last = (dt.date(year + (end_month == 12), end_month % 12 + 1, 1)) - dt.timedelta(days=1)
    return f"Q{quarter} {fy}/{(fy + 1) % 100:02d}", last


def nof_segments(frame: pd.DataFrame) -> pd.DataFrame:
    """The adjusted segment of each trust in each quarter of a NOF metrics file: columns
    provider, segment (1 to 5), quarter ('Q3 2025/26'), as_of (the quarter's last day)."""
    ids = frame["Metric_ID"].str.strip().str.upper()
    rows = frame[ids.isin(SEGMENT_METRICS)]
    when = rows["Quarter"] if "Quarter" in rows.columns else rows["Reporting_date"]
    dated = when.map(nof_quarter)
    segment = pd.to_numeric(rows["Value"], errors="coerce")
    good = dated.notna() & segment.isin([1, 2, 3, 4, 5])
    out = pd.DataFrame(
        {
            "provider": rows["Trust_code"].str.strip().str.upper(),
            "segment": segment,
            "quarter": dated.map(lambda d: d[0] if d else ""),
            "as_of": dated.map(lambda d: d[1] if d else None),
        }
    )[good]
    return out.drop_duplicates(["provider", "quarter"], keep="last").reset_index(drop=True)


def _nof(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """One row per trust x metric x reporting date (x quarter, in files that carry several); a
    metric loads into the indicator whose code is NOF_ and its Metric_ID (NOF_OF0005), when the
    catalogue has one; a metric given in two units (a rate and a count) into NOF_OF0048_RATE and
    NOF_OF0048_COUNT. The adjusted segment (OF5000) is the provider's context, not a metric."""
    ids = frame["Metric_ID"].str.strip().str.upper()
    units = frame["Units"].str.strip().str.upper() if "Units" in frame.columns else ""
    metric = "NOF_" + ids
    if "Units" in frame.columns:
        several = frame.assign(_id=ids, _unit=units).groupby("_id")["_unit"].transform("nunique")
        suffix = "_" + units.str.replace(r"[^A-Z0-9]+", "_", regex=True).str.strip("_")
        metric = metric.where(several <= 1, metric + suffix)
    period = _mon_yy(frame["Reporting_date"])
    value = pd.to_numeric(frame["Value"].str.replace(",", "", regex=False), errors="coerce")
    segment = ids.isin(SEGMENT_METRICS)
    dated = period != ""
    valued = value.notna()
    use = dated & valued & ~segment
    out = _standard(frame["Trust_code"].str.strip().str.upper(), metric, period, value=value)
    if "Quarter" in frame.columns:  # the same figure repeated in later quarters: the latest
        order = frame["Quarter"].map(lambda q: (nof_quarter(q) or ("", dt.date.min))[1])
        out = out.assign(_order=order)[use].sort_values("_order", kind="stable")
        out = out.drop_duplicates(["provider", "indicator", "period"], keep="last")
        repeated = int(use.sum()) - len(out)
        out = out.drop(columns="_order")
    else:
        out, repeated = out[use], 0
    notes = {
        "rows_read": len(frame),
        "rows_used": int(use.sum()) - repeated,
        "left_out": {
            "reporting dates that are not a month (plans, years)": int((~dated & ~segment).sum()),
            "no value": int((dated & ~valued & ~segment).sum()),
            "the same figure repeated in a later quarter": repeated,
        },
        "segments": nof_segments(frame),
    }
    return out.reset_index(drop=True), notes


PRESETS = [
    Preset(
        "rtt-full-csv",
        "NHS England RTT waiting times: full CSV data file",
        "NHS England RTT waiting times (full CSV)",
        (
            "Period",
            "Provider Org Code",
            "RTT Part Type",
            "Treatment Function Code",
            "Total All",
            *band_columns(),
        ),
        _rtt,
    ),
    Preset(
        "ae-monthly-csv",
        "NHS England monthly A&E attendances and emergency admissions (CSV)",
        "NHS England A&E attendances and emergency admissions",
        (
            "Period",
            "Org Code",
            "Org name",
            "A&E attendances Type 1",
            "Attendances over 4hrs Type 1",
        ),
        _ae,
    ),
    Preset(
        "cwt-provider-extract",
        "NHS England Cancer Waiting Times: provider data extract",
        "NHS England Cancer Waiting Times (provider extract)",
        ("PERIOD", "STANDARD", "ORG CODE", "WITHIN STANDARD"),
        _cwt,
        alternatives=(("TOTAL", "TOTAL TREATED"),),
    ),
    Preset(
        "nof-metrics-csv",
        "NHS Oversight Framework metrics (CSV, long format)",
        "NHS England NHS Oversight Framework metrics",
        ("Trust_code", "Metric_ID", "Metric_description", "Reporting_date", "Value"),
        _nof,
    ),
    Preset(
        "kh03-overnight",
        "NHS England KH03 bed availability and occupancy, overnight (quarterly workbook)",
        "NHS England KH03 bed availability and occupancy",
        (
            "Year",
            "Period End",
            "Org Code",
            "Org Name",
            "Available General & Acute",
            "Occupied General & Acute",
        ),
        _kh03,
        sheet=Sheet("NHS Trust by Sector", header_has=("Org Code", "Org Name")),
    ),
]


def recognise(columns, sheet: Sheet | None = None) -> Preset | None:
    return next((p for p in PRESETS if p.sheet == sheet and p.matches(columns)), None)


def sheets_to_try(names: list[str]) -> list[Sheet]:
    """The sheets of known workbook layouts that this workbook has, by name."""
    have = {n.strip().lower() for n in names}
    return [p.sheet for p in PRESETS if p.sheet is not None and p.sheet.name.lower() in have]


def by_key(key: str) -> Preset | None:
    return next((p for p in PRESETS if p.key == key), None)


def summarise(frame: pd.DataFrame, providers: set[str]) -> tuple[pd.DataFrame, list[dict], list]:
    """(rows for known providers, per indicator what will load, unknown provider codes)."""
    known = frame["provider"].isin(providers)
    unknown = sorted(set(frame.loc[~known, "provider"]))
    kept = frame[known]
    per = []
    for code, part in kept.groupby("indicator", sort=True):
        per.append(
            {
                "indicator": code,
                "values": len(part),
                "providers": part["provider"].nunique(),
                "first": part["period"].min(),
                "last": part["period"].max(),
            }
        )
    return kept.reset_index(drop=True), per, unknown


def to_csv(frame: pd.DataFrame) -> bytes:
    """The standard columns as CSV, numbers written so that float() reads them back exactly."""
    out = frame[STANDARD_OUT].copy()
    for column in ("value", "numerator", "denominator"):
        out[column] = out[column].map(lambda v: "" if pd.isna(v) else repr(float(v)))
    return out.to_csv(index=False).encode()
