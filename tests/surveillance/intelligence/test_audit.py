"""The access log the secretariat reads holds every read of a "do not attribute" item, and every
PDF download carrying the words of a restricted or "do not attribute" item (issue 14, build 6)."""

from __future__ import annotations

import pytest

from qsg import pdf
from qsg.models import Job
from surveillance.intelligence.models import IntelligenceAccess
from surveillance.meetings.services import pdf as pdf_services

from .factories import Distribution, released
from .test_derived_visibility import _ticked_into_agenda, note_with_passage

pytestmark = pytest.mark.django_db


def _log(item, username=None, channel=None):
    rows = IntelligenceAccess.objects.filter(item=item)
    if username:
        rows = rows.filter(user__username=username)
    if channel:
        rows = rows.filter(channel=channel)
    return rows.count()


def test_reads_of_a_do_not_attribute_item_shared_with_the_qsg_are_logged(cast, client_for):
    hidden = released(cast, author="member_a", do_not_attribute=True)
    plain = released(cast, author="member_a")
    assert hidden.distribution == plain.distribution == Distribution.QSG
    client = client_for("cqc_a")
    for item in (hidden, plain):
        assert client.get(f"/intelligence/{item.pk}/").status_code == 200
        assert client.get(f"/api/v1/intelligence/{item.pk}/").status_code == 200
    assert client.get(f"/api/v1/intelligence/?qsg={cast.qsgs['a'].pk}").status_code == 200
    assert _log(hidden, "cqc_a", "page") == 1
    assert _log(hidden, "cqc_a", "api") == 2  # the detail and the list
    assert _log(plain) == 0  # attributed and shared with the QSG: normal business
    body = client_for("secretariat_a").get("/intelligence/access-log/").content.decode()
    assert hidden.reference in body and "Not attributed" in body
    assert plain.reference not in body


def test_a_note_pdf_download_carrying_a_restricted_item_is_logged(cast, client_for):
    m, item, agenda_item = _ticked_into_agenda(cast, distribution=Distribution.ORGANISATION)
    from tests.surveillance.meetings.factories import agree, quorate

    quorate(cast, m)
    agree(cast, note_with_passage(cast, m, agenda_item))

    def finished(username):
        client = client_for(username)
        client.post(f"/meetings/{m.pk}/note/pdf/")
        job = Job.objects.filter(kind=pdf_services.PDF_KIND).order_by("-created_at").first()
        path = pdf.store(f"meeting-notes/{job.pk}.pdf", b"%PDF-1.7 test")
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.SUCCEEDED, counts={**job.counts, "path": path}
        )
        return client, job

    client, job = finished("secretariat_a")
    before = _log(item, "secretariat_a", "pdf")
    assert client.get(f"/meetings/{m.pk}/note/pdf/{job.pk}/download/").status_code == 200
    assert _log(item, "secretariat_a", "pdf") == before + 1
    # A reader whose file leaves the item out is not logged as having read it.
    client, job = finished("cqc_a")
    assert job.counts["withheld"] == [item.pk]
    assert client.get(f"/meetings/{m.pk}/note/pdf/{job.pk}/download/").status_code == 200
    assert _log(item, "cqc_a") == 0


def test_a_pack_download_carrying_a_restricted_item_is_logged(cast, client_for):
    from surveillance.packs import services as sp
    from surveillance.packs.models import PackVersion
    from tests.surveillance.packs.factories import render_now

    m, item, _ = _ticked_into_agenda(cast, distribution=Distribution.ORGANISATION)
    pack = sp.meeting_pack_open(actor=cast.users["secretariat_a"], meeting=m)
    _job, versions = render_now(cast, pack)
    full = next(v for v in versions if v.for_secretariat)
    by_section = {c["key"]: c["intelligence_item_ids"] for c in full.contents}
    assert item.pk in by_section["agenda"] and item.pk in by_section["intelligence"]
    client = client_for("secretariat_a")
    assert client.get(f"/meetings/{m.pk}/pack/files/{full.pk}/").status_code == 200
    assert _log(item, "secretariat_a", "pdf") == 1
    others = [
        v
        for v in PackVersion.objects.filter(pack=pack, for_secretariat=False)
        if all(item.pk not in c["intelligence_item_ids"] for c in v.contents)
    ]
    assert others, "the CQC's file leaves the item out"
    client.get(f"/meetings/{m.pk}/pack/files/{others[0].pk}/")
    assert _log(item, "secretariat_a", "pdf") == 1
