"""Issue 15, finding 9: the chair sees what stops a note being agreed; withheld records say so;
histories read as dates; an error names its field."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse

from qsg.jinja2 import uk_datetime
from surveillance.meetings import selectors as selectors_meetings
from surveillance.meetings.models import MeetingNote
from surveillance.meetings.pdf import TEMPLATE
from surveillance.meetings.services import agenda as agenda_services
from surveillance.meetings.services import note as note_services

from .factories import circulated_with_gaps, exemption, meeting, note_with_content, quorate

pytestmark = pytest.mark.django_db

RAW_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}")


def test_a_note_is_not_agreed_while_a_provider_on_the_agenda_has_no_conclusion(cast):
    _m, note, conclusion = circulated_with_gaps(cast)
    chair = cast.users["chair_a"]
    with pytest.raises(ValidationError) as refused:
        note_services.meeting_note_agree(actor=chair, note=note)
    said = " ".join(refused.value.messages)
    assert "Record a conclusion on Alpha Community Services" in said
    assert "Settle the disagreement recorded on Alpha General Hospital" in said

    note_services.conclusion_settle(actor=chair, note=note, conclusion=conclusion, decision="Go")
    with pytest.raises(ValidationError, match="Alpha Community Services"):
        note_services.meeting_note_agree(actor=chair, note=note)
    assert MeetingNote.objects.get(pk=note.pk).status == "circulated"


def test_the_agree_page_lists_what_is_missing_and_offers_no_button(cast, client_for):
    m, note, conclusion = circulated_with_gaps(cast)
    chair = client_for("chair_a")
    url = reverse("surveillance:note-agree", args=[m.pk])
    body = chair.get(url).content.decode()
    assert "The note cannot be agreed yet" in body
    assert "Record a conclusion on Alpha Community Services" in body
    settle = reverse("surveillance:conclusion-settle", args=[m.pk, conclusion.pk])
    assert f'href="{settle}"' in body
    assert ">Agree the note</button>" not in body and 'type="submit"' not in body

    posted = chair.post(url)
    assert posted.status_code == 200
    page = posted.content.decode()
    assert "<title>Error: " in page and "nhsuk-error-summary" in page
    assert "Settle the disagreement recorded on Alpha General Hospital" in page
    assert MeetingNote.objects.get(pk=note.pk).status == "circulated"


def test_withheld_records_say_they_are_withheld(cast):
    m = meeting(cast)
    quorate(cast, m)
    note, _item, _ = note_with_content(cast, m)
    secretariat = cast.users["secretariat_a"]
    only_confidential = agenda_services.agenda_item_create(
        actor=secretariat, meeting=m, title="Serious incident review", kind="standard"
    )
    note_services.passage_save(
        actor=secretariat,
        note=note,
        agenda_item=only_confidential,
        text="Shared in confidence by the provider",
        foi_exemption=exemption("s41"),
    )
    document = selectors_meetings.note_document(m, note)
    open_copy = selectors_meetings.redact(document, confidential=False)
    by_title = {i["title"]: i for i in open_copy["items"]}
    withheld = by_title["Serious incident review"]
    assert withheld["passages"] == []
    assert withheld["withheld_reason"] == (
        "The record of this item is withheld from this copy: it is confidential."
    )
    partly = by_title["Alpha General Hospital"]
    assert len(partly["passages"]) == 1
    assert partly["withheld_reason"] == "1 further passage withheld from this copy: confidential."
    full = selectors_meetings.redact(document, confidential=True)
    assert all(not i["withheld_reason"] for i in full["items"])

    html = render_to_string(
        TEMPLATE,
        {"doc": selectors_meetings.document_dates(open_copy), "marking": "OFFICIAL"},
    )
    assert "withheld from this copy: it is confidential" in html
    assert "No record." not in html.split("Serious incident review")[1].split("<h3")[0]


def test_histories_show_dates_as_people_write_them(cast, client_for):
    from tests.surveillance.intelligence.factories import submit, triage

    item = triage(cast, submit(cast))
    item.refresh_from_db()
    body = (
        client_for("secretariat_a")
        .get(reverse("surveillance:intelligence-detail", args=[item.pk]))
        .content.decode()
    )
    assert uk_datetime(item.triaged_at) in body  # 7 December 2026 at 7:42am
    assert not RAW_TIMESTAMP.search(body), RAW_TIMESTAMP.search(body).group(0)


def test_an_empty_conclusion_form_names_each_field(cast, client_for):
    m = meeting(cast)
    quorate(cast, m)
    note_with_content(cast, m)
    response = client_for("secretariat_a").post(
        reverse("surveillance:conclusion-create", args=[m.pk]), {}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "nhsuk-error-summary" in body
    assert "This field is required" not in body
    for named in ("Select the provider", "Select the conclusion", "Enter the rationale"):
        assert named in body
    assert "Enter the key issues or concerns" in body
