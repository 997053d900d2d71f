"""CPU milliseconds and queries per request for the load test's top endpoints.

Not a timed test: run it by hand and record the figures in docs/benchmarks.md.

    QSG_TEST_DB_NAME=bench_qsg_endpoints CELERY_TASK_ALWAYS_EAGER=0 \\
        CELERY_BROKER_URL=redis://127.0.0.1:6379/13 \\
        .venv/bin/python tests/benchmarks/bench_endpoints.py [--keep] [--requests 30] [--profile DIR]

It seeds the demo and the load test's people (tests/load/seed.py) into a database of its own,
then requests each endpoint of the mixed load scenario (tests/load/locustfile.py) as the kind of
person who uses it, in-process (the whole Django stack, no network). For each it prints the SQL
queries of one request, and the median over the requests of this process's CPU time (Django's
own work: the database's is not in it) and of the wall time. CPU time barely moves with the
machine's load, wall time does: both are printed with the load average, and at the end the
process's peak memory. `--profile DIR` writes a
cProfile of each endpoint there (read it with `python -m pstats`).

Jobs the requests queue go to the broker and are not run (CELERY_TASK_ALWAYS_EAGER=0): a request's
cost is the request's, as under gunicorn.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import resource
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qsg.settings.test")
os.environ.setdefault("QSG_TEST_DB_NAME", "bench_qsg_endpoints")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

PASSWORD = "bench-endpoints-2026"
REQUESTS = 30
WARM_UP = 3


def _client(entry: dict, *, token: bool = False) -> Client:
    if token:
        return Client(HTTP_AUTHORIZATION=f"Token {entry['token']}")
    client = Client()
    client.cookies["sessionid"] = entry["session"]
    return client


def _submit(accounts: dict):
    """POST /api/v1/intelligence/ as the members in turn, each with a fresh Idempotency-Key."""
    members = [m for m in accounts["members"] if m["providers"]]
    clients = [(m, _client(m, token=True)) for m in members]
    n = iter(range(10**9))

    def request():
        member, client = clients[next(n) % len(clients)]
        body = {
            "qsg": member["qsg"],
            "providers": member["providers"][:1],
            "summary": "Staffing concerns on the surgical wards",
            "details": "Several members of staff reported that rotas were short on nights.",
            "source_type": "staff",
            "quality_dimension": "safety",
            "observed_from": (dt.date.today() - dt.timedelta(days=14)).isoformat(),
            "source_reliability": "B",
            "information_certainty": 2,
        }
        return client.post(
            accounts["intelligence_url"],
            body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"bench-{uuid.uuid4()}",
        )

    return request


def endpoints(accounts: dict) -> list[tuple[str, object]]:
    member = accounts["members"][0]
    secretariat = accounts["secretariat"][0]
    reader = accounts["note_readers"][0] if accounts["note_readers"] else member
    analyst = accounts["analysts"][0]
    m, s, r = _client(member), _client(secretariat), _client(reader)
    a = _client(analyst, token=True)
    meeting = (secretariat["meetings"] or [None])[0]
    qsg = secretariat["qsg"]
    out = [
        ("GET / (member)", lambda: m.get("/")),
        ("GET / (secretariat)", lambda: s.get("/")),
        ("POST /api/v1/intelligence/", _submit(accounts)),
        ("GET /qsgs/[id]/meetings/", lambda: m.get(f"/qsgs/{member['qsg']}/meetings/")),
        ("GET /dashboard/qsgs/[id]/", lambda: s.get(f"/dashboard/qsgs/{qsg}/")),
        ("GET /actions/", lambda: m.get("/actions/")),
        ("GET /dashboard/qsgs/[id]/signals/", lambda: s.get(f"/dashboard/qsgs/{qsg}/signals/")),
        ("GET /risk-summits/", lambda: s.get("/risk-summits/")),
        (
            "GET /api/v1/observations/",
            lambda: a.get(f"/api/v1/observations/?ods_code={accounts['providers'][0]}"),
        ),
    ]
    if meeting:
        out += [
            ("GET /meetings/[id]/agenda/", lambda: s.get(f"/meetings/{meeting}/agenda/")),
            ("GET /meetings/[id]/", lambda: s.get(f"/meetings/{meeting}/")),
        ]
    if reader is not member:
        note = reader["meeting"]
        out += [
            ("GET /meetings/[id]/note/", lambda: r.get(f"/meetings/{note}/note/")),
            ("GET /meetings/[id]/note/pdf/", lambda: r.get(f"/meetings/{note}/note/pdf/")),
        ]
    return out


def measure(label: str, request, profile_dir: Path | None) -> dict:
    for _ in range(WARM_UP):
        response = request()
        assert response.status_code < 400, (label, response.status_code)
    statements: list[str] = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        request()
    cpu, wall = [], []
    profiler = cProfile.Profile(time.process_time) if profile_dir else None
    for _ in range(REQUESTS):
        start, start_cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        request()
        if profiler:
            profiler.disable()
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    if profiler:
        name = label.replace("/", "_").replace(" ", "").replace("[", "").replace("]", "")
        profiler.dump_stats(profile_dir / f"{name}.prof")
    result = {
        "label": label,
        "queries": len(statements),
        "cpu": statistics.median(cpu),
        "wall": statistics.median(wall),
    }
    print(
        f"{label:<36} queries {result['queries']:>3}  cpu {result['cpu']:6.1f} ms  "
        f"wall p50 {result['wall']:6.1f} ms  load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    return result


def main() -> None:
    global REQUESTS
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the database")
    parser.add_argument("--requests", type=int, default=REQUESTS)
    parser.add_argument("--profile", type=Path, help="write a cProfile per endpoint here")
    args = parser.parse_args()
    REQUESTS = args.requests
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)

    from qsg.models import User

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(
        verbosity=0, autoclobber=not args.keep, keepdb=args.keep, serialize=False
    )
    try:
        if not User.objects.filter(username__startswith="load.").exists():
            started = time.perf_counter()
            call_command("seed_demo", password=PASSWORD, verbosity=0)
            print(f"Seeded the demo in {time.perf_counter() - started:.0f} s", flush=True)
        from tests.load.seed import seed

        accounts = seed(PASSWORD)
        print(
            f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()}; "
            f"{REQUESTS} requests per endpoint after {WARM_UP} to warm up"
        )
        for label, request in endpoints(accounts):
            measure(label, request, args.profile)
        print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()}")
        # What one web worker process grows to serving every endpoint (the test client and
        # this script included, so a little over a gunicorn worker's).
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory of this process: {peak:.0f} MB")
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
