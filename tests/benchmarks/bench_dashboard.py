"""National-scale dashboard benchmark: import, full and incremental recompute, page times.

    python tests/benchmarks/bench_dashboard.py [--providers 8000] [--months 60] [--keep]
        [--quarterly 6]

`--quarterly N` makes N of the 22 indicators quarterly (financial-year quarters, a point every
three months) before the data is written: a mixed monthly and quarterly catalogue, as the real
data brings (KH03 bed occupancy is quarterly).

Creates its own PostgreSQL database (qsg_bench_dash, dropped at the end unless --keep), builds
the 2013 network shape (4 regions, 27 local QSGs) with N providers, writes a national CSV of
N providers x 22 indicators x M months in the standard layout, and then measures, in this
process and in order:

1. full import: the analysts' import of that file (read, check every row, COPY to staging,
   one upsert), as `manage.py import_observations` does it;
2. full recompute: every series read (COPY out), computed, written (COPY to staging, one
   UPDATE per chunk), then the peer comparison;
3. one more month for every provider: its import, then the incremental recompute (every
   series is dirty); then a further month for one local QSG's providers and its recompute
   (only their series are computed; peer rows are rewritten only where they changed);
4. server time of the QSG matrix page and a provider page (Django test client, p50 / p95);
5. peak memory (VmHWM, reset before each step).

Not part of the test suite: run it once or twice, on a quiet machine if you can.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

DB = "qsg_bench_dash"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def peak_reset() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def commit() -> str:
    import subprocess

    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()


class Step:
    """Wall time and this process's CPU time (user + system: what the code costs whatever the
    machine's load; the database server's own CPU is not in it), and peak memory."""

    results: list[tuple[str, float, float, float, float]] = []

    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        peak_reset()
        self.rss0 = rss_mib()
        self.t0 = time.perf_counter()
        self.cpu0 = time.process_time()
        print(f"-- {self.name} ... (load {loadavg()})", flush=True)
        return self

    def __exit__(self, *exc):
        seconds = time.perf_counter() - self.t0
        cpu = time.process_time() - self.cpu0
        self.results.append((self.name, seconds, cpu, peak_mib(), self.rss0))
        print(
            f"   {seconds:8.1f} s wall, {cpu:8.1f} s CPU   peak RSS {peak_mib():7.0f} MiB"
            f" (at start {self.rss0:.0f})   load {loadavg()}"
        )


def build_network(n_providers: int):
    from django.contrib.auth.models import Group
    from django.utils.text import slugify

    from dashboard.apps import ensure_analyst_group
    from qsg import services
    from qsg.demo import ANALYSTS_GROUP
    from qsg.models import QSG, OrganisationType, Provider, QSGRole

    types = {t.code: t for t in OrganisationType.objects.all()}
    regions, locals_ = [], []
    for r in range(4):
        org = services.organisation_create(
            actor=None, name=f"Region {r} team", type=types["nhse-region"]
        )
        q = QSG.objects.create(
            name=f"Region {r} regional QSG", slug=f"region-{r}", level="regional",
            convening_organisation=org,
        )  # fmt: skip
        regions.append(q)
    area_orgs = []
    for a in range(27):
        org = services.organisation_create(
            actor=None, name=f"Area {a:02d} team", type=types["nhse-area-team"]
        )
        q = QSG.objects.create(
            name=f"Area {a:02d} QSG", slug=slugify(f"area-{a:02d}"), level="local",
            regional_qsg=regions[a % 4], convening_organisation=org,
        )  # fmt: skip
        locals_.append(q)
        area_orgs.append(org)
    sectors = ["acute"] * 4 + ["mental_health", "community", "primary_care", "care_home"]
    Provider.objects.bulk_create(
        [
            Provider(
                ods_code=f"B{i:05d}",
                name=f"Provider {i:05d}",
                sector=sectors[i % len(sectors)],
                qsg=locals_[i % 27],
            )
            for i in range(n_providers)
        ],
        batch_size=2000,
    )
    services.membership_add(actor=None, qsg=locals_[0], organisation=area_orgs[0])
    viewer = services.user_create(
        actor=None, username="bench.viewer", organisation=area_orgs[0], password=None
    )
    services.role_assign(actor=None, qsg=locals_[0], user=viewer, role=QSGRole.Role.SECRETARIAT)
    analyst = services.user_create(
        actor=None, username="bench.analyst", organisation=area_orgs[1], password=None
    )
    ensure_analyst_group()
    analyst.groups.add(Group.objects.get(name=ANALYSTS_GROUP))
    return viewer, analyst, locals_[0]


def write_national_csv(path: Path, n_providers: int, months: list[dt.date], seed: int = 7) -> int:
    """The standard layout; proportions and rates as numerator and denominator."""
    import numpy as np
    import pandas as pd

    from dashboard.models import Indicator

    rng = np.random.default_rng(seed)
    codes = np.array([f"B{i:05d}" for i in range(n_providers)], dtype=object)
    rows = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write("provider,indicator,period,value,numerator,denominator\n")
        for ind in Indicator.objects.order_by("code"):
            own = [d for d in months if ind.frequency != "quarterly" or d.month in (1, 4, 7, 10)]
            if not own:
                continue
            periods = np.array([d.strftime("%Y-%m") for d in own], dtype=object)
            m = len(own)
            level = rng.uniform(0.02, 0.3, n_providers)[:, None]
            walk = np.cumsum(rng.normal(0, 0.004, (n_providers, m)), axis=1)
            step = (rng.random(n_providers) < 0.1)[:, None] * (np.arange(m) >= m - 8) * 0.05
            p = np.clip(level + walk + step + rng.normal(0, 0.01, (n_providers, m)), 0.001, 0.95)
            frame = pd.DataFrame(
                {
                    "provider": np.repeat(codes, m),
                    "indicator": ind.code,
                    "period": np.tile(periods, n_providers),
                }
            )
            if ind.kind == "proportion":
                den = rng.integers(500, 20000, (n_providers, m))
                frame["value"] = ""
                frame["numerator"] = np.round(p * den).astype(np.int64).ravel()
                frame["denominator"] = den.ravel()
            elif ind.kind == "rate":
                den = rng.integers(3000, 30000, (n_providers, m))
                frame["value"] = ""
                frame["numerator"] = np.round(p * 0.02 * den).astype(np.int64).ravel()
                frame["denominator"] = den.ravel()
            else:
                frame["value"] = np.round(p * 100, 3).ravel()
                frame["numerator"] = ""
                frame["denominator"] = ""
            frame.to_csv(fh, header=False, index=False)
            rows += len(frame)
    return rows


def time_pages(client, url: str, n: int) -> tuple[float, float]:
    client.get(url)  # warm up
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--providers", type=int, default=8000)
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards")
    parser.add_argument(
        "--quarterly", type=int, default=0, help="How many indicators are quarterly (0 to 22)"
    )
    parser.add_argument("--database", default=DB, help="Name of the database to create")
    args = parser.parse_args()
    db = args.database
    load_start = loadavg()
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, commit {commit()}, load {load_start}")

    admin(f"DROP DATABASE IF EXISTS {db}")
    admin(f"CREATE DATABASE {db}")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="qsg.settings.base",
        DATABASE_URL=f"{PG}/{db}",
        REDIS_URL="",
        CELERY_TASK_ALWAYS_EAGER="true",
        DJANGO_ALLOWED_HOSTS="testserver",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from dashboard import recompute, services
    from dashboard.models import Observation, SpcSeries
    from dashboard.results import EPOCH  # noqa: F401 (imports numpy before timing)
    from qsg.models import Provider

    try:
        call_command("migrate", verbosity=0)
        viewer, analyst, qsg = build_network(args.providers)
        if args.quarterly:
            from dashboard.models import Indicator

            chosen = list(Indicator.objects.order_by("code").values_list("pk", flat=True))
            Indicator.objects.filter(
                pk__in=chosen[:: max(1, 22 // args.quarterly)][: args.quarterly]
            ).update(frequency="quarterly")
            print(
                "   quarterly: "
                + ", ".join(
                    Indicator.objects.filter(frequency="quarterly").values_list("code", flat=True)
                )
            )
        # Time the import and the recompute separately: the import queues nothing here.
        services._enqueue = lambda job, task, **kwargs: None
        work = Path(tempfile.mkdtemp(prefix="qsg-bench-"))
        start = dt.date(2014, 1, 1)
        all_months = [
            dt.date(start.year + (start.month - 1 + k) // 12, (start.month - 1 + k) % 12 + 1, 1)
            for k in range(args.months + 1)
        ]
        national = work / "national.csv"
        with Step("write the national CSV (not part of the product)"):
            rows = write_national_csv(national, args.providers, all_months[:-1])
        print(f"   {rows:,} rows, {national.stat().st_size / 2**20:.0f} MiB")

        with Step("full import (check, stage with COPY, upsert)"):
            batch = services.import_file(actor=analyst, path=str(national), source="bench")
        assert batch.outcome == "loaded", batch.job.message
        print(
            f"   {Observation.objects.count():,} observations, {SpcSeries.objects.count():,} series"
        )

        with Step("full recompute (read, compute, write, peers)"):
            counts = recompute.run(full=True)
        print(f"   {counts}")

        month = work / "one-month.csv"
        write_national_csv(month, args.providers, all_months[-1:], seed=8)
        with Step("import of one more month (every provider and indicator due)"):
            batch = services.import_file(actor=analyst, path=str(month), source="bench")
        assert batch.outcome == "loaded", batch.job.message
        with Step("incremental recompute after that month"):
            counts = recompute.run()
        print(f"   {counts}")

        # The common case between national files: one group's providers send a month.
        later = all_months[-1]
        later = dt.date(later.year + later.month // 12, later.month % 12 + 1, 1)
        local = work / "one-qsg-month.csv"
        write_national_csv(local, args.providers, [later], seed=9)
        codes = set(Provider.objects.filter(qsg=qsg).values_list("ods_code", flat=True))
        lines = local.read_text().splitlines(keepends=True)
        local.write_text(lines[0] + "".join(x for x in lines[1:] if x.split(",", 1)[0] in codes))
        with Step(f"import of a further month for one local QSG ({len(codes)} providers)"):
            batch = services.import_file(actor=analyst, path=str(local), source="bench")
        assert batch.outcome == "loaded", batch.job.message
        with Step("incremental recompute after that QSG's month"):
            counts = recompute.run()
        print(f"   {counts}")

        from tests.signin import log_in  # needs Django set up

        client = Client()
        log_in(client, viewer)
        provider = Provider.objects.filter(qsg=qsg, sector="acute").order_by("pk").first()
        pages = {
            "QSG matrix (first page of 25 providers x 22 indicators)": f"/dashboard/qsgs/{qsg.pk}/",
            "QSG matrix sorted by an indicator": f"/dashboard/qsgs/{qsg.pk}/?sort=AE_4HR&dir=desc",
            "provider page (22 SPC charts)": f"/dashboard/providers/{provider.pk}/",
            "signals since the last month": f"/dashboard/qsgs/{qsg.pk}/signals/",
        }
        print("-- pages (ms: p50, p95)")
        page_results = []
        for label, url in pages.items():
            p50, p95 = time_pages(client, url, args.requests)
            page_results.append((label, p50, p95))
            print(f"   {label}: {p50:.0f} / {p95:.0f}")
        print(f"\nSUMMARY  {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC  commit {commit()}")
        print(f"load average at start {load_start}, at end {loadavg()}")
        for name, seconds, cpu, peak, rss0 in Step.results:
            print(f"| {name} | {seconds:.1f} s | {cpu:.1f} s | {peak:.0f} MiB (from {rss0:.0f}) |")
        for label, p50, p95 in page_results:
            print(f"| {label} | {p50:.0f} ms | {p95:.0f} ms |")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin(f"DROP DATABASE IF EXISTS {db}")


if __name__ == "__main__":
    main()
