"""A real Celery worker renders a pack; the page polls its job; members download their copy."""

from __future__ import annotations

import io
import re
import time

import pytest
from django.urls import reverse
from pypdf import PdfReader

from qsg.models import Job
from surveillance.packs import services as sp
from surveillance.packs.models import PackDownload, PackVersion
from surveillance.packs.selectors import SECTIONS

from .factories import RESTRICTED, SHARED, pack_scenario


def wait_for(job: Job, seconds: float = 120) -> Job:
    deadline = time.monotonic() + seconds
    while job.status in {Job.Status.QUEUED, Job.Status.RUNNING} and time.monotonic() < deadline:
        time.sleep(0.3)
        job.refresh_from_db()
    return job


@pytest.mark.worker
def test_a_real_worker_renders_the_pack_and_members_download_their_copy(
    celery_worker, cast, client_for
):
    s = pack_scenario(cast)
    meeting = s["meeting"]
    secretariat = client_for("secretariat_a")
    response = secretariat.post(reverse("surveillance:pack-make", args=[meeting.pk]))
    assert response.status_code == 302
    job = Job.objects.get(kind=sp.RENDER_KIND)
    status_url = reverse("surveillance:pack-job", args=[meeting.pk, job.pk])
    assert response["Location"] == status_url
    # The page polls with htmx while the job runs (and has a refresh link without JS).
    first = secretariat.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert 'id="pack-job"' in first
    job = wait_for(job)
    assert job.status == Job.Status.SUCCEEDED, job.error + celery_worker.log()[-3000:]
    assert job.progress == 100 and job.counts["files"] == 3
    done = secretariat.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-get" not in done and "is ready" in done

    full = PackVersion.objects.get(pack=s["pack"], for_secretariat=True)
    reader = PdfReader(io.BytesIO(secretariat.get(
        reverse("surveillance:pack-download", args=[meeting.pk, full.pk])
    ).content))  # fmt: skip
    pages = [" ".join((p.extract_text() or "").split()) for p in reader.pages]
    assert len(pages) == full.pages
    for number, (_key, title) in enumerate(SECTIONS, start=1):
        listed = int(re.search(rf"{number}\. {re.escape(title)}[ .]*?(\d+)", pages[1]).group(1))
        assert f"{number}. {title}" in pages[listed - 1], title

    # Members get nothing until the pack is published, then their organisation's copy.
    member = client_for("cqc_a")
    assert (
        b"has not been published"
        in member.get(reverse("surveillance:pack", args=[meeting.pk])).content
    )
    secretariat.post(reverse("surveillance:pack-publish", args=[meeting.pk]), {"number": 1})
    page = member.get(reverse("surveillance:pack", args=[meeting.pk])).content.decode()
    link = re.search(r'href="(/meetings/\d+/pack/files/(\d+)/)"', page)
    assert link, page
    copy = member.get(link.group(1))
    assert copy["Content-Type"] == "application/pdf"
    text = " ".join(
        " ".join((p.extract_text() or "").split())
        for p in PdfReader(io.BytesIO(copy.content)).pages
    )
    assert SHARED in text and RESTRICTED not in text
    assert PackDownload.objects.filter(user=cast.users["cqc_a"], version_id=link.group(2)).exists()
    assert (
        member.get(reverse("surveillance:pack-download", args=[meeting.pk, full.pk])).status_code
        == 404
    )
