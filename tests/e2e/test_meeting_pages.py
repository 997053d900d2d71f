"""The other meeting pages, as the people who use them, each checked with axe."""

from tests.e2e.journey_steps import expect_error_page
from tests.surveillance.meetings.factories import ensure_reference_data, scenario


def test_meeting_pages_are_accessible(cast, site, page, login, axe_check):
    ensure_reference_data()
    s = scenario(cast)
    qsg = cast.qsgs["a"].pk
    login("secretariat_a")
    for path in [
        "/meetings/",
        f"/qsgs/{qsg}/meetings/",
        f"/qsgs/{qsg}/meetings/series/new/",
        f"/qsgs/{qsg}/coverage/",
        f"/qsgs/{qsg}/business-plans/",
        f"/business-plans/{s['plan'].pk}/",
        f"/business-plans/{s['plan'].pk}/entries/new/",
        f"/qsgs/{qsg}/quorum/",
        f"/meetings/{s['draft'].pk}/note/",
        f"/meetings/{s['draft'].pk}/attendance/",
        f"/meetings/{s['upcoming'].pk}/agenda/",
        f"/meetings/{s['published'].pk}/note/versions/1/",
        f"/meetings/{s['published'].pk}/note/new-version/",
        "/actions/",
        f"/actions/{s['action'].pk}/",
        f"/providers/{cast.providers['provider_a1'].pk}/",
    ]:
        response = page.goto(site + path)
        assert response.status == 200, path
        axe_check(path)
    page.get_by_role("button", name="Log out").click()
    login("chair_a")
    page.goto(
        f"{site}/meetings/{s['draft'].pk}/note/conclusions/{s['draft_conclusion'].pk}/settle/"
    )
    axe_check("settle a disagreement")
    page.get_by_role("button", name="Record decision").click()
    expect_error_page(page)
    axe_check("settle with errors")
