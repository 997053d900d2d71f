"""Issue 15, finding 8: a returns deadline that has not already passed, the real page count on
the job page, and the protective marking printed as typed in the PDF's header (read back)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from qsg.models import Job
from surveillance.packs import services as sp
from surveillance.packs.models import MeetingPack, PackVersion
from tests.surveillance.meetings.factories import meeting

from .factories import pack_scenario

pytestmark = pytest.mark.django_db

MARKING = 'OFFICIAL-SENSITIVE: Commercial & <Personal> "QSG\'s"'


def _pages(version: PackVersion) -> list[str]:
    with default_storage.open(version.file, "rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    return [page.extract_text() or "" for page in reader.pages]


@pytest.mark.parametrize(
    ("meeting_in", "due_in"),
    [(20, 13), (8, 1), (7, 0), (3, 2), (1, 0), (0, 0), (-5, -5)],
)
def test_the_default_deadline_is_never_a_day_already_gone(cast, settings, meeting_in, due_in):
    settings.QSG_RETURNS_DAYS_BEFORE = 7
    today = timezone.localdate()
    m = meeting(cast, days=meeting_in)
    assert sp.default_due_date(m) == today + dt.timedelta(days=due_in)


def test_a_pack_opened_days_before_its_meeting_has_no_member_overdue(cast, client_for):
    m = meeting(cast, days=3)
    body = client_for("member_a").get(reverse("surveillance:member-return", args=[m.pk]))
    assert body.status_code == 200
    pack = sp.meeting_pack_open(actor=cast.users["secretariat_a"], meeting=m)
    assert timezone.localdate() < pack.returns_due_on < m.date
    returns = client_for("secretariat_a").get(reverse("surveillance:pack-returns", args=[m.pk]))
    assert "Overdue" not in returns.content.decode()


def test_a_deadline_already_gone_is_refused_when_it_is_changed(cast, client_for):
    m = meeting(cast, days=10)
    sp.meeting_pack_open(actor=cast.users["secretariat_a"], meeting=m)
    past = timezone.localdate() - dt.timedelta(days=1)
    response = client_for("secretariat_a").post(
        reverse("surveillance:pack-settings", args=[m.pk]),
        {
            "returns_due_on[day]": past.day,
            "returns_due_on[month]": past.month,
            "returns_due_on[year]": past.year,
            "marking": "OFFICIAL-SENSITIVE",
        },
    )
    assert response.status_code == 200
    assert "The deadline must be today or in the future" in response.content.decode()
    assert MeetingPack.objects.get(meeting=m).returns_due_on != past


def test_the_job_page_counts_the_pages_and_the_header_prints_the_marking(
    cast, client_for, django_capture_on_commit_callbacks
):
    s = pack_scenario(cast)
    m, pack = s["meeting"], s["pack"]
    secretariat = client_for("secretariat_a")
    settings_page = secretariat.post(
        reverse("surveillance:pack-settings", args=[m.pk]),
        {
            "returns_due_on[day]": pack.returns_due_on.day,
            "returns_due_on[month]": pack.returns_due_on.month,
            "returns_due_on[year]": pack.returns_due_on.year,
            "marking": MARKING,
        },
    )
    assert settings_page.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):  # the task runs here (eager)
        made = secretariat.post(reverse("surveillance:pack-make", args=[m.pk]))
    assert made.status_code == 302
    job = Job.objects.get(kind=sp.RENDER_KIND)
    assert job.message.endswith(" pages"), job.message
    assert job.status == Job.Status.SUCCEEDED, job.error

    versions = list(PackVersion.objects.filter(pack=pack, number=job.counts["number"]))
    read_back = {v.pk: _pages(v) for v in versions}
    total = sum(len(p) for p in read_back.values())
    assert total > len(versions)  # a pack is more than a page per file
    page = secretariat.get(reverse("surveillance:pack-job", args=[m.pk, job.pk]))
    assert f"{len(versions)} files, {total} pages" in page.content.decode()

    marking = MARKING[:60]
    for pages in read_back.values():
        for text in pages:
            flat = " ".join(text.split())
            assert marking in flat, flat[:300]
            assert "&amp;" not in flat and "&lt;" not in flat and "&#" not in flat


def test_the_marking_cannot_leave_its_css_string():
    from qsg.jinja2 import css_string

    out = str(css_string('A "quote" </style><script>x</script> & \\ end'))
    assert out.startswith('"') and out.endswith('"') and out.count('"') == 2
    assert not {"<", ">", "&", "'"} & set(out)
    assert "\\3c " in out and "\\26 " in out  # "<" and "&" as CSS escapes, read back by WeasyPrint
