"""Actions made from intelligence inherit its visibility (issue 14, build 1).

An action agreed under a conclusion (or an agenda item) made from an item shared "my
organisation only" keeps its number, owner and due date for everyone who sees the action, but
its words only for those who may read the item: on the actions list and page, the home panel,
the API, the note's action table and every audience's pack.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from surveillance.meetings.models import Action
from surveillance.meetings.services import actions as actions_services
from surveillance.meetings.services import note as note_services
from tests.surveillance.meetings.factories import agree, category, meeting, quorate

from .factories import Distribution
from .test_derived_visibility import NOT_READERS, NOT_SHARED, READERS, _ticked_into_agenda

pytestmark = pytest.mark.django_db

TO_DO = "Finance director to settle the Rowan ward bank pay backlog"
PROGRESS = "Backlog half cleared on Rowan ward"


def _action_under_the_item(cast, *, via: str):
    """An agreed and published note whose action came from the withheld item, through its
    conclusion or straight from the agenda item; owned by CQC, who may not read the item."""
    m, item, agenda_item = _ticked_into_agenda(cast, distribution=Distribution.ORGANISATION)
    secretariat = cast.users["secretariat_a"]
    quorate(cast, m)
    note = note_services.meeting_note_start(actor=secretariat, meeting=m)
    conclusion = note_services.conclusion_save(
        actor=secretariat,
        note=note,
        provider=cast.providers["provider_a1"],
        category=category("regular-review"),
        key_issues="Bank staff pay",
        rationale="Discussed under the item",
        agenda_item=agenda_item,
    )
    action = actions_services.action_save(
        actor=secretariat,
        note=note,
        description=TO_DO,
        owner_organisation=cast.orgs["cqc"],
        owner=cast.users["cqc_a"],
        due_date=timezone.localdate() + dt.timedelta(days=30),
        **({"conclusion": conclusion} if via == "conclusion" else {"agenda_item": agenda_item}),
    )
    assert action.intelligence_item_ids == [item.pk]
    note = agree(cast, note)
    note_services.meeting_note_publish(actor=cast.users["chair_a"], note=note)
    actions_services.action_update_status(
        actor=secretariat, action=action, status="in_progress", progress_note=PROGRESS
    )
    return m, item, Action.objects.get(pk=action.pk)


@pytest.mark.parametrize("via", ["conclusion", "agenda-item"])
def test_an_action_from_a_withheld_item_keeps_its_words_from_those_who_may_not_read_it(
    cast, client_for, via
):
    m, _item, action = _action_under_the_item(cast, via=via)
    urls = [
        "/actions/?status=",
        f"/actions/{action.pk}/",
        "/",  # the home page's "My actions" panel (CQC owns the action)
        "/api/v1/actions/",
        f"/api/v1/actions/{action.pk}/",
        f"/meetings/{m.pk}/note/",
    ]
    for username in READERS + NOT_READERS:
        client = client_for(username)
        for url in urls:
            response = client.get(url)
            if response.status_code == 404:  # not a reader of the note or the action at all
                continue
            body = response.content.decode()
            if username in READERS:
                if url != "/":
                    assert TO_DO in body, (username, url)
            else:
                assert TO_DO not in body, (username, url)
                assert PROGRESS not in body, (username, url)
    # Those who may not read the item still see the action is there, and that it is theirs.
    cqc = client_for("cqc_a")
    for url in ("/actions/?status=", f"/actions/{action.pk}/", "/", "/api/v1/actions/"):
        body = cqc.get(url).content.decode()
        assert action.reference in body or f'"id":{action.pk}' in body, url
        assert f"1 {NOT_SHARED}" in body, url
    api = cqc.get(f"/api/v1/actions/{action.pk}/").json()
    assert api["description"] == f"1 {NOT_SHARED}"
    assert api["progress_note"] == ""
    assert cast.users["cqc_a"].pk == api["owner"]


def test_the_conclusions_api_keeps_the_words_of_a_conclusion_from_a_withheld_item(cast, client_for):
    m, _item, _action = _action_under_the_item(cast, via="conclusion")
    for username in READERS + NOT_READERS:
        rows = client_for(username).get(f"/api/v1/conclusions/?meeting={m.pk}").json()
        rows = rows.get("results", rows)
        assert rows, username
        shown = {r["key_issues"] for r in rows}
        assert shown == ({"Bank staff pay"} if username in READERS else {f"1 {NOT_SHARED}"}), (
            username
        )


def test_the_pack_action_log_of_each_audience(cast):
    from surveillance.packs import services as sp
    from tests.surveillance.packs.factories import render_now
    from tests.surveillance.packs.test_pack_contents import by_audience, text_of

    _m, _item, action = _action_under_the_item(cast, via="conclusion")
    following = meeting(cast, days=40, title="Area A QSG, following meeting")
    pack = sp.meeting_pack_open(actor=cast.users["secretariat_a"], meeting=following)
    _job, versions = render_now(cast, pack)
    text = {k: text_of(v) for k, v in by_audience(cast, versions).items()}
    assert {"full", "icb_a", "cqc"} <= set(text)
    for key, body in text.items():
        body = " ".join(body.split())
        assert action.reference in body, key
        shown = key in ("full", "icb_a")
        assert ("Rowan ward bank pay backlog" in body) is shown, key
        assert ("Backlog half cleared" in body) is shown, key
    assert f"1 {NOT_SHARED}" in " ".join(text["cqc"].split())


def test_an_action_follows_its_conclusion_when_the_conclusion_gains_the_item(cast):
    """A conclusion moved under the item after its action was recorded takes the action with
    it; changing the action's words on the page keeps its conclusion (and so its links)."""
    m, item, agenda_item = _ticked_into_agenda(cast, distribution=Distribution.ORGANISATION)
    secretariat = cast.users["secretariat_a"]
    note = note_services.meeting_note_start(actor=secretariat, meeting=m)
    fields = {
        "actor": secretariat,
        "note": note,
        "provider": cast.providers["provider_a1"],
        "category": category("regular-review"),
        "key_issues": "Bank staff pay",
        "rationale": "Discussed",
    }
    conclusion = note_services.conclusion_save(**fields)
    action = actions_services.action_save(
        actor=secretariat,
        note=note,
        description=TO_DO,
        owner_organisation=cast.orgs["cqc"],
        due_date=timezone.localdate() + dt.timedelta(days=30),
        conclusion=conclusion,
    )
    assert action.intelligence_item_ids == []
    note_services.conclusion_save(**fields, conclusion=conclusion, agenda_item=agenda_item)
    action.refresh_from_db()
    assert action.intelligence_item_ids == [item.pk]


def test_the_pack_dashboard_lists_a_provider_only_for_audiences_that_may_read_its_item(cast):
    """Build 1 (pack sections per audience): a provider on the agenda only through an item
    withheld from an audience is not in that audience's dashboard section."""
    from surveillance.packs import selectors as packs
    from surveillance.packs import services as sp
    from tests.dashboard.helpers import seed_cast_data

    seed_cast_data(cast)
    m, _item, agenda_item = _ticked_into_agenda(cast, distribution=Distribution.ORGANISATION)
    provider = cast.providers["provider_a1"]
    assert list(agenda_item.providers.all()) == [provider]
    pack = sp.meeting_pack_open(actor=cast.users["secretariat_a"], meeting=m)
    secretariat = cast.users["secretariat_a"]
    seen = {}
    for audience in packs.audiences(m, secretariat_reader=secretariat):
        doc = packs.document(pack, audience, number=1)
        summary = packs.dashboard_summary(
            m, reader=secretariat, provider_ids=doc["dashboard_providers"]
        )
        key = "full" if audience.is_full else audience.organisation.name
        seen[key] = {row["provider"] for row in summary["rows"]}
    assert seen["full"] == {provider.name}
    assert seen[cast.orgs["icb_a"].name] == {provider.name}
    assert seen[cast.orgs["cqc"].name] == set()


def test_the_action_page_records_the_agenda_item_and_keeps_the_links_on_a_change(cast, client_for):
    m, item, agenda_item = _ticked_into_agenda(cast, distribution=Distribution.ORGANISATION)
    note_services.meeting_note_start(actor=cast.users["secretariat_a"], meeting=m)
    due = timezone.localdate() + dt.timedelta(days=40)
    data = {
        "form_token": "action-page-1",
        "description": TO_DO,
        "owner_organisation": cast.orgs["cqc"].pk,
        "owner": "",
        "due_date-day": due.day,
        "due_date-month": due.month,
        "due_date-year": due.year,
        "provider": "",
        "agenda_item": agenda_item.pk,
        "foi_exemption": "",
    }
    client = client_for("secretariat_a")
    response = client.post(f"/meetings/{m.pk}/note/actions/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    action = Action.objects.get(note__meeting=m)
    assert action.agenda_item_id == agenda_item.pk
    assert action.intelligence_item_ids == [item.pk]
    data = {**data, "description": TO_DO + " by March"}
    data.pop("form_token")
    response = client.post(f"/meetings/{m.pk}/note/actions/{action.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    action.refresh_from_db()
    assert action.intelligence_item_ids == [item.pk]
