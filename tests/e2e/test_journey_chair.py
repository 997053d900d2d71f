"""The chair's journey (issue 15, build 2): a circulated note with a disagreement and a provider
without a conclusion; the chair is not offered "Agree" until both are settled, settles the
disagreement, agrees the note once the secretariat has recorded the missing conclusion, prints
the PDF and reads it back. Axe on every page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from surveillance.meetings.models import Conclusion, MeetingNote, NoteVersion
from tests.e2e.journey_steps import download_text, expect_error_page, sign_out
from tests.surveillance.meetings.factories import (
    circulated_with_gaps,
    ensure_reference_data,
)

DISSENT = "The ICB wanted further information before keeping it under review"
DECISION = "The group keeps Alpha General Hospital under regular review; the ICB's data request goes in the action log"


def test_chair_settles_the_dissent_agrees_and_prints_the_note(cast, site, page, login, axe_check):
    ensure_reference_data()
    m, _note, _conclusion = circulated_with_gaps(cast, dissent=DISSENT)
    note_url = f"{site}/meetings/{m.pk}/note/"
    agree = page.get_by_role("button", name="Agree the note")
    blockers = page.locator("#blockers")

    login("chair_a")
    page.get_by_role("link", name="Meetings", exact=True).first.click()
    axe_check("meetings")
    page.get_by_role("link", name="Area A QSG meeting").first.click()
    axe_check("meeting")
    page.get_by_role("link", name="Meeting note", exact=True).click()
    axe_check("note with gaps")
    expect(blockers).to_contain_text("Settle the disagreement recorded on Alpha General Hospital")
    expect(blockers).to_contain_text("Record a conclusion on Alpha Community Services")
    expect(agree).to_have_count(0)  # nothing to press until the gaps are settled

    blockers.get_by_role(
        "link", name="Settle the disagreement recorded on Alpha General Hospital"
    ).click()
    axe_check("settle page")
    expect(page.locator("main")).to_contain_text(DISSENT)
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    expect_error_page(page)
    axe_check("settle page with an error")
    page.get_by_label("Chair's decision").fill(DECISION)
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "Your decision on Alpha General Hospital has been recorded"
    )
    axe_check("note after settling")
    expect(page.locator("#conclusions-table")).to_contain_text(DECISION)
    expect(blockers).not_to_contain_text("Settle the disagreement")
    expect(blockers).to_contain_text("Record a conclusion on Alpha Community Services")
    expect(agree).to_have_count(0)
    sign_out(page)

    # The chair asks the secretariat for the missing conclusion.
    login("secretariat_a")
    page.goto(note_url)
    expect(page.get_by_role("button", name="Agree the note")).to_have_count(0)
    blockers.get_by_role(
        "link", name=re.compile("Record a conclusion on Alpha Community Services")
    ).click()
    expect(page.get_by_label("Provider")).to_have_value(str(cast.providers["provider_a2"].pk))
    page.get_by_label("No further action").check()
    page.get_by_label("Key issues or concerns").fill("Community waiting lists within the range")
    page.get_by_label("Rationale").fill("Data and members' intelligence show no concern")
    axe_check("conclusion form")
    page.get_by_role("button", name="Save conclusion").click()
    expect(page.locator("#conclusions-table")).to_contain_text("Alpha Community Services")
    sign_out(page)

    login("chair_a")
    page.goto(note_url)
    expect(blockers).to_have_count(0)
    agree.click()
    axe_check("agree page")
    page.get_by_role("button", name="Agree the note").click()
    expect(page.locator("#note-status")).to_contain_text("Agreed")
    axe_check("agreed note")
    page.get_by_role("button", name="PDF note").click()
    axe_check("PDF request")
    page.get_by_role("button", name="Make the PDF").click()
    download = page.get_by_role("button", name="Download the PDF")
    expect(download).to_be_visible()
    axe_check("PDF ready")
    printed = download_text(page, download)

    # Read back: what was stored, and what was printed.
    note = MeetingNote.objects.get(meeting=m)
    assert note.status == MeetingNote.Status.AGREED
    assert note.agreed_by == cast.users["chair_a"]
    conclusions = {
        c.provider.ods_code: c
        for c in Conclusion.objects.filter(note=note).select_related("provider", "category")
    }
    assert set(conclusions) == {"RAA", "RAB"}
    assert conclusions["RAA"].chair_decision == DECISION
    assert conclusions["RAB"].category.code == "no-further-action"
    snapshot = NoteVersion.objects.get(note=note, number=1).snapshot
    assert {c["chair_decision"] for c in snapshot["conclusions"] if c["dissent"]} == {DECISION}
    for words in (
        "Alpha General Hospital",
        "Alpha Community Services",
        DISSENT,
        DECISION,
        "Community waiting lists within the range",
        "CQC to bring forward the inspection",
    ):
        assert words in printed, words
    assert "not yet settled" not in printed
