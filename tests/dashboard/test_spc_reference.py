"""Every NHSRplotthedots 0.2.2 example in shared/spc-examples, through the engine API and the
command line, compared exactly (doubles bit for bit, NaN equal to NaN, labels equal)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dashboard.spc.engine import compute

from .spc_support import example_cases, examples_dir, num, read_csv, run_cli, same_float

try:
    CASES = example_cases()
    MISSING = None
except FileNotFoundError as e:  # reported by test_examples_present, not as a collection error
    CASES, MISSING = [], str(e)
IDS = [c["name"] for c in CASES]

FLOAT_COLUMNS = ("mean_col", "lpl", "upl")


def r_bool(text: str):
    return None if text == "NA" else {"TRUE": True, "FALSE": False}[text]


def load(case):
    rows = read_csv(examples_dir() / case["output"])
    assert len(rows) == case["output_rows"]
    return rows


def engine_result(case, rows):
    args = case["args"]
    facets = [r["f"] for r in rows] if args["facet_field"] else None
    return compute(
        facets,
        [r["x"] for r in rows],
        [num(r["y"]) for r in rows],
        rebase_dates=args["rebase"],
        improvement=args["improvement_direction"],
        targets=args["target"],
        fix_after_n_points=args["fix_after_n_points"],
        screen_outliers=args["screen_outliers"],
    )


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_engine_matches_reference(case):
    rows = load(case)
    res = engine_result(case, rows)
    mean, lpl, upl = res.mean, res.lpl, res.upl
    rel, rel_na = res.relative_to_mean, res.relative_missing
    outside, close, lim_na = res.outside_limits, res.close_to_limits, res.limits_missing
    sct = res.labels("special_cause_type")
    pt = res.labels("point_type")
    rebase = res.rebase_group
    short = res.short_group_warning
    for i, row in enumerate(rows):
        for col, got in zip(FLOAT_COLUMNS, (mean[i], lpl[i], upl[i]), strict=True):
            assert same_float(num(row[col]), float(got)), (i, col, row[col], repr(float(got)))
        exp_out = r_bool(row["outside_limits"])
        assert (None if lim_na[i] else bool(outside[i])) == exp_out, (i, "outside_limits")
        exp_close = r_bool(row["close_to_limits"])
        assert (None if lim_na[i] else bool(close[i])) == exp_close, (i, "close_to_limits")
        exp_rel = None if row["relative_to_mean"] == "NA" else int(row["relative_to_mean"])
        assert (None if rel_na[i] else int(rel[i])) == exp_rel, (i, "relative_to_mean")
        assert sct[i] == row["special_cause_type"], i
        assert pt[i] == row["point_type"], i
        assert int(rebase[i]) == int(row["rebase_group"]), i
        assert bool(short[i]) == r_bool(row["short_group_warning"]), i


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_engine_summary_matches_reference(case):
    rows = load(case)
    res = engine_result(case, rows)
    summary = read_csv(examples_dir() / case["summary_output"])
    icons = read_csv(examples_dir() / case["icons_output"])
    # one group per case here: summary rows are per facet x rebase group
    assert len(summary) == res.group_offsets.size - 1
    for g, srow in enumerate(summary):
        assert same_float(num(srow["mean_col"]), float(res.group_mean[g]))
        assert same_float(num(srow["lpl"]), float(res.group_lpl[g]))
        assert same_float(num(srow["upl"]), float(res.group_upl[g]))
        assert int(srow["n"]) == int(res.group_n[g])
        counts = np.bincount(res.point_type, minlength=5)
        assert int(srow["common_cause"]) == counts[0]
        assert int(srow["special_cause_improvement"]) == counts[1]
        assert int(srow["special_cause_concern"]) == counts[2]
    variation = res.series_labels("variation")
    assurance = res.series_labels("assurance")
    last_pt = res.labels("point_type")
    for s, irow in enumerate(icons):
        assert str(res.series_ids[s]) == irow["f"]
        assert last_pt[res.last_point[s]] == irow["last_point_type"]
        assert variation[s] + ".svg" == irow["variation_icon"]
        assert (assurance[s] or "NA") == irow["assurance_type"]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_cli_matches_reference(case, tmp_path):
    rows = load(case)
    args = case["args"]
    out = tmp_path / "out.csv"
    summary = tmp_path / "summary.csv"
    cmd = [
        examples_dir() / case["output"],
        "-o",
        out,
        "--value-field",
        "y",
        "--date-field",
        "x",
        "--improvement-direction",
        args["improvement_direction"],
        "--summary",
        summary,
    ]
    if args["facet_field"]:
        cmd += ["--facet-field", "f"]
    if not args["screen_outliers"]:
        cmd.append("--no-screen-outliers")
    if args["fix_after_n_points"] is not None:
        cmd += ["--fix-after-n-points", str(args["fix_after_n_points"])]
    if args["target"] is not None:
        cmd += ["--target", str(args["target"])]
    if args["rebase"]:
        cmd += ["--rebase", *args["rebase"]]
    proc = run_cli(*cmd)
    assert proc.returncode == 0, proc.stderr
    got = read_csv(out)
    assert len(got) == len(rows)
    for i, (g, e) in enumerate(zip(got, rows, strict=True)):
        assert g["facet"] == e["f"]
        assert g["date"] == e["x"]
        assert same_float(num(g["value"]), num(e["y"]))
        assert g["rebase_group"] == e["rebase_group"]
        assert same_float(num(g["mean"]), num(e["mean_col"])), (i, g["mean"], e["mean_col"])
        assert same_float(num(g["lpl"]), num(e["lpl"])), (i, g["lpl"], e["lpl"])
        assert same_float(num(g["upl"]), num(e["upl"])), (i, g["upl"], e["upl"])
        for col in ("outside_limits", "relative_to_mean", "close_to_limits"):
            assert g[col] == e[col], (i, col)
        assert g["special_cause_type"] == e["special_cause_type"]
        assert g["point_type"] == e["point_type"]
    icons = read_csv(examples_dir() / case["icons_output"])
    srows = read_csv(summary)
    assert [r["facet"] for r in srows] == [r["f"] for r in icons]
    for srow, irow in zip(srows, icons, strict=True):
        assert srow["variation"] + ".svg" == irow["variation_icon"]
        assert srow["assurance"] == irow["assurance_type"]
        assert int(srow["n"]) == sum(1 for r in rows if r["f"] == irow["f"])


def test_examples_present():
    assert MISSING is None, MISSING
    assert len(CASES) >= 5
    assert all(not math.isnan(num(r["y"])) for r in load(CASES[0]))
