"""Meeting packs benchmark: one big pack in one worker, and 27 local packs in parallel.

Not a timed test: run it by hand and record the figures in docs/benchmarks-packs.md.

    QSG_TEST_DB_NAME=bench_qsg_packs REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python tests/benchmarks/bench_packs.py [--big-only] [--concurrency=N]
        [--in-process]

--concurrency=N: the big pack's worker has N pool processes (prefork; default 1, solo), so the
audiences, each its own task, render in parallel. --in-process: CPU time per stage and audience
in this process, with a profile of one audience.

It creates (and drops) its own PostgreSQL database and starts real Celery workers on queues of
their own. Aims: a 40-page pack with 30 SPC charts in under 15 s in one worker, with the web
process answering normally meanwhile; 27 local packs rendered in parallel with the job sent
twice: one file per audience and version, no duplicates.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qsg.settings.test")
os.environ.setdefault("QSG_TEST_DB_NAME", "bench_qsg_packs")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from tests.signin import log_in  # noqa: E402

CHARTS = 30
ACTIONS = 90
INTELLIGENCE = 60
LOCAL_PACKS = 27


def months_back(n: int) -> dt.date:
    today = timezone.localdate().replace(day=1)
    y, m = today.year, today.month - n
    while m <= 0:
        y, m = y - 1, m + 12
    return dt.date(y, m, 1)


def build_big_pack(cast):
    """QSG A: 30 providers on the agenda, each with a special cause concern last month; a
    previous meeting whose agreed note has 30 passages of a few paragraphs and 90 actions; 60
    items of intelligence shared with the group; two long returns from members."""
    from qsg.models import Provider
    from surveillance.meetings.models import ConclusionCategory, MeetingNote
    from surveillance.meetings.services import actions as actions_services
    from surveillance.meetings.services import agenda as agenda_services
    from surveillance.meetings.services import attendance as attendance_services
    from surveillance.meetings.services import note as note_services
    from surveillance.meetings.services import schedule as schedule_services
    from surveillance.packs import services as sp
    from tests.dashboard.helpers import ae_rows, csv_bytes, load

    qsg = cast.qsgs["a"]
    secretariat, chair = cast.users["secretariat_a"], cast.users["chair_a"]
    Provider.objects.bulk_create(
        Provider(ods_code=f"ZP{i:03d}", name=f"Provider {i:02d} NHS Trust", sector="acute", qsg=qsg)
        for i in range(CHARTS)
    )
    providers = list(Provider.objects.filter(ods_code__startswith="ZP").order_by("ods_code"))
    rows = []
    for p in providers:
        rows += ae_rows(p.ods_code, n=24, shift_at=23, shift=0.25, start=months_back(24))
    load(cast.users["member_b"], csv_bytes(rows))  # member_b is an analyst in the cast

    today = timezone.localdate()
    past = schedule_services.meeting_create(
        actor=secretariat,
        qsg=qsg,
        title="Area A QSG meeting",
        date=today - dt.timedelta(days=40),
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
    category = ConclusionCategory.objects.get(code="regular-review")
    for i, p in enumerate(providers):
        item = agenda_services.agenda_item_create(
            actor=secretariat, meeting=past, title=p.name, kind="provider", providers=[p]
        )
        note_services.passage_save(
            actor=secretariat,
            note=note,
            agenda_item=item,
            text="\n\n".join(
                [
                    "The group considered the latest data, the CQC's inspection findings and "
                    "soft intelligence from two members about staffing on the wards. " * 3,
                    "The ICB described its contract review and the provider's recovery plan; "
                    "the CQC said it would follow up at its next engagement meeting. " * 3,
                    "Members agreed the risks are understood and that the group will look "
                    "again at the next meeting with the provider's own figures. " * 2,
                ]
            ),
        )
        c = note_services.conclusion_save(
            actor=secretariat,
            note=note,
            provider=p,
            category=category,
            key_issues="Four-hour performance, staffing and complaints",
            rationale="Data and soft intelligence point the same way",
            agenda_item=item,
        )
        for j in range(ACTIONS // CHARTS):
            owner = cast.users["cqc_a"] if (i + j) % 2 else cast.users["member_a"]
            actions_services.action_save(
                actor=secretariat,
                note=note,
                description=f"Follow up {p.name} on item {j + 1} and report to the next meeting",
                owner_organisation=owner.organisation,
                owner=owner,
                due_date=today + dt.timedelta(days=10 + i),
                conclusion=c,
            )
    note_services.meeting_note_circulate(actor=secretariat, note=note)
    note = MeetingNote.objects.get(pk=note.pk)
    note_services.meeting_note_agree(actor=chair, note=note)
    note_services.meeting_note_publish(actor=chair, note=MeetingNote.objects.get(pk=note.pk))

    upcoming = schedule_services.meeting_create(
        actor=secretariat,
        qsg=qsg,
        title="Area A QSG meeting",
        date=today + dt.timedelta(days=14),
        start_time=dt.time(10),
        end_time=dt.time(13),
    )
    agenda_services.agenda_apply_template(actor=secretariat, meeting=upcoming)
    for p in providers:
        agenda_services.agenda_item_create(
            actor=secretariat, meeting=upcoming, title=p.name, kind="provider", providers=[p]
        )
    from tests.surveillance.intelligence.factories import submit, triage

    for i in range(INTELLIGENCE):
        item = submit(
            cast,
            "member_a" if i % 2 else "cqc_a",
            providers=[providers[i % CHARTS]],
            summary=f"Concern {i + 1}: delays and staffing reported at {providers[i % CHARTS].name}",
            details="Several reports in the last month describe long waits, cancelled "
            "clinics and wards running below planned staffing, with complaints rising. " * 4,
        )
        triage(cast, item, for_next_meeting=True)
    pack = sp.meeting_pack_open(actor=secretariat, meeting=upcoming)
    for username, org, handling in (
        ("member_a", "icb_a", "secretariat"),
        ("cqc_a", "cqc", "members"),
    ):
        sp.member_return_save(
            actor=cast.users[username],
            pack=pack,
            organisation=cast.orgs[org],
            submit=True,
            concerns="Concerns about staffing and waiting times at three providers. " * 30,
            actions_completed="A3, A7 and A12 are done; A15 is in hand and due next month. " * 5,
            intelligence="A pattern of complaints about discharge from members of the public. "
            * 25,
            handling=handling,
            concern_providers=providers[:3],
        )
    return upcoming, pack


def build_local_packs(cast) -> list:
    """27 local QSGs in the region, each with an ICB member and a meeting with its pack."""
    from qsg import services
    from qsg.models import QSG, OrganisationType, Provider, QSGRole
    from surveillance.meetings.services import agenda as agenda_services
    from surveillance.meetings.services import schedule as schedule_services
    from surveillance.packs import services as sp

    types = {t.code: t for t in OrganisationType.objects.all()}
    today = timezone.localdate()
    packs = []
    for i in range(LOCAL_PACKS):
        nhse = services.organisation_create(
            actor=None, name=f"NHS England area team {i:02d}", type=types["nhse-area-team"]
        )
        icb = services.organisation_create(actor=None, name=f"ICB {i:02d}", type=types["icb-ccg"])
        q = QSG(
            name=f"Local QSG {i:02d}",
            slug=f"local-{i:02d}",
            level=QSG.Level.LOCAL,
            regional_qsg=cast.qsgs["r"],
            convening_organisation=nhse,
        )
        q.full_clean()
        q.save()
        for org in (nhse, icb):
            services.membership_add(actor=None, qsg=q, organisation=org)
        sec = services.user_create(
            actor=None, username=f"sec{i:02d}", organisation=nhse, password="bench-pass-123"
        )
        mem = services.user_create(
            actor=None, username=f"mem{i:02d}", organisation=icb, password="bench-pass-123"
        )
        services.role_assign(actor=None, qsg=q, user=sec, role=QSGRole.Role.SECRETARIAT)
        services.role_assign(actor=None, qsg=q, user=mem, role=QSGRole.Role.MEMBER)
        provider = Provider.objects.create(
            ods_code=f"LQ{i:03d}", name=f"Local provider {i:02d}", sector="acute", qsg=q
        )
        m = schedule_services.meeting_create(
            actor=sec,
            qsg=q,
            title=f"Local QSG {i:02d} meeting",
            date=today + dt.timedelta(days=10),
            start_time=dt.time(10),
            end_time=dt.time(12),
        )
        agenda_services.agenda_apply_template(actor=sec, meeting=m)
        agenda_services.agenda_item_create(
            actor=sec, meeting=m, title=provider.name, kind="provider", providers=[provider]
        )
        pack = sp.meeting_pack_open(actor=sec, meeting=m)
        sp.member_return_save(
            actor=mem,
            pack=pack,
            organisation=icb,
            submit=True,
            concerns="For the secretariat only.",
            handling="secretariat",
        )
        packs.append((pack, sec))
    return packs


def wait(jobs, seconds=900):
    from qsg.models import Job

    deadline = time.monotonic() + seconds
    pending = {str(j.pk) for j in jobs}
    while pending and time.monotonic() < deadline:
        done = set(
            Job.objects.filter(
                pk__in=pending,
                status__in=[Job.Status.SUCCEEDED, Job.Status.FAILED, Job.Status.NOT_QUEUED],
            ).values_list("pk", flat=True)
        )
        pending -= {str(d) for d in done}
        time.sleep(0.2)
    return not pending


def latency_sampler(url: str, user, stop: threading.Event, out: list[float]) -> None:
    client = Client()
    log_in(client, user)
    while not stop.is_set():
        start = time.perf_counter()
        response = client.get(url)
        out.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        time.sleep(0.05)
    connection.close()


def peak_mib(pid: int) -> str:
    """The peak resident memory of a process so far (Linux's VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return f"{int(line.split()[1]) / 1024:.0f} MiB"
    return "unknown"


def pct(samples: list[float], p: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(len(s) * p))]


def in_process(pack, reader) -> None:
    """--in-process: the render of each audience in this process, wall and CPU time, with the
    time split between building the content, the HTML, WeasyPrint's layout and writing the PDF
    (CPU time is what the job costs; wall time depends on the machine's load)."""
    import cProfile
    import pstats

    from surveillance.packs import pdf as pdf_packs
    from surveillance.packs import selectors as selectors_packs
    from surveillance.packs.services import meeting_pack_render

    meeting = pack.meeting
    previous = None
    t0, c0 = time.perf_counter(), time.process_time()
    docs = [
        selectors_packs.document(pack, a, number=1, previous=previous)
        for a in selectors_packs.audiences(meeting, secretariat_reader=reader)
    ]
    dashboard = selectors_packs.dashboard_summary(meeting, reader=reader)
    print(
        f"Content of {len(docs)} audiences and the dashboard summary: "
        f"{time.perf_counter() - t0:.2f} s wall, {time.process_time() - c0:.2f} s CPU"
    )
    dump = os.environ.get("BENCH_PACKS_DUMP")  # a folder: write each audience's HTML there
    audience_cpu = []
    for i, doc in enumerate(docs):
        if dump:
            from django.template.loader import render_to_string
            from django.utils import timezone as tz

            from qsg import pdf

            for action in doc["actions"]:
                action["due_date"] = dt.date.fromisoformat(action["due"])
            html = render_to_string(
                pdf_packs.TEMPLATE,
                {
                    "pdf_font_stack": pdf.FONT_STACK,
                    "doc": doc,
                    "date": dt.date.fromisoformat(doc["meeting"]["date"]),
                    "dashboard": dashboard,
                    "sections": selectors_packs.SECTIONS,
                    "audience_label": "bench",
                    "printed_at": tz.localtime(),
                },
            )
            Path(dump, f"pack-{i + 1}.html").write_text(html)
        t0, c0 = time.perf_counter(), time.process_time()
        rendered = pdf_packs.render_pack_pdf(doc, dashboard, label="bench")
        audience_cpu.append(time.process_time() - c0)
        print(
            f"Audience {i + 1}: {rendered.pages} pages in {time.perf_counter() - t0:.2f} s wall, "
            f"{audience_cpu[-1]:.2f} s CPU"
        )
    print(
        f"Audiences in parallel (one task each, a core each): the job's longest path is the "
        f"slowest audience, {max(audience_cpu):.2f} s CPU, plus building its content"
    )
    profile = cProfile.Profile()
    profile.enable()
    pdf_packs.render_pack_pdf(docs[0], dashboard, label="bench")
    profile.disable()
    pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
    from qsg.models import Job
    from surveillance.packs.services import RENDER_KIND

    job = Job.objects.create(
        kind=RENDER_KIND, created_by=reader, counts={"pack": pack.pk, "number": 99}
    )
    t0, c0 = time.perf_counter(), time.process_time()
    versions = meeting_pack_render(job=job)
    print(
        f"Whole job in this process ({len(versions)} files): {time.perf_counter() - t0:.2f} s "
        f"wall, {time.process_time() - c0:.2f} s CPU of this process"
    )


def main() -> None:
    from qsg.celery import app as celery_app
    from qsg.models import Job
    from surveillance.packs import services as sp
    from surveillance.packs.models import PackRecipient, PackVersion
    from surveillance.packs.tasks import render_meeting_pack
    from tests.cast import build_cast
    from tests.worker import start_worker, stop_worker

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    celery_app.conf.task_always_eager = False
    workers = []
    try:
        cast = build_cast()
        upcoming, pack = build_big_pack(cast)
        big_only = "--big-only" in sys.argv
        secretariat = cast.users["secretariat_a"]
        if "--in-process" in sys.argv:
            in_process(pack, secretariat)
            return
        page_url = reverse("surveillance:meeting-detail", args=[upcoming.pk])

        # 1. One worker, one big pack; the web answers meanwhile.
        idle: list[float] = []
        stop = threading.Event()
        sampler = threading.Thread(target=latency_sampler, args=(page_url, secretariat, stop, idle))
        sampler.start()
        time.sleep(5)
        stop.set()
        sampler.join()

        concurrency = next(
            (int(a.split("=", 1)[1]) for a in sys.argv if a.startswith("--concurrency=")), 1
        )
        worker = start_worker(concurrency=concurrency)
        workers.append(worker)
        celery_app.conf.task_default_queue = worker.queue
        busy: list[float] = []
        stop = threading.Event()
        sampler = threading.Thread(target=latency_sampler, args=(page_url, secretariat, stop, busy))
        sampler.start()
        started = time.perf_counter()
        job = sp.meeting_pack_render_request(actor=secretariat, pack=pack)
        assert wait([job], 600), "the big pack did not finish"
        elapsed = time.perf_counter() - started
        stop.set()
        sampler.join()
        job.refresh_from_db()
        assert job.status == Job.Status.SUCCEEDED, job.error + worker.log()[-2000:]
        versions = list(PackVersion.objects.filter(pack=pack, number=1))
        full = next(v for v in versions if v.for_secretariat)
        per_file = (job.finished_at - job.started_at).total_seconds() / len(versions)
        print(
            f"Big pack: {len(versions)} files (audiences), full pack {full.pages} pages with "
            f"{CHARTS} SPC charts; job {job.duration_seconds:.1f} s in one worker of "
            f"{concurrency} process{'es' if concurrency > 1 else ''} "
            f"({per_file:.1f} s a file), {elapsed:.1f} s from request to ready"
        )
        print(
            f"Web page while idle: p50 {statistics.median(idle):.0f} ms, p95 {pct(idle, 0.95):.0f} ms "
            f"({len(idle)} requests); while rendering: p50 {statistics.median(busy):.0f} ms, "
            f"p95 {pct(busy, 0.95):.0f} ms, max {max(busy):.0f} ms ({len(busy)} requests)"
        )
        pid = worker.process.pid
        pool = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        print(
            f"Worker peak memory (VmHWM): {peak_mib(pid)} the worker"
            + "".join(f", {peak_mib(int(child))} pool process {child}" for child in pool)
        )
        stop_worker(worker)
        workers.remove(worker)
        if big_only:
            return

        # 2. 27 local packs across two workers, every job sent twice, then once more.
        packs = build_local_packs(cast)
        queue = f"bench-{os.getpid()}"
        for _ in range(2):
            workers.append(start_worker(queue=queue, concurrency=1))
        celery_app.conf.task_default_queue = queue
        started = time.perf_counter()
        jobs = []
        for local_pack, sec in packs:
            job = sp.meeting_pack_render_request(actor=sec, pack=local_pack)
            render_meeting_pack.delay(job_id=str(job.pk))  # the same job sent a second time
            jobs.append(job)
        assert wait(jobs, 900), "local packs did not finish"
        elapsed = time.perf_counter() - started
        statuses = list(
            Job.objects.filter(pk__in=[j.pk for j in jobs]).values_list("status", flat=True)
        )
        # Run every job once more (as after a redelivery): nothing new may appear.
        Job.objects.filter(pk__in=[j.pk for j in jobs]).update(status=Job.Status.QUEUED)
        for job in jobs:
            render_meeting_pack.delay(job_id=str(job.pk))
        assert wait(jobs, 900)
        local_ids = [p.pk for p, _ in packs]
        files = PackVersion.objects.filter(pack_id__in=local_ids)
        per_pack = {pk: files.filter(pack_id=pk).count() for pk in local_ids}
        recipients = PackRecipient.objects.filter(pack_id__in=local_ids).count()
        duplicates = (
            files.count() - files.values("pack_id", "number", "content_key").distinct().count()
        )
        print(
            f"{LOCAL_PACKS} local packs, two workers, each job sent twice then run again: "
            f"{elapsed:.1f} s wall; jobs {sorted(set(statuses))}; {files.count()} files "
            f"({min(per_pack.values())}-{max(per_pack.values())} a pack: the full pack and the ICB's), "
            f"{recipients} recipient rows, {duplicates} duplicates"
        )
    finally:
        for w in workers:
            stop_worker(w)
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
