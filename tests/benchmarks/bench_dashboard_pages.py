"""Where a dashboard page's time goes, on a database kept by bench_dashboard.py --keep.

    python tests/benchmarks/bench_dashboard_pages.py --database dashpages_bench [--requests 20]
        [--profile matrix|provider] [--explain matrix|provider]

For the QSG matrix and a provider page (the same pages and viewer as bench_dashboard.py):
wall time p50 / p95, the medians of this process's CPU time (time.process_time: the Python
cost whatever the machine's load) and of the SQL time (each statement's execution, timed
around the cursor), and the number of queries. `--profile` prints cProfile's top functions
for one page over the requests; `--explain` prints EXPLAIN (ANALYZE, BUFFERS) of each of the
page's queries. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


class Timer:
    """A database execute wrapper: the statements of a request and their time."""

    def __init__(self):
        self.statements: list[tuple[str, tuple, float]] = []

    def __call__(self, execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append((sql, params, (time.perf_counter() - t0) * 1000))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--profile", choices=["matrix", "provider"])
    parser.add_argument("--explain", choices=["matrix", "provider"])
    parser.add_argument("--save", help="Write each page's HTML to this directory (to compare)")
    args = parser.parse_args()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="qsg.settings.base",
        DATABASE_URL=f"{PG}/{args.database}",
        REDIS_URL=os.environ.get("REDIS_URL", ""),
        CELERY_TASK_ALWAYS_EAGER="true",
        DJANGO_ALLOWED_HOSTS="testserver",
    )
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from qsg.models import QSG, Provider
    from tests.signin import log_in

    viewer = get_user_model().objects.get(username="bench.viewer")
    qsg = QSG.objects.get(slug="area-00")
    provider = Provider.objects.filter(qsg=qsg, sector="acute").order_by("pk").first()
    pages = {
        "matrix": f"/dashboard/qsgs/{qsg.pk}/",
        "provider": f"/dashboard/providers/{provider.pk}/",
    }
    client = Client()
    log_in(client, viewer)
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"load {load}")
    for name, url in pages.items():
        assert client.get(url).status_code == 200  # warm up
        walls, cpus, sqls, counts = [], [], [], []
        profile = cProfile.Profile() if args.profile == name else None
        for _ in range(args.requests):
            timer = Timer()
            with connection.execute_wrapper(timer):
                t0, c0 = time.perf_counter(), time.process_time()
                if profile:
                    profile.enable()
                response = client.get(url)
                if profile:
                    profile.disable()
                walls.append((time.perf_counter() - t0) * 1000)
                cpus.append((time.process_time() - c0) * 1000)
            assert response.status_code == 200
            sqls.append(sum(ms for _, _, ms in timer.statements))
            counts.append(len(timer.statements))
        if args.save:
            Path(args.save).mkdir(parents=True, exist_ok=True)
            (Path(args.save) / f"{name}.html").write_bytes(response.content)
        walls.sort()
        p95 = walls[max(0, round(0.95 * len(walls)) - 1)]
        print(
            f"{name}: wall p50 {statistics.median(walls):.0f} ms, p95 {p95:.0f} ms; "
            f"CPU median {statistics.median(cpus):.1f} ms; SQL median {statistics.median(sqls):.1f}"
            f" ms; queries {min(counts)}-{max(counts)}; {len(response.content) // 1024} KiB"
        )
        if args.explain == name:
            for sql, params, ms in timer.statements:
                print(f"\n-- {ms:.1f} ms: {sql[:2000]}")
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                with connection.cursor() as cursor:
                    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                    print("\n".join(row[0] for row in cursor.fetchall()))
        if profile:
            stats = pstats.Stats(profile)
            stats.sort_stats("cumulative").print_stats(45)
            stats.sort_stats("tottime").print_stats(30)
    if args.save:  # more views of the same pages, to compare before and after a change
        m = pages["matrix"]
        for name, url in {
            "matrix-sorted": f"{m}?sort=AE_4HR&dir=desc",
            "matrix-concerns": f"{m}?sort=concerns&dir=desc",
            "matrix-page2": f"{m}?page=2&sort=name&dir=desc",
            "matrix-domain": f"{m}?domain=2&sector=acute",
        }.items():
            (Path(args.save) / f"{name}.html").write_bytes(client.get(url).content)
    print(f"load {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")


if __name__ == "__main__":
    main()
