"""Contract of ``python -m dashboard.spc`` (run as a subprocess)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from .spc_support import REPO_ROOT, read_csv, run_cli

HEADER = [
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
]

A = [10.0, 12.0] * 7  # mean 11, amr 2: limits 11 -+ 5.32
B = [1.0, 2.0] * 7 + [9.0]  # mean 1.5 + ..., last point above the upper limit


def months(n: int, start_year: int = 2020) -> list[str]:
    return [f"{start_year + (k // 12)}-{k % 12 + 1:02d}-01" for k in range(n)]


def write(path, rows, header=("org", "period", "value")):
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture
def two_facets(tmp_path):
    rows = [("A", d, repr(v)) for d, v in zip(months(len(A)), A, strict=True)]
    rows += [("B", d, repr(v)) for d, v in zip(months(len(B)), B, strict=True)]
    return write(tmp_path / "in.csv", rows), rows


def cli(tmp_path, inp, *extra):
    out = tmp_path / "out.csv"
    proc = run_cli(
        inp,
        "-o",
        out,
        "--value-field",
        "value",
        "--date-field",
        "period",
        "--facet-field",
        "org",
        *extra,
    )
    return proc, out


def test_columns_and_values(tmp_path, two_facets):
    inp, rows = two_facets
    proc, out = cli(tmp_path, inp)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    with open(out, newline="") as fh:
        header = next(csv.reader(fh))
    assert header == HEADER
    got = read_csv(out)
    assert len(got) == len(rows)
    first = got[0]
    assert first["facet"] == "A" and first["date"] == "2020-01-01" and first["value"] == "10.0"
    assert first["rebase_group"] == "0"
    assert float(first["mean"]) == 11.0
    assert float(first["lpl"]) == 11.0 - 2.66 * 2.0
    assert float(first["upl"]) == 11.0 + 2.66 * 2.0
    assert first["outside_limits"] == "FALSE"
    assert first["relative_to_mean"] == "-1"
    assert first["close_to_limits"] == "FALSE"
    assert first["special_cause_type"] == "Common Cause"
    assert first["point_type"] == "common_cause"
    last = got[-1]
    assert last["facet"] == "B" and last["special_cause_type"] == "Above UCL"
    assert last["outside_limits"] == "TRUE"
    assert last["point_type"] == "special_cause_improvement"


def test_floats_round_trip_exactly(tmp_path):
    values = [0.1 + k / 3 for k in range(15)]
    rows = [("A", d, repr(v)) for d, v in zip(months(15), values, strict=True)]
    proc, out = cli(tmp_path, write(tmp_path / "in.csv", rows))
    assert proc.returncode == 0, proc.stderr
    got = read_csv(out)
    assert [float(r["value"]) for r in got] == values
    assert all(repr(float(r["mean"])) == r["mean"] for r in got)


def test_rows_keep_input_order(tmp_path, two_facets):
    _, rows = two_facets
    shuffled = rows[::-1][::2] + rows[::-1][1::2]
    proc, out = cli(tmp_path, write(tmp_path / "shuffled.csv", shuffled))
    assert proc.returncode == 0, proc.stderr
    got = read_csv(out)
    assert [(r["facet"], r["date"]) for r in got] == [(f, d) for f, d, _ in shuffled]
    # same answers as for sorted input
    proc2, out2 = cli(tmp_path, two_facets[0])
    assert proc2.returncode == 0, proc2.stderr
    by_key = {(r["facet"], r["date"]): r for r in read_csv(out2)}
    assert all(r == by_key[(r["facet"], r["date"])] for r in got)


def test_summary(tmp_path, two_facets):
    inp, _ = two_facets
    summary = tmp_path / "summary.csv"
    proc, _ = cli(tmp_path, inp, "--summary", summary)
    assert proc.returncode == 0, proc.stderr
    got = read_csv(summary)
    assert got == [
        {"facet": "A", "variation": "common_cause", "assurance": "NA", "n": "14"},
        {"facet": "B", "variation": "improvement_high", "assurance": "NA", "n": "15"},
    ]


def test_no_facet_field(tmp_path):
    rows = [(d, repr(v)) for d, v in zip(months(14), A, strict=True)]
    inp = write(tmp_path / "in.csv", rows, header=("period", "value"))
    out = tmp_path / "out.csv"
    summary = tmp_path / "s.csv"
    proc = run_cli(
        inp, "-o", out, "--value-field", "value", "--date-field", "period", "--summary", summary
    )
    assert proc.returncode == 0, proc.stderr
    assert {r["facet"] for r in read_csv(out)} == {"no facet"}
    assert [r["facet"] for r in read_csv(summary)] == ["no facet"]


def test_targets_file_and_single_target(tmp_path, two_facets):
    inp, _ = two_facets
    targets = tmp_path / "targets.json"
    targets.write_text(json.dumps({"A": 20, "Z": 1.5}))  # Z is not in the data: ignored
    summary = tmp_path / "summary.csv"
    proc, _ = cli(tmp_path, inp, "--targets", targets, "--summary", summary)
    assert proc.returncode == 0, proc.stderr
    # A: 20 above its upl (16.32): consistent_fail (increase); B has no target: inconsistent
    assert [r["assurance"] for r in read_csv(summary)] == ["consistent_fail", "inconsistent"]
    proc, _ = cli(
        tmp_path, inp, "--target", "3", "--summary", summary, "--improvement-direction", "decrease"
    )
    assert proc.returncode == 0, proc.stderr
    got = read_csv(summary)
    # A: 3 below lpl 5.68: decrease -> consistent_fail; B: limits around 1.5..: 3 between
    assert got[0]["assurance"] == "consistent_fail"
    assert got[1]["variation"] == "concern_high"


def test_rebase_options(tmp_path):
    values = [1.0, 2.0] * 7 + [11.0, 12.0] * 7
    dates = months(28)
    rows = [(f, d, repr(v)) for f in ("A", "B") for d, v in zip(dates, values, strict=True)]
    inp = write(tmp_path / "in.csv", rows)
    rebase = tmp_path / "rebase.json"
    rebase.write_text(json.dumps({"A": [dates[14]], "C": ["2020-01-01"]}))
    proc, out = cli(tmp_path, inp, "--rebase-file", rebase)
    assert proc.returncode == 0, proc.stderr
    got = read_csv(out)
    assert [r["rebase_group"] for r in got[:28]] == ["0"] * 14 + ["1"] * 14
    assert [r["rebase_group"] for r in got[28:]] == ["0"] * 28
    assert {r["mean"] for r in got[:14]} == {"1.5"} and {r["mean"] for r in got[14:28]} == {"11.5"}
    # --rebase applies to every facet; a date absent from the data is ignored
    proc, out = cli(tmp_path, inp, "--rebase", dates[14], "1999-01-01")
    assert proc.returncode == 0, proc.stderr
    got = read_csv(out)
    assert [r["rebase_group"] for r in got] == (["0"] * 14 + ["1"] * 14) * 2


def test_options_fix_and_screening(tmp_path):
    values = [1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 10.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.5]
    rows = [("A", d, repr(v)) for d, v in zip(months(14), values, strict=True)]
    inp = write(tmp_path / "in.csv", rows)
    proc, out = cli(tmp_path, inp)
    on = read_csv(out)
    proc, out = cli(tmp_path, inp, "--no-screen-outliers")
    off = read_csv(out)
    assert on[0]["mean"] == off[0]["mean"]
    assert float(on[0]["upl"]) < float(off[0]["upl"])
    proc, out = cli(tmp_path, inp, "--fix-after-n-points", "12")
    assert proc.returncode == 0, proc.stderr
    fixed = read_csv(out)
    assert float(fixed[0]["mean"]) == pytest.approx(sum(values[:12]) / 12)


def test_missing_values_and_dates(tmp_path):
    rows = [("A", d, repr(v)) for d, v in zip(months(14), A, strict=True)]
    rows[3] = ("A", rows[3][1], "")
    rows[4] = ("A", rows[4][1] + "T00:00:00", "NA")
    rows[5] = ("A", rows[5][1] + " 00:00:00", repr(A[5]))
    proc, out = cli(tmp_path, write(tmp_path / "in.csv", rows))
    assert proc.returncode == 0, proc.stderr
    got = read_csv(out)
    assert got[3]["value"] == "NA" and got[3]["outside_limits"] == "NA"
    assert got[3]["relative_to_mean"] == "NA" and got[3]["close_to_limits"] == "NA"
    assert got[3]["special_cause_type"] == "Common Cause"
    assert got[4]["date"] == "2020-05-01" and got[5]["date"] == "2020-06-01"


def test_constant_series_writes_na_limits(tmp_path):
    rows = [("A", d, "5") for d in months(15)]
    proc, out = cli(tmp_path, write(tmp_path / "in.csv", rows))
    assert proc.returncode == 0, proc.stderr
    got = read_csv(out)
    assert got[0]["mean"] == "5.0" and got[0]["lpl"] == "NA" and got[0]["upl"] == "NA"
    assert got[0]["outside_limits"] == "NA" and got[0]["relative_to_mean"] == "0"


def test_empty_input(tmp_path):
    proc, out = cli(tmp_path, write(tmp_path / "in.csv", []))
    assert proc.returncode == 0, proc.stderr
    assert out.read_text().splitlines() == [",".join(HEADER)]


def error(proc) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_exit_2_missing_column(tmp_path, two_facets):
    out = tmp_path / "out.csv"
    proc = run_cli(two_facets[0], "-o", out, "--value-field", "nope", "--date-field", "period")
    assert "column 'nope' not found" in error(proc)
    assert not out.exists()


def test_exit_2_unparseable_date(tmp_path):
    rows = [("A", d, "1") for d in months(3)] + [("A", "2020-13-45", "1")]
    assert "unparseable date '2020-13-45'" in error(
        cli(tmp_path, write(tmp_path / "i.csv", rows))[0]
    )
    rows = [("A", "01/02/2020", "1")]
    assert "unparseable date" in error(cli(tmp_path, write(tmp_path / "i.csv", rows))[0])
    rows = [("A", "2020-01-01T10:30:00", "1")]
    assert "unparseable date" in error(cli(tmp_path, write(tmp_path / "i.csv", rows))[0])


def test_exit_2_duplicate_date_within_a_facet(tmp_path):
    rows = [("A", "2020-01-01", "1"), ("B", "2020-01-01", "2"), ("A", "2020-01-01T00:00:00", "3")]
    msg = error(cli(tmp_path, write(tmp_path / "i.csv", rows))[0])
    assert "duplicate date 2020-01-01 in facet 'A'" in msg


def test_exit_2_non_numeric_value(tmp_path):
    rows = [("A", "2020-01-01", "1"), ("A", "2020-02-01", "12 patients")]
    msg = error(cli(tmp_path, write(tmp_path / "i.csv", rows))[0])
    assert "'12 patients'" in msg and "not a number" in msg and "line 3" in msg
    rows = [("A", "2020-01-01", "inf")]
    assert "not finite" in error(cli(tmp_path, write(tmp_path / "i.csv", rows))[0])


def test_exit_2_bad_json(tmp_path, two_facets):
    inp, _ = two_facets
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert "bad JSON" in error(cli(tmp_path, inp, "--targets", bad)[0])
    assert "bad JSON" in error(cli(tmp_path, inp, "--rebase-file", bad)[0])
    bad.write_text(json.dumps([1, 2]))
    assert "bad JSON" in error(cli(tmp_path, inp, "--targets", bad)[0])
    bad.write_text(json.dumps({"A": "high"}))
    assert "not a number" in error(cli(tmp_path, inp, "--targets", bad)[0])
    bad.write_text(json.dumps({"A": 5}))
    assert "must be a list" in error(cli(tmp_path, inp, "--rebase-file", bad)[0])
    bad.write_text(json.dumps({"A": ["next week"]}))
    assert "unparseable rebase date" in error(cli(tmp_path, inp, "--rebase-file", bad)[0])
    missing = tmp_path / "missing.json"
    assert "cannot read" in error(cli(tmp_path, inp, "--targets", missing)[0])


def test_exit_2_fix_after_n_points_below_12(tmp_path, two_facets):
    msg = error(cli(tmp_path, two_facets[0], "--fix-after-n-points", "11")[0])
    assert "at least 12" in msg
    assert error(cli(tmp_path, two_facets[0], "--fix-after-n-points", "x")[0])


def test_exit_2_bad_options_and_files(tmp_path, two_facets):
    assert "cannot read" in error(cli(tmp_path, tmp_path / "absent.csv")[0])
    assert error(cli(tmp_path, two_facets[0], "--improvement-direction", "up")[0])
    assert error(cli(tmp_path, two_facets[0], "--target", "1", "--targets", "t.json")[0])
    assert "unparseable date" in error(cli(tmp_path, two_facets[0], "--rebase", "soon")[0])
    proc = run_cli(two_facets[0], "--value-field", "value", "--date-field", "period")
    assert "-o" in error(proc)  # output is required


def test_command_line_imports_neither_pandas_nor_django(tmp_path, two_facets):
    code = (
        "import sys\n"
        "from dashboard.spc.cli import main\n"
        f"main([{str(two_facets[0])!r}, '-o', {str(tmp_path / 'o.csv')!r}, '--value-field', 'value',"
        " '--date-field', 'period', '--facet-field', 'org'])\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'django'}))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_value_parsing_accepts_na_and_nan(tmp_path):
    rows = [("A", d, v) for d, v in zip(months(4), ["1", "NaN", "NA", " 2.5 "], strict=True)]
    proc, out = cli(tmp_path, write(tmp_path / "i.csv", rows))
    assert proc.returncode == 0, proc.stderr
    assert [r["value"] for r in read_csv(out)] == ["1.0", "NA", "NA", "2.5"]


def test_facets_with_commas_and_quotes_round_trip(tmp_path):
    names = ["Trust, North", 'The "best" trust', " padded "]
    rows = [(f, d, repr(v)) for f in names for d, v in zip(months(14), A, strict=True)]
    summary = tmp_path / "s.csv"
    proc, out = cli(tmp_path, write(tmp_path / "in.csv", rows), "--summary", summary)
    assert proc.returncode == 0, proc.stderr
    assert [r["facet"] for r in read_csv(out)] == [f for f, _, _ in rows]
    assert [r["facet"] for r in read_csv(summary)] == sorted(names)
