"""Member returns: the form, double submits, patient-identifiable data, deadlines, reminders,
the secretariat's completeness view, and returns flowing into the pack."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.urls import reverse

from surveillance.packs import selectors as selectors_packs
from surveillance.packs import services as sp
from surveillance.packs.models import MemberReturn, ReturnReminder
from tests.surveillance.meetings.factories import ensure_reference_data, meeting

from .factories import RESTRICTED, SHARED, pack_scenario

NHS_NUMBER_TEXT = "Concern raised by the family of patient 943 476 5919"


def _form(**extra):
    return {
        "form_token": "token-1",
        "concerns": "Staffing gaps on the night shift at Alpha General Hospital",
        "handling": "members",
        "action": "submit",
        **extra,
    }


def test_the_deadline_defaults_to_days_before_the_meeting(cast, settings):
    ensure_reference_data()
    settings.QSG_RETURNS_DAYS_BEFORE = 5
    m = meeting(cast, days=20)
    pack = sp.meeting_pack_open(actor=cast.users["secretariat_a"], meeting=m)
    assert pack.returns_due_on == m.date - dt.timedelta(days=5)
    assert pack.marking == settings.QSG_PROTECTIVE_MARKING


def test_a_double_submit_makes_one_return(cast, client_for):
    ensure_reference_data()
    m = meeting(cast, days=20)
    client = client_for("member_a")
    url = reverse("surveillance:member-return", args=[m.pk])
    assert client.post(url, _form()).status_code == 302
    assert client.post(url, _form()).status_code == 302  # the same form sent again
    rows = MemberReturn.objects.filter(organisation=cast.orgs["icb_a"])
    assert rows.count() == 1 and rows.get().is_submitted
    # Another submit (a new form) changes the same return in place.
    assert client.post(url, _form(form_token="token-2", concerns="Updated")).status_code == 302
    assert rows.count() == 1 and rows.get().concerns == "Updated"


def test_patient_identifiable_data_is_refused_and_the_text_kept(cast, client_for):
    ensure_reference_data()
    m = meeting(cast, days=20)
    response = client_for("member_a").post(
        reverse("surveillance:member-return", args=[m.pk]), _form(concerns=NHS_NUMBER_TEXT)
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and "NHS number" in body
    assert "943 476 5919" in body  # what was typed stays in the form
    assert "<title>Error: " in body and "Error: Error:" not in body
    assert not MemberReturn.objects.exists()


def test_submitting_needs_something_or_nothing_to_report(cast, client_for):
    ensure_reference_data()
    m = meeting(cast, days=20)
    url = reverse("surveillance:member-return", args=[m.pk])
    empty = client_for("member_a").post(url, _form(concerns=""))
    assert empty.status_code == 200 and "Nothing to report" in empty.content.decode()
    ok = client_for("member_a").post(url, _form(concerns="", nothing_to_report="on"))
    assert ok.status_code == 302
    assert MemberReturn.objects.get().nothing_to_report


def test_a_submitted_return_stays_submitted_and_is_not_emptied(cast, client_for):
    """Found on the member's journey: "Save without submitting" on a submitted return kept it
    "submitted" while emptying it, past the rule that a submitted return says something."""
    ensure_reference_data()
    m = meeting(cast, days=20)
    client = client_for("member_a")
    url = reverse("surveillance:member-return", args=[m.pk])
    assert client.post(url, _form()).status_code == 302
    form_page = client.get(url).content.decode()
    assert "Submit the return" in form_page and "Save without submitting" not in form_page
    emptied = client.post(url, _form(form_token="token-2", concerns="", action="save"))
    assert emptied.status_code == 200 and "Nothing to report" in emptied.content.decode()
    row = MemberReturn.objects.get(organisation=cast.orgs["icb_a"])
    assert row.is_submitted and row.concerns == _form()["concerns"]


def test_completeness_view_for_the_secretariat(cast, client_for):
    s = pack_scenario(cast)
    body = (
        client_for("secretariat_a")
        .get(reverse("surveillance:pack-returns", args=[s["meeting"].pk]))
        .content.decode()
    )
    assert "2 of 2 member organisations have returned" in body
    assert RESTRICTED in body and SHARED in body
    MemberReturn.objects.filter(organisation=cast.orgs["cqc"]).update(status="draft")
    body = (
        client_for("chair_a")
        .get(reverse("surveillance:pack-returns", args=[s["meeting"].pk]))
        .content.decode()
    )
    assert "1 of 2 member organisations have returned" in body and "Started" in body
    assert selectors_packs.missing_returns(s["pack"]) == ["Care Quality Commission, Test North"]


def test_reminders_go_once_to_organisations_without_a_return(
    cast, django_capture_on_commit_callbacks
):
    ensure_reference_data()
    m = meeting(cast, days=10)
    pack = sp.meeting_pack_open(actor=cast.users["secretariat_a"], meeting=m)
    sp.member_return_save(
        actor=cast.users["member_a"],
        pack=pack,
        organisation=cast.orgs["icb_a"],
        submit=True,
        nothing_to_report=True,
    )
    mail.outbox.clear()
    soon = pack.returns_due_on - dt.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert sp.return_reminders_send(today=soon) == 1  # the CQC, not the ICB
        assert sp.return_reminders_send(today=soon) == 0
    assert [m.to for m in mail.outbox] == [["cqc_a@example.nhs.uk"]]
    late = pack.returns_due_on + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert sp.return_reminders_send(today=late) == 1
        assert sp.return_reminders_send(today=late) == 0
    assert ReturnReminder.objects.filter(pack=pack).count() == 2
    early = pack.returns_due_on - dt.timedelta(days=6)
    assert sp.return_reminders_send(today=early) == 0


def test_publishing_emails_members_a_link_not_the_content(cast, django_capture_on_commit_callbacks):
    from .factories import render_now

    s = pack_scenario(cast)
    render_now(cast, s["pack"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sp.meeting_pack_publish(actor=cast.users["secretariat_a"], pack=s["pack"], number=1)
    to = sorted(a for message in mail.outbox for a in message.to)
    assert to == sorted(
        f"{u}@example.nhs.uk" for u in ("secretariat_a", "chair_a", "member_a", "cqc_a")
    )
    body = mail.outbox[0].body
    assert f"/meetings/{s['meeting'].pk}/pack/" in body
    assert RESTRICTED not in body and SHARED not in body
