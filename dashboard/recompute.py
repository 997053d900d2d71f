"""Recompute the stored SPC results and peer comparisons from the observations.

Safe to run twice or at the same time, by design:

* An import raises `SpcSeries.data_revision` of every series it changes (in its own
  transaction). A recompute reads each series' revision with its observations, and writes its
  result with a conditional replace: ``UPDATE ... WHERE data_revision = <revision read>``. If new
  data arrived meanwhile, the write is skipped and the series stays dirty
  (``computed_revision < data_revision``) for the next pass, so a slow run can never overwrite
  newer results with older ones, and two runs that read the same revision write the same thing.
* On PostgreSQL one session-level advisory lock lets one recompute run at a time (a second one
  waits, then finds little or nothing left to do); it saves work, correctness does not rest on it.

Work goes in chunks of whole series (about CHUNK_POINTS points): read (COPY out on PostgreSQL),
run the engine, write the chunk's results through a temporary staging table (COPY in, then one
UPDATE ... FROM). Memory stays bounded by the chunk whatever the national data size.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from contextlib import contextmanager

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from . import peers, periods
from .models import Indicator, Observation, PeerStat, Rebase, SpcSeries, StandardChange
from .results import EPOCH, SeriesResult, date_to_day, summarise
from .spc.engine import compute_sorted

log = logging.getLogger(__name__)

CHUNK_POINTS = 400_000
DEFAULT_SERIES_POINTS = 60
MAX_PASSES = 5
LOCK_KEY = 0x51_5347_0001  # "QSG" 1: the dashboard recompute
LOCK_WAIT_SECONDS = 600

Progress = Callable[[float, str], None]


def _postgres() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def recompute_lock(wait_seconds: float = LOCK_WAIT_SECONDS):
    """One recompute at a time per database (PostgreSQL advisory lock; a no-op elsewhere)."""
    if not _postgres():
        yield True
        return
    deadline = time.monotonic() + wait_seconds
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
            if cursor.fetchone()[0]:
                break
            if time.monotonic() > deadline:
                raise TimeoutError("another recompute held the lock for too long")
            time.sleep(0.5)
    try:
        yield True
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


# Planning ------------------------------------------------------------------------------------


def _plan(rows: list[tuple[int, int, int]]) -> list[list[tuple[int, int, int]]]:
    """Chunks of (series id, data revision, expected points) of about CHUNK_POINTS points."""
    chunks, current, size = [], [], 0
    for row in rows:
        current.append(row)
        size += row[2] or DEFAULT_SERIES_POINTS
        if size >= CHUNK_POINTS:
            chunks.append(current)
            current, size = [], 0
    if current:
        chunks.append(current)
    return chunks


def _candidates(full: bool) -> list[tuple[int, int, int]]:
    qs = SpcSeries.objects.all()
    if not full:
        qs = qs.exclude(computed_revision=F("data_revision"))
    return list(
        qs.order_by("indicator_id", "provider_id").values_list(
            "pk", "data_revision", "n_points", "indicator_id", "provider_id"
        )
    )


# Reading -------------------------------------------------------------------------------------

# One binary value per chunk, a 36-byte record per observation (series id, day, value,
# numerator, denominator; NaN for missing), in no particular order: psycopg hands COPY TO
# output over row by row, and sorting in the server cost more than numpy's sort here.
_READ_SQL = """
SELECT string_agg(
    int8send(s.id) || int4send(o.period - DATE '1970-01-01') || float8send(o.value)
        || float8send(coalesce(o.numerator, 'NaN')) || float8send(coalesce(o.denominator, 'NaN'))
        || int2send(o.provisional::int::int2),
    ''::bytea)
FROM dashboard_spcseries s
JOIN dashboard_observation o ON o.indicator_id = s.indicator_id AND o.provider_id = s.provider_id
WHERE s.id = ANY(%s)
"""
_RECORD = np.dtype(
    [
        ("series", ">i8"),
        ("day", ">i4"),
        ("value", ">f8"),
        ("numerator", ">f8"),
        ("denominator", ">f8"),
        ("provisional", ">i2"),
    ]
)

_READ_SQL_GENERIC = """
SELECT s.id, CAST(julianday(o.period) - 2440587.5 AS INTEGER), o.value, o.numerator,
       o.denominator, o.provisional
FROM dashboard_spcseries s
JOIN dashboard_observation o ON o.indicator_id = s.indicator_id AND o.provider_id = s.provider_id
WHERE s.id IN ({})
ORDER BY s.id, o.period
"""

_COLUMNS = ["series", "day", "value", "numerator", "denominator", "provisional"]


def _read(ids: list[int]) -> pd.DataFrame:
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute(_READ_SQL, [ids])
            raw = cursor.fetchone()[0]
        records = np.frombuffer(bytes(raw or b""), dtype=_RECORD)
        order = np.lexsort((records["day"], records["series"]))
        records = records[order]
        return pd.DataFrame(
            {
                "series": records["series"].astype(np.int64),
                "day": records["day"].astype(np.int32),
                "value": records["value"].astype(np.float64),
                "numerator": records["numerator"].astype(np.float64),
                "denominator": records["denominator"].astype(np.float64),
                "provisional": records["provisional"].astype(bool),
            }
        )
    with connection.cursor() as cursor:
        cursor.execute(_READ_SQL_GENERIC.format(",".join(["%s"] * len(ids))), ids)
        data = cursor.fetchall()
    frame = pd.DataFrame(data, columns=_COLUMNS)
    return frame.astype(
        {
            "series": np.int64,
            "day": np.int32,
            "value": float,
            "numerator": float,
            "denominator": float,
            "provisional": bool,
        }
    )


_RANGE_SQL = """
SELECT string_agg(
    int8send(o.provider_id) || int4send(o.period - DATE '1970-01-01') || float8send(o.value)
        || float8send(coalesce(o.numerator, 'NaN')) || float8send(coalesce(o.denominator, 'NaN'))
        || int2send(o.provisional::int::int2),
    ''::bytea)
FROM dashboard_observation o
WHERE o.indicator_id = %s AND o.provider_id BETWEEN %s AND %s
"""
_RANGE_RECORD = np.dtype(
    [
        ("provider", ">i8"),
        ("day", ">i4"),
        ("value", ">f8"),
        ("numerator", ">f8"),
        ("denominator", ">f8"),
        ("provisional", ">i2"),
    ]
)


def _read_ranges(chunk: list[tuple]) -> pd.DataFrame:
    """Observations of a chunk by (indicator, provider range): an index range scan per
    indicator instead of a join, mapped to series ids here."""
    by_indicator: dict[int, list[tuple[int, int]]] = {}
    for pk, _, _, indicator_id, provider_id in chunk:
        by_indicator.setdefault(indicator_id, []).append((provider_id, pk))
    columns: dict[str, list[np.ndarray]] = {name: [] for name in _COLUMNS}
    with connection.cursor() as cursor:
        for indicator_id, pairs in by_indicator.items():
            pairs.sort()
            providers = np.array([p for p, _ in pairs], dtype=np.int64)
            series = np.array([s for _, s in pairs], dtype=np.int64)
            cursor.execute(_RANGE_SQL, [indicator_id, int(providers[0]), int(providers[-1])])
            raw = cursor.fetchone()[0]
            rec = np.frombuffer(bytes(raw or b""), dtype=_RANGE_RECORD)
            # Native byte order once per column; every later step works on these.
            provider = rec["provider"].astype(np.int64)
            at = np.minimum(np.searchsorted(providers, provider), providers.size - 1)
            keep = providers[at] == provider
            whole = bool(keep.all())
            columns["series"].append(series[at] if whole else series[at[keep]])
            for name, dtype in _NATIVE.items():
                column = rec[name].astype(dtype)
                columns[name].append(column if whole else column[keep])
    out = {
        name: np.concatenate(parts) if parts else np.zeros(0, _NATIVE.get(name, np.int64))
        for name, parts in columns.items()
    }
    # Rows come in the index's order, (provider, period) within an indicator, so usually
    # already sorted: check the (series, day) key before paying for a sort.
    key = (out["series"] << 32) | (out["day"].astype(np.int64) + 2**31)
    if key.size > 1 and not bool(np.all(key[1:] > key[:-1])):
        order = np.argsort(key, kind="stable")
        out = {name: column[order] for name, column in out.items()}
    return pd.DataFrame(out)


_NATIVE = {
    "day": np.int32,
    "value": np.float64,
    "numerator": np.float64,
    "denominator": np.float64,
    "provisional": bool,
}


def _pairs(chunk: list[tuple]) -> list[tuple[int, int, int]]:
    """(series id, indicator id, provider id) of a chunk: from the chunk itself when the plan
    carried them (a run), else read (a chunk of ids alone). The ids go as one array: a list of
    thousands of parameters costs more to send than the rows it finds."""
    if all(len(c) >= 5 for c in chunk):
        return [(c[0], c[3], c[4]) for c in chunk]
    ids = [c[0] for c in chunk]
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, indicator_id, provider_id FROM dashboard_spcseries WHERE id = ANY(%s)",
                [ids],
            )
            return cursor.fetchall()
    rows = SpcSeries.objects.filter(pk__in=ids).order_by()
    return list(rows.values_list("pk", "indicator_id", "provider_id"))


def _series_meta(chunk: list[tuple]):
    """Per series id: (improvement code, target) from its indicator, and its rebase days."""
    rows = _pairs(chunk)
    by_pair = {}
    indicator_of = {}
    for pk, indicator_id, provider_id in rows:
        by_pair[(provider_id, indicator_id)] = pk
        indicator_of[pk] = indicator_id
    indicators = {
        i.pk: (i.direction_code, i.target, periods.months_of(i.frequency))
        for i in Indicator.objects.filter(pk__in=set(indicator_of.values()))
    }
    rebases: dict[int, list[int]] = {}
    # Rebases are few (an analyst's decision each): all of the chunk's indicators', matched here.
    for provider_id, indicator_id, period in Rebase.objects.filter(
        indicator_id__in=set(indicator_of.values())
    ).values_list("provider_id", "indicator_id", "period"):
        pk = by_pair.get((provider_id, indicator_id))
        if pk is not None:
            rebases.setdefault(pk, []).append(date_to_day(period))
    # A standard redefined part-way: every provider's series of the indicator starts afresh.
    changes: dict[int, list[int]] = {}
    for indicator_id, period in StandardChange.objects.filter(
        indicator_id__in=set(indicator_of.values())
    ).values_list("indicator_id", "period"):
        changes.setdefault(indicator_id, []).append(date_to_day(period))
    if changes:
        for pk, indicator_id in indicator_of.items():
            for day in changes.get(indicator_id, ()):
                if day not in rebases.get(pk, ()):
                    rebases.setdefault(pk, []).append(day)
    return indicator_of, indicators, rebases


def fill_gaps(frame: pd.DataFrame, series_ids: np.ndarray, steps: np.ndarray) -> pd.DataFrame:
    """Rows sorted by (series, day), with a missing row (NaN) for every period absent between a
    series' first and last: a gap breaks every run and moving range, as a missing value does,
    so the rules never treat the periods either side of it as neighbours. `steps` gives each
    series' period in months (1, 3 or 12), aligned with `series_ids`."""
    if frame.empty:
        return frame
    series = frame["series"].to_numpy()
    months = (
        frame["day"].to_numpy(dtype="int64").astype("datetime64[D]").astype("datetime64[M]")
    ).astype(np.int64)
    starts = np.searchsorted(series, series_ids, side="left")
    ends = np.searchsorted(series, series_ids, side="right")
    count = ends - starts
    has = count > 0
    span = np.zeros_like(count)
    span[has] = (months[ends[has] - 1] - months[starts[has]]) // steps[has] + 1
    gappy = np.flatnonzero(has & (span > count))
    if not gappy.size:
        return frame
    pieces = []
    for k in gappy.tolist():
        a, b = int(starts[k]), int(ends[k])
        have = months[a:b]
        full = np.union1d(np.arange(have[0], have[-1] + 1, int(steps[k])), have)
        missing = np.setdiff1d(full, have)
        days = missing.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
        pieces.append(
            pd.DataFrame(
                {
                    "series": np.full(missing.size, series_ids[k], dtype=np.int64),
                    "day": days.astype(np.int32),
                    "value": np.nan,
                    "numerator": np.nan,
                    "denominator": np.nan,
                    "provisional": False,
                }
            )
        )
    out = pd.concat([frame, *pieces], ignore_index=True)
    return out.sort_values(["series", "day"], kind="stable", ignore_index=True)


def compute_chunk(chunk: list[tuple], *, dense: bool = False) -> list[SeriesResult]:
    """Read and compute one chunk of series: (id, data revision, expected points[, indicator id,
    provider id]). `dense`: the chunk holds every series of its indicators' provider ranges
    (a full recompute), so observations are read by index range. Nothing is written."""
    ids = sorted(c[0] for c in chunk)
    revisions = {c[0]: c[1] for c in chunk}
    frame = _read_ranges(chunk) if dense and _postgres() else _read(ids)
    indicator_of, indicators, rebases = _series_meta(chunk)
    present = [i for i in ids if i in indicator_of]
    sid = np.asarray(present, dtype=np.int64)
    steps = np.array([indicators[indicator_of[i]][2] for i in present], dtype=np.int64)
    frame = fill_gaps(frame, sid, steps)
    series = frame["series"].to_numpy()
    starts = np.searchsorted(series, sid, side="left")
    offsets = np.append(starts, series.size).astype(np.int64)
    days = frame["day"].to_numpy(dtype=np.int32)
    direction = np.array([indicators[indicator_of[i]][0] for i in present], dtype=np.int8)
    target = np.array(
        [np.nan if indicators[indicator_of[i]][1] is None else indicators[indicator_of[i]][1]
         for i in present],
        dtype=float,
    )  # fmt: skip
    rebase_group = None
    if any(i in rebases for i in present):
        rebase_group = np.zeros(series.size, dtype=np.int32)
        for k, i in enumerate(present):
            if i in rebases:
                a, b = int(offsets[k]), int(offsets[k + 1])
                d = days[a:b]
                marks = np.sort(np.asarray([r for r in rebases[i] if r in set(d.tolist())]))
                rebase_group[a:b] = np.searchsorted(marks, d, side="right")
    result = compute_sorted(
        frame["value"].to_numpy(dtype=float),
        offsets,
        rebase_group=rebase_group,
        improvement=direction,
        targets=target,
        series_ids=sid,
    )
    return summarise(
        series_ids=sid,
        revisions=np.array([revisions[i] for i in present], dtype=np.int64),
        days=days,
        numerators=frame["numerator"].to_numpy(dtype=float),
        denominators=frame["denominator"].to_numpy(dtype=float),
        provisional=frame["provisional"].to_numpy(dtype=bool),
        result=result,
        rebase_group=rebase_group,
    )


# Writing -------------------------------------------------------------------------------------

_RESULT_FIELDS = [
    "n_points",
    "first_period",
    "latest_period",
    "latest_value",
    "latest_numerator",
    "latest_denominator",
    "latest_provisional",
    "mean",
    "lpl",
    "upl",
    "target",
    "variation",
    "assurance",
    "latest_point_type",
    "latest_special_cause",
    "short_group",
    "target_missed",
    "last_concern_period",
    "last_concern_label",
    "groups",
    "points",
]

# Binary COPY: the packed points go as they are (text COPY would send them hex-encoded, twice
# the bytes, for the server to decode) and numbers need no formatting or parsing. The groups go
# as JSON text and are cast once in the UPDATE.
_STAGE_DDL = """
CREATE TEMP TABLE IF NOT EXISTS dash_spc_stage_b (
    id bigint, revision integer, n_points integer, first_period date, latest_period date,
    latest_value double precision, latest_numerator double precision,
    latest_denominator double precision, latest_provisional boolean, mean double precision, lpl double precision,
    upl double precision, target double precision, variation text,
    assurance text, latest_point_type text, latest_special_cause text,
    short_group boolean, target_missed boolean, last_concern_period date,
    last_concern_label text, groups text, points bytea
) ON COMMIT DELETE ROWS
"""
_STAGE_TYPES = [
    "int8", "int4", "int4", "date", "date", "float8", "float8", "float8", "bool", "float8",
    "float8", "float8", "float8", "text", "text", "text", "text", "bool", "bool", "date", "text",
    "text", "bytea",
]  # fmt: skip

_STAGE_UPDATE = """
UPDATE dashboard_spcseries s SET {assign}, computed_revision = t.revision, computed_at = %s
FROM dash_spc_stage_b t
WHERE s.id = t.id AND s.data_revision = t.revision AND s.computed_revision <= t.revision
"""

_groups_json = json.JSONEncoder(allow_nan=False).encode


def _row(r: SeriesResult) -> tuple:
    return (
        r.series_id,
        r.revision,
        *(getattr(r, f) for f in _RESULT_FIELDS[:-2]),
        _groups_json(r.groups),
        r.points,
    )


def write_results(results: list[SeriesResult]) -> tuple[int, int]:
    """Conditional replace: (written, skipped because the data changed meanwhile)."""
    if not results:
        return 0, 0
    now = timezone.now()
    if _postgres():
        assign = ", ".join(
            f"{f} = t.{f}::jsonb" if f == "groups" else f"{f} = t.{f}" for f in _RESULT_FIELDS
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_STAGE_DDL)
            cursor.execute("TRUNCATE dash_spc_stage_b")  # empty even inside an outer transaction
            columns = ["id", "revision", *_RESULT_FIELDS]
            with cursor.cursor.copy(
                f"COPY dash_spc_stage_b ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
            ) as copy:
                copy.set_types(_STAGE_TYPES)
                for r in results:
                    copy.write_row(_row(r))
            cursor.execute(_STAGE_UPDATE.format(assign=assign), [now])
            written = cursor.rowcount
        return written, len(results) - written
    with transaction.atomic():
        current = dict(
            SpcSeries.objects.select_for_update()
            .filter(pk__in=[r.series_id for r in results])
            .values_list("pk", "data_revision")
        )
        objs = []
        for r in results:
            if current.get(r.series_id) != r.revision:
                continue
            obj = SpcSeries(pk=r.series_id, computed_revision=r.revision, computed_at=now)
            for f in _RESULT_FIELDS:
                setattr(obj, f, getattr(r, f))
            objs.append(obj)
        SpcSeries.objects.bulk_update(
            objs, [*_RESULT_FIELDS, "computed_revision", "computed_at"], batch_size=500
        )
    return len(objs), len(results) - len(objs)


# Peers ---------------------------------------------------------------------------------------


_PEERSTAT_FIELDS = ("n", "value", "sd", "numerator", "denominator", "phi", "tau2")


def update_peers(indicator_ids, recomputed: dict[int, set[int]] | None = None) -> tuple[int, int]:
    """Group aggregates at each series' latest month, and series' z-scores and flags:
    (rows whose comparison changed and were written, series compared).

    `recomputed` ({indicator id: series ids} of a run that computed only some series) limits the
    comparison to what can have changed: those series, and every series whose latest month has
    group figures that differ from the stored ones (a provider's new or revised value moves its
    month's groups). None compares every series of the indicators.
    """
    indicator_ids = sorted(set(indicator_ids))
    if not indicator_ids:
        return 0, 0
    indicators = {i.pk: i for i in Indicator.objects.filter(pk__in=indicator_ids)}
    updated = compared = 0
    for indicator_id in indicator_ids:
        ind = indicators.get(indicator_id)
        if ind is None:
            continue
        mine = SpcSeries.objects.filter(indicator_id=indicator_id, latest_period__isnull=False)
        periods = sorted(mine.order_by().values_list("latest_period", flat=True).distinct())
        stats = _group_stats(ind, periods)
        with transaction.atomic():
            before = {
                (row[0], row[1]): dict(zip(_PEERSTAT_FIELDS, row[2:], strict=True))
                for row in PeerStat.objects.filter(indicator_id=indicator_id).values_list(
                    "period", "group", *_PEERSTAT_FIELDS
                )
            }
            PeerStat.objects.filter(indicator_id=indicator_id).delete()
            PeerStat.objects.bulk_create(
                [
                    PeerStat(indicator_id=indicator_id, period=p, group=g, **v)
                    for (p, g), v in stats.items()
                ],
                batch_size=1000,
            )
        if recomputed is not None:
            # A group's figures read back from the database may differ in the last bit from
            # freshly computed ones (summed in another order): that only compares more series.
            moved = {p for (p, g), v in stats.items() if before.get((p, g)) != v}
            ids = sorted(recomputed.get(indicator_id, ()))
            mine = mine.filter(Q(pk__in=ids) | Q(latest_period__in=sorted(moved)))
        series = list(
            mine.order_by("pk").values_list(
                "pk",
                "provider__sector",
                "latest_period",
                "latest_value",
                "latest_numerator",
                "latest_denominator",
            )
        )
        compared += len(series)
        if not series:
            continue
        frame = pd.DataFrame(
            series, columns=["id", "sector", "period", "value", "numerator", "denominator"]
        )
        out = {"id": frame["id"].to_numpy(), "peer_period": frame["period"].to_numpy()}
        # Each series' group as an index into arrays of the groups' statistics (the last row
        # stands for no group): one pass over the series per comparison, not one per statistic.
        keys = list(stats)
        table = {
            name: np.array(
                [np.nan if stats[k][name] is None else stats[k][name] for k in keys] + [np.nan],
                dtype=float,
            )
            for name in ("value", "sd", "numerator", "denominator", "tau2")
        }
        table["n"] = np.array([stats[k]["n"] for k in keys] + [0], dtype=np.int64)
        where = {k: i for i, k in enumerate(keys)}
        missing = len(keys)
        for prefix in ("national", "peer"):
            if prefix == "national":
                at = [where.get((p, PeerStat.NATIONAL), missing) for p in frame["period"]]
            else:
                at = [
                    where.get((p, s), missing)
                    for p, s in zip(frame["period"], frame["sector"], strict=True)
                ]
            at = np.asarray(at, dtype=np.int64)
            z = peers.z_scores(
                kind=ind.kind,
                multiplier=ind.multiplier,
                value=frame["value"].to_numpy(dtype=float),
                numerator=frame["numerator"].to_numpy(dtype=float),
                denominator=frame["denominator"].to_numpy(dtype=float),
                group_n=table["n"][at],
                group_value=table["value"][at],
                group_sd=table["sd"][at],
                group_numerator=table["numerator"][at],
                group_denominator=table["denominator"][at],
                group_tau2=table["tau2"][at],
            )
            out[f"{prefix}_value"] = table["value"][at]
            out[f"{prefix}_n"] = table["n"][at]
            out[f"{prefix}_z"] = z
            out[f"{prefix}_flag"] = peers.flags(z)
        updated += _write_peer_columns(out)
    return updated, compared


def _group_stats(ind: Indicator, periods) -> dict:
    """{(period, group): PeerStat fields} for each sector and nationally, from every provider
    with data in those months (not only those whose latest month it is)."""
    if not periods:
        return {}
    rows = Observation.objects.filter(indicator_id=ind.pk, period__in=periods).values_list(
        "period", "provider__sector", "value", "numerator", "denominator"
    )
    frame = pd.DataFrame(
        list(rows), columns=["period", "sector", "value", "numerator", "denominator"]
    )
    if frame.empty:
        return {}
    frame = frame.astype({"value": float, "numerator": float, "denominator": float})
    out = {}

    def summarise_group(key, part) -> None:
        out[key] = peers.group_summary(
            kind=ind.kind,
            multiplier=ind.multiplier,
            value=part["value"].to_numpy(),
            numerator=part["numerator"].to_numpy(),
            denominator=part["denominator"].to_numpy(),
        )

    for period, part in frame.groupby("period", sort=True):
        summarise_group((period, PeerStat.NATIONAL), part)
        for sector, sub in part.groupby("sector", sort=True):
            summarise_group((period, sector), sub)
    return out


_PEER_FIELDS = [
    "peer_period",
    "national_value",
    "national_n",
    "national_z",
    "national_flag",
    "peer_value",
    "peer_n",
    "peer_z",
    "peer_flag",
]


def _peer_rows(out: dict) -> list[tuple]:
    """(id, *_PEER_FIELDS) per series, as the database takes them: NaN and the flags' 127
    (no flag) as None. Counts are counts: a group of 127 providers is 127."""
    columns = [out["id"].astype(np.int64).tolist(), list(out["peer_period"])]
    for f in _PEER_FIELDS[1:]:
        values = np.asarray(out[f]).tolist()
        if f.endswith("_flag"):
            columns.append([None if v == 127 else v for v in values])
        elif f.endswith("_n"):
            columns.append(values)
        else:
            columns.append([None if v != v else v for v in values])  # NaN is not itself
    return list(zip(*columns, strict=True))


def _write_peer_columns(out: dict) -> int:
    rows = _peer_rows(out)
    n = len(rows)
    if _postgres():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS dash_peer_stage (id bigint, peer_period date, "
                "national_value double precision, national_n integer, national_z double precision,"
                " national_flag smallint, peer_value double precision, peer_n integer, "
                "peer_z double precision, peer_flag smallint) ON COMMIT DELETE ROWS"
            )
            cursor.execute("TRUNCATE dash_peer_stage")
            with cursor.cursor.copy(
                f"COPY dash_peer_stage (id, {', '.join(_PEER_FIELDS)}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
            assign = ", ".join(f"{f} = t.{f}" for f in _PEER_FIELDS)
            mine = ", ".join(f"s.{f}" for f in _PEER_FIELDS)
            theirs = ", ".join(f"t.{f}" for f in _PEER_FIELDS)
            # Only rows whose comparison changed: every UPDATE rewrites the whole row (its
            # packed points included), and most rows' peers stay as they were.
            cursor.execute(
                f"UPDATE dashboard_spcseries s SET {assign} FROM dash_peer_stage t "  # noqa: S608 (constant names)
                f"WHERE s.id = t.id AND ({mine}) IS DISTINCT FROM ({theirs})"
            )
            return cursor.rowcount
    with transaction.atomic():
        current = {}
        for k in range(0, n, 500):
            current.update(
                (row[0], tuple(row[1:]))
                for row in SpcSeries.objects.filter(
                    pk__in=[r[0] for r in rows[k : k + 500]]
                ).values_list("pk", *_PEER_FIELDS)
            )
        objs = []
        for row in rows:
            if current.get(row[0]) == tuple(row[1:]):
                continue
            obj = SpcSeries(pk=row[0])
            for f, v in zip(_PEER_FIELDS, row[1:], strict=True):
                setattr(obj, f, v)
            objs.append(obj)
        SpcSeries.objects.bulk_update(objs, _PEER_FIELDS, batch_size=500)
    return len(objs)


def _indicators_of(series_ids: list[int]) -> set[int]:
    found: set[int] = set()
    for k in range(0, len(series_ids), 20_000):
        found |= set(
            SpcSeries.objects.filter(pk__in=series_ids[k : k + 20_000])
            .order_by()
            .values_list("indicator_id", flat=True)
            .distinct()
        )
    return found


# The whole run -------------------------------------------------------------------------------


def run(*, full: bool = False, progress: Progress | None = None, all_peers: bool = False) -> dict:
    """Recompute every series (full) or the dirty ones; then peers of the indicators touched.

    `all_peers` compares the providers of every indicator, touched or not: for a run taking over
    from one that ended early, which may have written series whose peers it did not compare.
    """
    started = time.monotonic()
    counts = {"mode": "full" if full else "changed", "series": 0, "points": 0, "skipped": 0}
    with recompute_lock():
        touched: set[int] = (
            set(Indicator.objects.values_list("pk", flat=True)) if all_peers else set()
        )
        # The series computed, by indicator, while few are: the peer pass then compares those
        # and the series whose month's groups moved. None: compare every series of `touched`.
        recomputed: dict[int, set[int]] | None = None if (full or all_peers) else {}
        for attempt in range(MAX_PASSES):
            rows = _candidates(full and attempt == 0)
            if not rows:
                break
            chunks = _plan(rows)
            total = len(chunks)
            # Read by index range when most series are due (a full run, or a month's national
            # file); a join by id when few are (one provider's file).
            dense = (full and attempt == 0) or len(rows) * 2 >= SpcSeries.objects.count()
            for k, chunk in enumerate(chunks):
                results = compute_chunk(chunk, dense=dense)
                written, skipped = write_results(results)
                counts["series"] += written
                counts["skipped"] += skipped
                counts["points"] += sum(r.n_points for r in results)
                if progress:
                    progress(0.9 * (k + 1) / total, f"Worked out {counts['series']:,} series")
            if full and attempt == 0:
                touched |= set(Indicator.objects.values_list("pk", flat=True))
            else:
                touched |= _indicators_of([r[0] for r in rows])
            if dense:
                recomputed = None
            elif recomputed is not None:
                for row in rows:
                    recomputed.setdefault(row[3], set()).add(row[0])
        if progress:
            progress(0.92, "Comparing providers with their peers")
        counts["peer_series"], counts["peer_compared"] = update_peers(touched, recomputed)
    counts["seconds"] = round(time.monotonic() - started, 3)
    log.info("dashboard recompute finished", extra={"counts": counts})
    return counts


__all__ = ["EPOCH", "compute_chunk", "recompute_lock", "run", "update_peers", "write_results"]
