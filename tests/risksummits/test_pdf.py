"""Summit PDFs: rendered by WeasyPrint in a task, read back, and once through a real worker."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import time

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from qsg.models import Job
from risksummits.models import SummitDocument
from risksummits.services.actions import action_create, action_update
from risksummits.services.closure import summit_close
from risksummits.services.documents import document_request
from tests.signin import log_in

from .factories import hold_first_meeting, ready_to_close, standing, trigger


def _text(content: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return result.stdout.decode()


def _close(cast, summit):
    ready_to_close(
        cast,
        summit,
        finding="breach",
        professional_referral="made",
        professional_regulator="Nursing and Midwifery Council",
        professional_referral_on=timezone.localdate(),
        adult_safeguarding_followed="yes",
        lscb_notified="yes",
        lscb_notified_on=timezone.localdate(),
    )
    action = action_create(
        actor=cast.users["secretariat_a"],
        summit=summit,
        objective="safeguard",
        description="Two extra midwives on every night shift",
        owner_organisation=cast.orgs["icb_a"],
        due_on=timezone.localdate() + dt.timedelta(days=2),
    )
    action_update(
        actor=cast.users["secretariat_a"],
        standing=standing(cast, "secretariat_a", summit),
        action=action,
        status="done",
    )
    return summit_close(
        actor=cast.users["chair_a"],
        summit=summit,
        outcome="regulatory_action",
        outcome_summary="The CQC imposed conditions; staffing restored",
        level_after="regular-review",
    )


@pytest.mark.django_db
def test_meeting_record_and_closure_report_pdfs(cast, django_capture_on_commit_callbacks):
    summit = trigger(cast, involves_child_safeguarding=True)
    summit = _close(cast, summit)
    meeting = summit.meetings.get()
    manager = standing(cast, "secretariat_a", summit)
    with django_capture_on_commit_callbacks(execute=True):
        doc, queued = document_request(
            actor=cast.users["secretariat_a"], standing=manager, kind="meeting", meeting=meeting
        )
    assert queued
    job = Job.objects.get(pk=doc.job_id)
    assert job.status == Job.Status.SUCCEEDED, job.error
    content = default_storage.open(job.counts["path"], "rb").read()
    reader = PdfReader(io.BytesIO(content))
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=1)  # A4
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged (PDF/UA-1)
    metadata = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "pdfuaid" in metadata
    text = _text(content)
    pages = len(reader.pages)
    assert settings.QSG_PROTECTIVE_MARKING in text
    assert f"Page 1 of {pages}" in text
    assert summit.reference in text
    assert "First meeting" in text and "Potential serious failure" in text
    assert "Rapidly safeguard patients" in text

    # The same version again is the same document; the closure report is another.
    again, queued = document_request(
        actor=cast.users["member_a"],
        standing=standing(cast, "member_a", summit),
        kind="meeting",
        meeting=meeting,
    )
    assert again.pk == doc.pk and not queued
    with django_capture_on_commit_callbacks(execute=True):
        closure, _ = document_request(
            actor=cast.users["chair_a"], standing=standing(cast, "chair_a", summit), kind="closure"
        )
    job = Job.objects.get(pk=closure.job_id)
    assert job.status == Job.Status.SUCCEEDED, job.error
    text = _text(default_storage.open(job.counts["path"], "rb").read())
    # Its version is the document's own (the first issued), not the record's revision counter.
    assert closure.version == 1 and "Closure report, version 1 " in text
    revision = type(summit).objects.get(pk=summit.pk).revision
    assert revision > 1 and f"version {revision}" not in text
    assert "Holds the ring" in text  # the agreed ring-holder, and only it
    for expected in [
        "closure report",
        "Breach of the essential standards",
        "Nursing and Midwifery Council",
        "Local Safeguarding Children Board",
        "Two extra midwives",
        "Regulatory action taken",
        "Keep under regular review",
        settings.QSG_PROTECTIVE_MARKING,
    ]:
        assert expected in text, expected

    client = Client()
    log_in(client, cast.users["member_a"])
    download = client.get(reverse("risksummits:document-download", args=[summit.pk, closure.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download.content.startswith(b"%PDF")
    status = client.get(
        reverse("risksummits:document", args=[summit.pk, closure.pk]), HTTP_HX_REQUEST="true"
    )
    assert "Download the PDF" in status.content.decode()


@pytest.mark.worker
def test_summit_pdf_through_a_real_worker(cast_transactional, celery_worker):
    cast = cast_transactional
    summit = trigger(cast)
    meeting = hold_first_meeting(cast, summit)
    document, queued = document_request(
        actor=cast.users["secretariat_a"],
        standing=standing(cast, "secretariat_a", summit),
        kind=SummitDocument.Kind.MEETING,
        meeting=meeting,
    )
    assert queued
    deadline = time.monotonic() + 60
    job = Job.objects.get(pk=document.job_id)
    while not job.is_finished and time.monotonic() < deadline:
        time.sleep(0.25)
        job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, (job.error, celery_worker.log())
    assert "risksummits.render_summit_pdf" in celery_worker.log()
    text = _text(default_storage.open(job.counts["path"], "rb").read())
    assert summit.reference in text and settings.QSG_PROTECTIVE_MARKING in text
