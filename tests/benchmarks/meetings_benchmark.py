"""Meetings benchmark: the PDF note (40 providers, 60 actions) and the agenda builder (400 providers).

Not a timed test: run it by hand and record the figures in docs/benchmarks-meetings.md.

    QSG_TEST_DB_NAME=bench_qsg_meet REDIS_URL=redis://127.0.0.1:6379/4 \\
        .venv/bin/python tests/benchmarks/meetings_benchmark.py

It creates (and drops) its own PostgreSQL test database. Targets: PDF under 5 s; agenda
builder under 300 ms with a bounded number of queries.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qsg.settings.test")
os.environ.setdefault("QSG_TEST_DB_NAME", "bench_qsg_meet")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from tests.signin import log_in  # noqa: E402

PROVIDERS = 400
DISCUSSED = 40
ACTIONS = 60
RENDERS = 5


def build(cast):
    from qsg.models import Provider
    from surveillance.meetings.models import ConclusionCategory, FOIExemption, MeetingNote
    from surveillance.meetings.services import actions as actions_services
    from surveillance.meetings.services import agenda as agenda_services
    from surveillance.meetings.services import attendance as attendance_services
    from surveillance.meetings.services import note as note_services
    from surveillance.meetings.services import plans as plans_services
    from surveillance.meetings.services import schedule as schedule_services

    qsg = cast.qsgs["a"]
    Provider.objects.bulk_create(
        Provider(
            ods_code=f"Z{i:04d}",
            name=f"Provider {i:03d} care home",
            sector="care_home",
            qsg=qsg,
            district=f"District {i % 9}",
        )
        for i in range(PROVIDERS - 2)
    )
    secretariat, chair = cast.users["secretariat_a"], cast.users["chair_a"]
    today = timezone.localdate()
    past = schedule_services.meeting_create(
        actor=secretariat,
        qsg=qsg,
        title="Area A QSG meeting",
        date=today - dt.timedelta(days=20),
        start_time=dt.time(10),
        end_time=dt.time(13),
    )
    for username in ("chair_a", "secretariat_a", "member_a", "cqc_a"):
        user = cast.users[username]
        attendance_services.attendance_add(
            actor=secretariat,
            meeting=past,
            user=user,
            organisation=user.organisation,
            present_from=dt.time(10),
            present_to=dt.time(13),
        )
    agenda_services.agenda_apply_template(actor=secretariat, meeting=past)
    note = note_services.meeting_note_start(actor=secretariat, meeting=past)
    categories = list(ConclusionCategory.objects.all())
    exemption = FOIExemption.objects.get(code="s41")
    providers = list(Provider.objects.filter(qsg=qsg).order_by("ods_code")[:DISCUSSED])
    conclusions = []
    for index, provider in enumerate(providers):
        item = agenda_services.agenda_item_create(
            actor=secretariat,
            meeting=past,
            title=f"{provider.name}: discussion",
            kind="provider",
            providers=[provider],
        )
        text = (
            "The group discussed the latest indicators and the intelligence shared by members. " * 4
        )
        note_services.passage_save(actor=secretariat, note=note, agenda_item=item, text=text)
        if index % 5 == 0:
            note_services.passage_save(
                actor=secretariat,
                note=note,
                agenda_item=item,
                text="Shared in confidence by a member.",
                foi_exemption=exemption,
            )
        conclusions.append(
            note_services.conclusion_save(
                actor=secretariat,
                note=note,
                provider=provider,
                category=categories[index % len(categories)],
                key_issues="Mortality, staffing and complaints trends",
                rationale="Data and soft intelligence considered together",
                agenda_item=item,
            )
        )
    for index in range(ACTIONS):
        owner = cast.users["cqc_a"] if index % 2 else cast.users["member_a"]
        actions_services.action_save(
            actor=secretariat,
            note=note,
            description=f"Action {index + 1}: follow up with the provider and report back",
            owner_organisation=owner.organisation,
            owner=owner,
            due_date=today + dt.timedelta(days=10 + index),
            conclusion=conclusions[index % len(conclusions)],
        )
    note_services.meeting_note_circulate(actor=secretariat, note=note)
    note = MeetingNote.objects.get(pk=note.pk)
    note_services.meeting_note_agree(actor=chair, note=note)
    upcoming = schedule_services.meeting_create(
        actor=secretariat,
        qsg=qsg,
        title="Area A QSG meeting",
        date=today + dt.timedelta(days=20),
        start_time=dt.time(10),
        end_time=dt.time(13),
    )
    plan = plans_services.business_plan_create(
        actor=secretariat,
        qsg=qsg,
        title="Plan",
        period_start=today,
        period_end=today + dt.timedelta(days=200),
    )
    plans_services.business_plan_distribute(actor=secretariat, plan=plan, group_by="district")
    agenda_services.agenda_apply_template(actor=secretariat, meeting=upcoming)
    return MeetingNote.objects.get(pk=note.pk), upcoming


def main() -> None:
    from surveillance.meetings import pdf as pdf_meetings
    from tests.cast import build_cast

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        cast = build_cast()
        note, upcoming = build(cast)

        timings, cpu = [], []
        pages = 0
        for _ in range(RENDERS):
            start, start_cpu = time.perf_counter(), time.process_time()
            rendered = pdf_meetings.render_note_pdf(note, audience="full")
            timings.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            pages = rendered.pages
        print(
            f"PDF note, {DISCUSSED} providers and {ACTIONS} actions: {pages} pages, "
            f"best {min(timings):.2f} s, median {statistics.median(timings):.2f} s wall; "
            f"CPU best {min(cpu):.2f} s, median {statistics.median(cpu):.2f} s (target < 1 s)"
        )

        client = Client()
        log_in(client, cast.users["secretariat_a"])
        url = reverse("surveillance:agenda", args=[upcoming.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, response.status_code
        query_count = len(queries.captured_queries)
        proposals = response.content.decode().count('name="suggestion"')
        samples = []
        for _ in range(20):
            start = time.perf_counter()
            client.get(url)
            samples.append((time.perf_counter() - start) * 1000)
        samples.sort()
        print(
            f"Agenda builder, {PROVIDERS} providers ({proposals} proposals): "
            f"{query_count} queries, median {statistics.median(samples):.0f} ms, "
            f"p90 {samples[int(len(samples) * 0.9) - 1]:.0f} ms (target < 300 ms)"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
