"""Signing in as people do, in Chromium: a secretariat sets up an authenticator app at first
login, and someone signs in through a real OpenID Connect provider and out of it again."""

from __future__ import annotations

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from qsg.accounts.models import ExternalIdentity
from tests.cast import PASSWORD
from tests.e2e.journey_steps import expect_error_page
from tests.signin import current_code


def test_a_secretariat_sets_up_two_factor_at_first_login(cast, site, page, axe_check):
    page.goto(f"{site}/account/login/")
    axe_check("login page")
    page.get_by_label("Username").fill("secretariat_b")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    expect(page.locator("figure svg")).to_be_visible()
    axe_check("set-up page")
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the 6-digit code")
    expect_error_page(page)
    axe_check("set-up page with an error")

    device = TOTPDevice.objects.get(user=cast.users["secretariat_b"], confirmed=False)
    # Pasted with a space, as many apps copy it.
    code = current_code(device)
    page.get_by_label("Security code").fill(f"{code[:3]} {code[3:]}")
    page.get_by_role("button", name="Confirm and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    codes = page.locator(".app-recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"\w{4}-\w{4}-\w{4}", c) for c in codes)
    axe_check("recovery codes")
    page.get_by_role("button", name="I have saved my recovery codes").click()
    expect(page).to_have_url(f"{site}/")

    # Next time: password, then a code, here a recovery code typed in by hand.
    page.get_by_role("button", name="Log out").click()
    page.get_by_label("Username").fill("secretariat_b")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    page.get_by_label("Security code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("The code is not right")
    axe_check("code page with an error")
    page.get_by_label("Security code").fill(codes[3])
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{site}/")


@pytest.fixture
def provider(oidc_provider, site):
    oidc_provider.register(
        redirect_uris=[f"{site}/account/sso/callback/"],
        post_logout_redirect_uris=[f"{site}/account/sso/signed-out/"],
    )
    return oidc_provider


def test_single_sign_on_in_and_out(cast, site, page, axe_check, provider, settings):
    settings.OIDC_TWO_FACTOR_ACR_VALUES = ["AAL3"]
    provider.person("chair.a@nhs.example", sub="555000111222", acr="AAL3")
    ExternalIdentity.objects.create(
        user=cast.users["chair_a"], issuer=provider.url, subject="555000111222"
    )
    page.goto(f"{site}/qsgs/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Log in")
    axe_check("login page with single sign-on")
    page.get_by_role("button", name="Log in with the test identity provider").click()

    # At the provider, on its own port.
    expect(page.get_by_role("heading", level=1)).to_have_text("Test identity provider")
    assert page.url.startswith(provider.url)
    page.get_by_label("Provider username").fill("chair.a@nhs.example")
    page.get_by_label("Provider password").fill("provider-password-1")
    page.get_by_role("button", name="Sign in at the provider").click()

    # Back in the workspace where they were going, with no code asked: the provider's AAL3
    # assurance is the second factor.
    expect(page).to_have_url(f"{site}/qsgs/")
    expect(page.locator(".nhsuk-header")).to_contain_text("Chair A")
    axe_check("QSG list after single sign-on")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have logged out")
    axe_check("signed out")
    assert any(e["event"] == "logout" and e["sub"] == "555000111222" for e in provider.log())
    page.goto(f"{site}/qsgs/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Log in")


def test_api_tokens_are_made_seen_once_and_revoked_on_the_account_page(
    cast, site, page, login, axe_check
):
    login("member_a")
    page.goto(f"{site}/account/profile/")
    axe_check("account page")
    page.get_by_role("link", name="Create an API token").click()
    page.get_by_role("button", name="Create token").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter a name for the token")
    expect_error_page(page)
    axe_check("token form with an error")
    page.get_by_label("Name").fill("Monthly returns script")
    page.get_by_label("Read only").check()
    page.get_by_label("30 days").check()
    page.get_by_role("button", name="Create token").click()
    raw = page.locator("#new-token").input_value()
    assert raw.startswith("qsg_")
    axe_check("new token")
    page.get_by_role("link", name="Back to your account").click()
    row = page.locator("#api-tokens ~ table tr", has_text="Monthly returns script")
    expect(row).to_contain_text("Read only")
    assert raw not in page.content()
    row.get_by_role("button", name="Revoke").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("has been revoked")
    expect(page.locator("body")).not_to_contain_text("(qsg_")
