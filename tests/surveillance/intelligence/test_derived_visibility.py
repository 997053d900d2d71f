"""Records made from an intelligence item inherit its visibility (issue 14, finding 1).

An item shared "my organisation only", triaged for the next meeting and ticked into the agenda
from the proposals, must not put its reference or summary in front of anyone who may not read
the item: not on the agenda or meeting page, not in the agenda items API, not in any pack. They
read one plain line instead ("1 item not shared with your organisation").
"""

from __future__ import annotations

import pytest

from surveillance.meetings import selectors as selectors_meetings
from surveillance.meetings.models import AgendaItem
from surveillance.meetings.services import agenda as agenda_services
from tests.surveillance.meetings.factories import meeting

from .factories import Distribution, submit, triage

pytestmark = pytest.mark.django_db

NOT_SHARED = "item not shared with your organisation"

SECRET = "Alpha ICB only: bank staff paid late on the Rowan ward"
# Who may read the item: the submitter's organisation (member_a) and the QSG's team.
READERS = ("secretariat_a", "chair_a", "member_a")
# Who sees the agenda but may not read the item.
NOT_READERS = ("observer_a", "cqc_a", "reviewer", "regional_secretariat")


def _ticked_into_agenda(cast, **item_fields):
    m = meeting(cast, days=7)
    item = triage(
        cast,
        submit(cast, "member_a", summary=SECRET, **item_fields),
        for_next_meeting=True,
    )
    secretariat = cast.users["secretariat_a"]
    tokens = [
        s.token
        for _, _, proposals in selectors_meetings.agenda_suggestions(secretariat, m)
        for s in proposals
        if item.pk in s.intelligence_item_ids
    ]
    assert tokens, "the item is proposed to the secretariat"
    assert agenda_services.agenda_add_suggestions(actor=secretariat, meeting=m, tokens=tokens) == 1
    agenda_item = AgendaItem.objects.get(meeting=m, source="intelligence")
    assert item.reference in agenda_item.title  # what the finding saw: the words travel
    return m, item, agenda_item


@pytest.mark.parametrize(
    "extra",
    [
        {"distribution": Distribution.ORGANISATION},
        {"distribution": Distribution.NAMED, "named_organisations": "la_a"},
    ],
    ids=["organisation-only", "named"],
)
def test_agenda_from_a_restricted_item_shows_its_words_only_to_its_readers(cast, client_for, extra):
    if extra.get("named_organisations"):
        extra = {**extra, "named_organisations": [cast.orgs[extra["named_organisations"]]]}
    m, item, agenda_item = _ticked_into_agenda(cast, **extra)
    readers = READERS + (("observer_a",) if extra.get("named_organisations") else ())
    not_readers = tuple(u for u in NOT_READERS if u not in readers)
    urls = [
        f"/meetings/{m.pk}/agenda/",
        f"/meetings/{m.pk}/",
        f"/api/v1/agenda-items/?meeting={m.pk}",
        f"/api/v1/agenda-items/{agenda_item.pk}/",
    ]
    for username in readers + not_readers:
        client = client_for(username)
        for url in urls:
            body = client.get(url).content.decode()
            if username in readers:
                assert item.reference in body, (username, url)
                assert SECRET in body, (username, url)
            else:
                assert item.reference not in body, (username, url)
                assert SECRET not in body, (username, url)
                assert f"1 {NOT_SHARED}" in body, (username, url)


def test_pack_of_each_audience_carries_the_item_only_where_it_is_shared(cast):
    from surveillance.packs import services as sp
    from tests.surveillance.packs.factories import render_now
    from tests.surveillance.packs.test_pack_contents import by_audience, text_of

    m, item, _ = _ticked_into_agenda(cast, distribution=Distribution.ORGANISATION)
    pack = sp.meeting_pack_open(actor=cast.users["secretariat_a"], meeting=m)
    _job, versions = render_now(cast, pack)
    text = {k: text_of(v) for k, v in by_audience(cast, versions).items()}
    assert {"full", "icb_a", "cqc"} <= set(text)
    for key, body in text.items():
        shown = key in ("full", "icb_a")
        assert (item.reference in body) is shown, key
        assert (SECRET in body) is shown, key
    assert f"1 {NOT_SHARED}" in text["cqc"]
