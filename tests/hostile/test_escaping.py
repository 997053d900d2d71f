"""Free text is shown as text: script tags, HTML, quotes and Unicode control and bidi characters
typed into organisations, providers, meetings, agendas, notes, actions and risk summits render
escaped in pages (no live script, no injected element or attribute, attributes intact) and read
back as plain text from the PDFs (pdftotext)."""

from __future__ import annotations

import datetime as dt
import subprocess
from html.parser import HTMLParser

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from qsg.models import Job, Organisation, Provider
from risksummits.services.actions import action_create
from risksummits.services.documents import document_request
from risksummits.services.meetings import meeting_book, meeting_record
from surveillance.meetings import pdf as pdf_meetings
from surveillance.meetings.services import actions as actions_services
from surveillance.meetings.services import agenda as agenda_services
from surveillance.meetings.services import note as note_services
from tests.risksummits.factories import standing, trigger
from tests.surveillance.meetings.factories import (
    agree,
    category,
    ensure_reference_data,
    meeting,
    quorate,
)

MARK = "Zq~hostile"
PAYLOAD = (
    f'{MARK}<script>alert("zq")</script><img src=x onerror="alert(1)">'
    "<b onmouseover=alert(2)>bold</b> & \"dq\" 'sq' \u202eevil\u202c \u2066iso\u2069 "
    "zero\u200bwidth tab\tend"
)
# Safe to put on one line of a PDF (tabs and bidi marks are kept in the pages test)
PDF_PAYLOAD = f'{MARK}<script>alert("zq")</script><img src=x onerror="alert(1)"> & "dq" end'


class Scan(HTMLParser):
    """Everything the browser would treat as markup: script bodies, elements and attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.in_script = False
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script:
            self.scripts.append(data)


def assert_escaped(body: str, where: str) -> None:
    scan = Scan()
    scan.feed(body)
    assert MARK in body, f"{where}: the text is not on the page at all"
    assert not any('alert("zq")' in s for s in scan.scripts), f"{where}: live script"
    for tag, attrs in scan.tags:
        assert not (tag == "img" and attrs.get("src") == "x"), f"{where}: injected <img>"
        assert not (tag == "b" and "onmouseover" in attrs), f"{where}: injected attribute"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"{where}: event handler attribute {name}"
            if value and MARK in value:  # in an attribute: the whole text, quotes and all
                assert 'alert("zq")' in value, f"{where}: attribute {name} cut short: {value!r}"
    assert "&lt;script&gt;alert(" in body, f"{where}: not shown as text"
    bidi = [
        c
        for c in ("\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2069")
        if c in body
    ]
    assert not bidi, f"{where}: bidi controls {bidi} would reorder the text around them"
    assert "evil" in body and "iso" in body, f"{where}: the text inside the controls was lost"


def pdf_text(content: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


@pytest.fixture
def hostile_network(cast):
    Organisation.objects.filter(pk=cast.orgs["icb_a"].pk).update(name="ICB " + PAYLOAD)
    Provider.objects.filter(pk=cast.providers["provider_a2"].pk).update(name=PAYLOAD)
    return cast


def test_organisation_and_provider_pages(hostile_network, client_for):
    cast = hostile_network
    client = client_for("secretariat_a")
    org, provider = cast.orgs["icb_a"].pk, cast.providers["provider_a2"].pk
    for url in (
        f"/organisations/{org}/",
        f"/organisations/{org}/edit/",
        "/organisations/",
        f"/providers/{provider}/",
        f"/providers/{provider}/edit/",
        "/providers/",
        f"/qsgs/{cast.qsgs['a'].pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.content.decode(), url)


def _hostile_note(cast):
    ensure_reference_data()
    secretariat = cast.users["secretariat_a"]
    m = meeting(cast, title=PAYLOAD)
    quorate(cast, m)
    item = agenda_services.agenda_item_create(
        actor=secretariat,
        meeting=m,
        title=PAYLOAD,
        kind="provider",
        providers=[cast.providers["provider_a1"]],
    )
    note = note_services.meeting_note_start(actor=secretariat, meeting=m)
    note_services.passage_save(actor=secretariat, note=note, agenda_item=item, text=PAYLOAD)
    conclusion = note_services.conclusion_save(
        actor=secretariat,
        note=note,
        provider=cast.providers["provider_a1"],
        category=category("regular-review"),
        key_issues=PAYLOAD,
        rationale=PAYLOAD,
        agenda_item=item,
    )
    actions_services.action_save(
        actor=secretariat,
        note=note,
        description=PAYLOAD,
        owner_organisation=cast.orgs["cqc"],
        owner=cast.users["cqc_a"],
        due_date=timezone.localdate() + dt.timedelta(days=30),
        conclusion=conclusion,
    )
    return m, note


def test_meeting_agenda_note_and_action_pages(cast, client_for):
    m, note = _hostile_note(cast)
    client = client_for("secretariat_a")
    for url in (
        f"/meetings/{m.pk}/",
        f"/meetings/{m.pk}/edit/",
        f"/meetings/{m.pk}/agenda/",
        f"/meetings/{m.pk}/note/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.content.decode(), url)
    agree(cast, note)  # actions are listed once the note is agreed
    actions = client_for("cqc_a").get("/actions/")
    assert actions.status_code == 200
    assert_escaped(actions.content.decode(), "/actions/")


def test_meeting_note_pdf_shows_markup_as_text(cast):
    secretariat = cast.users["secretariat_a"]
    m = meeting(cast, title=PDF_PAYLOAD)
    quorate(cast, m)
    item = agenda_services.agenda_item_create(actor=secretariat, meeting=m, title=PDF_PAYLOAD)
    note = note_services.meeting_note_start(actor=secretariat, meeting=m)
    note_services.passage_save(actor=secretariat, note=note, agenda_item=item, text=PDF_PAYLOAD)
    note = agree(cast, note)
    rendered = pdf_meetings.render_note_pdf(note, audience="full")
    text = pdf_text(rendered.content)
    assert '<script>alert("zq")</script>' in text
    assert '<img src=x onerror="alert(1)"> & "dq" end' in text


def _hostile_summit(cast):
    summit = trigger(cast, concern=PAYLOAD)
    now = timezone.now()
    booked = meeting_book(
        actor=cast.users["secretariat_a"],
        summit=summit,
        starts_at=max(summit.judged_at, now - dt.timedelta(minutes=60)),
        format="video",
    )
    held = meeting_record(
        actor=cast.users["secretariat_a"],
        meeting=booked,
        starts_at=booked.starts_at,
        ends_at=booked.starts_at + dt.timedelta(minutes=45),
        chaired_by=PDF_PAYLOAD,
        discussion=PAYLOAD,
        judgements=PDF_PAYLOAD,
        present=[cast.users["secretariat_a"], cast.users["member_a"]],
        shared_with_provider=False,
    )
    action = action_create(
        actor=cast.users["secretariat_a"],
        summit=summit,
        objective="safeguard",
        description=PAYLOAD,
        owner_organisation=cast.orgs["icb_a"],
        due_on=timezone.localdate() + dt.timedelta(days=7),
        meeting=held,
    )
    return summit, held, action


def test_risk_summit_pages(cast, client_for):
    summit, held, action = _hostile_summit(cast)
    client = client_for("secretariat_a")
    for url in (
        f"/risk-summits/{summit.pk}/",
        f"/risk-summits/{summit.pk}/meetings/{held.pk}/",
        f"/risk-summits/{summit.pk}/actions/{action.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.content.decode(), url)


def test_risk_summit_meeting_record_pdf_shows_markup_as_text(
    cast, django_capture_on_commit_callbacks
):
    summit, held, _ = _hostile_summit(cast)
    with django_capture_on_commit_callbacks(execute=True):
        doc, _ = document_request(
            actor=cast.users["secretariat_a"],
            standing=standing(cast, "secretariat_a", summit),
            kind="meeting",
            meeting=held,
        )
    job = Job.objects.get(pk=doc.job_id)
    assert job.status == Job.Status.SUCCEEDED, job.error
    text = pdf_text(default_storage.open(job.counts["path"], "rb").read())
    assert '<script>alert("zq")</script>' in text
    assert 'onerror="alert(1)"> & "dq" end' in text


def test_intelligence_pages_and_export(cast, client_for):
    from tests.surveillance.intelligence.factories import released

    item = released(cast, summary=PAYLOAD, details=PAYLOAD, service_site=PAYLOAD)
    client = client_for("secretariat_a")
    for url in (f"/intelligence/{item.pk}/", "/intelligence/", "/intelligence/triage/"):
        response = client.get(url)
        assert response.status_code == 200, url
        if MARK in response.content.decode():
            assert_escaped(response.content.decode(), url)
    assert_escaped(client.get(f"/intelligence/{item.pk}/").content.decode(), "detail")
    export = client.get("/intelligence/export.csv").content.decode()
    assert MARK in export
    assert "\n=" not in export and ",=" not in export
