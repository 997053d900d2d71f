"""A secretariat user adds a member organisation to their QSG, sees it listed, logs out."""

from playwright.sync_api import expect

from tests.e2e.journey_steps import expect_error_page


def test_secretariat_adds_member_organisation(cast, site, page, login, axe_check):
    login("secretariat_a")
    axe_check("home")

    page.get_by_role("link", name="Area A QSG").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Area A QSG")
    axe_check("QSG page")
    expect(page.locator("#membership-table")).not_to_contain_text("Outside Body Ltd")

    page.get_by_role("button", name="Add a member organisation").click()
    axe_check("add member form")

    # Submitting without choosing shows the NHS.UK error summary and keeps the page.
    page.get_by_role("button", name="Add member").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Select the organisation")
    expect_error_page(page)
    axe_check("add member form with errors")

    page.get_by_label("Organisation").select_option(label="Outside Body Ltd")
    page.get_by_label("Co-opted member").check()
    page.get_by_role("button", name="Add member").click()

    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "Outside Body Ltd is now a member of Area A QSG"
    )
    expect(page.locator("#membership-table")).to_contain_text("Outside Body Ltd")
    expect(page.locator("#membership-table")).to_contain_text("Co-opted member")
    axe_check("QSG page after adding")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Log in")
    page.goto(f"{site}/qsgs/{cast.qsgs['a'].pk}/")
    expect(page).to_have_url(f"{site}/account/login/?next=/qsgs/{cast.qsgs['a'].pk}/")


def test_member_cannot_manage_and_outsider_sees_nothing(cast, site, page, login, axe_check):
    login("member_b")
    response = page.goto(f"{site}/qsgs/{cast.qsgs['a'].pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert "Area A QSG" not in page.content()
    axe_check("404 page")
