"""The note's workflow: edit rules by state, who moves it on, versions and the audit trail."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from surveillance.meetings.models import (
    Conclusion,
    MeetingNote,
    NoteEvent,
    NotePassage,
    NoteVersion,
)
from surveillance.meetings.services import agenda as agenda_services
from surveillance.meetings.services import note as note_services
from tests.signin import log_in

from .factories import agree, category, meeting, note_with_content, quorate


@pytest.fixture
def draft(cast):
    m = meeting(cast)
    quorate(cast, m)
    note, item, conclusion = note_with_content(cast, m)
    return m, note, item, conclusion


def test_agreed_note_cannot_be_edited_except_through_a_new_version(cast, draft):
    m, note, item, conclusion = draft
    note = agree(cast, note)
    secretariat = cast.users["secretariat_a"]
    with pytest.raises(ValidationError, match="Open a new version"):
        note_services.passage_save(
            actor=secretariat, note=note, agenda_item=item, text="Changed afterwards"
        )
    with pytest.raises(ValidationError, match="Open a new version"):
        note_services.conclusion_save(
            actor=secretariat,
            note=note,
            conclusion=conclusion,
            provider=conclusion.provider,
            category=category("no-further-action"),
            key_issues="x",
            rationale="y",
        )
    with pytest.raises(ValidationError, match="agenda and attendance are fixed"):
        agenda_services.agenda_item_create(actor=secretariat, meeting=m, title="Late item")
    with pytest.raises(ValidationError, match="need"):
        note_services.meeting_note_revise(actor=secretariat, note=note, reason="")

    note = note_services.meeting_note_revise(
        actor=secretariat, note=note, reason="Correct the CQC's action date"
    )
    assert (note.status, note.version) == ("draft", 2)
    note_services.passage_save(
        actor=secretariat, note=note, agenda_item=item, text="Corrected record"
    )
    note = agree(cast, note)
    versions = list(NoteVersion.objects.filter(note=note).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].reason == "Correct the CQC's action date"
    texts_v1 = [p["text"] for i in versions[0].snapshot["items"] for p in i["passages"]]
    texts_v2 = [p["text"] for i in versions[1].snapshot["items"] for p in i["passages"]]
    assert "Corrected record" not in texts_v1 and "Corrected record" in texts_v2

    # Both versions stay readable to members.
    client = client_for_cast(cast, "member_a")
    for number in (1, 2):
        assert (
            client.get(reverse("surveillance:note-version", args=[m.pk, number])).status_code == 200
        )


def client_for_cast(cast, username):
    from django.test import Client

    client = Client()
    log_in(client, cast.users[username])
    return client


def test_only_the_chair_agrees(cast, draft):
    _, note, _, _ = draft
    note_services.meeting_note_circulate(actor=cast.users["secretariat_a"], note=note)
    note.refresh_from_db()
    for username in ("secretariat_a", "member_a", "cqc_a"):
        with pytest.raises(ValidationError, match="Only the chair"):
            note_services.meeting_note_agree(actor=cast.users[username], note=note)
    note_services.meeting_note_agree(actor=cast.users["chair_a"], note=note)
    assert MeetingNote.objects.get(pk=note.pk).status == "agreed"


def test_a_draft_must_be_circulated_before_it_is_agreed(cast, draft):
    _, note, _, _ = draft
    with pytest.raises(ValidationError, match="Circulate"):
        note_services.meeting_note_agree(actor=cast.users["chair_a"], note=note)


def test_members_comment_only_while_circulated(cast, draft, client_for):
    m, note, _, _ = draft
    member = cast.users["member_a"]
    with pytest.raises(ValidationError, match="only while"):
        note_services.meeting_note_comment(actor=member, note=note, text="Too early")
    # Through the page: a draft is not even visible to a member.
    url = reverse("surveillance:note-comment", args=[m.pk])
    assert client_for("member_a").post(url, {"text": "Too early"}).status_code == 404

    note_services.meeting_note_circulate(actor=cast.users["secretariat_a"], note=note)
    response = client_for("member_a").post(url, {"text": "Please add the ICB's visit"})
    assert response.status_code == 302
    assert note.comments.get().text == "Please add the ICB's visit"
    assert client_for("observer_a").post(url, {"text": "Hello"}).status_code == 404

    note.refresh_from_db()
    note_services.meeting_note_agree(actor=cast.users["chair_a"], note=note)
    assert client_for("member_a").post(url, {"text": "Too late"}).status_code == 403
    assert note.comments.count() == 1


def test_the_chair_settles_a_disagreement_before_agreeing(cast, draft):
    _, note, item, conclusion = draft
    secretariat, chair = cast.users["secretariat_a"], cast.users["chair_a"]
    conclusion = note_services.conclusion_save(
        actor=secretariat,
        note=note,
        conclusion=conclusion,
        provider=conclusion.provider,
        category=conclusion.category,
        key_issues="Mortality",
        rationale="Data and intelligence agree",
        dissent="The ICB wanted further information first",
        agenda_item=item,
    )
    note_services.meeting_note_circulate(actor=secretariat, note=note)
    note.refresh_from_db()
    with pytest.raises(ValidationError, match="Settle the disagreement"):
        note_services.meeting_note_agree(actor=chair, note=note)
    with pytest.raises(ValidationError, match="Only the chair"):
        note_services.conclusion_settle(
            actor=secretariat, note=note, conclusion=conclusion, decision="Majority"
        )
    note_services.conclusion_settle(
        actor=chair, note=note, conclusion=conclusion, decision="The group goes with the majority"
    )
    note_services.meeting_note_agree(actor=chair, note=note)
    assert Conclusion.objects.get(pk=conclusion.pk).settled_by == chair


def test_every_step_is_audited(cast, draft):
    m, note, _item, _ = draft
    secretariat, chair = cast.users["secretariat_a"], cast.users["chair_a"]
    note_services.meeting_note_circulate(
        actor=secretariat, note=note, comments_by=timezone.localdate() + dt.timedelta(days=5)
    )
    note_services.meeting_note_comment(actor=cast.users["cqc_a"], note=note, text="Agreed")
    note.refresh_from_db()
    note_services.meeting_note_agree(actor=chair, note=note)
    note_services.meeting_note_publish(actor=chair, note=note)
    note_services.meeting_note_revise(actor=secretariat, note=note, reason="Typo in an action")
    events = list(
        NoteEvent.objects.filter(meeting=m).values_list("verb", "actor__username", "version")
    )
    assert events == [
        ("created", "secretariat_a", 1),
        ("circulated", "secretariat_a", 1),
        ("commented", "cqc_a", 1),
        ("agreed", "chair_a", 1),
        ("published", "chair_a", 1),
        ("revised", "secretariat_a", 2),
    ]
    # Content changes are in the history tables, with who made them.
    passage = NotePassage.objects.filter(note=note).first()
    assert passage.history.first().history_user == secretariat
    assert MeetingNote.history.filter(id=note.pk, status="agreed").first().history_user == chair


def test_pid_is_refused_in_the_note(cast, draft):
    _, note, item, _ = draft
    with pytest.raises(ValidationError) as exc:
        note_services.passage_save(
            actor=cast.users["secretariat_a"],
            note=note,
            agenda_item=item,
            text="Patient NHS number 943 476 5919 was harmed",
        )
    assert "looks like an NHS number" in str(exc.value)
