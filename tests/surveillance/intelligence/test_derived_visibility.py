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


DISCUSSED = "Rowan ward pay runs discussed with the finance director"


def note_with_passage(cast, m, agenda_item):
    """A draft note: a passage under the agenda item, and the conclusion on its provider that
    agreeing the note needs."""
    from surveillance.meetings.services import note as note_services
    from tests.surveillance.meetings.factories import category

    secretariat = cast.users["secretariat_a"]
    note = note_services.meeting_note_start(actor=secretariat, meeting=m)
    note_services.passage_save(
        actor=secretariat, note=note, agenda_item=agenda_item, text=DISCUSSED
    )
    note_services.conclusion_save(
        actor=secretariat,
        note=note,
        provider=cast.providers["provider_a1"],
        category=category("regular-review"),
        key_issues="Bank staff pay",
        rationale="Discussed under the item",
        agenda_item=agenda_item,
    )
    return note


def test_note_passages_and_conclusions_under_the_item_inherit_its_visibility(cast, client_for):
    import io

    from pypdf import PdfReader

    from surveillance.meetings import pdf as pdf_meetings
    from surveillance.meetings.services import note as note_services
    from tests.surveillance.meetings.factories import agree, category, quorate

    m, item, agenda_item = _ticked_into_agenda(cast, distribution=Distribution.ORGANISATION)
    secretariat = cast.users["secretariat_a"]
    quorate(cast, m)
    note = note_services.meeting_note_start(actor=secretariat, meeting=m)
    note_services.passage_save(
        actor=secretariat, note=note, agenda_item=agenda_item, text=DISCUSSED
    )
    note_services.conclusion_save(
        actor=secretariat,
        note=note,
        provider=cast.providers["provider_a1"],
        category=category("regular-review"),
        key_issues=f"Pay of bank staff ({item.reference})",
        rationale=DISCUSSED,
        agenda_item=agenda_item,
    )
    note = agree(cast, note)
    note_services.meeting_note_publish(actor=cast.users["chair_a"], note=note)
    urls = [f"/meetings/{m.pk}/note/", f"/meetings/{m.pk}/note/versions/{note.version}/"]
    for username in READERS + NOT_READERS:
        for url in urls:
            body = client_for(username).get(url).content.decode()
            shown = username in READERS
            assert (item.reference in body) is shown, (username, url)
            assert (DISCUSSED in body) is shown, (username, url)
            assert (SECRET in body) is shown, (username, url)
        withheld = pdf_meetings.withheld_for(cast.users[username], note)
        assert withheld == ([] if username in READERS else [item.pk]), username
        audience = "full" if username in ("secretariat_a", "chair_a", "cqc_a") else "open"
        rendered = pdf_meetings.render_note_pdf(note, audience=audience, withheld=withheld)
        text = " ".join(
            (p.extract_text() or "") for p in PdfReader(io.BytesIO(rendered.content)).pages
        )
        text = " ".join(text.split())
        assert (item.reference in text) is (username in READERS), username
        assert ("Rowan ward pay runs" in text) is (username in READERS), username
        if username not in READERS:
            assert f"1 {NOT_SHARED}" in text, username


def test_a_note_pdf_is_shared_only_by_readers_who_may_read_the_same_items(cast, client_for):
    """The secretariat's PDF job is not offered to a member who may not read its items."""
    from qsg.models import Job
    from tests.surveillance.meetings.factories import agree, quorate

    m, item, agenda_item = _ticked_into_agenda(cast, distribution=Distribution.ORGANISATION)
    quorate(cast, m)
    agree(cast, note_with_passage(cast, m, agenda_item))
    client_for("secretariat_a").post(f"/meetings/{m.pk}/note/pdf/")
    job = Job.objects.get(kind="meeting_note_pdf")
    assert job.counts["withheld"] == []
    cqc = client_for("cqc_a")  # a statutory member: the "full" audience, but not the item
    assert cqc.get(f"/meetings/{m.pk}/note/pdf/{job.pk}/").status_code == 404
    assert cqc.get(f"/meetings/{m.pk}/note/pdf/{job.pk}/download/").status_code == 404
    cqc.post(f"/meetings/{m.pk}/note/pdf/")
    mine = Job.objects.exclude(pk=job.pk).get(kind="meeting_note_pdf")
    assert mine.counts["withheld"] == [item.pk]
    assert mine.counts["audience"] == "full"


def concluded_under(cast, m, agenda_item, *, category_code="regular-review", rationale=DISCUSSED):
    """A quorate meeting's draft note with a conclusion on provider_a1 under the agenda item."""
    from surveillance.meetings.services import note as note_services
    from tests.surveillance.meetings.factories import category, quorate

    secretariat = cast.users["secretariat_a"]
    quorate(cast, m)
    note = note_services.meeting_note_start(actor=secretariat, meeting=m)
    note_services.conclusion_save(
        actor=secretariat,
        note=note,
        provider=cast.providers["provider_a1"],
        category=category(category_code),
        key_issues="Bank staff pay",
        rationale=rationale,
        agenda_item=agenda_item,
    )
    return note


def test_the_provider_timeline_keeps_the_level_but_not_the_rationale(cast):
    from surveillance.meetings import access as am
    from surveillance.meetings.services import note as note_services
    from tests.surveillance.meetings.factories import agree

    m, _item, agenda_item = _ticked_into_agenda(cast, distribution=Distribution.ORGANISATION)
    note = agree(cast, concluded_under(cast, m, agenda_item))
    note_services.meeting_note_publish(actor=cast.users["chair_a"], note=note)
    provider = cast.providers["provider_a1"]
    for username in (*READERS, "observer_a", "cqc_a"):
        entries = am.surveillance_log_rows(cast.users[username], provider)
        assert entries, username
        rationale = entries[0].rationale
        if username in READERS:
            assert rationale == DISCUSSED, username
        else:
            assert rationale == f"1 {NOT_SHARED}", username
            assert entries[0].category.code == "regular-review"
