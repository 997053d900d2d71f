"""A local report section is withheld passage by passage, not whole (issue 14, build 1).

Each row of a section that came from intelligence items carries their ids. A reader who may not
read one of those items reads that row as the plain "N items not shared with your organisation"
line, and every other row of the section in full: on the report page, in the API and in the
regional view. The secretariat edits the section as it reads it, and saving keeps the rows it
may not read.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from surveillance.intelligence import services as si
from surveillance.intelligence.models import IntelligenceItem
from surveillance.meetings import selectors as selectors_meetings
from surveillance.meetings.models import AgendaItem
from surveillance.meetings.services import agenda as agenda_services
from surveillance.meetings.services import note as note_services
from surveillance.regional import access as ar
from surveillance.regional import services as sv
from surveillance.regional.models import LocalReportSection
from tests.surveillance.intelligence.factories import submit, triage
from tests.surveillance.meetings.factories import agree, category, meeting, quorate

pytestmark = pytest.mark.django_db

NOT_SHARED = "1 item not shared with your organisation"
SHOWN = "Theatre lists cancelled for want of anaesthetists"
HIDDEN = "Bank staff on Rowan ward paid three months late"


def _report_from_two_items(cast):
    """A submitted report whose conclusions section has two rows, each made from its own item
    shared with the region; then the second item is narrowed to its organisation, so the
    regional reviewer may read the first and not the second."""
    secretariat = cast.users["secretariat_a"]
    m = meeting(cast, days=7)
    items = {}
    for key, provider in (("shown", "provider_a1"), ("hidden", "provider_a2")):
        items[key] = triage(
            cast,
            submit(
                cast,
                "member_a",
                providers=[cast.providers[provider]],
                distribution=IntelligenceItem.Distribution.REGION,
            ),
            for_next_meeting=True,
        )
    tokens = [
        s.token
        for _, _, proposals in selectors_meetings.agenda_suggestions(secretariat, m)
        for s in proposals
        if set(s.intelligence_item_ids) & {i.pk for i in items.values()}
    ]
    agenda_services.agenda_add_suggestions(actor=secretariat, meeting=m, tokens=tokens)
    quorate(cast, m)
    note = note_services.meeting_note_start(actor=secretariat, meeting=m)
    for key, words in (("shown", SHOWN), ("hidden", HIDDEN)):
        (agenda_item,) = [
            a
            for a in AgendaItem.objects.filter(meeting=m, source="intelligence")
            if items[key].pk in (a.intelligence_item_ids or [])
        ]
        note_services.conclusion_save(
            actor=secretariat,
            note=note,
            provider=items[key].providers.get(),
            category=category("regular-review"),
            key_issues=words,
            rationale=words,
            agenda_item=agenda_item,
        )
    agree(cast, note)
    today = timezone.localdate()
    report = sv.local_report_draft(
        actor=secretariat,
        qsg=cast.qsgs["a"],
        period_start=today - dt.timedelta(days=30),
        period_end=today + dt.timedelta(days=30),
    )
    conclusions = report.sections.get(key="conclusions")
    assert SHOWN in conclusions.text and HIDDEN in conclusions.text  # all readers read both
    report = sv.local_report_submit(actor=secretariat, report=report)
    si.intelligence_item_change_distribution(
        actor=cast.users["member_a"],
        item=items["hidden"],
        distribution=IntelligenceItem.Distribution.ORGANISATION,
    )
    return report, items


def test_the_reviewer_reads_the_rows_it_may_read_and_one_line_for_the_other(cast, client_for):
    report, _items = _report_from_two_items(cast)
    reviewer = client_for("reviewer")
    urls = (
        f"/regional/reports/{report.pk}/",
        f"/api/v1/local-reports/{report.pk}/",
        f"/regional/regions/{cast.qsgs['r'].pk}/",
    )
    for url in urls:
        response = reviewer.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert SHOWN in body, url  # the old rule withheld the whole section
        assert NOT_SHARED in body, url
        assert HIDDEN not in body, url
    section = reviewer.get(f"/api/v1/local-reports/{report.pk}/").json()["sections"]
    (conclusions,) = [s for s in section if s["key"] == "conclusions"]
    assert sorted((p["withheld"], p["text"] == NOT_SHARED) for p in conclusions["passages"]) == [
        (0, False),
        (1, True),
    ]
    assert conclusions["text"] == "\n".join(p["text"] for p in conclusions["passages"])
    # Those who may read both items read both rows.
    body = client_for("member_a").get(f"/regional/reports/{report.pk}/").content.decode()
    assert SHOWN in body and HIDDEN in body and NOT_SHARED not in body


def test_the_secretariat_edits_what_it_reads_and_keeps_what_it_may_not(cast):
    report, items = _report_from_two_items(cast)
    # A secretariat of QSG A who may not read the narrowed item (its organisation is not the
    # submitter's) edits a draft made the same way.
    section = report.sections.get(key="conclusions")
    reviewer = cast.users["reviewer"]
    (read,) = ar.sections_as_read(reviewer, [section])
    assert HIDDEN not in read.text and SHOWN in read.text
    typed = read.text.replace(SHOWN, "Theatre lists cancelled") + "\nA line of the editor's own"
    passages = ar.section_passages_after_edit(reviewer, section, typed)
    text = "\n".join(p["text"] for p in passages)
    assert HIDDEN in text  # the row it may not read is kept, words and items
    assert NOT_SHARED not in text
    (hidden,) = [p for p in passages if HIDDEN in p["text"]]
    assert hidden["intelligence_item_ids"] == [items["hidden"].pk]
    # A line it typed may repeat any row's words: it is made from every item of the section.
    (own,) = [p for p in passages if p["text"] == "A line of the editor's own"]
    assert own["intelligence_item_ids"] == sorted(i.pk for i in items.values())


def test_a_section_saved_before_passages_is_still_withheld_whole(cast):
    """No data migration: a section without passages (or whose passages no longer make up its
    text) reads as one passage made from every item of its kept rows, as before."""
    report, _items = _report_from_two_items(cast)
    section = report.sections.get(key="conclusions")
    LocalReportSection.objects.filter(pk=section.pk).update(passages=[])
    section.refresh_from_db()
    (read,) = ar.sections_as_read(cast.users["reviewer"], [section])
    assert SHOWN not in read.text and HIDDEN not in read.text
    assert read.text == NOT_SHARED
    (read,) = ar.sections_as_read(cast.users["member_a"], [section])
    assert SHOWN in read.text and HIDDEN in read.text
