"""The PDF note: rendered by WeasyPrint and read back; once through a real Celery worker."""

import io
import re
import time

import pytest
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.urls import reverse
from pypdf import PdfReader

from qsg.models import Job
from surveillance.meetings import pdf as pdf_meetings
from surveillance.meetings.models import MeetingNote
from surveillance.meetings.services import note as note_services
from surveillance.meetings.services import pdf as pdf_services

from .factories import agreed_meeting, ensure_reference_data

SECRET = "Whistleblower account shared in confidence"


def text_of(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_note_has_attendance_conclusions_and_actions_and_withholds_confidential(cast, settings):
    settings.QSG_PROTECTIVE_MARKING = "OFFICIAL-SENSITIVE"
    _m, note, _ = agreed_meeting(cast)
    full = pdf_meetings.render_note_pdf(note, audience="full")
    text = " ".join(text_of(full.content).split())
    assert full.content.startswith(b"%PDF")
    assert "OFFICIAL-SENSITIVE" in text
    assert "Page 1 of" in text
    for name in ("Chair A", "Member A", "Cqc A"):
        assert name in text
    assert "3 h" in text  # duration of attendance, 10:00 to 13:00
    assert "Keep under regular review" in text
    assert "CQC to bring forward the inspection" in text
    assert "Version 1" in text and "Agreed" in text
    assert SECRET in text
    assert "section 41" in text.lower()

    open_copy = pdf_meetings.render_note_pdf(note, audience="open")
    open_text = " ".join(text_of(open_copy.content).split())
    assert SECRET not in open_text
    assert "Mortality above expected" in open_text
    assert "confidential passages withheld" in open_text


def test_pdf_is_tagged_for_accessibility(cast):
    _, note, _ = agreed_meeting(cast)
    reader = PdfReader(io.BytesIO(pdf_meetings.render_note_pdf(note, audience="full").content))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert root["/Lang"]


def test_pdf_job_is_cached_per_version_and_audience(cast, client_for):
    m, note, _ = agreed_meeting(cast)
    secretariat = cast.users["secretariat_a"]
    job, queued = pdf_services.meeting_note_pdf_request(
        actor=secretariat, note=note, audience="full"
    )
    again, queued_again = pdf_services.meeting_note_pdf_request(
        actor=secretariat, note=note, audience="full"
    )
    assert queued and not queued_again and job.pk == again.pk
    other, _ = pdf_services.meeting_note_pdf_request(actor=secretariat, note=note, audience="open")
    assert other.pk != job.pk
    # An observer asking through the page gets the open copy's job, never the full one.
    response = client_for("observer_a").get(reverse("surveillance:note-pdf", args=[m.pk]))
    assert response.status_code == 404  # the note is agreed, not yet published
    note_services.meeting_note_publish(actor=secretariat, note=note)
    response = client_for("observer_a").post(reverse("surveillance:note-pdf", args=[m.pk]))
    assert response.status_code == 302 and str(other.pk) in response["Location"]
    assert (
        client_for("observer_a")
        .get(reverse("surveillance:note-pdf-status", args=[m.pk, job.pk]))
        .status_code
        == 404
    )


@pytest.mark.worker
def test_pdf_rendered_by_a_real_worker(celery_worker, cast, client_for):
    ensure_reference_data()
    m, note, _ = agreed_meeting(cast)
    client = client_for("chair_a")
    response = client.post(reverse("surveillance:note-pdf", args=[m.pk]))
    assert response.status_code == 302
    job = Job.objects.get(kind=pdf_services.PDF_KIND)
    deadline = time.monotonic() + 60
    while job.status in {Job.Status.QUEUED, Job.Status.RUNNING} and time.monotonic() < deadline:
        time.sleep(0.3)
        job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.progress == 100 and job.counts["pages"] >= 1
    page = client.get(reverse("surveillance:note-pdf-status", args=[m.pk, job.pk]))
    assert "Download the PDF" in page.content.decode()
    download = client.get(reverse("surveillance:note-pdf-download", args=[m.pk, job.pk]))
    assert download["Content-Type"] == "application/pdf"
    text = text_of(download.content)
    assert "Alpha General Hospital" in text and SECRET in " ".join(text.split())
    default_storage.delete(job.counts["path"])
    assert MeetingNote.objects.get(pk=note.pk).status == "agreed"


def test_long_tables_have_set_column_widths_that_fill_the_page(cast):
    """Conclusions and actions use `table-layout: fixed` (WeasyPrint then measures no cell to
    size the columns: a fifth of the note's CPU); their `<col>` widths must cover the table."""
    _, note, _ = agreed_meeting(cast)
    html = render_to_string(
        pdf_meetings.TEMPLATE,
        {"doc": pdf_meetings.note_pdf_document(note, audience="full"), "marking": "M"},
    )
    tables = re.findall(r'<table class="fixed">(.*?)</table>', html, re.S)
    assert [re.search(r"<caption>(.*?)</caption>", t).group(1) for t in tables] == [
        "Conclusion per provider discussed",
        "Actions, their owners and due dates",
    ]
    for table in tables:
        widths = [int(w) for w in re.findall(r'<col style="width: (\d+)%">', table)]
        header = re.search(r"<thead>(.*?)</thead>", table, re.S).group(1)
        assert len(widths) == header.count("<th ")
        assert sum(widths) == 100
