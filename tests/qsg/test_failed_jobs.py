"""The failed-jobs page: the secretariat sees its QSGs' failed jobs and tries them again."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from qsg import jobs
from qsg.models import Job
from tests.signin import log_in

PAGE = "/jobs/failed/"


def _job(cast, *, kind="meeting_note_pdf", qsg="a", error="Disk full", status=Job.Status.FAILED):
    return Job.objects.create(
        kind=kind,
        status=status,
        qsg=cast.qsgs[qsg] if qsg else None,
        organisation=cast.orgs["nhse_a"],
        error=error,
        message="The PDF could not be written",
        attempts=3,
    )


def _staff(cast):
    return get_user_model().objects.create_user(
        "ops_staff", "ops@example.nhs.uk", "ops-password-1234", is_staff=True
    )


def test_secretariat_sees_its_qsgs_failed_jobs_with_error_attempts_and_retry(cast, client_for):
    failed = _job(cast, error="<script>alert(1)</script> OSError: disk full")
    other = _job(cast, qsg="b", error="B own trouble")
    done = _job(cast, status=Job.Status.SUCCEEDED, error="")
    body = client_for("secretariat_a").get(PAGE).content.decode()
    assert f'id="job-{failed.pk}"' in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; OSError: disk full" in body
    assert "<script>alert(1)" not in body
    assert "Meeting note PDF" in body and "Try again" in body
    assert reverse("qsg:job-retry", args=[failed.pk]) in body
    assert f"job-{other.pk}" not in body and "B own trouble" not in body
    assert f"job-{done.pk}" not in body
    b_body = client_for("secretariat_b").get(PAGE).content.decode()
    assert "B own trouble" in b_body and "disk full" not in b_body


def test_people_who_run_no_qsg_get_403(cast, client_for):
    _job(cast)
    for name in ("member_a", "chair_a", "observer_a", "outsider"):
        assert client_for(name).get(PAGE).status_code == 403


def test_home_page_warns_the_secretariat_of_failed_jobs(cast, client_for):
    _job(cast)
    _job(cast, status=Job.Status.NOT_QUEUED)
    assert "2 background jobs failed" in client_for("secretariat_a").get("/").content.decode()
    assert "background job" not in client_for("secretariat_b").get("/").content.decode()
    assert "background job" not in client_for("member_a").get("/").content.decode()


def test_retry_puts_the_job_back_once(cast, client_for):
    failed = _job(cast)
    client = client_for("secretariat_a")
    url = reverse("qsg:job-retry", args=[failed.pk])
    first = client.post(url, follow=True)
    failed.refresh_from_db()
    assert failed.status == Job.Status.QUEUED and failed.error == ""
    assert "Meeting note PDF: queued again" in first.content.decode()
    second = client.post(url, follow=True)
    assert "no longer failed" in second.content.decode()
    assert client.get(url).status_code == 405


def test_retry_by_another_qsgs_secretariat_is_404(cast, client_for):
    failed = _job(cast)
    response = client_for("secretariat_b").post(reverse("qsg:job-retry", args=[failed.pk]))
    assert response.status_code == 404
    failed.refresh_from_db()
    assert failed.status == Job.Status.FAILED


def test_kinds_without_a_retry_handler_say_so(cast, client_for):
    odd = _job(cast, kind="something.unregistered")
    client = client_for("secretariat_a")
    assert "Cannot be tried again here" in client.get(PAGE).content.decode()
    response = client.post(reverse("qsg:job-retry", args=[odd.pk]), follow=True)
    assert "cannot be tried again from here" in response.content.decode()
    odd.refresh_from_db()
    assert odd.status == Job.Status.FAILED


def test_a_failed_import_whose_file_is_gone_asks_for_it_again(cast, client_for):
    from dashboard.models import ImportBatch
    from dashboard.services import IMPORT_KIND

    job = _job(cast, kind=IMPORT_KIND, qsg=None)
    ImportBatch.objects.create(
        job=job,
        file_name="a.csv",
        file_size=1,
        file_sha256="0" * 64,
        uploaded_by=cast.users["secretariat_a"],
    )
    response = client_for("secretariat_a").post(
        reverse("qsg:job-retry", args=[job.pk]), follow=True
    )
    assert "Upload it again" in response.content.decode()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


def test_risk_summit_jobs_are_seen_only_by_the_summits_ring(cast, client_for):
    hidden = _job(cast, kind="risk_summit_pdf", error="ring-fenced failure")
    hidden.counts = {"summit": 999_999, "kind": "closure"}
    hidden.save()
    assert "ring-fenced failure" not in client_for("secretariat_a").get(PAGE).content.decode()
    response = client_for("secretariat_a").post(reverse("qsg:job-retry", args=[hidden.pk]))
    assert response.status_code == 404


def test_every_retry_handler_is_registered_for_the_jobs_the_apps_create():
    from dashboard.services import IMPORT_KIND, RECOMPUTE_KIND
    from risksummits.services.documents import PDF_KIND as SUMMIT_PDF
    from surveillance.meetings.services.pdf import PDF_KIND as NOTE_PDF
    from surveillance.packs.services import RENDER_KIND as PACK

    for kind in (IMPORT_KIND, RECOMPUTE_KIND, SUMMIT_PDF, NOTE_PDF, PACK):
        assert jobs.can_retry(Job(kind=kind, status=Job.Status.FAILED)), kind
        assert not jobs.can_retry(Job(kind=kind, status=Job.Status.SUCCEEDED)), kind


@pytest.mark.worker
def test_staff_retry_of_a_failed_recompute_runs_on_a_real_worker(cast, celery_worker):
    from dashboard.services import RECOMPUTE_KIND

    job = Job.objects.create(
        kind=RECOMPUTE_KIND,
        status=Job.Status.NOT_QUEUED,
        counts={"mode": "changed"},
        message="The job could not be started. Try again in a few minutes.",
    )
    client = Client()
    log_in(client, _staff(cast))
    assert f"job-{job.pk}" in client.get(PAGE).content.decode()
    assert client.post(reverse("qsg:job-retry", args=[job.pk])).status_code == 302
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.2)
    assert job.status == Job.Status.SUCCEEDED, (job.status, job.error, celery_worker.log())
    assert job.attempts == 1
    assert f"job-{job.pk}" not in client.get(PAGE).content.decode()
