"""Single sign-on against a real OpenID Connect provider started by the test (see tests/oidc):
the code flow with PKCE, and every check on the ID token."""

from __future__ import annotations

import pytest
import requests
from django.test import Client
from django.urls import reverse

from qsg.accounts.models import AccountEvent, ApiToken, ExternalIdentity
from qsg.models import User
from tests.cast import PASSWORD

pytestmark = pytest.mark.django_db
CALLBACK = "http://testserver/account/sso/callback/"
SIGNED_OUT = "http://testserver/account/sso/signed-out/"


@pytest.fixture
def provider(oidc_provider):
    oidc_provider.register(redirect_uris=[CALLBACK], post_logout_redirect_uris=[SIGNED_OUT])
    return oidc_provider


def link(provider, cast, username: str, *, sub: str, **claims) -> None:
    provider.person(username, sub=sub, **claims)
    ExternalIdentity.objects.create(user=cast.users[username], issuer=provider.url, subject=sub)


def sso(client: Client, provider, username: str, *, next_url: str = ""):
    """Start at the workspace, sign in at the provider's form, come back: the callback's answer."""
    start = client.get(reverse("qsg:oidc-login") + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302 and start["Location"].startswith(provider.url)
    back = provider.sign_in_form(requests.Session(), start["Location"], username)
    assert back.status_code == 302, back.text
    assert back.headers["Location"].startswith(CALLBACK)
    return client.get(back.headers["Location"].removeprefix("http://testserver"))


def signed_in_as(client: Client) -> str | None:
    response = client.get(reverse("api:me"), HTTP_ACCEPT="application/json")
    return response.json()["username"] if response.status_code == 200 else None


def test_a_linked_person_signs_in_with_pkce_and_a_nonce(cast, provider):
    link(provider, cast, "member_a", sub="uid-member-a")
    client = Client()
    response = sso(client, provider, "member_a", next_url="/qsgs/")
    assert response.status_code == 302 and response["Location"] == "/qsgs/"
    assert signed_in_as(client) == "member_a"
    asked = next(e["params"] for e in provider.log() if e["event"] == "authorize")
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) >= 43
    assert len(asked["nonce"]) >= 20 and asked["state"]
    assert AccountEvent.objects.filter(user=cast.users["member_a"], kind="sso_signed_in").exists()


def test_an_unknown_person_is_refused(cast, provider):
    provider.person("stranger", sub="uid-stranger", email="member_a@example.nhs.uk")
    client = Client()
    response = sso(client, provider, "stranger")
    assert response.status_code == 403
    assert "could not be logged in" in response.content.decode()
    assert signed_in_as(client) is None
    assert not ExternalIdentity.objects.exists()
    assert AccountEvent.objects.filter(kind="sso_refused", user=None).exists()


def test_a_verified_email_links_an_account_where_allowed(cast, provider, settings):
    settings.OIDC_MATCH_EMAIL = True
    provider.person("unverified", sub="uid-1", email="member_b@example.nhs.uk")
    assert sso(Client(), provider, "unverified").status_code == 403
    provider.person("verified", sub="uid-2", email="MEMBER_B@example.nhs.uk", email_verified=True)
    client = Client()
    assert sso(client, provider, "verified").status_code == 302
    assert signed_in_as(client) == "member_b"
    identity = ExternalIdentity.objects.get()
    assert (identity.issuer, identity.subject) == (provider.url, "uid-2")


def test_a_token_for_another_audience_is_refused(cast, provider):
    link(provider, cast, "member_a", sub="uid-a")
    provider.misbehave(aud="another-service")
    client = Client()
    assert sso(client, provider, "member_a").status_code == 403
    assert signed_in_as(client) is None


def test_a_token_for_several_audiences_needs_us_as_authorised_party(cast, provider):
    link(provider, cast, "member_a", sub="uid-a")
    provider.misbehave(aud=["qsg-workspace", "another-service"], azp="another-service")
    assert sso(Client(), provider, "member_a").status_code == 403


def test_an_expired_token_is_refused(cast, provider):
    link(provider, cast, "member_a", sub="uid-a")
    provider.misbehave(exp_offset=-600)
    client = Client()
    assert sso(client, provider, "member_a").status_code == 403
    assert signed_in_as(client) is None


def test_another_issuer_is_refused(cast, provider):
    link(provider, cast, "member_a", sub="uid-a")
    provider.misbehave(iss="https://elsewhere.example")
    assert sso(Client(), provider, "member_a").status_code == 403


def test_a_replayed_nonce_is_refused(cast, provider):
    link(provider, cast, "member_a", sub="uid-a")
    first = Client()
    assert sso(first, provider, "member_a").status_code == 302
    used = next(e["nonce"] for e in provider.log() if e["event"] == "token")
    provider.misbehave(nonce=used)
    second = Client()
    assert sso(second, provider, "member_a").status_code == 403
    assert signed_in_as(second) is None


def test_a_callback_cannot_be_replayed(cast, provider):
    link(provider, cast, "member_a", sub="uid-a")
    client = Client()
    start = client.get(reverse("qsg:oidc-login"))
    back = provider.sign_in_form(requests.Session(), start["Location"], "member_a")
    path = back.headers["Location"].removeprefix("http://testserver")
    assert client.get(path).status_code == 302
    client.post(reverse("qsg:logout"))
    assert client.get(path).status_code == 403
    assert signed_in_as(client) is None


def test_only_allowed_algorithms_are_accepted(cast, provider, settings):
    link(provider, cast, "member_a", sub="uid-a")
    settings.OIDC_ID_TOKEN_ALGORITHMS = ["RS256"]  # the provider signs with RS512
    assert sso(Client(), provider, "member_a").status_code == 403
    settings.OIDC_ID_TOKEN_ALGORITHMS = ["RS256", "RS512"]
    assert sso(Client(), provider, "member_a").status_code == 302


def test_the_assurance_asked_for_is_required(cast, provider, settings):
    settings.OIDC_ACR_VALUES = ["AAL3"]
    link(provider, cast, "member_a", sub="uid-a", acr="AAL1")
    assert sso(Client(), provider, "member_a").status_code == 403
    asked = next(e["params"] for e in provider.log() if e["event"] == "authorize")
    assert asked["acr_values"] == "AAL3"
    provider.person("member_a", sub="uid-a", acr="AAL3")
    client = Client()
    assert sso(client, provider, "member_a").status_code == 302
    assert signed_in_as(client) == "member_a"


def test_high_assurance_counts_as_the_second_factor(cast, provider, settings):
    settings.OIDC_TWO_FACTOR_ACR_VALUES = ["AAL3"]
    link(provider, cast, "secretariat_a", sub="uid-s", acr="AAL3")
    client = Client()
    sso(client, provider, "secretariat_a")
    assert client.get(reverse("qsg:home")).status_code == 200
    assert signed_in_as(client) == "secretariat_a"


def test_lower_assurance_still_asks_for_our_code(cast, provider, settings):
    settings.OIDC_TWO_FACTOR_ACR_VALUES = ["AAL3"]
    link(provider, cast, "secretariat_a", sub="uid-s", acr="AAL1")
    client = Client()
    response = sso(client, provider, "secretariat_a")
    assert response.status_code == 302
    home = client.get(reverse("qsg:home"))
    assert home.status_code == 302 and home["Location"].startswith("/account/two-factor/")


def test_accounts_are_created_only_where_allowed_and_into_a_named_organisation(
    cast, provider, settings
):
    organisation = cast.orgs["icb_a"]
    organisation.ods_code = "QKK"
    organisation.save(update_fields=["ods_code"])
    provider.person(
        "newcomer",
        sub="uid-new",
        ods="QKK",
        given_name="Nia",
        family_name="New",
        email="nia@example.nhs.uk",
        email_verified=True,
    )
    assert sso(Client(), provider, "newcomer").status_code == 403
    settings.OIDC_CREATE_ACCOUNTS = True
    settings.OIDC_ORGANISATION_CLAIM = "ods_code"
    provider.person("lost", sub="uid-lost", ods="ZZZ")
    assert sso(Client(), provider, "lost").status_code == 403
    client = Client()
    assert sso(client, provider, "newcomer").status_code == 302
    user = User.objects.get(external_identities__subject="uid-new")
    assert user.organisation == organisation and user.first_name == "Nia"
    assert not user.has_usable_password()
    assert not user.qsg_roles.exists(), "a new account sees nothing until given a role"


def test_sign_out_ends_the_session_at_the_provider_too(cast, provider):
    link(provider, cast, "member_a", sub="uid-a")
    browser = requests.Session()
    client = Client()
    start = client.get(reverse("qsg:oidc-login"))
    back = provider.sign_in_form(browser, start["Location"], "member_a")
    client.get(back.headers["Location"].removeprefix("http://testserver"))
    response = client.post(reverse("qsg:logout"))
    assert response.status_code == 302 and response["Location"].startswith(f"{provider.url}/logout")
    assert signed_in_as(client) is None
    at_provider = browser.get(response["Location"], allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302
    assert at_provider.headers["Location"].startswith(SIGNED_OUT)
    assert any(e["event"] == "logout" and e["sub"] == "uid-a" for e in provider.log())
    # The provider's own session has gone: the next sign-in asks for the password again.
    again = client.get(reverse("qsg:oidc-login"))
    assert "Provider password" in browser.get(again["Location"], timeout=5).text


def test_linked_accounts_can_be_kept_off_passwords(cast, provider, settings):
    link(provider, cast, "member_a", sub="uid-a")
    settings.OIDC_PASSWORD_SIGN_IN_FOR_LINKED_ACCOUNTS = False
    response = Client().post(reverse("qsg:login"), {"username": "member_a", "password": PASSWORD})
    assert response.status_code == 200
    assert "single sign-on" in response.content.decode()
    token = Client().post(
        "/api/v1/auth/token/",
        {"username": "member_a", "password": PASSWORD},
        content_type="application/json",
    )
    assert token.status_code == 403
    assert not ApiToken.objects.exists()


def test_the_login_page_offers_single_sign_on_when_configured(cast, provider):
    page = Client().get(reverse("qsg:login")).content.decode()
    assert "Log in with the test identity provider" in page
