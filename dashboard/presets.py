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
  CANCER_62D. Months with no patients are left out.
* NHS Oversight Framework metrics (CSV, long format, as its metadata page describes it):
  `Trust_code`, `Metric_ID`, `Metric_description`, `Reporting_date` (``Mar-26``), `Units`,
  `Value`, with the medians, quartiles and ranks beside them. A metric loads into the catalogue's
  indicator coded ``NOF_`` and its Metric_ID (``NOF_OF0005``); the preview lists the metrics
  with no such indicator, which an analyst can add to the catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

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


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    source: str
    needs: tuple[str, ...]  # every one of these columns, exactly
    build: Callable[[pd.DataFrame], tuple[pd.DataFrame, dict]]
    alternatives: tuple[tuple[str, ...], ...] = ()  # one of each group must be present

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
    within = pd.DataFrame(
        {
            "provider": grouped["provider"],
            "indicator": "RTT_WITHIN_18WK",
            "period": grouped["period"],
            "value": np.nan,
            "numerator": grouped["within"],
            "denominator": grouped["all"],
        }
    )
    empty = within["denominator"] <= 0
    over = pd.DataFrame(
        {
            "provider": grouped["provider"],
            "indicator": "RTT_OVER_52WK",
            "period": grouped["period"],
            "value": grouped["over52"],
            "numerator": np.nan,
            "denominator": np.nan,
        }
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
    out = pd.DataFrame(
        {
            "provider": code,
            "indicator": "AE_4HR",
            "period": _month_year(frame["Period"]),
            "value": np.nan,
            "numerator": over,
            "denominator": attendances,
        }
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
    )[known]
    grouped = parts.groupby(["provider", "indicator", "period"], as_index=False, sort=True).sum()
    empty = grouped["denominator"] <= 0
    grouped = grouped[~empty].assign(value=np.nan)[STANDARD_OUT]
    other = sorted(set(frame.loc[~known, "STANDARD"].str.strip()) - {""})
    notes = {
        "rows_read": len(frame),
        "rows_used": int(known.sum()),
        "left_out": {
            "other standards" + (f" ({', '.join(other[:5])})" if other else ""): int(
                (~known).sum()
            ),
            "months with no patients": int(empty.sum()),
        },
    }
    return grouped.reset_index(drop=True), notes


_MON_YY = re.compile(r"^([A-Za-z]{3})-(\d{2})$")
_ABBR = {m[:3]: n for m, n in MONTHS.items()}


def _mon_yy(text: pd.Series) -> pd.Series:
    """'Mar-26' -> '2026-03' (blank when the reporting date is not a month, e.g. a plan)."""
    found = text.str.strip().str.extract(_MON_YY)
    month = found[0].str.lower().map(_ABBR)
    out = "20" + found[1] + "-" + month.map(lambda m: f"{int(m):02d}" if pd.notna(m) else "")
    return out.where(month.notna(), "")


def _nof(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """One row per trust x metric x reporting date; a metric loads into the indicator whose code
    is NOF_ and its Metric_ID (NOF_OF0005), when the catalogue has one."""
    metric = "NOF_" + frame["Metric_ID"].str.strip().str.upper()
    period = _mon_yy(frame["Reporting_date"])
    value = pd.to_numeric(frame["Value"].str.replace(",", "", regex=False), errors="coerce")
    dated = period != ""
    valued = value.notna()
    out = pd.DataFrame(
        {
            "provider": frame["Trust_code"].str.strip().str.upper(),
            "indicator": metric,
            "period": period,
            "value": value,
            "numerator": np.nan,
            "denominator": np.nan,
        }
    )[dated & valued]
    notes = {
        "rows_read": len(frame),
        "rows_used": int((dated & valued).sum()),
        "left_out": {
            "reporting dates that are not a month (plans, years)": int((~dated).sum()),
            "no value": int((dated & ~valued).sum()),
        },
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
]


def recognise(columns) -> Preset | None:
    return next((p for p in PRESETS if p.matches(columns)), None)


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
