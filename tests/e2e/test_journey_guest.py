"""The guest's journey (issue 15, build 2): invited to one risk summit, they set a password from
the invitation, sign in and see that summit only. Every other summit, the QSG's pages and its
intelligence answer 404, exactly as an id that does not exist; the header offers nothing empty.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core import mail
from playwright.sync_api import expect

from qsg.models import User
from risksummits.models import Representative
from tests.e2e.journey_steps import sign_out
from tests.risksummits.factories import trigger
from tests.surveillance.intelligence.factories import released

PASSWORD = "a-long-guest-passphrase-42"


def test_guest_sees_only_their_summit(cast, site, page, login, axe_check):
    theirs = trigger(cast, provider="provider_a1")
    same_qsg = trigger(cast, provider="provider_a2")
    other_qsg = trigger(cast, by="member_b", provider="provider_b1")
    item = released(cast)

    # The secretariat invites the guest through the summit's page.
    login("secretariat_a")
    page.goto(f"{site}/risk-summits/{theirs.pk}/")
    page.get_by_role("button", name="Invite a guest").click()
    page.get_by_label("Name of an organisation not listed").fill("Alpha Constabulary")
    page.get_by_label("First name").fill("Gail")
    page.get_by_label("Last name").fill("Guest")
    page.get_by_label("Email address").fill("gail.guest@police.example")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("can see this summit only")
    sign_out(page)

    # The invitation: a link to set a password, the username, and the summit's link.
    [invitation] = [m for m in mail.outbox if m.to == ["gail.guest@police.example"]]
    username = re.search(r"Your username is (\S+)\.", invitation.body).group(1)
    links = [urlsplit(u).path for u in re.findall(r"https?://\S+", invitation.body)]
    set_password, summit_path = links
    assert summit_path == f"/risk-summits/{theirs.pk}/"
    page.goto(site + set_password)
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm new password").fill(PASSWORD)
    axe_check("set a password")
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("expired")

    login(username, PASSWORD)
    axe_check("guest home")
    header = page.locator("header").inner_text()
    for label in ("QSGs", "Providers", "Dashboard", "Intelligence", "Regional"):
        assert not re.search(rf"\b{label}\b", header), f"the guest's header offers {label}"
    page.goto(site + summit_path)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Alpha General Hospital")
    axe_check("the guest's summit")
    page.goto(f"{site}/risk-summits/")
    listed = page.locator("main").inner_text()
    assert theirs.reference in listed
    assert same_qsg.reference not in listed and other_qsg.reference not in listed
    axe_check("the guest's summit list")

    # Everything else answers as if it did not exist.
    missing = page.goto(f"{site}/risk-summits/999999/")
    assert missing.status == 404
    missing_body = page.locator("main").inner_text()
    for path in (
        f"/risk-summits/{same_qsg.pk}/",
        f"/risk-summits/{other_qsg.pk}/",
        f"/qsgs/{cast.qsgs['a'].pk}/",
        f"/providers/{cast.providers['provider_a1'].pk}/",
        f"/intelligence/{item.pk}/",
        f"/dashboard/qsgs/{cast.qsgs['a'].pk}/",
        f"/qsgs/{cast.qsgs['a'].pk}/meetings/",
    ):
        response = page.goto(site + path)
        assert response.status == 404, f"{path}: {response.status}"
        assert page.locator("main").inner_text() == missing_body, path
    axe_check("not found")

    # Read back: the guest's account and their place in one summit.
    guest = User.objects.get(username=username)
    assert (guest.first_name, guest.last_name, guest.organisation.name) == (
        "Gail",
        "Guest",
        "Alpha Constabulary",
    )
    assert guest.check_password(PASSWORD)
    assert list(Representative.objects.filter(user=guest).values_list("summit_id", flat=True)) == [
        theirs.pk
    ]
    assert not guest.qsg_roles.exists()
