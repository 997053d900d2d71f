"""Where a dashboard recompute's time goes, in figures that do not depend on the machine's load.

    python tests/benchmarks/bench_recompute_phases.py --database DB [--changed]

Runs one recompute (full, or of the dirty series with --changed) on an existing database, such
as one kept by `bench_dashboard.py --keep --database DB`, and prints per phase the wall time and
this process's CPU time, then the whole run's process CPU, the CPU of the PostgreSQL backend
serving it (from /proc, so run it on the database's machine) and how many series rows were
updated (pg_stat_user_tables). Wall time on a shared machine is mostly the queue for a core;
the CPU figures and the row count are what the code costs. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PHASES = [
    "_candidates", "_read_ranges", "_read", "_series_meta", "fill_gaps", "compute_sorted",
    "summarise", "write_results", "update_peers", "_group_stats", "_write_peer_columns",
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--changed", action="store_true", help="Only the dirty series")
    args = parser.parse_args()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="qsg.settings.base",
        DATABASE_URL=f"{PG}/{args.database}",
        REDIS_URL="",
        DJANGO_ALLOWED_HOSTS="testserver",
    )
    import django

    django.setup()
    from django.db import connection

    from dashboard import recompute

    spent: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0, 0])

    def timed(name, fn):
        def wrapper(*a, **k):
            t, c = time.perf_counter(), time.process_time()
            try:
                return fn(*a, **k)
            finally:
                row = spent[name]
                row[0] += time.perf_counter() - t
                row[1] += time.process_time() - c
                row[2] += 1

        return wrapper

    for name in PHASES:
        setattr(recompute, name, timed(name, getattr(recompute, name)))

    def server() -> tuple[float, int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
            cursor.execute(
                "SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'dashboard_spcseries'"
            )
            updated = cursor.fetchone()[0]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), updated

    load0 = Path("/proc/loadavg").read_text().split()[:3]
    cpu0, upd0 = server()
    t0, c0 = time.perf_counter(), time.process_time()
    counts = recompute.run(full=not args.changed)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    time.sleep(1.5)  # table statistics reach the view within a second of the transaction
    cpu1, upd1 = server()
    print(f"{counts}")
    print(
        f"wall {wall:.2f} s, process CPU {cpu:.2f} s, database backend CPU {cpu1 - cpu0:.2f} s, "
        f"series rows updated {upd1 - upd0:,}; load {' '.join(load0)} -> "
        f"{' '.join(Path('/proc/loadavg').read_text().split()[:3])}"
    )
    for name, (w, c, n) in spent.items():
        print(f"  {name:22s} calls {n:4d}  wall {w:7.2f} s  CPU {c:7.2f} s")


if __name__ == "__main__":
    main()
