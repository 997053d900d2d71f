"""Wall time of ``python -m dashboard.spc`` on every type-1 trust of ae_attendances.csv.

    python tests/benchmarks/bench_spc_cli.py [--runs 20] [--data shared/data/ae_attendances.csv]

Derives the input CSV (facet = org_code, date = period, value = breaches / attendances for the
type "1" rows: about 4,900 rows, 140 series) in a temporary folder, then runs the command line
(a new interpreter each time, start-up included) and prints min / median / mean wall times and
the speed-up over NHSRplotthedots' ~4.9 s for the same job. No assertions: figures only (see
docs/benchmarks-spc.md). ``hyperfine`` gives the same figure with its own statistics; the
command it should time is printed.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
R_SECONDS = 4.9  # NHSRplotthedots ptd_spc() on the same data (figure given in the brief)


def default_data() -> Path:
    shared = os.environ.get("QSG_SHARED_DIR")
    base = Path(shared) if shared else REPO_ROOT.parent / "shared"
    return base / "data" / "ae_attendances.csv"


def derive_type1_csv(source: Path, target: Path) -> int:
    """Write facet (org_code), date (period), value (breaches / attendances) for the type "1"
    rows of ae_attendances.csv; returns the number of rows written."""
    count = 0
    with open(source, newline="") as src, open(target, "w", newline="") as dst:
        writer = csv.writer(dst)
        writer.writerow(["org_code", "period", "value"])
        for row in csv.DictReader(src):
            if row["type"] != "1":
                continue
            attendances = int(row["attendances"])
            value = repr(int(row["breaches"]) / attendances) if attendances else ""
            writer.writerow([row["org_code"], row["period"], value])
            count += 1
    return count


def command(input_csv: Path, output_csv: Path, summary_csv: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "dashboard.spc",
        str(input_csv),
        "-o",
        str(output_csv),
        "--value-field",
        "value",
        "--date-field",
        "period",
        "--facet-field",
        "org_code",
        "--summary",
        str(summary_csv),
    ]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--data", type=Path, default=default_data())
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        inp = tmp / "ae_type1.csv"
        rows = derive_type1_csv(args.data, inp)
        cmd = command(inp, tmp / "out.csv", tmp / "summary.csv")
        env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
        subprocess.run(cmd, env=env, cwd=REPO_ROOT, check=True)  # warm the file cache
        with open(tmp / "summary.csv", newline="") as fh:
            facets = sum(1 for _ in fh) - 1
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            subprocess.run(cmd, env=env, cwd=REPO_ROOT, check=True)
            times.append(time.perf_counter() - t0)
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
        print(f"input: {rows:,} rows, {facets} facets (type-1 trusts)")
        print(f"runs: {args.runs}; wall time including interpreter start-up:")
        med = statistics.median(times)
        print(f"  min {min(times):.3f} s, median {med:.3f} s, mean {statistics.fmean(times):.3f} s")
        print(f"  speed-up over NHSRplotthedots (~{R_SECONDS} s): {R_SECONDS / med:.0f}x (median)")
        print("hyperfine equivalent:")
        print("  PYTHONPATH=. hyperfine -w 3 '" + " ".join(cmd).replace(str(tmp), "$TMP") + "'")


if __name__ == "__main__":
    main()
