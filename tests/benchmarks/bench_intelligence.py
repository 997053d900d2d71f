"""Intelligence benchmark: 1,000,000 items across 27 local QSGs; the API list and full-text
search for a member of one QSG.

Not a timed test: run it by hand and record the figures in docs/benchmarks-intelligence.md.

    QSG_TEST_DB_NAME=bench_qsg_intel REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python tests/benchmarks/bench_intelligence.py [--items 1000000] [--keep]

It creates its own PostgreSQL database (dropped at the end unless --keep; with --keep a second
run reuses a database that already holds the items). Items are loaded with COPY in batches,
then the search vectors are computed in SQL and the tables analysed. Figures: server time
(in-process, the whole Django stack, no network) p50/p95 over 200 warm requests, and SQL
queries per request at 1,000 items and at the full count (they must be the same).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qsg.settings.test")
os.environ.setdefault("QSG_TEST_DB_NAME", "bench_qsg_intel")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from tests.signin import log_in  # noqa: E402

LOCAL_QSGS = 27
PROVIDERS_PER_QSG = 12
REQUESTS = 200
WARM_UP = 20
BATCH = 50_000
SMALL = 1_000

WORDS = [
    "staffing",
    "nurses",
    "night",
    "shifts",
    "agency",
    "cover",
    "cancelled",
    "theatre",
    "lists",
    "waiting",
    "times",
    "discharge",
    "delays",
    "safeguarding",
    "referrals",
    "maternity",
    "escalation",
    "obstetric",
    "cover",
    "infection",
    "control",
    "cleanliness",
    "emergency",
    "department",
    "crowding",
    "complaints",
    "handling",
    "governance",
    "board",
    "incident",
    "investigations",
    "overdue",
    "medicines",
    "omitted",
    "doses",
    "pressure",
    "ulcers",
    "falls",
    "elderly",
    "care",
    "ward",
    "call",
    "bells",
    "dignity",
    "mental",
    "health",
    "community",
    "appointments",
    "culture",
    "bullying",
    "whistleblowing",
    "leadership",
    "finance",
    "recovery",
    "plan",
    "estates",
    "equipment",
    "failures",
    "ambulance",
    "handover",
]
SOURCES = ["patient", "staff", "whistleblower", "complaint", "inspection", "survey", "media"]
DIMENSIONS = ["safety", "effectiveness", "experience"]
STATUSES = (
    ["triaged"] * 40 + ["considered"] * 20 + ["closed"] * 15 + ["submitted"] * 20 + ["draft"] * 5
)
DISTRIBUTIONS = ["qsg"] * 60 + ["region"] * 15 + ["organisation"] * 15 + ["named"] * 10


def build_network(cast):
    """24 more local QSGs (27 in all), each with member organisations, a person and providers."""
    from qsg import services
    from qsg.models import QSG, OrganisationType, Provider

    other = OrganisationType.objects.get(code="icb-ccg")
    regions = [cast.qsgs["r"], cast.qsgs["s"]]
    qsgs = [cast.qsgs["a"], cast.qsgs["b"], cast.qsgs["c"]]
    authors = {q.pk: [] for q in qsgs}
    for key, username in (("a", "member_a"), ("a", "cqc_a"), ("b", "member_b"), ("c", "member_c")):
        authors[cast.qsgs[key].pk].append(cast.users[username])
    for n in range(LOCAL_QSGS - 3):
        qsg = QSG.objects.create(
            name=f"Bench local QSG {n:02d}",
            slug=f"bench-{n:02d}",
            level=QSG.Level.LOCAL,
            regional_qsg=regions[n % 2],
        )
        org = services.organisation_create(actor=None, name=f"Bench ICB {n:02d}", type=other)
        services.membership_add(actor=None, qsg=qsg, organisation=org)
        user = services.user_create(
            actor=None, username=f"bench{n:02d}", organisation=org, password=None
        )
        services.role_assign(actor=None, qsg=qsg, user=user, role="member")
        qsgs.append(qsg)
        authors[qsg.pk] = [user]
    providers = {}
    for qsg in qsgs:
        existing = list(Provider.objects.filter(qsg=qsg).values_list("pk", flat=True))
        new = Provider.objects.bulk_create(
            Provider(
                ods_code=f"Y{qsg.pk:03d}{i:02d}",
                name=f"Provider {qsg.pk}-{i}",
                sector="acute",
                qsg=qsg,
            )
            for i in range(PROVIDERS_PER_QSG - len(existing))
        )
        providers[qsg.pk] = existing + [p.pk for p in new]
    return qsgs, authors, providers


def load(start: int, count: int, qsgs, authors, providers, org_pool, themes) -> None:
    """COPY `count` items with ids from `start`, their providers and named organisations."""
    rng = random.Random(start)
    now = timezone.now()
    today = timezone.localdate()
    item_cols = (
        "id, qsg_id, service_site, submitting_organisation_id, submitted_by_id, source_type, "
        "quality_dimension, theme_id, summary, details, observed_from, observed_to, "
        "source_reliability, information_certainty, review_by, status, distribution, "
        "do_not_attribute, for_next_meeting, outside_reason, reference, idempotency_key, "
        "submitted_at, created_at, updated_at"
    )
    with connection.cursor() as cursor:
        raw = cursor.cursor
        done = 0
        while done < count:
            n = min(BATCH, count - done)
            links, named = [], []
            with raw.copy(f"COPY surveillance_intelligenceitem ({item_cols}) FROM STDIN") as copy:
                for pk in range(start + done, start + done + n):
                    qsg = qsgs[pk % len(qsgs)]
                    author = rng.choice(authors[qsg.pk])
                    status = rng.choice(STATUSES)
                    distribution = rng.choice(DISTRIBUTIONS)
                    words = rng.sample(WORDS, 14)
                    observed = today - dt.timedelta(days=rng.randrange(5, 900))
                    created = now - dt.timedelta(minutes=(start + count - pk))
                    copy.write_row(
                        (
                            pk,
                            qsg.pk,
                            "",
                            author.organisation_id,
                            author.pk,
                            rng.choice(SOURCES),
                            rng.choice(DIMENSIONS),
                            rng.choice(themes),
                            " ".join(words[:6]).capitalize(),
                            " ".join(words) + ".",
                            observed,
                            observed + dt.timedelta(days=7),
                            "ABCDEF"[rng.randrange(6)],
                            rng.randrange(1, 7),
                            observed + dt.timedelta(days=120),
                            status,
                            distribution,
                            rng.random() < 0.1,
                            False,
                            "",
                            f"INT-B-{pk:07d}",
                            "",
                            None if status == "draft" else created,
                            created,
                            created,
                        )
                    )
                    links.append((pk, rng.choice(providers[qsg.pk])))
                    if distribution == "named":
                        for org_id in rng.sample(org_pool, 2):
                            named.append((pk, org_id))
            through = "surveillance_intelligenceitem_providers"
            with raw.copy(f"COPY {through} (intelligenceitem_id, provider_id) FROM STDIN") as copy:
                for row in links:
                    copy.write_row(row)
            through = "surveillance_intelligenceitem_named_organisations"
            with raw.copy(
                f"COPY {through} (intelligenceitem_id, organisation_id) FROM STDIN"
            ) as copy:
                for row in named:
                    copy.write_row(row)
            done += n
            print(f"  loaded {start + done - 1:,} items", flush=True)
        # The same vector the services store (summary A, details B, service and reference C).
        cursor.execute(
            "UPDATE surveillance_intelligenceitem SET search = "
            "setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'A') || "
            "setweight(to_tsvector('english'::regconfig, coalesce(details, '')), 'B') || "
            "setweight(to_tsvector('simple'::regconfig, coalesce(service_site, '') || ' ' || "
            "coalesce(reference, '')), 'C') WHERE id >= %s",
            [start],
        )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('surveillance_intelligenceitem', 'id'), "
            "(SELECT max(id) FROM surveillance_intelligenceitem))"
        )
        cursor.execute("ANALYZE surveillance_intelligenceitem")
        cursor.execute("ANALYZE surveillance_intelligenceitem_providers")
        cursor.execute("ANALYZE surveillance_intelligenceitem_named_organisations")


def measure(client, url: str, label: str) -> dict:
    """Wall time (p50/p95), this process's CPU time (median: Django's own work, steadier than
    wall time on a shared machine) and queries of one request."""
    for _ in range(WARM_UP):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    statements: list[str] = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    body = response.json() if response["Content-Type"].startswith("application/json") else {}
    samples, cpu = [], []
    for _ in range(REQUESTS):
        start, start_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        cpu.append((time.process_time() - start_cpu) * 1000)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    result = {
        "label": label,
        "queries": len(statements),
        "p50": statistics.median(samples),
        "p95": samples[max(int(len(samples) * 0.95) - 1, 0)],
        "cpu": statistics.median(cpu),
        "count": body.get("count") if isinstance(body, dict) else len(body),
    }
    print(
        f"{label:<42} queries {result['queries']:>2}  p50 {result['p50']:6.1f} ms  "
        f"p95 {result['p95']:6.1f} ms  cpu {result['cpu']:5.1f} ms  results {result['count']}"
        f"  load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    return result


def urls():
    out = [
        # The floor: a four-query endpoint, to read the others against the machine's load.
        ("/api/v1/intelligence-themes/", "baseline: API themes (no items)"),
        ("/api/v1/intelligence/", "API list (page of 50)"),
        ("/api/v1/intelligence/?search=staffing", "API search, common word"),
        ("/api/v1/intelligence/?search=ambulance+handover", "API search, two words"),
        ("/api/v1/intelligence/?search=INT-B-0000027", "API search, a reference"),
        ("/api/v1/intelligence/?search=INT-B-000002", "API search, a reference's start"),
    ]
    try:
        out.append((reverse("surveillance:intelligence-list"), "list page"))
        out.append((reverse("surveillance:intelligence-list") + "?q=staffing", "list page, search"))
    except NoReverseMatch:
        pass
    return out


def explain(user) -> str:
    """The plans (EXPLAIN ANALYZE, BUFFERS: pages read do not depend on the machine's load) of
    the API list's page and of its count, unsearched and for each search."""
    from django.test import RequestFactory
    from rest_framework.request import Request

    from qsg.pagination import capped_count
    from surveillance.intelligence import selectors as selectors_intelligence
    from surveillance.intelligence.api import IntelligenceViewSet

    out = []
    for text in ("", "staffing", "ambulance handover", "INT-B-0000027"):
        request = Request(RequestFactory().get("/", {"search": text} if text else {}))
        request.user = user
        view = IntelligenceViewSet(request=request, action="list", format_kwarg=None, kwargs={})
        page = view.filter_queryset(view.get_queryset())
        cap = getattr(selectors_intelligence, "count_cap", lambda text: None)(text)
        if cap is not None and capped_count(page, cap + 1) > cap:
            page = page.order_by("-created_at", "-id")  # as the paginator lists a capped search
        statements = [("page", page[:50].query.sql_with_params())]
        counted = _count_sql(view, request, user, page, text)
        if counted:
            statements.append(("count", counted))
        for what, (sql, params) in statements:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            out.append(f"-- {what}, search={text!r}\n{plan}")
    return "\n\n".join(out)


def _count_sql(view, request, user, page, text):
    """The count's SQL as the API runs it (None if this code has no such count)."""
    from qsg.pagination import union_of
    from surveillance.intelligence import access
    from surveillance.intelligence import selectors as selectors_intelligence

    cap = getattr(selectors_intelligence, "count_cap", lambda text: None)(text)
    if cap is not None:
        ids = page.order_by().select_related(None).prefetch_related(None).values("pk")[: cap + 1]
        sql, params = ids.query.sql_with_params()
        return f"SELECT count(*) FROM ({sql}) ids", params  # noqa: S608 (Django's SQL)
    if selectors_intelligence.count_by_arms(text):
        parts = [view.filter_queryset(view.visible_queryset(a)) for a in access.item_arms_for(user)]
        sql, params = union_of(parts).query.sql_with_params()
    else:
        sql, params = page.order_by().values("pk").query.sql_with_params()
    return f"SELECT count(*) FROM ({sql}) ids", params  # noqa: S608 (Django's SQL)


def vacuum() -> None:
    """VACUUM (ANALYZE) the items and their links, as autovacuum would on a live server.

    Autovacuum is off on the development server; without a vacuum no page is marked all-visible
    and every index-only scan still reads the heap. A second run finds little to do.
    """
    with connection.cursor() as cursor:
        for table in (
            "surveillance_intelligenceitem",
            "surveillance_intelligenceitem_providers",
            "surveillance_intelligenceitem_named_organisations",
        ):
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def main() -> None:
    global REQUESTS, WARM_UP
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the database")
    parser.add_argument("--explain", action="store_true", help="print the list's query plans")
    parser.add_argument("--requests", type=int, default=REQUESTS, help="timed requests per URL")
    args = parser.parse_args()
    REQUESTS, WARM_UP = args.requests, min(WARM_UP, args.requests)
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()}")

    from qsg.models import Organisation, User
    from surveillance.intelligence.models import IntelligenceItem, Theme
    from tests.cast import build_cast

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(
        verbosity=0, autoclobber=not args.keep, keepdb=args.keep, serialize=False
    )
    try:
        reader = User.objects.filter(username="member_a").first()
        if reader is None or IntelligenceItem.objects.count() < args.items:
            if reader is not None:
                raise SystemExit("database holds a partial load: run again without --keep")
            started = time.perf_counter()
            cast = build_cast()
            qsgs, authors, providers = build_network(cast)
            org_pool = list(Organisation.objects.values_list("pk", flat=True))
            themes = list(Theme.objects.values_list("pk", flat=True))
            reader = cast.users["member_a"]
            load(1, SMALL, qsgs, authors, providers, org_pool, themes)
            small = _run(reader, f"{SMALL:,} items")
            load(SMALL + 1, args.items - SMALL, qsgs, authors, providers, org_pool, themes)
            print(f"Seeded {args.items:,} items in {time.perf_counter() - started:.0f} s")
        else:
            small = None
        started = time.perf_counter()
        vacuum()
        print(f"VACUUM (ANALYZE) in {time.perf_counter() - started:.0f} s")
        big = _run(reader, f"{args.items:,} items")
        if small:
            for s, b in zip(small, big, strict=True):
                print(f"queries per request, {s['label']}: {s['queries']} -> {b['queries']}")
        if args.explain:
            print(explain(reader))
        print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()}")
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def _run(reader, title: str) -> list[dict]:
    from surveillance.intelligence.models import IntelligenceItem

    print(f"\n{title}: {IntelligenceItem.objects.count():,} rows; reader member_a (QSG A)")
    client = Client()
    log_in(client, reader)
    return [measure(client, url, label) for url, label in urls()]


if __name__ == "__main__":
    main()
