"""Command line for the SPC engine: ``python -m dashboard.spc``.

::

    python -m dashboard.spc INPUT.csv -o OUTPUT.csv --value-field COL --date-field COL
        [--facet-field COL] [--improvement-direction increase|decrease|neutral]
        [--target NUMBER | --targets FILE.json] [--rebase YYYY-MM-DD ...]
        [--rebase-file FILE.json] [--fix-after-n-points N] [--no-screen-outliers]
        [--summary SUMMARY.csv]

Input: a CSV file with a header row. Dates are ``YYYY-MM-DD`` or ISO datetimes at midnight
(``2020-01-01T00:00:00``, ``2020-01-01 00:00:00``, with or without an offset; the date part is
used). Values are numbers; an empty value, ``NA`` or ``NaN`` is missing (allowed). Without
``--facet-field`` every row belongs to one series whose facet is ``no facet``. Rows may come in
any order: they are sorted by facet then date for the computation, and OUTPUT.csv keeps the input
order, one row per input row.

``--targets FILE.json`` maps facet -> number (``null`` = none); ``--rebase-file FILE.json`` maps
facet -> list of dates. ``--rebase`` dates apply to every facet, on top of the file. Facets in the
files that are absent from the data are ignored, as are rebase dates absent from a facet.

OUTPUT.csv columns: ``facet, date, value, rebase_group, mean, lpl, upl, outside_limits,
relative_to_mean, close_to_limits, special_cause_type, point_type``. Booleans are ``TRUE`` /
``FALSE`` and relative_to_mean ``-1`` / ``0`` / ``1``, as NHSRplotthedots writes them; anything
missing (R's ``NA`` or ``NaN``) is written ``NA``. Numbers are written with Python's ``repr()``,
so they read back as the exact same doubles; dates as ``YYYY-MM-DD``.

SUMMARY.csv, one row per facet in facet order: ``facet, variation, assurance, n`` (n = rows;
assurance ``NA`` when there is no target, or for the neutral direction).

Exit status 2, with a one-line message on stderr, for bad input: a missing column, an unparseable
date, a duplicate date within a facet, a non-numeric value, bad JSON, fix-after-n-points < 12,
unreadable files or bad options.
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import json
import math
import sys

_EPOCH = _dt.date(1970, 1, 1).toordinal()
_MISSING = {"", "NA", "NaN", "nan", "NAN"}

OUTPUT_COLUMNS = (
    "facet",
    "date",
    "value",
    "rebase_group",
    "mean",
    "lpl",
    "upl",
    "outside_limits",
    "relative_to_mean",
    "close_to_limits",
    "special_cause_type",
    "point_type",
)
SUMMARY_COLUMNS = ("facet", "variation", "assurance", "n")


class InputError(Exception):
    """Bad input: reported on one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="python -m dashboard.spc",
        description="XmR statistical process control (Making Data Count rules, identical to "
        "NHSRplotthedots ptd_spc()) for every facet of a CSV file.",
        epilog="Rows may come in any order: they are sorted by facet then date for the "
        "computation and written in input order. Dates: YYYY-MM-DD or ISO datetimes at "
        "midnight. Empty, NA or NaN values are missing. Output booleans TRUE/FALSE, missing "
        "values NA, numbers as Python repr() (exact). FILE.json maps facet to a target, or to a "
        "list of rebase dates. Exit status 2 on bad input.",
    )
    p.add_argument("input", metavar="INPUT.csv")
    p.add_argument("-o", "--output", metavar="OUTPUT.csv", required=True)
    p.add_argument("--value-field", required=True, metavar="COL")
    p.add_argument("--date-field", required=True, metavar="COL")
    p.add_argument("--facet-field", metavar="COL")
    p.add_argument(
        "--improvement-direction",
        choices=("increase", "decrease", "neutral"),
        default="increase",
    )
    t = p.add_mutually_exclusive_group()
    t.add_argument("--target", type=float, metavar="NUMBER")
    t.add_argument("--targets", metavar="FILE.json", help="facet -> target number")
    p.add_argument("--rebase", nargs="+", default=[], metavar="YYYY-MM-DD")
    p.add_argument("--rebase-file", metavar="FILE.json", help="facet -> list of rebase dates")
    p.add_argument("--fix-after-n-points", type=int, metavar="N")
    p.add_argument("--no-screen-outliers", action="store_true")
    p.add_argument("--summary", metavar="SUMMARY.csv")
    return p


def parse_date(text: str) -> int:
    """Days since 1970-01-01 of ``YYYY-MM-DD`` or an ISO datetime at midnight."""
    s = text.strip()
    if len(s) < 10 or s[4] != "-" or s[7] != "-" or not (s[:4] + s[5:7] + s[8:10]).isdigit():
        raise ValueError(text)
    if len(s) == 10:
        return _dt.date.fromisoformat(s).toordinal() - _EPOCH
    if s[10] not in "T ":
        raise ValueError(text)
    when = _dt.datetime.fromisoformat(s)
    if (when.hour, when.minute, when.second, when.microsecond) != (0, 0, 0, 0):
        raise ValueError(f"{text} is not at midnight")
    return when.date().toordinal() - _EPOCH


def format_date(day: int) -> str:
    return _dt.date.fromordinal(day + _EPOCH).isoformat()


def _load_json(path: str, what: str):
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as e:
        raise InputError(f"cannot read {what} {path}: {e.strerror}") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise InputError(f"bad JSON in {path}: {e}") from None
    if not isinstance(data, dict):
        raise InputError(f"bad JSON in {path}: expected an object mapping facet to {what}")
    return data


def _load_targets(path: str) -> dict[str, float]:
    out = {}
    for facet, value in _load_json(path, "target").items():
        if value is None:
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise InputError(f"bad JSON in {path}: target for {facet!r} is not a number")
        out[facet] = float(value)
    return out


def _load_rebase(path: str) -> dict[str, list[int]]:
    out = {}
    for facet, dates in _load_json(path, "rebase dates").items():
        if isinstance(dates, str):
            dates = [dates]
        if not isinstance(dates, list) or not all(isinstance(d, str) for d in dates):
            raise InputError(f"bad JSON in {path}: rebase dates for {facet!r} must be a list")
        days = []
        for d in dates:
            try:
                days.append(parse_date(d))
            except ValueError:
                raise InputError(
                    f"bad JSON in {path}: unparseable rebase date {d!r} for {facet!r}"
                ) from None
        out[facet] = days
    return out


def _read_input(path: str, value_field: str, date_field: str, facet_field: str | None):
    try:
        fh = open(path, newline="", encoding="utf-8-sig")  # noqa: SIM115
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror}") from None
    with fh:
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            raise InputError(f"{path} is empty (no header row)") from None
        except (csv.Error, UnicodeDecodeError) as e:
            raise InputError(f"cannot read {path}: {e}") from None
        index = {}
        for name in (value_field, date_field, facet_field):
            if name is None:
                continue
            if name not in header:
                raise InputError(
                    f"column {name!r} not found in {path} (columns: {', '.join(header)})"
                )
            index[name] = header.index(name)
        vi, di = index[value_field], index[date_field]
        fi = index.get(facet_field) if facet_field else None
        need = max(index.values()) + 1
        facets, days, values = [], [], []
        date_cache: dict[str, int] = {}
        nan = math.nan
        try:
            for line, row in enumerate(reader, start=2):
                if len(row) < need:
                    if not row:  # blank line
                        continue
                    raise InputError(f"{path} line {line}: {len(row)} fields, expected {need}+")
                d = row[di]
                day = date_cache.get(d)
                if day is None:
                    try:
                        day = date_cache[d] = parse_date(d)
                    except ValueError:
                        raise InputError(
                            f"{path} line {line}: unparseable date {d!r} in column {date_field!r}"
                        ) from None
                v = row[vi].strip()
                if v in _MISSING:
                    x = nan
                else:
                    try:
                        x = float(v)
                    except ValueError:
                        raise InputError(
                            f"{path} line {line}: value {v!r} in column {value_field!r} is not a number"
                        ) from None
                    if not math.isfinite(x):
                        raise InputError(
                            f"{path} line {line}: value {v!r} in column {value_field!r} is not finite"
                        )
                facets.append(row[fi] if fi is not None else "no facet")
                days.append(day)
                values.append(x)
        except (csv.Error, UnicodeDecodeError) as e:
            raise InputError(f"cannot read {path}: {e}") from None
    return facets, days, values


def run(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.fix_after_n_points is not None and args.fix_after_n_points < 12:
        raise InputError("--fix-after-n-points must be at least 12")
    if args.target is not None and not math.isfinite(args.target):
        raise InputError("--target must be a finite number")
    global_rebase = []
    for d in args.rebase:
        try:
            global_rebase.append(parse_date(d))
        except ValueError:
            raise InputError(f"--rebase: unparseable date {d!r}") from None
    targets = _load_targets(args.targets) if args.targets else None
    rebase_file = _load_rebase(args.rebase_file) if args.rebase_file else {}

    facets, days, values = _read_input(
        args.input, args.value_field, args.date_field, args.facet_field
    )

    import numpy as np  # after the cheap checks

    from .codes import POINT_TYPES, VARIATIONS, special_cause_labels
    from .engine import compute_sorted

    n = len(values)
    names = sorted(set(facets))
    code_of = {f: i for i, f in enumerate(names)}
    codes = np.fromiter((code_of[f] for f in facets), dtype=np.int64, count=n)
    day_arr = np.fromiter(days, dtype=np.int64, count=n)
    order = np.lexsort((day_arr, codes))
    sc, sd = codes[order], day_arr[order]
    dup = np.flatnonzero((sc[1:] == sc[:-1]) & (sd[1:] == sd[:-1]))
    if dup.size:
        i = int(dup[0])
        raise InputError(
            f"duplicate date {format_date(int(sd[i]))} in facet {names[sc[i]]!r} "
            f"(data rows {int(order[i]) + 1} and {int(order[i + 1]) + 1})"
        )
    off = np.searchsorted(sc, np.arange(len(names) + 1))
    y = np.array(values, dtype=np.float64)[order]

    rebase_group = None
    if global_rebase or rebase_file:
        everywhere = set(global_rebase)
        per_facet = [everywhere | set(rebase_file.get(f, ())) for f in names]
        hit = np.fromiter(
            (d in per_facet[c] for c, d in zip(sc.tolist(), sd.tolist(), strict=True)),
            dtype=bool,
            count=n,
        )
        csum = np.cumsum(hit.view(np.uint8), dtype=np.int64)
        before = np.concatenate(([0], csum))[off[:-1]]
        rebase_group = csum - np.repeat(before, np.diff(off))

    if targets is not None:
        target = np.array([targets.get(f, np.nan) for f in names], dtype=np.float64)
    elif args.target is not None:
        target = args.target
    else:
        target = None

    res = compute_sorted(
        y,
        off,
        rebase_group=rebase_group,
        improvement=args.improvement_direction,
        targets=target,
        fix_after_n_points=args.fix_after_n_points,
        screen_outliers=not args.no_screen_outliers,
        series_ids=np.array(names, dtype=object),
    )

    # Output lines from pieces shared by many rows: per group "rebase_group,mean,lpl,upl", per
    # combination of flags and labels the tail ",outside,rel,close,special_cause_type,point_type"
    def num(values):
        return ["NA" if v != v else repr(v) for v in values.tolist()]

    g_n = res.group_n
    g_part = [
        f"{r},{m},{lo},{hi}"
        for r, m, lo, hi in zip(
            res.group_rebase.tolist(),
            num(res.group_mean),
            num(res.group_lpl),
            num(res.group_upl),
            strict=True,
        )
    ]
    y_na = np.isnan(y)
    lim_na = y_na | np.repeat(np.isnan(res.group_lpl), g_n)
    rel_na = y_na | np.repeat(np.isnan(res.group_mean), g_n)
    state = (
        res.flags.astype(np.int64)
        | (lim_na.astype(np.int64) << 4)
        | (rel_na.astype(np.int64) << 5)
        | (res.special_cause_type.astype(np.int64) << 6)
        | (res.point_type.astype(np.int64) << 10)
    )
    inv = np.empty(n, dtype=np.int64)
    inv[order] = np.arange(n)
    state_in = state[inv].tolist()
    group_in = np.repeat(np.arange(g_n.size), g_n)[inv].tolist()
    sct_labels = special_cause_labels(7)
    tails = {}
    for code in set(state_in):
        fl = code & 15
        if code & 16:
            outside = close = "NA"
        else:
            outside = "TRUE" if fl & 4 else "FALSE"
            close = "TRUE" if fl & 8 else "FALSE"
        rel = "NA" if code & 32 else ("-1", "0", "1")[fl & 3]
        label = sct_labels[(code >> 6) & 15]
        tails[code] = f",{outside},{rel},{close},{label},{POINT_TYPES[code >> 10]}"
    facet_s = {f: _csv_field(f) for f in names}
    day_s = {d: format_date(d) for d in set(days)}
    vals = num(np.array(values, dtype=np.float64))
    lines = [
        f"{facet_s[facets[i]]},{day_s[days[i]]},{vals[i]},{g_part[group_in[i]]}{tails[state_in[i]]}"
        for i in range(n)
    ]
    _write_lines(args.output, OUTPUT_COLUMNS, lines)
    if args.summary:
        assurance = ["NA" if a == 0 else _ASSURANCE[a] for a in res.assurance.tolist()]
        variation = [VARIATIONS[v] for v in res.variation.tolist()]
        n_rows = res.series_n.tolist()
        _write_csv(
            args.summary,
            SUMMARY_COLUMNS,
            zip(names, variation, assurance, n_rows, strict=True),
        )
    return 0


_ASSURANCE = ("", "consistent_pass", "consistent_fail", "inconsistent")


def _csv_field(text: str) -> str:
    """A CSV field, quoted when it holds a comma, a quote, a line break or edge spaces."""
    if any(c in text for c in ',"\r\n') or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


def _write_lines(path: str, header, lines: list[str]) -> None:
    try:
        with open(path, "w", newline="", encoding="utf-8") as fh:
            fh.write(",".join(header) + "\n")
            if lines:
                fh.write("\n".join(lines))
                fh.write("\n")
    except OSError as e:
        raise InputError(f"cannot write {path}: {e.strerror}") from None


def _write_csv(path: str, header, rows) -> None:
    try:
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)
    except OSError as e:
        raise InputError(f"cannot write {path}: {e.strerror}") from None


def main(argv: list[str] | None = None) -> int:
    try:
        return run(argv)
    except InputError as e:
        sys.stderr.write(f"python -m dashboard.spc: error: {e}\n")
        return 2
    except ValueError as e:  # from the engine: inputs it refuses
        sys.stderr.write(f"python -m dashboard.spc: error: {e}\n")
        return 2
